/// The text of one input file, kept so that diagnostics can quote the line they point at.
public struct SourceText: Sendable {
    /// The name the file is reported under.
    public let file: String
    /// The file's contents (decoded leniently, so that even a file with bad bytes can be quoted).
    package let text: String
    private let lines: [Substring]

    /// Creates a source text.
    package init(file: String, text: String) {
        self.file = file
        self.text = text
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The 1-based line `number` without its line break, or `nil` past the end.
    package func line(_ number: Int) -> Substring? {
        guard number >= 1, number <= lines.count else { return nil }
        var line = lines[number - 1]
        if line.hasSuffix("\r") { line = line.dropLast() }
        return line
    }
}

/// Renders diagnostics for people (like a compiler) or for tools (JSON).
public struct DiagnosticRenderer: Sendable {
    /// The files that diagnostics may quote, by name.
    package var sources: [String: SourceText]
    /// Whether to quote the source line with a caret under the span.
    package var showsSourceLines: Bool

    /// Creates a renderer over the given sources.
    public init(sources: [SourceText] = [], showsSourceLines: Bool = true) {
        self.sources = Dictionary(sources.map { ($0.file, $0) }, uniquingKeysWith: { a, _ in a })
        self.showsSourceLines = showsSourceLines
    }

    /// Adds or replaces a source.
    package mutating func add(_ source: SourceText) { sources[source.file] = source }

    /// Renders a diagnostic as `file:line:col: error: message [id]`, the source line, a caret or
    /// underline under the span, the hint, then each note the same way.
    package func render(_ diagnostic: Diagnostic) -> String {
        var out = ""
        appendHeadline(
            to: &out, severity: diagnostic.severity.rawValue, message: diagnostic.message,
            range: diagnostic.range, id: diagnostic.id)
        if let hint = diagnostic.hint {
            out += "  = help: \(hint)\n"
        }
        for note in diagnostic.notes {
            appendHeadline(to: &out, severity: "note", message: note.message, range: note.range, id: nil)
        }
        return out
    }

    /// Renders every diagnostic, then a one-line summary when there are any.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        var out = diagnostics.map(render).joined()
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        if errors + warnings > 0 {
            out += "\(Self.plural(errors, "error")), \(Self.plural(warnings, "warning"))\n"
        }
        return out
    }

    private static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    private func appendHeadline(
        to out: inout String, severity: String, message: String, range: SourceRange?,
        id: DiagnosticID?
    ) {
        let place = range.map { "\($0.start): " } ?? ""
        let code = id.map { " [\($0)]" } ?? ""
        out += "\(place)\(severity): \(message)\(code)\n"
        guard showsSourceLines, let range, let source = sources[range.start.file],
            let line = source.line(range.start.line)
        else { return }
        let number = String(range.start.line)
        let gutter = String(repeating: " ", count: number.count)
        let (excerpt, shifted) = Self.excerpt(of: line, around: range)
        out += " \(number) | \(excerpt)\n"
        out += " \(gutter) | \(Self.marker(under: excerpt, range: shifted))\n"
    }

    /// Lines longer than this are cut to a window around the column, so that a one-line file of
    /// megabytes does not flood the terminal.
    static let excerptWidth = 100

    /// The part of `line` to quote, and `range` moved to match it.
    static func excerpt(of line: Substring, around range: SourceRange) -> (Substring, SourceRange) {
        let scalars = line.unicodeScalars
        guard scalars.count > excerptWidth else { return (line, range) }
        let first = max(0, min(range.start.column - 1 - excerptWidth / 2, scalars.count - excerptWidth))
        let lower = scalars.index(scalars.startIndex, offsetBy: first)
        let upper = scalars.index(lower, offsetBy: excerptWidth)
        var text = first > 0 ? "…" : ""
        text += String(Substring(scalars[lower..<upper]))
        if upper < scalars.endIndex { text += "…" }
        var shifted = range
        let shift = first - (first > 0 ? 1 : 0)
        shifted.start.column -= shift
        if shifted.end.line == shifted.start.line {
            shifted.end.column = min(shifted.end.column - shift, excerptWidth + 2)
        }
        return (Substring(text), shifted)
    }

    /// A caret at the start of the span followed by `~` to its end on the same line; tabs in the
    /// quoted line are copied so the caret lines up in any terminal.
    static func marker(under line: Substring, range: SourceRange) -> String {
        let scalars = Array(line.unicodeScalars)
        let startIndex = max(0, min(range.start.column - 1, scalars.count))
        var prefix = ""
        for scalar in scalars[..<startIndex] { prefix.append(scalar == "\t" ? "\t" : " ") }
        var width = 1
        if range.end.line == range.start.line, range.end.column > range.start.column {
            width = min(range.end.column, scalars.count + 1) - range.start.column
        }
        return prefix + "^" + String(repeating: "~", count: max(0, width - 1))
    }
}
