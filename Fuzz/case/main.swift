// Fuzz target: case JSON in.
//
// Evaluates the input against the shipped catalog (loaded once from `Policies/`, or from
// `$PRECERT_POLICIES`): once pinned to the Kaiser policy, once routed by the case's own `payer`,
// and with `--explain` on odd lengths; a decision must encode to JSON that parses back, and so must
// the error document of a case that cannot be evaluated. A session kept from input to input (reused
// buffers, the fast path) must append the same bytes as the fresh evaluation to output that already
// holds bytes (and leave that output as it was on errors), report the same errors, and agree with
// the one-case call `PolicyCatalog.decisionJSON`. Built by `Scripts/fuzz.sh case SECONDS`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let fuzzCatalog: PolicyCatalog = {
    let path = getenv("PRECERT_POLICIES").map { String(cString: $0) } ?? "Policies"
    let loaded = PolicyCatalog.load(paths: [path])
    guard loaded.catalog.policies.contains(where: { $0.id == "kaiser-norcal/behavioral-health" }) else {
        fatalError("the Kaiser policy did not load from `\(path)`; run from the repository root or set PRECERT_POLICIES")
    }
    return loaded.catalog
}()

let fuzzToday = CivilDate(year: 2026, month: 11, day: 23)!

nonisolated(unsafe) var fuzzSession = CaseSession(catalog: fuzzCatalog)

/// What the session's output holds before each case: a write must append after it, and a failed
/// write must leave it as it was.
let fuzzPrefix = Array(#"{"earlier":"line"}"#.utf8) + [UInt8(ascii: "\n")]

func parsesBack(_ bytes: [UInt8], _ what: String) {
    do {
        _ = try JSONValue.parse(bytes: bytes, limits: JSONLimits(maxDepth: 16, maxStringBytes: 1 << 30))
    } catch {
        fatalError("the \(what) JSON does not parse: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func precertFuzzCase(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let catalog = fuzzCatalog
    let explain = size % 2 == 1
    for policyID in ["kaiser-norcal/behavioral-health", nil] {
        let options = EvaluationOptions(policyID: policyID, explain: explain, file: "case.json", today: fuzzToday)
        var output = fuzzPrefix
        let sessionErrors = fuzzSession.write(bytes, options: options, to: &output)
        let oneCase = catalog.decisionJSON(bytes, options: options)
        switch catalog.evaluate(bytes, options: options) {
        case .success(let decision):
            let encoded = DecisionEncoder.encode(decision)
            parsesBack(encoded, "decision")
            precondition(sessionErrors == nil && output == fuzzPrefix + encoded, "a reused session wrote another decision")
            precondition((try? oneCase.get()) == encoded, "decisionJSON wrote another decision")
        case .failure(let errors):
            precondition(!errors.diagnostics.isEmpty, "a failure without a diagnostic")
            precondition(output == fuzzPrefix, "a failed write changed the output")
            let messages = errors.diagnostics.map(\.message)
            precondition(sessionErrors?.diagnostics.map(\.message) == messages, "a reused session reported other errors")
            precondition(sessionErrors?.caseID == errors.caseID, "a reused session reported another case id")
            guard case .failure(let oneErrors) = oneCase, oneErrors.diagnostics.map(\.message) == messages else {
                preconditionFailure("decisionJSON reported other errors")
            }
            parsesBack(DecisionEncoder.encode(errors), "error document")
            _ = DiagnosticRenderer().render(errors.diagnostics)
        }
    }
    return 0
}
