#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a case says about which policy applies to it, read without decoding anything else.
package struct CaseRouting: Sendable, Hashable {
    /// The `payer` field, when it is text.
    package var payer: String?
    /// Whether `payer` is absent or text (a number or object there is the caller's mistake, not a
    /// payer with no policy).
    package var payerIsText = true
    /// The `request.received_at` field, when it is a valid date-time.
    package var receivedAt: Timestamp?
    /// The `case_id` field, when it is text, echoed in errors.
    package var caseID: String?
}

/// The catalog's own problems with a case: no policy for it, or none in force.
enum CatalogProblems {
    static func empty() -> Diagnostic {
        .error("catalog.empty", "no policies are loaded", at: nil, hint: "check the policies path and the load diagnostics")
    }
}

extension PolicyCatalog {
    /// Reads `payer`, `request.received_at` and `case_id` from case JSON without decoding anything else.
    package static func route(_ buffer: UnsafeBufferPointer<UInt8>, limits: CaseLimits = CaseLimits()) -> CaseRouting {
        var routing = CaseRouting()
        var reader = JSONReader(buffer, limits: limits.json)
        do {
            guard reader.peekKind() == .object else { return routing }
            try reader.beginObject()
            while try reader.nextKey() {
                if reader.keyEquals("payer") {
                    switch reader.peekKind() {
                    case .string: routing.payer = try reader.readString()
                    case .null: try reader.skipValue()
                    default:
                        routing.payerIsText = false
                        try reader.skipValue()
                    }
                } else if reader.keyEquals("case_id"), reader.peekKind() == .string {
                    routing.caseID = try reader.readString()
                } else if reader.keyEquals("request"), reader.peekKind() == .object {
                    try reader.beginObject()
                    while try reader.nextKey() {
                        if reader.keyEquals("received_at"), reader.peekKind() == .string {
                            routing.receivedAt = try reader.readStringBytes { Timestamp(utf8: $0) }
                        } else {
                            try reader.skipValue()
                        }
                    }
                } else {
                    try reader.skipValue()
                }
            }
        } catch {
            // The policy's decoder reports malformed JSON with its place.
        }
        return routing
    }

    /// The case limits the catalog was loaded with (every policy's decoder shares them).
    var caseLimits: CaseLimits { policies.first?.decoder.limits ?? CaseLimits() }

    /// The index of the policy version for a case: by `policyID` or else the case's payer, the
    /// newest in force on `date`; otherwise the diagnostic that says why there is none.
    package func select(_ routing: CaseRouting, policyID: String?, date: CivilDate) -> Result<Int, Diagnostic> {
        var best: Int?
        var known = false
        for index in policies.indices {
            let policy = policies[index]
            if let policyID { if policy.id != policyID { continue } } else if policy.payer != routing.payer { continue }
            known = true
            guard policy.isInForce(on: date) else { continue }
            if best == nil || policies[best!].effective < policy.effective { best = index }
        }
        // A version that failed to load and would be in force (and newer than the one chosen) makes
        // the answer the deployment's to fix: answering with an older version would be wrong.
        let broken = failed.filter { failure in
            let sameKind = policyID.map { failure.id == $0 } ?? (routing.payer != nil && failure.payer == routing.payer)
            guard sameKind else { return false }
            // A failed file whose date cannot be read might be any version: it blocks them all.
            guard let effective = failure.effective else { return true }
            return effective <= date && (best.map { policies[$0].effective < effective } ?? true)
        }
        if let failure = broken.first {
            let name = failure.id.map { "`\($0)`" } ?? "for payer `\(routing.payer ?? "")`"
            return .failure(
                .error(
                    "catalog.policy-not-loaded", "the policy \(name) in `\(failure.file)` did not load", at: nil,
                    hint: "the policy file has errors: run `precert check` on it; no older version answers in its place"))
        }
        if let best { return .success(best) }
        if !known { return .failure(unknown(routing, policyID: policyID)) }
        let candidates = policies.filter { policy in policyID.map { policy.id == $0 } ?? (policy.payer == routing.payer) }
        let versions = candidates.map { version in
            "`\(version.id)` from \(version.effective)" + (version.expires.map { " until \($0)" } ?? "")
        }
        return .failure(
            .error(
                "catalog.not-in-force", "no version of `\(candidates[0].id)` is in force on \(date)", at: nil,
                hint: "versions: \(versions.joined(separator: "; ")); pass `--as-of DATE` to choose a date"))
    }

    /// Why no policy answers a case whose payer (or the given policy id) the catalog does not know.
    private func unknown(_ routing: CaseRouting, policyID: String?) -> Diagnostic {
        if let policyID {
            let ids = Set(policies.map(\.id)).sorted()
            let suggestion = Suggestion.closest(to: policyID, in: ids)
            return .error(
                "catalog.unknown-policy", "no policy `\(policyID)`", at: nil,
                hint: Suggestion.hint(suggestion) ?? "policies: \(ids.map { "`\($0)`" }.joined(separator: ", "))",
                facts: DiagnosticFacts(suggestion: suggestion))
        }
        guard routing.payerIsText else {
            return .error(
                "case.payer-type", "`payer` must be text, the id of a payer", at: nil,
                hint: "write it as a string, such as `\"payer\": \"kaiser-norcal\"`", facts: DiagnosticFacts(jsonPath: "$.payer", expected: "string"))
        }
        guard let payer = routing.payer else {
            return .error(
                "catalog.no-payer", "the case names no `payer`", at: nil,
                hint: "add `\"payer\": \"kaiser-norcal\"` to the case, or pass `--policy ID`", facts: DiagnosticFacts(jsonPath: "$.payer"))
        }
        let payers = Set(policies.map(\.payer)).sorted()
        let suggestion = Suggestion.closest(to: payer, in: payers)
        return .error(
            "catalog.unknown-payer", "no policy for payer `\(payer)`", at: nil,
            hint: Suggestion.hint(suggestion) ?? "payers: \(payers.map { "`\($0)`" }.joined(separator: ", "))",
            facts: DiagnosticFacts(jsonPath: "$.payer", suggestion: suggestion))
    }

    /// Decodes and evaluates one case: picks the policy by payer (or `options.policyID`) in force on
    /// the local date of `request.received_at` (or `options.asOf`).
    ///
    /// Each call borrows buffers from a small pool the catalog keeps, so calls from any number of
    /// threads set up little; for a stream of cases on one thread a `CaseSession` still saves the
    /// borrowing.
    public func evaluate(_ bytes: [UInt8], options: EvaluationOptions = EvaluationOptions()) -> Result<CaseDecision, CaseErrors> {
        withSession { $0.decide(bytes, options: options) }
    }

    /// Decodes and evaluates one case and returns its compact decision JSON: the bytes
    /// `DecisionEncoder.encode(evaluate(bytes).get())` gives, written without building the
    /// decision (unless `options.explain` asks for the path taken).
    public func decisionJSON(_ bytes: [UInt8], options: EvaluationOptions = EvaluationOptions()) -> Result<[UInt8], CaseErrors> {
        withSession { session in
            var output: [UInt8] = []
            output.reserveCapacity(session.outputSize + 256)
            if let errors = session.write(bytes, options: options, to: &output) { return .failure(errors) }
            session.outputSize = output.count
            return .success(output)
        }
    }

    /// `decisionJSON` that also returns what a service counts and audits (`DecisionSummary`),
    /// from the same walk.
    package func decisionJSONSummarized(_ bytes: [UInt8], options: EvaluationOptions = EvaluationOptions()) -> Result<([UInt8], DecisionSummary), CaseErrors> {
        withSession { session in
            var output: [UInt8] = []
            output.reserveCapacity(session.outputSize + 256)
            switch session.writeSummarized(bytes, options: options, to: &output) {
            case .failure(let errors): return .failure(errors)
            case .success(let summary):
                session.outputSize = output.count
                return .success((output, summary))
            }
        }
    }

    /// Runs `body` with a session on buffers borrowed from the catalog's pool, then gives them back.
    private func withSession<T>(_ body: (inout CaseSession) -> T) -> T {
        var session = CaseSession(catalog: self, buffers: sessionBuffers.take())
        let result = body(&session)
        sessionBuffers.give(session.takeBuffers())
        return result
    }

    /// The version of policy `id` in force on `date`, or the newest version when `date` is `nil`.
    public func policy(id: String, on date: CivilDate? = nil) -> LoadedPolicy? {
        let versions = policies.filter { $0.id == id }
        guard let date else { return versions.last }
        return versions.last { $0.isInForce(on: date) }
    }
}

extension Timestamp {
    /// The current instant (whole seconds, UTC).
    static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(epochSeconds: Int64(spec.tv_sec))
    }
}
