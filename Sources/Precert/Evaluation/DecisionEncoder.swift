/// Writes a `CaseDecision` as the stable decision JSON contract.
///
/// The field names are a contract with calling services (documented in the README and by
/// `precert schema decision`); change them only with a new contract version.
public enum DecisionEncoder {
    /// The contract version written in every decision.
    public static let contractVersion = 1

    /// The decision as JSON bytes; compact output is byte-identical for identical input.
    public static func encode(_ decision: CaseDecision, style: JSONWriter.Style = .compact) -> [UInt8] {
        var writer = JSONWriter(style: style, capacity: 2048)
        write(decision, to: &writer)
        return writer.bytes
    }

    /// Appends the decision to a writer.
    public static func write(_ decision: CaseDecision, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("case_id")
        if let id = decision.caseID { writer.string(id) } else { writer.null() }
        writer.key("policy")
        writer.beginObject()
        writer.key("id")
        writer.string(decision.policyID)
        writer.key("payer")
        writer.string(decision.payer)
        writer.key("effective")
        writer.string(decision.effective.description)
        writer.key("digest")
        writer.string("sha256:" + decision.digest)
        writer.endObject()
        writer.key("engine")
        writer.beginObject()
        writer.key("name")
        writer.string("precert")
        writer.key("version")
        writer.string(Precert.engineVersion)
        writer.key("contract")
        writer.number(contractVersion)
        writer.endObject()
        writer.key("decisions")
        writer.beginObject()
        for result in decision.decisions {
            writer.key(result.name)
            write(result, to: &writer)
        }
        writer.endObject()
        writer.key("next_steps")
        writer.beginArray()
        for step in decision.nextSteps { writer.string(step) }
        writer.endArray()
        writer.endObject()
    }

    static func write(_ result: DecisionResult, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("status")
        writer.string(result.status.rawValue)
        switch result.status {
        case .decided:
            writer.key("outcome")
            if result.isList {
                writer.beginArray()
                for outcome in result.outcomes { writer.string(outcome) }
                writer.endArray()
            } else {
                writer.string(result.outcomes.first ?? "")
            }
            if let due = result.due {
                writer.key("due")
                writer.string(due.rfc3339)
            }
            writer.key("rules")
            writer.beginArray()
            for rule in result.rules { writer.string(rule.id) }
            writer.endArray()
            writer.key("because")
            writer.beginArray()
            for rule in result.rules { if let because = rule.because { writer.string(because) } else { writer.null() } }
            writer.endArray()
            writer.key("source")
            writer.beginArray()
            for rule in result.rules { writer.string(rule.location.fileAndLine) }
            writer.endArray()
            if !result.messages.isEmpty {
                writer.key("messages")
                writer.beginObject()
                for (outcome, message) in result.messages {
                    writer.key(outcome)
                    writer.string(message)
                }
                writer.endObject()
            }
        case .needsInformation:
            writer.key("missing")
            writer.beginArray()
            for path in result.missing { writer.string(path) }
            writer.endArray()
            writer.key("possible")
            writer.beginArray()
            for outcome in result.possible { writer.string(outcome) }
            writer.endArray()
        case .notApplicable, .noMatch:
            break
        }
        if !result.trace.isEmpty {
            writer.key("trace")
            writer.beginArray()
            for step in result.trace {
                writer.beginObject()
                writer.key("test")
                writer.string(step.test)
                writer.key("value")
                writer.string(step.value)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
    }
}
