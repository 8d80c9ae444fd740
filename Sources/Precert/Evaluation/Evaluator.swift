/// Evaluates a compiled policy against case facts. Immutable and `Sendable`: share one across threads.
///
/// One walk answers every case (`FastPath.swift`): the path through each decision's diagram while
/// the tested inputs are known, every open path where one is not, rule by rule for a decision
/// without a diagram. What each leaf means is worked out once (`LeafMeaning.swift`); the typed
/// results, the next steps and the decision JSON (`DecisionFragments`) all derive from it.
package final class Evaluator: Sendable {
    /// The compiled policy.
    package let compiled: CompiledPolicy
    /// The policy's holiday calendar.
    package let calendar: HolidayCalendar
    /// Whether to evaluate rule by rule instead of walking the diagrams (the reference semantics).
    package let ruleByRule: Bool
    /// The policy file as decisions cite it (relative to the policies root), or `nil` for the file
    /// as it was given.
    package let sourceFile: String?

    /// What answers mean: the one definition every path derives from.
    let meaning: PolicyMeaning
    /// How many leaves the diagrams have (all decisions share one table of leaves).
    let leafCount: Int
    /// Per decision and leaf (at `decision * leafCount + leaf`), the index of its meaning in
    /// `leafMeanings`, or -1 for a leaf the decision cannot reach.
    let leafIndex: [Int32]
    /// What each reachable leaf of each decision means.
    let leafMeanings: [LeafMeaning]
    /// Per decision, the answers its leaves can give (empty for a decision without a diagram).
    let answerTables: [AnswerTable]
    /// Per meaning, the position of its answer in its decision's table.
    let leafRanks: [Int]
    /// Per meaning, what `len(decision)` reads there (`nil`: unknown), for the fast atoms.
    let leafLengths: [Double?]
    /// Per meaning, its steps in `stepPool` (dated and undated), as plain data for the hot path.
    let leafSteps: [LeafSteps]
    /// The steps of every meaning (by index in `PolicyMeaning.steps`), back to back.
    let stepPool: [Int32]
    /// Per step (`PolicyMeaning.steps`), its text JSON-escaped in `stepBytes` (without quotes) when
    /// it has no placeholder, so the hot path copies bytes instead of escaping the same text again.
    let stepEscaped: [Range<Int>?]
    /// The escaped texts, back to back.
    let stepBytes: [UInt8]
    /// Every distinct outcome message of the policy, so that a case's steps tell a message they
    /// already gave by its number.
    let messageTexts: [String]
    /// The number of each text in `messageTexts`.
    let messageNumbers: [String: Int32]
    /// Per meaning, its answer's messages by number (empty unless it decides outcomes with messages).
    let leafMessages: [[Int32]]
    /// The most next steps one case can have (every decision's longest list of steps).
    let maxStepsPerCase: Int
    /// Per variable, what a walk reads, as plain data.
    let variables: [WalkVariable]
    /// The thresholds of every interval variable, back to back (see `WalkVariable.thresholds`).
    let thresholdPool: [Double]
    /// Per variable, for an atom, the inputs it reads (to name what is missing when it is unknown).
    let atomInputs: [[Int]]
    /// Per variable, for an atom, the decisions it reads.
    let atomDecisions: [[Int]]
    /// Per variable, what it tests in the policy's words, for `--explain`.
    let variableTests: [String]
    /// Per variable, the name of each branch where branches have fixed names (enums, booleans, atoms).
    let branchNames: [[String]?]
    /// Per variable, its atom in specialized form (`.general(-1)` for input variables).
    let fastAtoms: [FastAtom]
    /// The payloads of `fastAtoms`.
    let fastAtomTable: FastAtoms
    /// Whether every decision has a diagram.
    let allDiagrams: Bool
    /// The diagram's nodes in the walk's layout.
    let walkNodes: [WalkNode]
    /// Each decision in evaluation order, with its diagram's root.
    let walkRoots: [WalkRoot]

    /// Creates an evaluator.
    package init(
        compiled: CompiledPolicy, calendar: HolidayCalendar, ruleByRule: Bool = false, sourceFile: String? = nil,
        regulatory: RegulatoryClocks? = nil
    ) {
        self.compiled = compiled
        self.calendar = calendar
        self.ruleByRule = ruleByRule
        self.sourceFile = sourceFile
        let policy = compiled.checked
        let meaning = PolicyMeaning(policy, calendar: calendar, sourceFile: sourceFile, regulatory: regulatory)
        self.meaning = meaning
        let roots = compiled.roots.map { ruleByRule ? nil : $0 }
        allDiagrams = roots.allSatisfy { $0 != nil }
        leafCount = compiled.leaves.count
        var leafIndex = [Int32](repeating: -1, count: policy.decisions.count * compiled.leaves.count)
        var meanings: [LeafMeaning] = []
        var ranks: [Int] = []
        var tables: [AnswerTable] = []
        var mostSteps = 0
        for (index, root) in roots.enumerated() {
            guard let root else {
                tables.append(AnswerTable([], policy.decisions[index]))
                continue
            }
            var longest = 0
            let first = meanings.count
            for leaf in compiled.reachable(from: root).leaves.sorted(by: >) {
                let position = LeafRef.position(leaf)
                leafIndex[index * leafCount + position] = Int32(meanings.count)
                let leafMeaning = meaning.meaning(index, payload: compiled.leaves[position])
                meanings.append(leafMeaning)
                longest = Swift.max(longest, leafMeaning.dated.steps.count)
            }
            let table = AnswerTable(meanings[first...].map(\.answer), policy.decisions[index])
            ranks += meanings[first...].map { table.rank(of: $0.answer) }
            tables.append(table)
            mostSteps += longest
        }
        answerTables = tables
        leafRanks = ranks
        for (index, decision) in policy.decisions.enumerated() where roots[index] == nil {
            // Rule by rule, a decision cites each rule at most once.
            mostSteps += decision.rules.count + 1
        }
        self.leafIndex = leafIndex
        leafMeanings = meanings
        leafLengths = meanings.map { $0.dated.value.read.flatMap(ExpressionEvaluator.length(of:)) }
        var stepPool: [Int32] = []
        leafSteps = meanings.map { meaning in
            func add(_ steps: [Int]) -> Range<Int> {
                stepPool += steps.map { Int32($0) }
                return (stepPool.count - steps.count)..<stepPool.count
            }
            return LeafSteps(due: meaning.due, dated: add(meaning.dated.steps), undated: add(meaning.undated?.steps ?? []))
        }
        self.stepPool = stepPool
        var messageNumbers: [String: Int32] = [:]
        var messageTexts: [String] = []
        func number(_ text: String) -> Int32 {
            if let known = messageNumbers[text] { return known }
            messageNumbers[text] = Int32(messageTexts.count)
            messageTexts.append(text)
            return Int32(messageTexts.count - 1)
        }
        for decision in policy.decisions {
            for outcome in decision.outcomes.indices { if let message = decision.messages[outcome] { _ = number(message) } }
        }
        leafMessages = meanings.map { $0.dated.result.messages.map { number($0.message) } }
        self.messageTexts = messageTexts
        self.messageNumbers = messageNumbers
        var stepBytes: [UInt8] = []
        stepEscaped = meaning.steps.map { template in
            guard template.count == 1, case .text(let text) = template[0] else { return nil }
            let start = stepBytes.count
            stepBytes += JSONWriter.escaped(text)
            return start..<stepBytes.count
        }
        self.stepBytes = stepBytes
        maxStepsPerCase = Swift.max(1, mostSteps)
        walkNodes = zip(compiled.nodeVariable, compiled.nodeFirstChild).map { WalkNode(variable: $0, firstChild: $1) }
        walkRoots = policy.evaluationOrder.map { WalkRoot(decision: Int32($0), root: roots[$0] ?? 0, hasDiagram: roots[$0] != nil) }
        var pool: [Double] = []
        variables = compiled.variables.map { variable in
            let thresholds = variable.thresholds
            defer { pool += thresholds }
            return WalkVariable(
                kind: variable.kind, slot: Int32(variable.slot ?? -1), domainSize: Int32(variable.domainSize),
                thresholdStart: Int32(pool.count), thresholdCount: Int32(thresholds.count))
        }
        thresholdPool = pool
        atomInputs = compiled.variables.map { variable in
            guard case .atom(let expression) = variable else { return [] }
            var read: Set<Int> = []
            inputsRead(by: expression, policy: policy, into: &read)
            return read.sorted()
        }
        atomDecisions = compiled.variables.map { variable in
            guard case .atom(let expression) = variable else { return [] }
            var read: Set<Int> = []
            decisionsRead(by: expression, policy: policy, into: &read)
            return read.sorted()
        }
        let printer = ExpressionPrinter(policy: policy)
        variableTests = compiled.variables.map { variable in
            if case .atom(let expression) = variable { return printer.expression(expression) }
            return policy.inputs[variable.slot!].path
        }
        branchNames = compiled.variables.map { variable in
            switch variable {
            case .enumSlot(let slot, _):
                if case .enumeration(let names) = policy.inputs[slot].type { return names }
                return nil
            case .boolSlot, .atom: return ["false", "true"]
            case .intervalSlot: return nil
            }
        }
        var table = FastAtoms()
        table.matchers = policy.codeSets.map(\.matcher)
        fastAtoms = compiled.variables.map { variable in
            if case .atom(let expression) = variable { return FastAtom(expression, table: &table) }
            return .general(-1)
        }
        fastAtomTable = table
    }

    var policy: CheckedPolicy { compiled.checked }

    /// The index in `leafMeanings` of the leaf `ref` that decision `decision` reached.
    @inline(__always)
    func leafMeaning(_ decision: Int, _ ref: NodeRef) -> Int {
        leafIndex.withUnsafeBufferPointer { Self.leafMeaning($0, leafCount, decision, ref) }
    }

    /// `leafMeaning(_:_:)` from `leafIndex` as a raw buffer, for loops over every decision.
    @inline(__always)
    static func leafMeaning(_ leafIndex: UnsafeBufferPointer<Int32>, _ leafCount: Int, _ decision: Int, _ ref: NodeRef) -> Int {
        Int(leafIndex[decision &* leafCount &+ LeafRef.position(ref)])
    }

    /// The result of every decision, in declaration order, and the next steps.
    package func evaluate(_ facts: CaseFacts, explain: Bool = false) -> (decisions: [DecisionResult], nextSteps: [String]) {
        var scratch = EvaluationScratch()
        answer(facts, scratch: &scratch, tracing: explain)
        var decisions = materialize(scratch, facts)
        if explain {
            for (decision, variable, branch) in scratch.trace {
                decisions[Int(decision)].trace.append(step(Int(variable), branch, facts))
            }
        }
        return (decisions, nextSteps(scratch, facts))
    }

    /// The full results of a walk (`answer` or a successful `evaluateLeaves`), in declaration order.
    func materialize(_ scratch: EvaluationScratch, _ facts: CaseFacts) -> [DecisionResult] {
        facts.values.withUnsafeBufferPointer { values in
            scratch.leaves.indices.map { decision in
                let leaf = scratch.leaves[decision]
                if leaf < 0 { return meaning.resolved(leafMeanings[leafMeaning(decision, leaf)], values: values).result }
                return answer(decision, scratch).result
            }
        }
    }

    /// Each decision's result as a walk (`answer`) left it, without due instants or filled-in
    /// messages: what a service counts and audits beside the JSON `DecisionFragments` writes,
    /// read from the precomputed leaves instead of building the full decision.
    package func summaries(_ scratch: EvaluationScratch, _ facts: CaseFacts) -> [DecisionResult] {
        facts.values.withUnsafeBufferPointer { values in
            scratch.leaves.indices.map { decision in
                let leaf = scratch.leaves[decision]
                guard leaf < 0 else { return answer(decision, scratch).result }
                let meaning = leafMeanings[leafMeaning(decision, leaf)]
                return meaning.with(meaning.start(values)) { $0.result }
            }
        }
    }

    /// The answer of a decision not at a single leaf.
    func answer(_ decision: Int, _ scratch: EvaluationScratch) -> DecisionAnswer {
        switch scratch.combined[decision] {
        case .answer(let answer): return answer
        case .open(let words, let missing):
            let parts = scratch.exploration.parts
            return meaning.open(decision, possible: parts[words].map { answerTables[decision].words[$0] }, missing: Array(parts[missing]))
        case .none: preconditionFailure("decision \(decision) was not answered")
        }
    }

    /// A step of `--explain`: what variable `v` tests and the value the case gave it.
    private func step(_ v: Int, _ branch: Int32, _ facts: CaseFacts) -> TraceStep {
        let test = variableTests[v]
        if branch < 0 { return TraceStep(test: test, value: "unknown", typedValue: .unknown) }
        // Enum, boolean and atom branches have fixed names; only numbers and dates are printed.
        if let names = branchNames[v] {
            let name = names[Int(branch)]
            // An enum's branch is a word; a boolean's or a condition's is a truth.
            let typed: TraceValue = variables[v].kind == .enumeration ? .text(name) : .bool(branch == 1)
            return TraceStep(test: test, value: name, typedValue: typed)
        }
        let slot = Int(variables[v].slot)
        guard let value = facts.values[slot] else { return TraceStep(test: test, value: "unknown", typedValue: .unknown) }
        let text = ExpressionPrinter(policy: policy).value(value, type: policy.inputs[slot].type)
        switch value {
        case .number(let number): return TraceStep(test: test, value: text, typedValue: .number(number))
        case .bool(let truth): return TraceStep(test: test, value: text, typedValue: .bool(truth))
        default: return TraceStep(test: test, value: text, typedValue: .text(text))
        }
    }

    // MARK: Rule by rule

    /// The reference semantics: each rule's condition in order with three-valued logic; the
    /// payloads (rule sets) that may match, with the inputs and decisions found unknown.
    func evaluateRules(
        _ decision: Decision, _ evaluator: ExpressionEvaluator, unknownSlots: inout Set<Int>, unknownDecisions: inout Set<Int>
    ) -> [[Int32]] {
        func truth(_ expression: CheckedExpr) -> Bool? {
            let t = evaluator.truth(expression)
            if t == nil {
                var read: Set<Int> = []
                inputsRead(by: expression, policy: policy, into: &read)
                unknownSlots.formUnion(read.filter { evaluator.facts.values[$0] == nil })
                var readDecisions: Set<Int> = []
                decisionsRead(by: expression, policy: policy, into: &readDecisions)
                unknownDecisions.formUnion(readDecisions.filter { evaluator.decisions[$0] == .unknown })
            }
            return t
        }
        var payloads: [[Int32]] = []
        let applies = decision.appliesWhen.map(truth) ?? true
        if applies != true { payloads.append([LeafMarker.notApplicable]) }
        if applies == false { return payloads }
        let fallback: [Int32] = decision.defaultRule != nil ? [Int32(decision.rules.count)] : [LeafMarker.noRule]
        switch decision.hit {
        case .first:
            for (i, rule) in decision.rules.enumerated() {
                switch truth(rule.when) {
                case true?:
                    payloads.append([Int32(i)])
                    return payloads
                case nil: payloads.append([Int32(i)])
                case false?: break
                }
            }
            payloads.append(fallback)
        case .all, .unique:
            var sure: [Int32] = []
            var maybe: [Int32] = []
            for (i, rule) in decision.rules.enumerated() {
                switch truth(rule.when) {
                case true?: sure.append(Int32(i))
                case nil: maybe.append(Int32(i))
                case false?: break
                }
            }
            // Every subset of the uncertain rules is possible; the two extremes show the spread.
            let lowest = sure
            let highest = (sure + maybe).sorted()
            for payload in maybe.isEmpty ? [lowest] : [lowest, highest] {
                if decision.hit == .unique {
                    // Overlapping rules are all cited, so a conflict the checker warned about is visible.
                    payloads.append(payload.isEmpty ? fallback : payload)
                } else {
                    payloads.append(payload)
                }
            }
            if decision.hit == .unique, !maybe.isEmpty {
                for m in maybe { payloads.append([m]) }
            }
        }
        return payloads
    }

    // MARK: Next steps

    /// Calls `body` with each `next_step` of a walk's answers (by index in `PolicyMeaning.steps`),
    /// in decision order: the one definition of which steps a case gives (repeats are the
    /// caller's to drop).
    @inline(__always)
    func forEachNextStep(_ scratch: EvaluationScratch, _ values: UnsafeBufferPointer<Value?>, _ body: (Int) -> Void) {
        leafIndex.withUnsafeBufferPointer { leafIndex in
            leafSteps.withUnsafeBufferPointer { leafSteps in
                stepPool.withUnsafeBufferPointer { stepPool in
                    for decision in scratch.leaves.indices {
                        let leaf = scratch.leaves[decision]
                        if leaf < 0 {
                            let steps = leafSteps[Self.leafMeaning(leafIndex, leafCount, decision, leaf)]
                            for step in DueStart(steps.due, values).isUnknown ? steps.undated : steps.dated { body(Int(stepPool[step])) }
                        } else if case .answer(let answer) = scratch.combined[decision] {
                            for step in answer.steps { body(step) }
                        }
                    }
                }
            }
        }
    }

    /// The next steps of a walk's answers, placeholders filled, each once.
    func nextSteps(_ scratch: EvaluationScratch, _ facts: CaseFacts) -> [String] {
        var steps: [String] = []
        var given: [Int32] = []
        facts.values.withUnsafeBufferPointer { values in
            forEachNextStep(scratch, values) { step in
                guard let text = render(meaning.steps[step], facts, scratch, values, given: &given) else { return }
                if !steps.contains(text) { steps.append(text) }
            }
        }
        return steps
    }

    /// Writes the next steps of a walk's answers as JSON strings separated by commas: the list
    /// `nextSteps` gives, static texts copied from their escaped bytes.
    func writeNextSteps(_ scratch: EvaluationScratch, _ facts: CaseFacts, values: UnsafeBufferPointer<Value?>, to writer: inout JSONWriter) {
        // Repeats are found by comparing the escaped bytes already written (escaping is one to
        // one), so no string is built for a step without placeholders.
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: maxStepsPerCase) { written in
            stepBytes.withUnsafeBufferPointer { stepBytes in
            var count = 0
            var given: [Int32] = []
            forEachNextStep(scratch, values) { step in
                let start = writer.bytes.count
                if let escaped = stepEscaped[step] {
                    if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                    writer.bytes.append(UInt8(ascii: "\""))
                    writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: stepBytes[escaped]))
                    writer.bytes.append(UInt8(ascii: "\""))
                } else {
                    guard var text = render(meaning.steps[step], facts, scratch, values, given: &given) else { return }
                    if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                    text.withUTF8 { writer.writeQuoted($0) }
                }
                // The string starts after the comma that separates it from the one before.
                let range = (start + (count > 0 ? 1 : 0))..<writer.bytes.count
                let repeated = writer.bytes.withUnsafeBufferPointer { bytes in
                    let this = UnsafeBufferPointer(rebasing: bytes[range])
                    return written[..<count].contains { JSONText.bytesEqual(UnsafeBufferPointer(rebasing: bytes[$0]), this) }
                }
                if repeated {
                    writer.bytes.removeLast(writer.bytes.count - start)
                } else {
                    written[count] = range
                    count += 1
                }
            }
            }
        }
    }

    /// A `next_step` template with its placeholders filled from the case and the walk's answers;
    /// `nil` for a step whose `{decision}` placeholders give nothing new.
    ///
    /// `given` holds the numbers of the messages earlier steps of the case gave: a message two
    /// placeholders would both give (a missing item that is also a denial risk's fix) is written
    /// once, and a step left with nothing to say is left out.
    private func render(
        _ template: [TemplatePart], _ facts: CaseFacts, _ scratch: EvaluationScratch, _ values: UnsafeBufferPointer<Value?>,
        given: inout [Int32]
    ) -> String? {
        if template.count == 1, case .text(let text) = template[0] { return text }
        var text = ""
        var readsDecisions = false
        var saysSomething = false
        var leftAGap = false
        for part in template {
            switch part {
            case .text(let t): text += t
            case .input(let slot):
                switch facts.values[slot] {
                case .string(let s)?: text += s
                case let value?: text += ExpressionPrinter(policy: policy).value(value, type: policy.inputs[slot].type)
                case nil: text += "(\(policy.inputs[slot].path) not given)"
                }
            case .decision(let decision):
                readsDecisions = true
                let before = text.utf8.count
                appendWords(of: decision, scratch, values, given: &given, to: &text)
                if text.utf8.count > before { saysSomething = true } else { leftAGap = true }
            }
        }
        guard readsDecisions else { return text }
        guard saysSomething else { return nil }
        // A placeholder that wrote nothing leaves its spaces behind.
        return leftAGap ? text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") : text
    }

    /// Appends what a decision answered, as a `{decision}` placeholder writes it: its outcomes'
    /// messages not given yet, else their labels or words; an unsettled decision says so, one
    /// that does not apply writes nothing. A decision at one decided leaf (the common case) is
    /// read from the precomputed numbers, without building its result.
    private func appendWords(
        of decision: Int, _ scratch: EvaluationScratch, _ values: UnsafeBufferPointer<Value?>, given: inout [Int32], to text: inout String
    ) {
        let leaf = scratch.leaves[decision]
        if leaf < 0 {
            let index = leafMeaning(decision, leaf)
            let meaning = leafMeanings[index]
            // Read in place: the leaf's result is not copied.
            meaning.with(meaning.start(values)) { appendWords($0.result, leafMessages[index], given: &given, to: &text) }
        } else {
            let result = answer(decision, scratch).result
            appendWords(result, result.messages.compactMap { messageNumbers[$0.message] }, given: &given, to: &text)
        }
    }

    /// `appendWords(of:…)` for a decision's result whose messages have the numbers `numbers`.
    private func appendWords(_ result: DecisionResult, _ numbers: [Int32], given: inout [Int32], to text: inout String) {
        switch result.status {
        case .decided where !numbers.isEmpty:
            var first = true
            for number in numbers where !given.contains(number) {
                given.append(number)
                if !first { text += " " }
                text += messageTexts[Int(number)]
                first = false
            }
        case .decided: text += result.outcomeLabels.joined(separator: ", ")
        case .needsInformation: text += "(\(result.name) needs \(result.missing.joined(separator: ", ")))"
        case .notApplicable: break
        case .noMatch: text += "(\(result.name) has no answer)"
        }
    }
}

/// A leaf meaning's steps where the hot path finds them: ranges of `Evaluator.stepPool`, the
/// undated ones for a case whose due date has no time to count from.
struct LeafSteps: Sendable {
    let due: DueRule?
    let dated: Range<Int>
    let undated: Range<Int>
}
