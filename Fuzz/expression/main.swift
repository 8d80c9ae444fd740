// Fuzz target: expression text in.
//
// Parses the input as a `when:` expression with the default limits; every input must give an
// expression or one diagnostic at a place inside the text (never a crash, a hang or a stack
// overflow). Built by `Scripts/fuzz.sh expression SECONDS`.

@_cdecl("LLVMFuzzerTestOneInput")
public func precertFuzzExpression(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    let length = text.unicodeScalars.count
    let result = ExpressionParser.parse(text) { offset in
        // The parser only asks for places inside the text (or just past its end).
        precondition(offset >= 0 && offset <= length, "location \(offset) outside a text of \(length) scalars")
        return SourceLocation(file: "fuzz.yaml", line: 1, column: 1 + offset)
    }
    if case .failure(let diagnostic) = result {
        precondition(!diagnostic.message.isEmpty)
        let source = SourceText(file: "fuzz.yaml", text: text)
        _ = DiagnosticRenderer(sources: [source]).render(diagnostic)
    }
    return 0
}
