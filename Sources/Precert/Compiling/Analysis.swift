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
        for (i, rule) in decision.rules.enumerated() where !reachedRules.contains(Int32(i)) {
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
                facts.values[slot] = representative(region: branch, thresholds: thresholds, type: policy.inputs[slot].type)
            case .atom(let expression):
                atoms.append("`\(printer.expression(expression))` is \(branch == 1 ? "true" : "false")")
            }
        }
        for slot in facts.values.indices where facts.values[slot] != nil { facts.present[slot] = true }
        let certain = atoms.isEmpty && reaches(facts, root: root, target: target)
        let conditions = atoms.isEmpty ? "" : ", where \(atoms.joined(separator: " and "))"
        return (CaseJSON.sketch(facts, policy: policy), conditions, certain)
    }

    private func representative(region: Int, thresholds: [Double], type: ValueType) -> Value? {
        let key: Double
        if region % 2 == 1 {
            key = thresholds[region / 2]
        } else if region == 0 {
            key = thresholds[0] - 1
        } else if region / 2 == thresholds.count {
            key = thresholds[thresholds.count - 1] + 1
        } else {
            let low = thresholds[region / 2 - 1]
            let high = thresholds[region / 2]
            key = type == .number ? (low + high) / 2 : low + 1
        }
        switch type {
        case .number: return .number(key)
        case .date: return .date(CivilDate(dayNumber: Int32(key)))
        case .datetime: return .datetime(Timestamp(epochSeconds: Int64(key)))
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
