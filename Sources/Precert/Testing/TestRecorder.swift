/// Writes a policy test file (`precert-test: 1`) whose expectations are the answers a policy gives
/// now to a set of cases (JSON Lines, such as `precert cases` writes): a skeleton for a reviewer
/// to confirm case by case, not a judgement that the answers are right.
public enum TestRecorder {
    /// A problem with one input line, by its line number.
    public struct LineError: Sendable, Hashable {
        /// The line, from 1.
        public let line: Int
        /// What is wrong, lowercase without a final period.
        public let message: String
    }

    /// Why nothing was recorded: each line that could not be.
    public struct Failure: Error, Sendable, Hashable {
        /// The lines, in order.
        public let lines: [LineError]
    }

    /// The test file for `lines` (one case per line; blank lines skipped) evaluated by `catalog`,
    /// or the lines that could not be recorded: a case that cannot be evaluated, or one answered
    /// by another policy than the first line's (a test file names one policy).
    public static func record(_ lines: [UInt8], catalog: PolicyCatalog) -> Result<String, Failure> {
        var errors: [LineError] = []
        var policyID: String?
        var entries: [String] = []
        let cases = CaseLines.read(lines)
        for (number, bytes) in cases {
            switch catalog.evaluate(bytes, options: EvaluationOptions(file: "line \(number)")) {
            case .failure(let failure):
                let ids = failure.diagnostics.map { "`\($0.id)`" }.joined(separator: ", ")
                errors.append(LineError(line: number, message: "the case cannot be evaluated (\(ids))"))
            case .success(let decision):
                if policyID == nil { policyID = decision.policyID }
                guard decision.policyID == policyID else {
                    errors.append(LineError(
                        line: number, message: "the case is answered by `\(decision.policyID)`, not `\(policyID ?? "")`; record each policy's cases apart"))
                    continue
                }
                entries.append(entry(decision, json: String(decoding: bytes, as: UTF8.self), line: number))
            }
        }
        guard errors.isEmpty else { return .failure(Failure(lines: errors)) }
        guard let policyID else { return .failure(Failure(lines: [LineError(line: max(1, cases.count), message: "no case to record")])) }
        var text = """
            # Recorded by `precert test --record`: each expectation is the answer the policy gave when
            # this file was written. Confirm each case against the payer's documents before trusting
            # it; a wrong answer recorded here would pass.
            precert-test: 1
            policy: \(quote(policyID))
            cases:

            """
        text += entries.joined(separator: "\n")
        return .success(text)
    }

    /// One case of the file: its name, the case as written, and an expectation per decision.
    static func entry(_ decision: CaseDecision, json: String, line: Int) -> String {
        var text = "  - name: \(quote(decision.caseID ?? "line \(line)"))\n"
        // A case without a date was answered by the version in force today: pin it.
        if decision.provenance.versionDateSource == .today { text += "    as_of: \(decision.provenance.versionDate)\n" }
        text += "    case: \(json.trimmingSpaces)\n"
        text += "    expect:\n"
        for result in decision.decisions {
            text += "      \(result.name): \(expectation(result))\n"
        }
        return text
    }

    /// A decision's answer as an expectation, every value quoted so that no word is read as
    /// anything but text.
    static func expectation(_ result: DecisionResult) -> String {
        func list(_ items: [String]) -> String { "[" + items.map(quote).joined(separator: ", ") + "]" }
        switch result.status {
        case .notApplicable: return "{status: not_applicable}"
        case .noMatch: return "{status: no_match}"
        case .needsInformation:
            return "{status: needs_information, missing: \(list(result.missing)), possible: \(list(result.possible))}"
        case .decided:
            var parts = ["outcome: " + (result.isList ? list(result.outcomes) : quote(result.outcomes.first ?? ""))]
            if let due = result.due { parts.append("due: \(quote(due.rfc3339))") }
            let rules = result.rules.map(\.id)
            if result.isList || result.rulesAreAlternatives {
                parts.append("rules: \(list(rules))")
            } else if let rule = rules.first {
                parts.append("rule: \(quote(rule))")
            }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }

    /// A YAML double-quoted scalar (the JSON form, which YAML reads the same).
    static func quote(_ text: String) -> String { CaseJSON.quote(text) }
}
