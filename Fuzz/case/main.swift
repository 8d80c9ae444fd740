// Fuzz target: case JSON in.
//
// Evaluates the input against the shipped catalog (loaded once from `Policies/`, or from
// `$PRECERT_POLICIES`): once pinned to the Kaiser policy, once routed by the case's own `payer`,
// and with `--explain` on odd lengths; a decision must encode to JSON that parses back. A session
// kept from input to input (reused buffers, the fast path) must write the same bytes as the fresh
// evaluation and report the same errors. Built by `Scripts/fuzz.sh case SECONDS`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

nonisolated(unsafe) let fuzzCatalog: PolicyCatalog = {
    let path = getenv("PRECERT_POLICIES").map { String(cString: $0) } ?? "Policies"
    let loaded = PolicyCatalog.load(paths: [path])
    guard loaded.catalog.policies.contains(where: { $0.policy.id == "kaiser-norcal/behavioral-health" }) else {
        fatalError("the Kaiser policy did not load from `\(path)`; run from the repository root or set PRECERT_POLICIES")
    }
    return loaded.catalog
}()

let fuzzToday = CivilDate(year: 2026, month: 11, day: 23)!

nonisolated(unsafe) var fuzzSession = CaseSession(catalog: fuzzCatalog, today: fuzzToday)

@_cdecl("LLVMFuzzerTestOneInput")
public func precertFuzzCase(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let catalog = fuzzCatalog
    let explain = size % 2 == 1
    for policyID in ["kaiser-norcal/behavioral-health", nil] {
        var writer = JSONWriter(style: .compact)
        let sessionErrors = fuzzSession.write(bytes, file: "case.json", policyID: policyID, explain: explain, to: &writer)
        switch catalog.evaluate(bytes, file: "case.json", policyID: policyID, explain: explain, today: fuzzToday) {
        case .success(let decision):
            let encoded = DecisionEncoder.encode(decision)
            do {
                _ = try JSONValue.parse(bytes: encoded, limits: JSONLimits(maxDepth: 16, maxStringBytes: 1 << 30))
            } catch {
                fatalError("the decision JSON does not parse: \(error)")
            }
            precondition(sessionErrors == nil && writer.bytes == encoded, "a reused session wrote another decision")
        case .failure(let errors):
            precondition(!errors.diagnostics.isEmpty, "a failure without a diagnostic")
            precondition(sessionErrors?.diagnostics.map(\.message) == errors.diagnostics.map(\.message), "a reused session reported other errors")
            _ = DiagnosticRenderer().render(errors.diagnostics)
        }
    }
    return 0
}
