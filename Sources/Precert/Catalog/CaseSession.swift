import Foundation

/// How to evaluate a case: which policy version, whether to trace the path taken.
public struct EvaluationOptions: Sendable, Hashable {
    /// Evaluate against this policy id instead of choosing by the case's `payer`.
    public var policyID: String?
    /// Choose the version in force on this date instead of the local date of `request.received_at`.
    public var asOf: CivilDate?
    /// Record the path taken through each decision's diagram (`trace` in the JSON).
    public var explain: Bool
    /// The name of the case in diagnostics (`case.json`), never its content.
    public var file: String
    /// The date that chooses the version for a case with neither `request.received_at` nor
    /// `asOf` (default: the day of evaluation, UTC).
    public var today: CivilDate?

    /// Creates options; the defaults choose by payer and received date, without a trace.
    public init(policyID: String? = nil, asOf: CivilDate? = nil, explain: Bool = false, file: String = "<case>", today: CivilDate? = nil) {
        self.policyID = policyID
        self.asOf = asOf
        self.explain = explain
        self.file = file
        self.today = today
    }
}

/// Evaluates a stream of cases against a catalog, keeping buffers and the last policy used between
/// cases: one session per thread (it is not `Sendable`); the catalog itself is shared.
public struct CaseSession {
    /// The catalog cases are evaluated against.
    package let catalog: PolicyCatalog
    /// The buffers reused from case to case.
    private var buffers: SessionBuffers
    /// The date that chose the version of the case being evaluated, and where it came from.
    private var versionDate = CivilDate.min
    private var dateSource = Provenance.DateSource.today

    /// Creates a session.
    public init(catalog: PolicyCatalog) {
        self.init(catalog: catalog, buffers: SessionBuffers())
    }

    /// A session on buffers borrowed from the catalog's pool, for the catalog's one-case calls.
    init(catalog: PolicyCatalog, buffers: consuming SessionBuffers) {
        self.catalog = catalog
        self.buffers = buffers
    }

    /// Gives up the session's buffers, to return them to the pool.
    consuming func takeBuffers() -> SessionBuffers { buffers }

    /// The size of the last decision written through `PolicyCatalog.decisionJSON`, to reserve for the next.
    var outputSize: Int {
        get { buffers.outputSize }
        set { buffers.outputSize = newValue }
    }

    /// Decodes and evaluates one case, returning the full decision.
    public mutating func decide(_ bytes: [UInt8], options: EvaluationOptions = EvaluationOptions()) -> Result<CaseDecision, CaseErrors> {
        bytes.withUnsafeBufferPointer { decide($0, options: options) }
    }

    /// `decide(_:options:)` on bytes the caller holds, such as one line of a larger buffer.
    package mutating func decide(_ bytes: UnsafeBufferPointer<UInt8>, options: EvaluationOptions = EvaluationOptions()) -> Result<CaseDecision, CaseErrors> {
        switch locate(bytes, options) {
        case .failure(let errors): return .failure(errors)
        case .success(let index):
            return .success(
                catalog.policies[index].evaluate(buffers.decoded, explain: options.explain, versionDate: versionDate, dateSource: dateSource))
        }
    }

    /// Decodes and evaluates one case and appends its compact decision JSON (the bytes
    /// `DecisionEncoder.encode` gives for `decide`'s decision, without a line end) to `output`;
    /// returns the errors instead when the case cannot be evaluated, leaving `output` as it was.
    public mutating func write(_ bytes: [UInt8], options: EvaluationOptions = EvaluationOptions(), to output: inout [UInt8]) -> CaseErrors? {
        bytes.withUnsafeBufferPointer { write($0, options: options, to: &output) }
    }

    /// `write(_:options:to:)` on bytes the caller holds, such as one line of a larger buffer.
    package mutating func write(_ bytes: UnsafeBufferPointer<UInt8>, options: EvaluationOptions = EvaluationOptions(), to output: inout [UInt8]) -> CaseErrors? {
        var writer = JSONWriter(style: .compact)
        swap(&writer.bytes, &output)
        defer { swap(&writer.bytes, &output) }
        return write(bytes, options: options, into: &writer)
    }

    /// `write(_:options:to:)` into a JSON writer the caller keeps (the JSON Lines evaluator's).
    package mutating func write(_ bytes: UnsafeBufferPointer<UInt8>, options: EvaluationOptions, into writer: inout JSONWriter) -> CaseErrors? {
        switch write(bytes, options: options, into: &writer, summarizing: false) {
        case .failure(let errors): return errors
        case .success: return nil
        }
    }

    /// `write(_:options:to:)` that also returns what a service counts and audits: the policy
    /// version that answered, the case's id and each decision's result (status, outcomes, rules;
    /// no due instants), taken from the same walk as the JSON.
    package mutating func writeSummarized(_ bytes: [UInt8], options: EvaluationOptions, to output: inout [UInt8]) -> Result<DecisionSummary, CaseErrors> {
        var writer = JSONWriter(style: .compact)
        swap(&writer.bytes, &output)
        defer { swap(&writer.bytes, &output) }
        return bytes.withUnsafeBufferPointer { write($0, options: options, into: &writer, summarizing: true) }
    }

    /// The one writer behind `write` and `writeSummarized` (an empty summary when not summarizing).
    private mutating func write(
        _ bytes: UnsafeBufferPointer<UInt8>, options: EvaluationOptions, into writer: inout JSONWriter, summarizing: Bool
    ) -> Result<DecisionSummary, CaseErrors> {
        switch locate(bytes, options) {
        case .failure(let errors): return .failure(errors)
        case .success(let index):
            let policy = catalog.policies[index]
            if options.explain {
                let decision = policy.evaluate(buffers.decoded, explain: true, versionDate: versionDate, dateSource: dateSource)
                DecisionEncoder.write(decision, to: &writer)
                return .success(DecisionSummary(policy: policy, caseID: decision.caseID, results: summarizing ? decision.decisions : []))
            }
            policy.evaluator.answer(buffers.decoded.facts, scratch: &buffers.scratch, tracing: false)
            policy.fragments.write(
                buffers.scratch, caseID: buffers.decoded.caseID, facts: buffers.decoded.facts, versionDate: versionDate,
                dateSource: dateSource, to: &writer)
            let results = summarizing ? policy.evaluator.summaries(buffers.scratch, buffers.decoded.facts) : []
            return .success(DecisionSummary(policy: policy, caseID: buffers.decoded.caseID, results: results))
        }
    }

    /// The date that chooses the version, and where it came from.
    private func versionDate(asOf: CivilDate?, receivedAt: Timestamp?, today: CivilDate?) -> (CivilDate, Provenance.DateSource) {
        if let asOf { return (asOf, .asOf) }
        if let receivedAt { return (receivedAt.localDate, .receivedAt) }
        return (today ?? Timestamp.now.localDate, .today)
    }

    /// Decodes the case into `decoded` for its policy and returns the policy's index, reading the
    /// case once when the previous case's policy is the right one.
    private mutating func locate(_ bytes: UnsafeBufferPointer<UInt8>, _ options: EvaluationOptions) -> Result<Int, CaseErrors> {
        let policies = catalog.policies
        let file = options.file
        let policyID = options.policyID
        guard !policies.isEmpty else {
            let routing = PolicyCatalog.route(bytes, limits: catalog.caseLimits)
            return .failure(CaseErrors([CatalogProblems.empty()], caseID: routing.caseID))
        }
        var candidate = buffers.lastPolicy.flatMap { policies.indices.contains($0) ? $0 : nil } ?? routedIndex(bytes, options) ?? 0
        var failure = policies[candidate].decoder.decode(bytes, file: file, into: &buffers.decoded)
        if let errors = failure {
            let routing = PolicyCatalog.route(bytes, limits: catalog.caseLimits)
            let (date, _) = versionDate(asOf: options.asOf, receivedAt: routing.receivedAt, today: options.today)
            switch catalog.select(routing, policyID: policyID, date: date) {
            case .success(let routed):
                if routed != candidate {
                    candidate = routed
                    failure = policies[candidate].decoder.decode(bytes, file: file, into: &buffers.decoded)
                }
            case .failure(let diagnostic):
                // With no policy for the case, a broken document is reported as such, read without
                // any policy's fields (the policy tried first depends on the case before, and so
                // differs between one thread and several); otherwise the missing policy is the problem.
                let broken = errors.diagnostics.contains { CaseDecoder.documentErrorIDs.contains($0.id) }
                if broken, let documentErrors = policies[candidate].decoder.documentErrors(bytes, file: file) {
                    return .failure(CaseErrors(documentErrors.diagnostics, caseID: routing.caseID))
                }
                return .failure(CaseErrors([diagnostic], caseID: routing.caseID))
            }
        }
        if var errors = failure {
            errors.caseID = PolicyCatalog.route(bytes, limits: catalog.caseLimits).caseID
            return .failure(errors)
        }
        (versionDate, dateSource) = versionDate(asOf: options.asOf, receivedAt: buffers.decoded.receivedAt, today: options.today)
        let routing = CaseRouting(payer: buffers.decoded.payer, payerIsText: true, receivedAt: buffers.decoded.receivedAt, caseID: buffers.decoded.caseID)
        let selected: Int
        switch catalog.select(routing, policyID: policyID, date: versionDate) {
        case .failure(let diagnostic): return .failure(CaseErrors([diagnostic], caseID: buffers.decoded.caseID))
        case .success(let index): selected = index
        }
        buffers.lastPolicy = selected
        if selected == candidate { return .success(selected) }
        if var errors = policies[selected].decoder.decode(bytes, file: file, into: &buffers.decoded) {
            errors.caseID = buffers.decoded.caseID
            return .failure(errors)
        }
        return .success(selected)
    }

    private func routedIndex(_ bytes: UnsafeBufferPointer<UInt8>, _ options: EvaluationOptions) -> Int? {
        let routing = PolicyCatalog.route(bytes, limits: catalog.caseLimits)
        let (date, _) = versionDate(asOf: options.asOf, receivedAt: routing.receivedAt, today: options.today)
        return try? catalog.select(routing, policyID: options.policyID, date: date).get()
    }

}

/// What a service records of a decision written straight to JSON: the policy version that
/// answered, the case's id, and each decision's result without due instants.
package struct DecisionSummary: Sendable {
    /// The policy version that answered.
    package let policy: LoadedPolicy
    /// The case's `case_id`, when it has one.
    package let caseID: String?
    /// Each decision's status, outcomes and rules, in declaration order.
    package let results: [DecisionResult]
}

/// What a session reuses from case to case: evaluation buffers, the decoded case's storage, the
/// last policy used. Holds no catalog, so the catalog can pool them for its one-case calls.
struct SessionBuffers: Sendable {
    var scratch = EvaluationScratch()
    /// The case being evaluated; its storage is reused from case to case.
    var decoded = DecodedCase()
    /// The policy of the previous case, tried first.
    var lastPolicy: Int?
    /// The size of the last decision written, to reserve for the next.
    var outputSize = 0
}

/// Session buffers for the catalog's one-case calls (`decisionJSON`, `evaluate`), so that a call
/// sets up no session of its own: each call borrows a set and gives it back, and calls on several
/// threads at once each get their own. It holds buffers, never a session (a session holds the
/// catalog, which holds the pool).
final class SessionBufferPool: @unchecked Sendable {
    /// Guards `free`.
    private let lock = NSLock()
    /// Buffers not in use.
    private var free: [SessionBuffers] = []
    /// The most buffers kept for later calls.
    static let capacity = 16

    init() {}

    /// Buffers for one call: pooled ones if any are free, else new ones.
    func take() -> SessionBuffers {
        lock.lock()
        defer { lock.unlock() }
        return free.popLast() ?? SessionBuffers()
    }

    /// Gives buffers back for later calls.
    func give(_ buffers: consuming SessionBuffers) {
        lock.lock()
        defer { lock.unlock() }
        if free.count < Self.capacity { free.append(buffers) }
    }
}
