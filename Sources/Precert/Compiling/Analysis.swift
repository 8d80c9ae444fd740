/// The analysis `precert check` reports: what the diagrams prove about a policy.
extension PolicyCompiler {
    /// Findings for every condition and decision.
    mutating func analyze() -> [Diagnostic] {
        var findings: [Diagnostic] = []
        let printer = ExpressionPrinter(policy: policy)
        for (index, condition) in policy.conditions.enumerated() {
            guard let root = try? boolean(.condition(index)) else { continue }
            if root == builder.trueLeaf || root == builder.falseLeaf {
                let value = root == builder.trueLeaf ? "true" : "false"
                findings.append(
                    .warning(
                        "analysis.constant-condition", "condition `\(condition.name)` is always \(value)",
                        at: SourceRange(condition.location), hint: "no case can make it \(value == "true" ? "false" : "true")"))
            }
        }
        for index in policy.decisions.indices {
            guard let root = decisionRoots[index] else { continue }
            findings += analyzeDecision(index, root: root, printer: printer)
        }
        return findings
    }

    private mutating func analyzeDecision(_ index: Int, root: NodeRef, printer: ExpressionPrinter) -> [Diagnostic] {
        let decision = policy.decisions[index]
        var findings: [Diagnostic] = []
        if let applies = appliesRoots[index], applies == builder.trueLeaf || applies == builder.falseLeaf {
            let value = applies == builder.trueLeaf ? "true" : "false"
            findings.append(
                .warning(
                    "analysis.constant-condition", "`applies_when` of decision `\(decision.name)` is always \(value)",
                    at: SourceRange(decision.location)))
        }
        let leaves = builder.reachableLeaves(root)
        var reachedRules: Set<Int32> = []
        for leaf in leaves {
            let payload = builder.payload(leaf)
            if decision.hit == .first || decision.hit == .unique {
                if let first = payload.first { reachedRules.insert(first) }
            } else {
                reachedRules.formUnion(payload)
            }
        }
        let whens = ruleRoots[index]
        // Comparisons of two inputs are atoms the diagram cannot relate, so `x <= y and x > y`
        // looks satisfiable to it; the rule's conjuncts are compared pair by pair instead.
        var contradictory: Set<Int> = []
        for (i, rule) in decision.rules.enumerated() where whens[i] != builder.falseLeaf {
            guard let clash = PairwiseOrder.contradiction(in: rule.when, policy: policy) else { continue }
            contradictory.insert(i)
            findings.append(
                .warning(
                    "analysis.never-matches",
                    "rule `\(rule.id)` can never match: `\(printer.expression(clash.0))` and `\(printer.expression(clash.1))` cannot both be true",
                    at: SourceRange(rule.location), hint: "one of the two comparisons is the wrong way round, or the rule is not needed"))
        }
        for (i, rule) in decision.rules.enumerated() where !reachedRules.contains(Int32(i)) && !contradictory.contains(i) {
            if whens[i] == builder.falseLeaf {
                findings.append(
                    .warning(
                        "analysis.never-matches", "rule `\(rule.id)` can never match: its condition is always false",
                        at: SourceRange(rule.location)))
                continue
            }
            if let applies = appliesRoots[index], let both = try? builder.and(applies, whens[i]), both == builder.falseLeaf {
                findings.append(
                    .warning(
                        "analysis.never-matches",
                        "rule `\(rule.id)` can never match: it needs a case where `applies_when` is false",
                        at: SourceRange(rule.location)))
                continue
            }
            guard decision.hit == .first else { continue }
            // Name a few: a rule shadowed by thousands must cost neither thousands of diagram
            // intersections nor a finding thousands of names long.
            var shadowing: [Int] = []
            for j in 0..<i {
                if shadowing.count == 6 { break }
                if let both = try? builder.and(whens[j], whens[i]), both != builder.falseLeaf { shadowing.append(j) }
            }
            let shown = shadowing.prefix(5)
            var names = shown.map { "`\(decision.rules[$0].id)`" }.joined(separator: ", ")
            if shadowing.count > shown.count { names += " and others" }
            findings.append(
                .warning(
                    "analysis.shadowed-rule",
                    "rule `\(rule.id)` can never decide: every case it matches is decided first by \(shadowing.count == 1 ? "rule" : "rules") \(names)",
                    at: SourceRange(rule.location),
                    hint: "move it before them, narrow them, or remove it",
                    notes: shown.map { DiagnosticNote("`\(decision.rules[$0].id)` is here", at: SourceRange(decision.rules[$0].location)) }))
        }
        if decision.hit != .all, decision.defaultRule == nil {
            let gap = builder.leaf([LeafMarker.noRule])
            if leaves.contains(gap), let path = builder.path(from: root, to: gap) {
                let example = counterexample(path, root: root, target: gap, printer: printer)
                findings.append(
                    .warning(
                        "analysis.gap",
                        "\(example.certain ? "" : "possible ")gap: some cases reach no rule of decision `\(decision.name)`, which has no default",
                        at: SourceRange(decision.location),
                        hint: "add a `default` or a rule for: \(example.json)\(example.conditions)"))
            }
        }
        if decision.hit == .unique {
            for leaf in leaves.sorted(by: >) where builder.payload(leaf).count > 1 {
                let rules = builder.payload(leaf).map { decision.rules[Int($0)] }
                guard let path = builder.path(from: root, to: leaf) else { continue }
                let example = counterexample(path, root: root, target: leaf, printer: printer)
                findings.append(
                    .warning(
                        "analysis.overlap",
                        "\(example.certain ? "" : "possible ")overlap: rules \(rules.map { "`\($0.id)`" }.joined(separator: " and ")) of decision `\(decision.name)` match the same case, but its hit policy is `unique`",
                        at: SourceRange(rules[1].location),
                        hint: "for example: \(example.json)\(example.conditions)",
                        notes: [DiagnosticNote("`\(rules[0].id)` is here", at: SourceRange(rules[0].location))]))
            }
        }
        return findings
    }

    /// A case, in the shape of the case JSON, that follows `path`; certain when evaluating it really
    /// reaches `target`.
    private func counterexample(
        _ path: [(variable: Int32, branch: Int)], root: NodeRef, target: NodeRef, printer: ExpressionPrinter
    ) -> (json: String, conditions: String, certain: Bool) {
        var facts = CaseFacts(slotCount: policy.inputs.count)
        var atoms: [String] = []
        for (v, branch) in path {
            let variable = builder.variables[Int(v)]
            switch variable {
            case .enumSlot(let slot, _): facts.values[slot] = .enumValue(branch)
            case .boolSlot(let slot): facts.values[slot] = .bool(branch == 1)
            case .intervalSlot(let slot, let thresholds):
                facts.values[slot] = DiagramVariable.representative(region: branch, thresholds: thresholds, type: policy.inputs[slot].type)
            case .atom(let expression):
                atoms.append("`\(printer.expression(expression))` is \(branch == 1 ? "true" : "false")")
            }
        }
        for slot in facts.values.indices where facts.values[slot] != nil { facts.present[slot] = true }
        if atoms.isEmpty {
            return (CaseJSON.sketch(facts, policy: policy), "", reaches(facts, root: root, target: target))
        }
        // The atoms compare inputs with each other: look for values of the inputs they read
        // that make a real case reach `target`, so that the finding is certain.
        if let complete = completion(of: facts, path: path, root: root, target: target) {
            return (CaseJSON.sketch(complete, policy: policy), "", true)
        }
        return (CaseJSON.sketch(facts, policy: policy), ", where \(atoms.joined(separator: " and "))", false)
    }

    /// `facts` with the unknown inputs that the path's atoms read filled in so that walking the
    /// diagram reaches `target`, or `nil` when a small search finds no such values.
    private func completion(
        of facts: CaseFacts, path: [(variable: Int32, branch: Int)], root: NodeRef, target: NodeRef
    ) -> CaseFacts? {
        var read: Set<Int> = []
        var constants: [Value] = []
        var shifts: [ClockDuration] = []
        for (v, _) in path {
            guard case .atom(let expression) = builder.variables[Int(v)] else { continue }
            inputsRead(by: expression, policy: policy, into: &read)
            collectConstants(expression, into: &constants, shifts: &shifts)
        }
        let open = read.filter { facts.values[$0] == nil }.sorted()
        guard !open.isEmpty, open.count <= 4 else { return nil }
        var choices: [[Value]] = []
        for slot in open {
            let type = policy.inputs[slot].type
            var anchors: [Double] = constants.compactMap { value in
                switch (type, value) {
                case (.number, .number(let x)) where x.isFinite && abs(x) < 1e15: x
                case (.date, .date(let d)): Double(d.dayNumber)
                case (.datetime, .datetime(let t)): Double(t.epochSeconds)
                default: nil
                }
            }
            for other in facts.values.indices where policy.inputs[other].type == type {
                if let value = facts.values[other], let key = ExpressionEvaluator.orderKey(value) { anchors.append(key) }
            }
            // A comparison with a shifted input (`service.date <= referral.issued_on + 1 year`)
            // is settled only by values that far apart: each anchor moved by each shift, too.
            let spans = shifts.compactMap { Self.span($0, type: type) }
            anchors += anchors.flatMap { anchor in spans.flatMap { [anchor + $0, anchor - $0] } }
            if anchors.isEmpty, !spans.isEmpty, type == .date { anchors = [20605] + spans.flatMap { [20605 + $0, 20605 - $0] } }
            let values: [Value]
            switch type {
            case .bool: values = [.bool(false), .bool(true)]
            case .enumeration(let words): values = (0..<min(words.count, 8)).map { .enumValue($0) }
            case .number:
                values = Self.around(anchors.isEmpty ? [0] : anchors, step: 1).map { .number($0) }
            case .date:
                values = Self.around(anchors.isEmpty ? [20605] : anchors, step: 1).map { .date(CivilDate(dayNumber: Int32(clamping: Int64(exactly: $0.rounded()) ?? 0))) }
            case .datetime:
                values = Self.around(anchors.isEmpty ? [1_780_000_000] : anchors, step: 3600).map { .datetime(Timestamp(epochSeconds: Int64(exactly: $0.rounded()) ?? 0)) }
            default: return nil
            }
            choices.append(values)
        }
        var trial = facts
        var budget = 2_000
        func search(_ position: Int) -> Bool {
            if position == open.count {
                budget -= 1
                return reaches(trial, root: root, target: target)
            }
            for value in choices[position] where budget > 0 {
                trial.values[open[position]] = value
                trial.present[open[position]] = true
                if search(position + 1) { return true }
            }
            return false
        }
        return search(0) ? trial : nil
    }

    /// Each anchor and one step either side, without repeats, at most nine values.
    private static func around(_ anchors: [Double], step: Double) -> [Double] {
        var seen: Set<Double> = []
        var values: [Double] = []
        for anchor in anchors.sorted() {
            for value in [anchor, anchor - step, anchor + step] where seen.insert(value).inserted { values.append(value) }
            if values.count >= 9 { break }
        }
        return values
    }

    private func collectConstants(_ expression: CheckedExpr, into constants: inout [Value], shifts: inout [ClockDuration]) {
        switch expression {
        case .constant(let value): constants.append(value)
        case .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            collectConstants(a, into: &constants, shifts: &shifts)
            collectConstants(b, into: &constants, shifts: &shifts)
        case .shift(let a, let duration, _):
            shifts.append(duration)
            collectConstants(a, into: &constants, shifts: &shifts)
        case .not(let a): collectConstants(a, into: &constants, shifts: &shifts)
        default: break
        }
    }

    /// How far a shift moves an input's order key, at most (a month as 31 days, a year as 366,
    /// a business day as three calendar days), in days for a date and seconds for a datetime; the
    /// search tries values on both sides of it.
    private static func span(_ duration: ClockDuration, type: ValueType) -> Double? {
        let days: Double = switch duration.unit {
        case .hours: Double(duration.amount) / 24
        case .calendarDays: Double(duration.amount)
        case .businessDays: Double(duration.amount) * 3
        case .months: Double(duration.amount) * 31
        case .years: Double(duration.amount) * 366
        }
        switch type {
        case .date: return days.rounded(.up)
        case .datetime: return days * 86_400
        default: return nil
        }
    }


    /// Whether walking the diagram with `facts` ends exactly at `target`.
    private func reaches(_ facts: CaseFacts, root: NodeRef, target: NodeRef) -> Bool {
        let evaluator = ExpressionEvaluator(policy: policy, facts: facts, decisions: Array(repeating: nil, count: policy.decisions.count))
        var ref = root
        while ref >= 0 {
            guard let branch = builder.variables[Int(builder.topVariable(ref))].branch(evaluator) else { return false }
            ref = builder.child(ref, branch)
        }
        return ref == target
    }
}

/// Order between two inputs, read from the comparisons a condition makes in conjunction, to
/// find conditions that contradict themselves across two inputs (`x <= y and x > y`).
enum PairwiseOrder {
    /// Relations as bits: 1 less than, 2 equal, 4 greater than.
    private static func relations(_ op: BinaryOperator) -> UInt8? {
        switch op {
        case .less: 1
        case .lessOrEqual: 3
        case .greater: 4
        case .greaterOrEqual: 6
        case .equal: 2
        case .notEqual: 5
        default: nil
        }
    }

    /// Swaps less and greater, for `y op x` read as `x op' y`.
    private static func flipped(_ bits: UInt8) -> UInt8 {
        (bits & 2) | ((bits & 1) << 2) | ((bits & 4) >> 2)
    }

    /// Two comparisons of the same two inputs, both required by `expression`, that no case can
    /// make true together.
    static func contradiction(in expression: CheckedExpr, policy: CheckedPolicy) -> (CheckedExpr, CheckedExpr)? {
        var conjuncts: [CheckedExpr] = []
        collect(expression, policy: policy, depth: 0, into: &conjuncts)
        var seen: [Pair: (bits: UInt8, first: CheckedExpr)] = [:]
        for conjunct in conjuncts {
            guard case .compare(let op, .input(let a), .input(let b)) = conjunct, a != b, let bits = relations(op) else { continue }
            let pair = Pair(low: min(a, b), high: max(a, b))
            let normal = a < b ? bits : flipped(bits)
            if let earlier = seen[pair] {
                let both = earlier.bits & normal
                if both == 0 { return (earlier.first, conjunct) }
                seen[pair] = (both, earlier.first)
            } else {
                seen[pair] = (normal, conjunct)
            }
        }
        return nil
    }

    private struct Pair: Hashable {
        var low: Int
        var high: Int
    }

    private static func collect(_ expression: CheckedExpr, policy: CheckedPolicy, depth: Int, into conjuncts: inout [CheckedExpr]) {
        guard depth < 64, conjuncts.count < 10_000 else { return }
        switch expression {
        case .and(let a, let b):
            collect(a, policy: policy, depth: depth + 1, into: &conjuncts)
            collect(b, policy: policy, depth: depth + 1, into: &conjuncts)
        case .condition(let n) where policy.conditions.indices.contains(n):
            collect(policy.conditions[n].expression, policy: policy, depth: depth + 1, into: &conjuncts)
        default:
            conjuncts.append(expression)
        }
    }
}
