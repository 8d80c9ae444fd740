extension DiagnosticRenderer {
    /// Renders diagnostics as the error document of the JSON contract, for tools:
    /// `{"errors": [{"id", "severity", "message", "hint", "path", "location", …}]}` (see
    /// `precert schema error`); indented when `pretty`, one line otherwise, with a final line end.
    ///
    /// Each error object has `id`, `severity` and `message`; then, where known, `hint`, `path`
    /// (the JSON path in a case), `location` (`file`, `line`, `column`, `end_line`, `end_column`),
    /// `expected`, `found`, `suggestion`, `limit`, `clock` (a turnaround proof's figures) and `notes`
    /// (`message`, `location`).
    public static func json(_ diagnostics: [Diagnostic], pretty: Bool = true) -> String {
        var writer = JSONWriter(style: pretty ? .pretty : .compact)
        writeDocument(diagnostics, caseID: nil, writesCaseID: false, line: nil, fault: nil, to: &writer)
        writer.bytes.append(UInt8(ascii: "\n"))
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Writes an error document: `line` (JSON Lines), `case_id` (for a case's errors, `null` when
    /// it has none), `fault`, then `errors`.
    package static func writeDocument(
        _ diagnostics: [Diagnostic], caseID: String?, writesCaseID: Bool, line: Int?, fault: String?,
        to writer: inout JSONWriter
    ) {
        writer.beginObject()
        if let line {
            writer.key("line")
            writer.number(line)
        }
        if writesCaseID {
            writer.key("case_id")
            if let caseID { writer.string(caseID) } else { writer.null() }
        }
        if let fault {
            writer.key("fault")
            writer.string(fault)
        }
        writer.key("errors")
        writer.beginArray()
        for diagnostic in diagnostics { write(diagnostic, to: &writer) }
        writer.endArray()
        writer.endObject()
    }

    /// Writes one error object.
    package static func write(_ diagnostic: Diagnostic, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(diagnostic.id.code)
        writer.key("severity")
        writer.string(diagnostic.severity.rawValue)
        writer.key("message")
        writer.string(diagnostic.message)
        if let hint = diagnostic.hint {
            writer.key("hint")
            writer.string(hint)
        }
        let facts = diagnostic.facts
        if let path = facts.jsonPath {
            writer.key("path")
            writer.string(path)
        }
        if let range = diagnostic.range {
            writer.key("location")
            write(range, to: &writer)
        }
        for (key, value) in [("expected", facts.expected), ("found", facts.found), ("suggestion", facts.suggestion)] {
            if let value {
                writer.key(key)
                writer.string(value)
            }
        }
        if let limit = facts.limit {
            writer.key("limit")
            writer.number(limit)
        }
        if let clock = facts.clock {
            writer.key("clock")
            writer.beginObject()
            for (key, value) in [
                ("regulation", clock.regulation), ("request_kind", clock.requestKind), ("limit", clock.limit), ("clock", clock.clock),
                ("received_at", clock.receivedAt), ("due", clock.due), ("regulation_due", clock.regulationDue),
            ] {
                writer.key(key)
                writer.string(value)
            }
            writer.key("margin_seconds")
            writer.number(clock.marginSeconds)
            writer.endObject()
        }
        if !diagnostic.notes.isEmpty {
            writer.key("notes")
            writer.beginArray()
            for note in diagnostic.notes {
                writer.beginObject()
                writer.key("message")
                writer.string(note.message)
                if let range = note.range {
                    writer.key("location")
                    write(range, to: &writer)
                }
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
    }

    private static func write(_ range: SourceRange, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("file")
        writer.string(range.start.file)
        writer.key("line")
        writer.number(range.start.line)
        writer.key("column")
        writer.number(range.start.column)
        writer.key("end_line")
        writer.number(range.end.line)
        writer.key("end_column")
        writer.number(range.end.column)
        writer.endObject()
    }
}
