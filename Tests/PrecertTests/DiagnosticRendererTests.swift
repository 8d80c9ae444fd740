import Testing

@testable import Precert

@Suite("Diagnostic rendering")
struct DiagnosticRendererTests {
    private let source = SourceText(file: "p.yaml", text: "policy: a\n\ttitle: café x\n")

    @Test("text rendering shows place, message, id, source line, underline and help")
    func text() {
        let diagnostic = Diagnostic.error(
            "test.example", "bad title `x`",
            at: SourceRange(
                start: SourceLocation(file: "p.yaml", line: 2, column: 9),
                end: SourceLocation(file: "p.yaml", line: 2, column: 13)),
            hint: "write a better title",
            notes: [DiagnosticNote("policy named here", at: SourceRange(SourceLocation(file: "p.yaml", line: 1, column: 1)))])
        let rendered = DiagnosticRenderer(sources: [source]).render(diagnostic)
        #expect(
            rendered == """
                p.yaml:2:9: error: bad title `x` [test.example]
                 2 | \ttitle: café x
                   | \t       ^~~~
                  = help: write a better title
                p.yaml:1:1: note: policy named here
                 1 | policy: a
                   | ^

                """)
    }

    @Test("a summary line counts errors and warnings")
    func summary() {
        let place = SourceRange(SourceLocation(file: "p.yaml", line: 1, column: 1))
        let text = DiagnosticRenderer(sources: [source], showsSourceLines: false).render([
            .error("a", "one", at: place), .warning("b", "two", at: place), .error("c", "three", at: place),
        ])
        #expect(text.hasSuffix("2 errors, 1 warning\n"))
        #expect(text.hasPrefix("p.yaml:1:1: error: one [a]\n"))
    }

    @Test("JSON rendering is the error document: id, severity, message, hint, path, location, facts and notes")
    func json() throws {
        let diagnostic = Diagnostic.error(
            "test.example", "bad", at: SourceRange(SourceLocation(file: "p.yaml", line: 2, column: 3)), hint: "fix",
            notes: [DiagnosticNote("first here", at: SourceRange(SourceLocation(file: "p.yaml", line: 1, column: 1)))],
            facts: DiagnosticFacts(jsonPath: "$.service.date", expected: "a date YYYY-MM-DD", found: "number"))
        let compact = DiagnosticRenderer.json([diagnostic], pretty: false)
        #expect(compact == #"{"errors":[{"id":"test.example","severity":"error","message":"bad","hint":"fix","path":"$.service.date","location":{"file":"p.yaml","line":2,"column":3,"end_line":2,"end_column":3},"expected":"a date YYYY-MM-DD","found":"number","notes":[{"message":"first here","location":{"file":"p.yaml","line":1,"column":1,"end_line":1,"end_column":1}}]}]}"# + "\n")
        let pretty = try JSONValue.parse(bytes: Array(DiagnosticRenderer.json([diagnostic]).utf8))
        #expect(pretty == (try JSONValue.parse(bytes: Array(compact.utf8))))
    }

    @Test("long lines are cut to a window around the column")
    func longLine() {
        let line = String(repeating: "a", count: 500) + "X" + String(repeating: "b", count: 500)
        let source = SourceText(file: "l.yaml", text: line)
        let diagnostic = Diagnostic.error(
            "t", "here", at: SourceRange(SourceLocation(file: "l.yaml", line: 1, column: 501)))
        let lines = DiagnosticRenderer(sources: [source]).render(diagnostic).split(separator: "\n")
        #expect(lines[1].count < 120)
        let quoted = Array(lines[1].dropFirst(5))
        let caretColumn = Array(lines[2].dropFirst(5)).firstIndex(of: "^")
        #expect(caretColumn.map { quoted[$0] } == "X")
    }
}
