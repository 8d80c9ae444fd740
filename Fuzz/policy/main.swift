// Fuzz target: policy text in.
//
// Runs the front end through the one pipeline the catalog uses (`PolicyPipeline.read`, then
// `PolicyPipeline.compile`: YAML -> policy syntax -> checked policy -> decision diagrams, against
// the shipped calendars) on the raw bytes, and renders every diagnostic with its source line, so a
// crash, hang or runaway allocation anywhere on the way is found. Built by
// `Scripts/fuzz.sh policy SECONDS` together with every file of Sources/Precert into one module, so
// it may use package API.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shipped calendars (`us-federal`), loaded once from `Policies/` or `$PRECERT_POLICIES`.
let fuzzCalendars: [String: (calendar: HolidayCalendar, digest: String)] = {
    let path = getenv("PRECERT_POLICIES").map { String(cString: $0) } ?? "Policies"
    let calendars = PolicyCatalog.load(paths: [path]).catalog.calendars
    guard calendars["us-federal"] != nil else {
        fatalError("the `us-federal` calendar did not load from `\(path)`; run from the repository root or set PRECERT_POLICIES")
    }
    return calendars.mapValues { ($0, "") }
}()

let fuzzSettings = PolicyPipeline.Settings()

@_cdecl("LLVMFuzzerTestOneInput")
public func precertFuzzPolicy(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let file = "fuzz.yaml"
    let (document, readProblems, source) = PolicyPipeline.read(
        PolicyFile(path: file, bytes: bytes), name: file, limits: fuzzSettings.limits)
    var diagnostics = readProblems
    defer {
        // Diagnostics quote the source with a caret: their places must stay renderable.
        let renderer = DiagnosticRenderer(sources: [source])
        _ = renderer.render(diagnostics)
        for diagnostic in diagnostics { precondition(!diagnostic.message.isEmpty, "a diagnostic without a message") }
    }
    guard let document, document.kind == .policy else { return 0 }
    let (loaded, problems) = PolicyPipeline.compile(document, calendars: fuzzCalendars, settings: fuzzSettings)
    diagnostics += problems
    guard let loaded else {
        precondition(diagnostics.containsErrors, "no policy and no error")
        return 0
    }
    precondition(!diagnostics.containsErrors, "a policy despite an error")
    for index in loaded.policy.decisions.indices { _ = loaded.compiled.nodeCount(ofDecision: index) }
    return 0
}
