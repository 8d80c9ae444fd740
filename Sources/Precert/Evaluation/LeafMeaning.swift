// What a diagram leaf (or a set of rules matched rule by rule) means: its answer, the result it
// gives, the value other decisions read, its due-date rule, its next steps. Written once here;
// the evaluator's typed results, the JSON written straight from a walk, `--explain` and the
// reference evaluation all derive from it.

/// What a set of matched rules answers, before it is written out.
enum Answer: Hashable, Sendable {
    /// Outcomes by index: the outcome of the first rule for hit policies `first` and `unique`, the
    /// sorted set of every rule's outcome for `all`.
    case outcomes([Int])
    /// A duration decision's answer: the duration of the rule at this index (the default's at
    /// `rules.count`).
    case duration(rule: Int)
    /// The decision does not apply.
    case notApplicable
    /// No rule matched and there is no default.
    case noRule

    /// What a leaf's payload (rule indexes, or a `LeafMarker`) answers for `decision`.
    init(_ decision: Decision, payload: [Int32]) {
        if payload.first == LeafMarker.notApplicable {
            self = .notApplicable
        } else if payload.first == LeafMarker.noRule {
            self = .noRule
        } else if decision.hit == .all {
            self = .outcomes(Array(Set(payload.map { decision.rule(at: Int($0)).outcome })).sorted())
        } else if let first = payload.first {
            self = decision.isDuration ? .duration(rule: Int(first)) : .outcomes([decision.rule(at: Int(first)).outcome])
        } else {
            self = .noRule
        }
    }

    /// The words `possible` lists for this answer.
    func names(_ decision: Decision) -> [String] {
        switch self {
        case .notApplicable: [DecisionStatus.notApplicable.rawValue]
        case .noRule: [DecisionStatus.noMatch.rawValue]
        case .duration(let rule): decision.rule(at: rule).duration.map { [$0.description] } ?? []
        case .outcomes(let outcomes): outcomes.map { decision.outcomes[$0] }
        }
    }

    /// Outcomes in declaration order, then durations in rule order, then not applicable, then no
    /// rule: the order of `possible`.
    static func precedes(_ a: Answer, _ b: Answer) -> Bool {
        func group(_ answer: Answer) -> Int {
            switch answer {
            case .outcomes: 0
            case .duration: 1
            case .notApplicable: 2
            case .noRule: 3
            }
        }
        switch (a, b) {
        case (.outcomes(let x), .outcomes(let y)): return x.lexicographicallyPrecedes(y)
        case (.duration(let x), .duration(let y)): return x < y
        default: return group(a) < group(b)
        }
    }
}

/// The answers a decision's leaves can give, in `possible` order, each with the words `possible`
/// lists for it, numbered so that combining answers compares numbers.
struct AnswerTable: Sendable {
    /// Distinct answers, sorted by `Answer.precedes`.
    let answers: [Answer]
    /// Every word some answer lists, each once.
    let words: [String]
    /// Per answer, its words by index in `words`.
    let wordIndexes: [[Int]]

    init(_ answers: [Answer], _ decision: Decision) {
        var distinct: [Answer] = []
        for answer in answers where !distinct.contains(answer) { distinct.append(answer) }
        distinct.sort(by: Answer.precedes)
        self.answers = distinct
        var words: [String] = []
        wordIndexes = distinct.map { answer in
            answer.names(decision).map { name in
                if let index = words.firstIndex(of: name) { return index }
                words.append(name)
                return words.count - 1
            }
        }
        self.words = words
    }

    /// The position of `answer` in the table.
    func rank(of answer: Answer) -> Int { answers.firstIndex(of: answer)! }
}

extension Decision {
    /// The rule at a payload index: a written rule, or the default at `rules.count`.
    func rule(at index: Int) -> Rule {
        index < rules.count ? rules[index] : defaultRule!
    }
}

/// How a duration decision's due date is found: its duration counted from the datetime input in
/// `slot`. Plain data, so the hot path reads it without reference counting.
struct DueRule: Sendable {
    /// The clock.
    let duration: ClockDuration
    /// The datetime input the clock starts from.
    let slot: Int
    /// Whether this is the authorization turnaround, whose answers show regulatory due dates.
    let isTurnaround: Bool

    /// When the clock starts for a case, or `nil` when that input is unknown (the decision then
    /// needs it).
    @inline(__always)
    func start(_ values: UnsafeBufferPointer<Value?>) -> Timestamp? {
        if case .datetime(let instant)? = values[slot] { return instant }
        return nil
    }
}


/// A decision's answer for a case, in the parts every output reads.
struct DecisionAnswer: Sendable {
    /// The result (for a duration, without its due instant, which depends on the case).
    var result: DecisionResult
    /// The value other decisions read.
    var value: DecisionValue
    /// The inputs that would settle it, by slot (empty unless it needs information).
    var missing: [Int]
    /// The `next_step`s it gives, in order, by index in `PolicyMeaning.steps` (none unless
    /// decided with rules that are not alternatives).
    var steps: [Int]
}

/// When a duration decision's clock starts for a case.
enum DueStart {
    /// The decision has no due date.
    case none
    /// The clock starts at this instant.
    case at(Timestamp)
    /// The input it starts from is unknown: the decision needs it.
    case unknown

    /// When the clock of `due` (if any) starts for a case with `values`.
    @inline(__always)
    init(_ due: DueRule?, _ values: UnsafeBufferPointer<Value?>) {
        guard let due else {
            self = .none
            return
        }
        self = due.start(values).map(DueStart.at) ?? .unknown
    }

    /// Whether the clock has no time to count from (the decision then needs that input).
    var isUnknown: Bool {
        if case .unknown = self { return true }
        return false
    }
}

/// What one reachable leaf of a decision's diagram means; also what one set of rules matched
/// rule by rule means. A class, so that gathering the leaves a case reached copies references.
final class LeafMeaning: Sendable {
    /// The answer.
    let answer: Answer
    /// The rules it cites, by index, in order.
    let rules: [Int]
    /// For a decided duration, how its due date is found.
    let due: DueRule?
    /// The answer when its due date can be counted (or it has none).
    let dated: DecisionAnswer
    /// For a decided duration, the answer when the time its clock starts from is unknown.
    let undated: DecisionAnswer?

    init(answer: Answer, rules: [Int], due: DueRule?, dated: DecisionAnswer, undated: DecisionAnswer?) {
        self.answer = answer
        self.rules = rules
        self.due = due
        self.dated = dated
        self.undated = undated
    }

    /// When the clock starts for a case.
    @inline(__always)
    func start(_ values: UnsafeBufferPointer<Value?>) -> DueStart { DueStart(due, values) }

    /// Reads the answer for a case whose clock start is `start` (without copying it): the undated
    /// one when the start is unknown.
    @inline(__always)
    func with<T>(_ start: DueStart, _ body: (DecisionAnswer) -> T) -> T {
        start.isUnknown ? body(undated!) : body(dated)
    }
}

/// Per rule of a decision, what a result cites and the step it gives, worked out once.
struct RuleFacts: Sendable {
    /// Per rule index (the default last), its citation with the policy file as decisions name it.
    let citations: [RuleCitation]
    /// Per rule index, its `next_step` by index in `PolicyMeaning.steps`.
    let steps: [Int?]
}

/// The meaning of leaves and rule sets for one policy: the one definition of what an answer
/// gives, shared by every path of the evaluator.
struct PolicyMeaning: Sendable {
    let policy: CheckedPolicy
    /// The holiday calendar business days skip.
    let calendar: HolidayCalendar
    /// Per decision, its rules' citations and steps.
    let rules: [RuleFacts]
    /// Every rule's `next_step` template, in decision and rule order.
    let steps: [[TemplatePart]]
    /// Per input slot, its path (what `missing` names).
    let paths: [String]
    /// The regulations that govern the policy, for the turnaround's regulatory due dates.
    let regulatory: RegulatoryClocks?

    init(_ policy: CheckedPolicy, calendar: HolidayCalendar, sourceFile: String?, regulatory: RegulatoryClocks?) {
        self.policy = policy
        self.calendar = calendar
        self.regulatory = regulatory
        var steps: [[TemplatePart]] = []
        rules = policy.decisions.map { decision in
            let all = decision.rules + (decision.defaultRule.map { [$0] } ?? [])
            let citations = all.map { rule in
                var location = rule.location
                if let sourceFile { location.file = sourceFile }
                return RuleCitation(id: rule.id, because: rule.because, sources: rule.sources, location: location)
            }
            let ids = all.map { rule in
                rule.nextStep.map { step in
                    steps.append(step)
                    return steps.count - 1
                }
            }
            return RuleFacts(citations: citations, steps: ids)
        }
        self.steps = steps
        paths = policy.inputs.map(\.path)
    }

    /// The rule indexes a payload cites, in order, each once.
    static func cited(_ payload: [Int32]) -> [Int] {
        var rules: [Int] = []
        for r in payload where r >= 0 && !rules.contains(Int(r)) { rules.append(Int(r)) }
        return rules
    }

    /// What one payload (a leaf's, or the rules matched rule by rule) means for decision `index`.
    func meaning(_ index: Int, payload: [Int32]) -> LeafMeaning {
        let answer = Answer(policy.decisions[index], payload: payload)
        let rules = Self.cited(payload)
        let (dated, due) = settled(index, answer, rules: rules, alternatives: false)
        return LeafMeaning(answer: answer, rules: rules, due: due, dated: dated, undated: due.map { undated(dated, $0) })
    }

    /// The answer a single answer gives citing `rules`: decided, not applicable or no match; for a
    /// duration, without its due instant, and how to find it.
    func settled(_ index: Int, _ answer: Answer, rules: [Int], alternatives: Bool) -> (DecisionAnswer, DueRule?) {
        let decision = policy.decisions[index]
        var result = DecisionResult(
            name: decision.name, status: .decided, outcomes: [], isList: decision.hit == .all, rules: [],
            duration: nil, due: nil, missing: [], possible: [], messages: [], trace: [])
        result.label = decision.label
        var value = DecisionValue.none
        var due: DueRule?
        switch answer {
        case .notApplicable:
            result.status = .notApplicable
        case .noRule:
            result.status = .noMatch
        case .duration(let rule):
            result.rules = rules.map { self.rules[index].citations[$0] }
            result.rulesAreAlternatives = alternatives
            if let duration = decision.rule(at: rule).duration {
                result.duration = duration
                result.outcomes = [duration.description]
                result.outcomeLabels = result.outcomes
                value = .value(.duration(duration))
                if let slot = decision.dueFromSlot, slot >= 0 {
                    due = DueRule(duration: duration, slot: slot, isTurnaround: regulatory != nil && policy.scope.turnaround == index)
                }
            }
        case .outcomes(let outcomes):
            result.rules = rules.map { self.rules[index].citations[$0] }
            result.rulesAreAlternatives = alternatives
            result.outcomes = outcomes.map { decision.outcomes[$0] }
            result.outcomeLabels = outcomes.map { decision.labels[$0] ?? decision.outcomes[$0] }
            result.messages = outcomes.compactMap { o in decision.messages[o].map { (decision.outcomes[o], $0) } }
            value = .value(decision.hit == .all ? .list(outcomes.map(Value.enumValue)) : .enumValue(outcomes[0]))
        }
        let steps = result.status == .decided && !alternatives ? rules.compactMap { self.rules[index].steps[$0] } : []
        return (DecisionAnswer(result: result, value: value, missing: [], steps: steps), due)
    }

    /// A decided duration when the time its clock starts from is unknown: it needs that input,
    /// gives no value and no steps.
    func undated(_ answer: DecisionAnswer, _ due: DueRule) -> DecisionAnswer {
        var result = answer.result
        result.status = .needsInformation
        result.missing = [paths[due.slot]]
        result.possible = [due.duration.description]
        return DecisionAnswer(result: result, value: .unknown, missing: [due.slot], steps: [])
    }

    /// The answer of one meaning for a case: the due date counted, or needing the clock's start.
    func resolved(_ meaning: LeafMeaning, values: UnsafeBufferPointer<Value?>) -> DecisionAnswer {
        let start = meaning.start(values)
        var answer = meaning.with(start) { $0 }
        if case .at(let instant) = start, let due = meaning.due {
            let payerDue = dueDate(due, from: instant)
            answer.result.due = payerDue
            answer.result.regulatory = regulatoryDues(due, values, from: instant, payerDue: payerDue)
        }
        return answer
    }

    /// The governing regulations' due instants for a turnaround clock (none for other clocks).
    @inline(__always)
    func regulatoryDues(_ rule: DueRule, _ values: UnsafeBufferPointer<Value?>, from start: Timestamp, payerDue: Timestamp) -> [RegulatoryDue] {
        guard rule.isTurnaround, let regulatory else { return [] }
        return regulatory.dues(values, receivedAt: start, payerDue: payerDue)
    }

    /// When a due rule's clock runs out, counted from `start`, in the policy's time zone.
    @inline(__always)
    func dueDate(_ rule: DueRule, from start: Timestamp) -> Timestamp {
        Precert.dueDate(receivedAt: start, duration: rule.duration, zone: policy.timeZone, calendar: calendar)
    }

    /// Appends to `parts` the words `possible` lists when unknown inputs leave the answers at
    /// `ranks` (positions in `table`) open: each answer's words in table order, each word once.
    func openWords(_ ranks: [Int], _ table: AnswerTable, into parts: inout [Int]) {
        let start = parts.count
        for rank in table.answers.indices where ranks.contains(rank) {
            for word in table.wordIndexes[rank] where !parts[start...].contains(word) { parts.append(word) }
        }
    }

    /// A decision left open by unknown inputs: it needs `missing` (sorted slots) and may still give
    /// `possible`.
    func open(_ index: Int, possible: [String], missing: [Int]) -> DecisionAnswer {
        let decision = policy.decisions[index]
        var result = DecisionResult(
            name: decision.name, status: .needsInformation, outcomes: [], isList: decision.hit == .all, rules: [],
            duration: nil, due: nil, missing: missing.map { paths[$0] }, possible: possible, messages: [], trace: [])
        result.label = decision.label
        return DecisionAnswer(result: result, value: .unknown, missing: missing, steps: [])
    }

    /// What several reached leaves (or matched rule sets) with one answer amount to for decision
    /// `index`, given the case's values.
    ///
    /// One meaning is itself. Several paths to the answer cite the rules every path shares; if
    /// none is shared, all candidates, marked so that their next steps are not given.
    func merge(_ index: Int, _ meanings: [LeafMeaning], values: UnsafeBufferPointer<Value?>) -> DecisionAnswer {
        if meanings.count == 1 { return resolved(meanings[0], values: values) }
        var rules: [Int] = []
        var certain = meanings.first?.rules ?? []
        for meaning in meanings {
            for r in meaning.rules where !rules.contains(r) { rules.append(r) }
            certain = certain.filter(meaning.rules.contains)
        }
        let alternatives = certain.isEmpty
        if !alternatives { rules = rules.filter(certain.contains) }
        let answer = meanings.first?.answer ?? .noRule
        let (dated, due) = settled(index, answer, rules: rules, alternatives: alternatives)
        return resolved(LeafMeaning(answer: answer, rules: rules, due: due, dated: dated, undated: due.map { undated(dated, $0) }), values: values)
    }
}

/// A decision's answer for a case where no single leaf gives it.
enum CombinedAnswer: Sendable {
    /// Not answered (yet), or answered by a single leaf.
    case none
    /// Unknown inputs leave different answers open, so it needs information: the words it may
    /// still give (indexes into its `AnswerTable.words`) and the inputs that would settle it
    /// (slots, sorted), as ranges of `Exploration.parts`. Kept this small so that a case with
    /// many open decisions builds no result to write its JSON.
    case open(words: Range<Int>, missing: Range<Int>)
    /// Decided (or not applicable, or no match) by several leaves, or answered rule by rule.
    case answer(DecisionAnswer)
}
