import Foundation

extension DiagnosticRenderer {
    private struct Position: Encodable {
        var file: String
        var line: Int
        var column: Int
        var end_line: Int
        var end_column: Int

        init(_ range: SourceRange) {
            file = range.start.file
            line = range.start.line
            column = range.start.column
            end_line = range.end.line
            end_column = range.end.column
        }
    }

    private struct NoteObject: Encodable {
        var message: String
        var location: Position?
    }

    private struct DiagnosticObject: Encodable {
        var id: String
        var severity: String
        var message: String
        var location: Position?
        var hint: String?
        var notes: [NoteObject]
    }

    /// Renders diagnostics as a JSON array of objects, one per diagnostic, for tools.
    ///
    /// Each object has `id`, `severity`, `message`, `location` (`file`, `line`, `column`,
    /// `end_line`, `end_column`, or absent), `hint` (or absent) and `notes`.
    public static func json(_ diagnostics: [Diagnostic]) -> String {
        let objects = diagnostics.map { d in
            DiagnosticObject(
                id: d.id.code, severity: d.severity.rawValue, message: d.message,
                location: d.range.map(Position.init), hint: d.hint,
                notes: d.notes.map { NoteObject(message: $0.message, location: $0.range.map(Position.init)) })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(objects)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
