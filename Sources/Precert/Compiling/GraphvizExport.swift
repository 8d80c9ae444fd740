/// Writes a decision's diagram as Graphviz DOT, so people can look at the tree.
package enum GraphvizExport {
    /// The DOT text of decision `index`'s diagram, or `nil` when it fell back to rule-by-rule evaluation.
    package static func dot(_ compiled: CompiledPolicy, decision index: Int) -> String? {
        guard let root = compiled.roots[index] else { return nil }
        let policy = compiled.checked
        let decision = policy.decisions[index]
        let printer = ExpressionPrinter(policy: policy)
        var lines = [
            "digraph \"\(escape(decision.name))\" {",
            "  label=\"\(escape(policy.id)): \(escape(decision.name)) (hit \(decision.hit.rawValue))\";",
            "  labelloc=t;",
            "  node [fontname=\"Helvetica\", fontsize=11];",
            "  edge [fontname=\"Helvetica\", fontsize=10];",
        ]
        var seen: Set<NodeRef> = []
        var stack = [root]
        func name(_ ref: NodeRef) -> String { ref < 0 ? "leaf\(-ref)" : "n\(ref)" }
        while let ref = stack.popLast() {
            guard seen.insert(ref).inserted else { continue }
            if ref < 0 {
                let label = leafLabel(compiled.leaves[Int(-ref - 1)], decision)
                lines.append("  \(name(ref)) [shape=box, style=\"rounded,filled\", fillcolor=\"#eef5ff\", label=\"\(escape(label))\"];")
                continue
            }
            let variable = compiled.variables[Int(compiled.nodeVariable[Int(ref)])]
            lines.append("  \(name(ref)) [shape=ellipse, label=\"\(escape(test(variable, printer)))\"];")
            let first = Int(compiled.nodeFirstChild[Int(ref)])
            // Branches that lead to the same child share one edge, labelled with all their values.
            var grouped: [(child: NodeRef, labels: [String])] = []
            for branch in 0..<variable.domainSize {
                let child = compiled.children[first + branch]
                let label = branchLabel(variable, branch, policy: policy, printer: printer)
                if let index = grouped.firstIndex(where: { $0.child == child }) {
                    grouped[index].labels.append(label)
                } else {
                    grouped.append((child, [label]))
                }
                stack.append(child)
            }
            for (child, labels) in grouped {
                lines.append("  \(name(ref)) -> \(name(child)) [label=\"\(escape(labels.joined(separator: ", ")))\"];")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func test(_ variable: DiagramVariable, _ printer: ExpressionPrinter) -> String {
        switch variable {
        case .atom(let expression): return printer.expression(expression)
        default: return printer.policy.inputs[variable.slot!].path
        }
    }

    private static func branchLabel(_ variable: DiagramVariable, _ branch: Int, policy: CheckedPolicy, printer: ExpressionPrinter) -> String {
        switch variable {
        case .enumSlot(let slot, _):
            if case .enumeration(let names) = policy.inputs[slot].type { return names[branch] }
            return "\(branch)"
        case .boolSlot, .atom:
            return branch == 1 ? "true" : "false"
        case .intervalSlot(let slot, let thresholds):
            let type = policy.inputs[slot].type
            func show(_ key: Double) -> String {
                switch type {
                case .date: return CivilDate(dayNumber: Int32(key)).description
                case .datetime: return Timestamp(epochSeconds: Int64(key)).rfc3339
                default: return ExpressionPrinter.number(key)
                }
            }
            if branch % 2 == 1 { return "= \(show(thresholds[branch / 2]))" }
            if branch == 0 { return "< \(show(thresholds[0]))" }
            if branch / 2 == thresholds.count { return "> \(show(thresholds[thresholds.count - 1]))" }
            return "\(show(thresholds[branch / 2 - 1]))..\(show(thresholds[branch / 2]))"
        }
    }

    private static func leafLabel(_ payload: [Int32], _ decision: Decision) -> String {
        if payload.first == LeafMarker.notApplicable { return "not applicable" }
        if payload.first == LeafMarker.noRule { return "no rule (gap)" }
        if payload.isEmpty { return "(none)" }
        let rules = payload.map { Int($0) < decision.rules.count ? decision.rules[Int($0)] : decision.defaultRule! }
        let outcomes = rules.map { rule in
            rule.duration?.description ?? decision.outcomes[rule.outcome]
        }
        let shown = decision.hit == .all ? outcomes : [outcomes[0]]
        return shown.joined(separator: ", ") + "\n" + rules.map(\.id).joined(separator: ", ")
    }

    /// Escapes text for a DOT quoted string; a line break becomes DOT's `\n`.
    private static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
