/// Pre-encoded pieces of a policy's decision JSON, so that a case answered on the fast path is
/// written by copying bytes instead of escaping the same rule texts again for every case.
///
/// All pieces live in one byte array, found through plain-data spans, so that writing a case
/// retains and releases nothing.
final class DecisionFragments: Sendable {
    /// Where one reachable leaf's JSON is in `bytes`.
    struct Span: Sendable {
        /// The whole `"name":{…}` member, or, for a duration with a due date, the part before the date.
        let before: Range<Int>
        /// For a duration with a due date, the part after the date (empty otherwise).
        let after: Range<Int>
        /// The duration, for a due date.
        let duration: ClockDuration?
    }

    /// Every piece, back to back.
    let bytes: [UInt8]
    /// `,"policy":{…},"engine":{…},"decisions":{`, the same for every case of the policy.
    let header: Range<Int>
    /// Per decision and leaf index, at `firstSpan[decision] + leaf` (unreachable leaves have empty spans).
    let spans: [Span]
    /// Per decision, where its leaves' spans start.
    let firstSpan: [Int]
    /// Per decision, the input slot of the datetime its due date counts from (-1 for none).
    let dueSlots: [Int]
    /// `],"provenance":{…,"version_date":"`: what follows the next steps, up to the date that
    /// chose the version (then comes the date, `","version_date_from":"`, its source and `"}}`).
    let provenance: Range<Int>

    init(evaluator: Evaluator, digest: String, provenance record: Provenance) {
        let checked = evaluator.compiled.checked
        var probe = JSONWriter(style: .compact)
        DecisionEncoder.write(
            CaseDecision(
                caseID: nil, policyID: checked.id, payer: checked.payer, effective: checked.effective,
                digest: digest, decisions: [], nextSteps: [], provenance: record),
            to: &probe)
        let opening = Array(#"{"case_id":null"#.utf8)
        let marker = Array(#""decisions":{"#.utf8)
        let end = Self.index(of: marker, in: probe.bytes)! + marker.count
        var bytes = Array(probe.bytes[opening.count..<end])
        header = 0..<bytes.count
        let sentinel = Timestamp(epochSeconds: -9_000_000_000)
        let sentinelText = Array(sentinel.rfc3339.utf8)
        var spans: [Span] = []
        var firstSpan: [Int] = []
        for row in evaluator.leafInfo {
            firstSpan.append(spans.count)
            for info in row {
                guard var result = info?.template else {
                    spans.append(Span(before: 0..<0, after: 0..<0, duration: nil))
                    continue
                }
                let duration = result.status == .decided ? result.duration : nil
                if duration != nil { result.due = sentinel }
                var writer = JSONWriter(style: .compact)
                writer.beginObject()
                writer.key(result.name)
                DecisionEncoder.write(result, to: &writer)
                writer.endObject()
                let member = Array(writer.bytes.dropFirst().dropLast())
                let start = bytes.count
                bytes += member
                if let duration, let at = Self.index(of: sentinelText, in: member) {
                    spans.append(Span(before: start..<(start + at), after: (start + at + sentinelText.count)..<bytes.count, duration: duration))
                } else {
                    spans.append(Span(before: start..<bytes.count, after: 0..<0, duration: nil))
                }
            }
        }
        var tail = JSONWriter(style: .compact)
        tail.beginObject()
        tail.key("provenance")
        DecisionEncoder.writeProvenance(record, to: &tail)
        tail.endObject()
        let member = Array("],".utf8) + tail.bytes.dropFirst().dropLast()
        let dateMarker = Array(#""version_date":""#.utf8)
        let cut = Self.index(of: dateMarker, in: member)! + dateMarker.count
        provenance = bytes.count..<(bytes.count + cut)
        bytes += member[..<cut]
        self.bytes = bytes
        self.spans = spans
        self.firstSpan = firstSpan
        dueSlots = checked.decisions.map { $0.dueFromSlot ?? -1 }
    }

    static func index(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}

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
    private var scratch = EvaluationScratch()
    /// The case being evaluated; its storage is reused from case to case.
    private var decoded = DecodedCase()
    private var lastPolicy: Int?
    /// The date that chose the version of the case being evaluated, and where it came from.
    private var versionDate = CivilDate.min
    private var dateSource = Provenance.DateSource.today

    /// Creates a session.
    public init(catalog: PolicyCatalog) {
        self.catalog = catalog
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
                catalog.policies[index].evaluate(decoded, explain: options.explain, versionDate: versionDate, dateSource: dateSource))
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
        switch locate(bytes, options) {
        case .failure(let errors): return errors
        case .success(let index):
            let policy = catalog.policies[index]
            if !options.explain, policy.evaluator.evaluateLeaves(decoded.facts, scratch: &scratch), writeFast(policy, to: &writer) {
                return nil
            }
            DecisionEncoder.write(
                policy.evaluate(decoded, explain: options.explain, versionDate: versionDate, dateSource: dateSource), to: &writer)
            return nil
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
        var candidate = lastPolicy ?? routedIndex(bytes, options) ?? 0
        var failure = policies[candidate].decoder.decode(bytes, file: file, into: &decoded)
        if let errors = failure {
            let routing = PolicyCatalog.route(bytes, limits: catalog.caseLimits)
            let (date, _) = versionDate(asOf: options.asOf, receivedAt: routing.receivedAt, today: options.today)
            switch catalog.select(routing, policyID: policyID, date: date) {
            case .success(let routed):
                if routed != candidate {
                    candidate = routed
                    failure = policies[candidate].decoder.decode(bytes, file: file, into: &decoded)
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
        (versionDate, dateSource) = versionDate(asOf: options.asOf, receivedAt: decoded.receivedAt, today: options.today)
        let routing = CaseRouting(payer: decoded.payer, payerIsText: true, receivedAt: decoded.receivedAt, caseID: decoded.caseID)
        let selected: Int
        switch catalog.select(routing, policyID: policyID, date: versionDate) {
        case .failure(let diagnostic): return .failure(CaseErrors([diagnostic], caseID: decoded.caseID))
        case .success(let index): selected = index
        }
        lastPolicy = selected
        if selected == candidate { return .success(selected) }
        if var errors = policies[selected].decoder.decode(bytes, file: file, into: &decoded) {
            errors.caseID = decoded.caseID
            return .failure(errors)
        }
        return .success(selected)
    }

    private func routedIndex(_ bytes: UnsafeBufferPointer<UInt8>, _ options: EvaluationOptions) -> Int? {
        let routing = PolicyCatalog.route(bytes, limits: catalog.caseLimits)
        let (date, _) = versionDate(asOf: options.asOf, receivedAt: routing.receivedAt, today: options.today)
        return try? catalog.select(routing, policyID: options.policyID, date: date).get()
    }

    /// Writes the decision of a case answered on the fast path from the policy's fragments; the
    /// bytes equal `DecisionEncoder`'s for the same decision (a test holds them to it). Writes
    /// nothing and returns false when a due date has no time to count from: that decision needs
    /// information, which only the full path reports.
    private func writeFast(_ policy: LoadedPolicy, to writer: inout JSONWriter) -> Bool {
        guard writeDecisions(policy, to: &writer) else { return false }
        writer.bytes.append(contentsOf: #"},"next_steps":["#.utf8)
        policy.evaluator.writeNextSteps(leaves: scratch.leaves, decoded.facts, to: &writer)
        let fragments = policy.fragments
        fragments.bytes.withUnsafeBufferPointer { pieces in
            writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[fragments.provenance]))
        }
        versionDate.appendISO(to: &writer.bytes)
        writer.bytes.append(contentsOf: #"","version_date_from":""#.utf8)
        writer.bytes.append(contentsOf: dateSource.rawValue.utf8)
        writer.bytes.append(contentsOf: #""}}"#.utf8)
        return true
    }
    /// Writes the decision up to its last decision's member; takes back what it wrote and returns
    /// false when a due date has no time to count from.
    private func writeDecisions(_ policy: LoadedPolicy, to writer: inout JSONWriter) -> Bool {
        let fragments = policy.fragments
        let checked = policy.policy
        return fragments.bytes.withUnsafeBufferPointer { pieces in
            fragments.spans.withUnsafeBufferPointer { spans in
                scratch.leaves.withUnsafeBufferPointer { leaves in
                    decoded.facts.values.withUnsafeBufferPointer { values in
                        let start = writer.bytes.count
                        writer.bytes.append(contentsOf: #"{"case_id":"#.utf8)
                        if let id = decoded.caseID {
                            id.utf8.withContiguousStorageIfAvailable { writer.writeQuoted($0) } ?? writer.string(id)
                        } else {
                            writer.bytes.append(contentsOf: "null".utf8)
                        }
                        writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[fragments.header]))
                        for index in leaves.indices {
                            if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                            let leaf = spans[fragments.firstSpan[index] + Int(-leaves[index] - 1)]
                            writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[leaf.before]))
                            guard let duration = leaf.duration else { continue }
                            let slot = fragments.dueSlots[index]
                            guard slot >= 0, case .datetime(let received)? = values[slot] else {
                                writer.bytes.removeLast(writer.bytes.count - start)
                                return false
                            }
                            dueDate(receivedAt: received, duration: duration, zone: checked.timeZone, calendar: policy.calendar)
                                .appendRFC3339(to: &writer.bytes)
                            writer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[leaf.after]))
                        }
                        return true
                    }
                }
            }
        }
    }
}
