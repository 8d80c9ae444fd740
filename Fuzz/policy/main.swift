// Fuzz target: policy text in.
//
// Runs the front end the way `PolicyCatalog.load` does: YAML -> policy syntax -> checked policy
// (against the shipped `us-federal` calendar name) -> decision diagrams, and renders every
// diagnostic with its source line, so a crash, hang or runaway allocation anywhere on the way is
// found. Built by `Scripts/fuzz.sh policy SECONDS` together with every file of Sources/Precert into
// one module, so it may use internal API.

@_cdecl("LLVMFuzzerTestOneInput")
public func precertFuzzPolicy(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let file = "fuzz.yaml"
    let loaded = YAMLLoader.load(bytes, file: file)
    var diagnostics = loaded.diagnostics
    let source = SourceText(file: file, text: String(decoding: bytes, as: UTF8.self))
    defer {
        // Diagnostics quote the source with a caret: their places must stay renderable.
        let renderer = DiagnosticRenderer(sources: [source])
        _ = renderer.render(diagnostics)
        for diagnostic in diagnostics { precondition(!diagnostic.message.isEmpty, "a diagnostic without a message") }
    }
    guard let root = loaded.root, !loaded.diagnostics.containsErrors else { return 0 }
    guard PrecertFileKind.of(root) == .policy else { return 0 }
    let (syntax, decodeProblems) = PolicyDecoder.decode(root, source: source)
    diagnostics += decodeProblems
    guard let syntax else { return 0 }
    let (checked, checkProblems) = PolicyChecker.check(syntax, context: PolicyChecker.Context(calendars: ["us-federal"]))
    diagnostics += checkProblems
    guard let checked, !decodeProblems.containsErrors else { return 0 }
    let compiled = PolicyCompiler.compile(checked)
    diagnostics += compiled.findings
    for index in checked.decisions.indices { _ = compiled.nodeCount(ofDecision: index) }
    return 0
}
