/// The engine that writes decisions.
public enum PrecertEngine {
    /// The engine's semantic version.
    public static let version = "0.3.0"
    /// The version of the JSON contract for decisions and errors (`engine.contract` in each).
    public static let contract = 3
}

/// Writes a `CaseDecision` as the stable decision JSON contract.
///
/// The field names are a contract with calling services (documented in the README and by
/// `precert schema decision`); change them only with a new contract version.
public enum DecisionEncoder {
    /// The decision as JSON bytes: compact (one line, as JSON Lines and services write it) or
    /// pretty (indented, for people). The same decision gives the same bytes in every process.
    public static func encode(_ decision: CaseDecision, pretty: Bool = false) -> [UInt8] {
        encode(decision, style: pretty ? .pretty : .compact)
    }

    /// The error document for a case that could not be evaluated, in the same contract:
    /// `{"case_id", "fault", "errors": [...]}` (see `precert schema error`).
    public static func encode(_ errors: CaseErrors, pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(style: pretty ? .pretty : .compact)
        write(errors, line: nil, to: &writer)
        return writer.bytes
    }

    /// Appends an error document; `line` is the input line in JSON Lines.
    package static func write(_ errors: CaseErrors, line: Int?, to writer: inout JSONWriter) {
        // `case_id` is always written for a case, as `null` when it has none, so the shape is fixed.
        DiagnosticRenderer.writeDocument(
            errors.diagnostics, caseID: errors.caseID, writesCaseID: true, line: line, fault: errors.fault.rawValue,
            to: &writer)
    }

    /// The decision as JSON bytes in `style`.
    package static func encode(_ decision: CaseDecision, style: JSONWriter.Style) -> [UInt8] {
        var writer = JSONWriter(style: style, capacity: 2048)
        write(decision, to: &writer)
        return writer.bytes
    }

    /// Appends the decision to a writer.
    package static func write(_ decision: CaseDecision, to writer: inout JSONWriter) {
        var marks = DocumentMarks()
        write(decision, to: &writer, marks: &marks)
    }

    /// Where the parts of a document that change from case to case are, in the bytes written, so
    /// that `DecisionFragments` can cut the rest out of a probe document instead of repeating it.
    struct DocumentMarks {
        /// The `case_id` value.
        var caseID = 0..<0
        /// Just inside the `decisions` object, and at its closing brace.
        var decisionsStart = 0
        var decisionsEnd = 0
        /// Just inside the `next_steps` array, and at its closing bracket.
        var nextStepsStart = 0
        var nextStepsEnd = 0
        /// The `version_date` value and the `version_date_from` value.
        var versionDate = 0..<0
        var versionDateSource = 0..<0
    }

    /// Appends the decision to a writer, noting where its variable parts are.
    static func write(_ decision: CaseDecision, to writer: inout JSONWriter, marks: inout DocumentMarks) {
        writer.beginObject()
        writer.key("case_id")
        let caseID = writer.bytes.count
        if let id = decision.caseID { writer.string(id) } else { writer.null() }
        marks.caseID = caseID..<writer.bytes.count
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
        writer.string(PrecertEngine.version)
        writer.key("contract")
        writer.number(PrecertEngine.contract)
        writer.endObject()
        writer.key("decisions")
        writer.beginObject()
        marks.decisionsStart = writer.bytes.count
        for result in decision.decisions {
            writer.key(result.name)
            write(result, to: &writer)
        }
        marks.decisionsEnd = writer.bytes.count
        writer.endObject()
        writer.key("next_steps")
        writer.beginArray()
        marks.nextStepsStart = writer.bytes.count
        for step in decision.nextSteps { writer.string(step) }
        marks.nextStepsEnd = writer.bytes.count
        writer.endArray()
        writer.key("provenance")
        writeProvenance(decision.provenance, to: &writer, marks: &marks)
        writer.endObject()
    }

    /// Where the parts of one decision's object that change from case to case are.
    struct MemberMarks {
        /// The `due` value.
        var due: Range<Int>?
        /// Inside the brackets of `missing` and of `possible`.
        var missing: Range<Int>?
        var possible: Range<Int>?
    }

    /// Appends `"name":{…}`, one member of the `decisions` object, to bytes that end just inside
    /// that object or after another member (the caller writes the comma). Fragments of leaves and
    /// answers written whole both come from here.
    @discardableResult
    static func writeMember(_ result: DecisionResult, to bytes: inout [UInt8]) -> MemberMarks {
        var writer = JSONWriter(style: .compact)
        swap(&writer.bytes, &bytes)
        defer { swap(&writer.bytes, &bytes) }
        // Inside an object, with no member before: no comma.
        writer.depth = 1
        writer.first = true
        writer.key(result.name)
        return write(result, to: &writer)
    }

    /// `{"digest", "policy_file", "calendar": {"name", "digest"}, "time_zone", "tzdata",
    /// "version_date", "version_date_from"}`; the fast path writes the part before
    /// `version_date`'s value once per policy.
    static func writeProvenance(_ provenance: Provenance, to writer: inout JSONWriter) {
        var marks = DocumentMarks()
        writeProvenance(provenance, to: &writer, marks: &marks)
    }

    static func writeProvenance(_ provenance: Provenance, to writer: inout JSONWriter, marks: inout DocumentMarks) {
        writer.beginObject()
        writer.key("digest")
        writer.string("sha256:" + provenance.digest)
        writer.key("policy_file")
        writer.string(provenance.policyFile)
        writer.key("calendar")
        writer.beginObject()
        writer.key("name")
        writer.string(provenance.calendar)
        writer.key("digest")
        writer.string("sha256:" + provenance.calendarDigest)
        writer.endObject()
        if !provenance.regulations.isEmpty {
            writer.key("regulations")
            writer.beginArray()
            for regulation in provenance.regulations {
                writer.beginObject()
                writer.key("id")
                writer.string(regulation.id)
                writer.key("digest")
                writer.string("sha256:" + regulation.digest)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.key("time_zone")
        writer.string(provenance.timeZone)
        writer.key("tzdata")
        writer.string(provenance.timeZoneData)
        writer.key("version_date")
        let date = writer.bytes.count
        writer.string(provenance.versionDate.description)
        marks.versionDate = date..<writer.bytes.count
        writer.key("version_date_from")
        let source = writer.bytes.count
        writer.string(provenance.versionDateSource.rawValue)
        marks.versionDateSource = source..<writer.bytes.count
        writer.endObject()
    }

    /// `"regulatory": [{"regulation", "citation", "limit", "due", "binding"}]`, after `due`.
    static func writeRegulatory(_ dues: [RegulatoryDue], to writer: inout JSONWriter) {
        writer.key("regulatory")
        writer.beginArray()
        for due in dues {
            RegulatoryClocks.writeOpening(regulation: due.regulation, citation: due.citation, limit: due.limit, to: &writer)
            writer.string(due.due.rfc3339)
            writer.key("binding")
            writer.bool(due.binding)
            writer.endObject()
        }
        writer.endArray()
    }

    /// Appends one decision's object.
    @discardableResult
    static func write(_ result: DecisionResult, to writer: inout JSONWriter) -> MemberMarks {
        var marks = MemberMarks()
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
                let start = writer.bytes.count
                writer.string(due.rfc3339)
                marks.due = start..<writer.bytes.count
            }
            if !result.regulatory.isEmpty { writeRegulatory(result.regulatory, to: &writer) }
            writer.key("rules")
            writer.beginArray()
            for rule in result.rules {
                writer.beginObject()
                writer.key("id")
                writer.string(rule.id)
                if let because = rule.because {
                    writer.key("because")
                    writer.string(because)
                }
                writer.key("sources")
                writer.beginArray()
                for source in rule.sources { writer.string(source) }
                writer.endArray()
                writer.key("source")
                writer.string(rule.location.fileAndLine)
                writer.endObject()
            }
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
            let missing = writer.bytes.count
            for path in result.missing { writer.string(path) }
            marks.missing = missing..<writer.bytes.count
            writer.endArray()
            writer.key("possible")
            writer.beginArray()
            let possible = writer.bytes.count
            for outcome in result.possible { writer.string(outcome) }
            marks.possible = possible..<writer.bytes.count
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
                switch step.typedValue {
                case .bool(let value): writer.bool(value)
                case .number(let value): writer.number(value)
                case .text(let value): writer.string(value)
                case .unknown: writer.null()
                }
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
        return marks
    }
}
