// The proof `precert check` runs: no receipt instant lets a policy's turnaround clock end after
// the limit of a regulation that governs it.

/// What the proof found for one policy version, one regulation and one request kind: the rule
/// whose clock comes closest to (or goes past) the regulation's limit, and the receipt instant at
/// which it does.
package struct ClockProof: Sendable, Hashable {
    /// The policy id and the version's first day.
    package var policy: String
    package var version: CivilDate
    /// The regulation's id and title.
    package var regulation: String
    package var regulationTitle: String
    /// The request kind.
    package var kind: RequestKind
    /// The regulation's limit for that kind.
    package var limit: ClockDuration
    /// The rule (`default` for a decision's default) and its clock.
    package var rule: String
    package var clock: ClockDuration
    /// Where the rule's clock is written.
    package var range: SourceRange
    /// The receipt instant with the smallest margin (the earliest of equals).
    package var receivedAt: Timestamp
    /// When the rule's clock and the regulation's limit run out for that receipt.
    package var due: Timestamp
    package var regulationDue: Timestamp
    /// The receipt dates tried, as a half-open range.
    package var window: Range<CivilDate>

    /// Seconds from the rule's due instant to the regulation's: negative when the rule is late.
    package var marginSeconds: Int64 { regulationDue.epochSeconds - due.epochSeconds }

    /// Whether the rule's clock can end after the limit.
    package var exceeds: Bool { marginSeconds < 0 }

    /// The error for a clock that can end after the limit, at the rule's clock.
    package var violation: Diagnostic {
        let late = ClockProof.words(seconds: -marginSeconds)
        return .error(
            "regulation.exceeds-limit",
            "`\(clock)` can end after the \(kind.rawValue) limit of \(regulationTitle) (`\(regulation)`), `\(limit)`: a request received \(receivedAt.localDate.weekday) \(receivedAt.rfc3339) is due \(due.rfc3339) by rule `\(rule)` but \(regulationDue.rfc3339) by the regulation, \(late) late",
            at: range,
            hint: "shorten the clock to at most the limit, or count it in the limit's unit (`\(limit)`)",
            facts: DiagnosticFacts(clock: facts))
    }

    /// A note for `precert check --verbose`: the smallest margin of a clock within the limit.
    package var margin: Diagnostic {
        let spare = marginSeconds == 0 ? "with no time to spare" : "with \(ClockProof.words(seconds: marginSeconds)) to spare at the least"
        return Diagnostic(
            "regulation.within-limit", .note,
            "`\(clock)` of rule `\(rule)` ends within the \(kind.rawValue) limit of \(regulationTitle) (`\(regulation)`), `\(limit)`, for every receipt from \(window.lowerBound) to \(window.upperBound.adding(days: -1)), \(spare) (received \(receivedAt.localDate.weekday) \(receivedAt.rfc3339))",
            at: range, facts: DiagnosticFacts(clock: facts))
    }

    /// The proof's figures as diagnostic facts, for `--format json`.
    package var facts: DiagnosticFacts.Clock {
        DiagnosticFacts.Clock(
            regulation: regulation, requestKind: kind.rawValue, limit: limit.description, clock: clock.description,
            receivedAt: receivedAt.rfc3339, due: due.rfc3339, regulationDue: regulationDue.rfc3339, marginSeconds: Int(marginSeconds))
    }

    /// `7 days`, `1 day 23 hours 59 minutes 59 seconds`: a span of seconds in words.
    package static func words(seconds: Int64) -> String {
        let parts: [(Int64, String)] = [(seconds / 86_400, "day"), (seconds % 86_400 / 3600, "hour"), (seconds % 3600 / 60, "minute"), (seconds % 60, "second")]
        let words = parts.filter { $0.0 != 0 }.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }
        return words.isEmpty ? "0 seconds" : words.joined(separator: " ")
    }
}

/// Proves a policy version's turnaround clock against the regulations that govern it.
///
/// For each governing regulation (plans, states and effective windows overlap) and each request
/// kind it limits, the rules of the turnaround decision a request of that kind can reach are
/// found by evaluating their conditions with only the request kind, plan and state known
/// (`reachableRules`): a rule settled false is skipped, one settled true ends a `first` decision.
/// Each reached rule's clock is then counted from every receipt date in the overlapping window
/// (two years when the window is open-ended), at the first and the last second of the local day:
/// a day-counted clock is the same all day, an hour clock moves with the receipt, so the smallest
/// margin between the two due instants lies at one of them. DST days and holidays are among the
/// dates tried; a clock that exceeds the limit on any of them is an error at the rule.
package enum TurnaroundProof {
    /// The most receipt dates one proof tries: a window longer than this (a version in force for
    /// decades) is cut, so that a check stays fast; ten years hold every pattern of weekdays and
    /// holidays many times over.
    package static let maxWindowDays = 3_653

    /// Every proof for `policy` against the regulations that govern it, and the errors of those
    /// that fail, in a fixed order (regulation, kind, rule).
    package static func prove(
        _ policy: CheckedPolicy, calendar: HolidayCalendar, regulations: [Regulation]
    ) -> (proofs: [ClockProof], diagnostics: [Diagnostic]) {
        guard let turnaround = policy.scope.turnaround else { return ([], []) }
        let decision = policy.decisions[turnaround]
        var proofs: [ClockProof] = []
        var memo: [MemoKey: Worst] = [:]
        for regulation in regulations.sorted(by: { $0.id < $1.id }) where regulation.governs(policy) {
            guard let overlap = regulation.window(with: policy) else { continue }
            let window = overlap.lowerBound..<min(overlap.upperBound, overlap.lowerBound.adding(days: maxWindowDays))
            for kind in RequestKind.allCases {
                guard let limit = regulation.limits[kind] else { continue }
                let rules = reachableRules(policy, decision: decision, kind: kind, regulation: regulation)
                var worstOfKind: ClockProof?
                for index in rules {
                    let rule = index < decision.rules.count ? decision.rules[index] : decision.defaultRule!
                    guard let clock = rule.duration else { continue }
                    let key = MemoKey(clock: clock, limit: limit, regulation: regulation.id, window: window)
                    let worst = memo[key] ?? scan(
                        clock: clock, limit: limit, window: window, zone: policy.timeZone, calendar: calendar,
                        limitZone: regulation.timeZone ?? policy.timeZone, limitCalendar: regulation.calendar ?? calendar)
                    memo[key] = worst
                    let proof = ClockProof(
                        policy: policy.id, version: policy.effective, regulation: regulation.id, regulationTitle: regulation.title,
                        kind: kind, limit: limit, rule: rule.id, clock: clock, range: thenRange(policy, turnaround, index, rule),
                        receivedAt: worst.receivedAt, due: worst.due, regulationDue: worst.limitDue, window: window)
                    if proof.exceeds {
                        proofs.append(proof)
                    } else if worstOfKind == nil || proof.marginSeconds < worstOfKind!.marginSeconds {
                        worstOfKind = proof
                    }
                }
                // Within the limit, one proof per kind says how close the closest rule comes.
                if let worstOfKind, !proofs.contains(where: { $0.regulation == regulation.id && $0.kind == kind }) {
                    proofs.append(worstOfKind)
                }
            }
        }
        return (proofs, proofs.filter(\.exceeds).map(\.violation))
    }

    /// The rule indexes of `decision` (its default as `rules.count`) that a request of `kind`
    /// under `regulation` can reach, judged from the request kind, plan and state alone.
    package static func reachableRules(_ policy: CheckedPolicy, decision: Decision, kind: RequestKind, regulation: Regulation) -> [Int] {
        let scope = policy.scope
        // Each way of fixing the known inputs; rules reached by any of them count.
        var assignments: [[(slot: Int, value: Value)]] = [[]]
        if let slot = scope.urgencySlot {
            let values = scope.urgencyKinds.indices.filter { scope.urgencyKinds[$0] == kind }
            guard !values.isEmpty else { return [] }  // the policy has no such request
            assignments = values.map { [(slot, Value.enumValue($0))] }
        }
        func fix(_ slot: Int?, _ words: [String]?) {
            guard let slot, let words else { return }
            let values = words.compactMap { value(of: $0, in: policy.inputs[slot].type) }
            guard !values.isEmpty else { return }
            assignments = assignments.flatMap { fixed in values.map { fixed + [(slot, $0)] } }
        }
        fix(scope.planSlot, regulation.plans(overlapping: scope.plans))
        fix(scope.stateSlot, regulation.states(overlapping: scope.states))
        var reached: Set<Int> = []
        for assignment in assignments {
            var facts = CaseFacts(slotCount: policy.inputs.count)
            for (slot, value) in assignment {
                facts.values[slot] = value
                facts.present[slot] = true
            }
            let partial = PartialTruth(policy: policy, facts: facts, known: Set(assignment.map(\.slot)))
            if let applies = decision.appliesWhen, partial.truth(applies) == false { continue }
            var settled = false
            for (index, rule) in decision.rules.enumerated() {
                let truth = partial.truth(rule.when)
                if truth == false { continue }
                reached.insert(index)
                if truth == true, decision.hit == .first {
                    settled = true
                    break
                }
            }
            if !settled, decision.defaultRule != nil { reached.insert(decision.rules.count) }
        }
        return reached.sorted()
    }

    /// A word as a value of an input of `type`: an enum's index, or text.
    private static func value(of word: String, in type: ValueType) -> Value? {
        switch type {
        case .enumeration(let values): values.firstIndex(of: word).map { .enumValue($0) }
        case .string, .code: .string(word)
        default: nil
        }
    }

    /// Where a rule's clock is written (its `then:`), or the rule's start.
    private static func thenRange(_ policy: CheckedPolicy, _ decision: Int, _ index: Int, _ rule: Rule) -> SourceRange {
        let written = policy.syntax.decisions[decision]
        if index < written.rules.count { return written.rules[index].then.range }
        return written.defaultOutcome?.then.range ?? SourceRange(rule.location)
    }

    private struct MemoKey: Hashable {
        var clock: ClockDuration
        var limit: ClockDuration
        var regulation: String
        var window: Range<CivilDate>
    }

    /// The receipt with the smallest margin, and both due instants for it.
    private struct Worst {
        var receivedAt: Timestamp
        var due: Timestamp
        var limitDue: Timestamp
    }

    /// Counts both clocks from the first and the last second of every local date in `window`, in
    /// the policy's zone and, when the regulation counts days in another, in that one too: the
    /// margin changes only at a day's start in either zone, so its smallest value lies at one.
    private static func scan(
        clock: ClockDuration, limit: ClockDuration, window: Range<CivilDate>, zone: PolicyTimeZone,
        calendar: HolidayCalendar, limitZone: PolicyTimeZone, limitCalendar: HolidayCalendar
    ) -> Worst {
        var worst: Worst?
        var worstMargin = Int64.max
        let zones = limitZone == zone ? [zone] : [zone, limitZone]
        var day = window.lowerBound
        while day < window.upperBound {
            for receiptZone in zones {
                for secondsOfDay in [0, 86_399] {
                    let receipt = zone.converting(receiptZone.instant(localDate: day, secondsOfDay: secondsOfDay))
                    // Receipt dates are the policy's: another zone's day start may fall outside them.
                    guard window.contains(zone.localDate(of: receipt)) else { continue }
                    let due = dueDate(receivedAt: receipt, duration: clock, zone: zone, calendar: calendar)
                    let limitDue = dueDate(receivedAt: receipt, duration: limit, zone: limitZone, calendar: limitCalendar)
                    let margin = limitDue.epochSeconds - due.epochSeconds
                    // The smallest margin, and of equal ones the earliest receipt, so the answer is one.
                    if margin < worstMargin || (margin == worstMargin && receipt.epochSeconds < worst!.receivedAt.epochSeconds) {
                        worstMargin = margin
                        worst = Worst(receivedAt: receipt, due: due, limitDue: limitDue)
                    }
                }
            }
            day = day.adding(days: 1)
        }
        return worst!
    }
}

/// Three-valued truth with only some inputs known: an expression that reads an unknown input
/// (`has()` included) or another decision is unknown, unless `and`/`or`/`not` settle it.
struct PartialTruth {
    let policy: CheckedPolicy
    let facts: CaseFacts
    let known: Set<Int>

    func truth(_ expression: CheckedExpr) -> Bool? {
        switch expression {
        case .not(let inner): return truth(inner).map { !$0 }
        case .and(let a, let b):
            let left = truth(a), right = truth(b)
            if left == false || right == false { return false }
            return left == true && right == true ? true : nil
        case .or(let a, let b):
            let left = truth(a), right = truth(b)
            if left == true || right == true { return true }
            return left == false && right == false ? false : nil
        case .condition(let index): return truth(policy.conditions[index].expression)
        default:
            guard readsOnlyKnown(expression) else { return nil }
            let evaluator = ExpressionEvaluator(policy: policy, facts: facts, decisions: Array(repeating: nil, count: policy.decisions.count))
            return evaluator.truth(expression)
        }
    }

    private func readsOnlyKnown(_ expression: CheckedExpr) -> Bool {
        switch expression {
        case .constant, .element: true
        case .input(let slot), .has(let slot): known.contains(slot)
        case .decision: false
        case .condition(let index): readsOnlyKnown(policy.conditions[index].expression)
        case .not(let a), .length(let a), .inValues(let a, _), .inCodeSet(let a, _), .shift(let a, _, _): readsOnlyKnown(a)
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .any(let a, let b), .all(let a, let b),
            .contains(let a, let b):
            readsOnlyKnown(a) && readsOnlyKnown(b)
        }
    }
}
