/// Renders a decision for people reading a terminal (what `precert eval` prints by default).
public enum DecisionText {
    /// The decision as text: each decision with its outcome, due date (and the due dates of the
    /// regulations that govern the turnaround), rules and their file:line;
    /// with `explain`, the path taken through each diagram.
    public static func render(_ decision: CaseDecision, explain: Bool) -> String {
        var out = ""
        let caseName = decision.caseID.map { "case \($0)" } ?? "case"
        out += "\(caseName) against \(decision.policyID) (effective \(decision.effective))\n\n"
        let width = (decision.decisions.map(\.name.count).max() ?? 0) + 2
        for result in decision.decisions {
            let name = result.name.padding(toLength: width, withPad: " ", startingAt: 0)
            switch result.status {
            case .decided:
                var answer = result.isList
                    ? (result.outcomes.isEmpty ? "(none)" : result.outcomes.joined(separator: ", "))
                    : result.outcomes.first ?? ""
                if let due = result.due { answer += ", due \(due.rfc3339)" }
                out += "\(name)\(answer)\n"
                // The law's limits next to the payer's clock, and which deadline binds.
                let indent = String(repeating: " ", count: width)
                for limit in result.regulatory {
                    out += "\(indent)\(limit.regulation) (\(limit.citation)) allows \(limit.limit), due \(limit.due.rfc3339)\(limit.binding ? ": binding, earlier than the payer's clock" : "")\n"
                }
                if !result.regulatory.isEmpty, !result.regulatory.contains(where: \.binding) {
                    out += "\(indent)the payer's clock binds: it ends no later than any of these\n"
                }
                for rule in result.rules {
                    out += "\(String(repeating: " ", count: width))rule `\(rule.id)` at \(rule.location.fileAndLine)\n"
                    if let because = rule.because {
                        out += "\(String(repeating: " ", count: width))  because: \(because)\n"
                    }
                }
                for (outcome, message) in result.messages {
                    out += "\(String(repeating: " ", count: width))\(outcome): \(message)\n"
                }
            case .needsInformation:
                out += "\(name)needs information: missing \(result.missing.joined(separator: ", ")); possible \(result.possible.joined(separator: ", "))\n"
            case .notApplicable:
                out += "\(name)not applicable\n"
            case .noMatch:
                out += "\(name)no rule matched (the policy has no default for this decision)\n"
            }
            if explain, !result.trace.isEmpty {
                let path = result.trace.map { "\($0.test) = \($0.value)" }.joined(separator: " -> ")
                out += "\(String(repeating: " ", count: width))path: \(path)\n"
            }
        }
        if !decision.nextSteps.isEmpty {
            out += "\nnext steps\n"
            for (index, step) in decision.nextSteps.enumerated() {
                out += "  \(index + 1). \(step)\n"
            }
        }
        return out
    }
}
