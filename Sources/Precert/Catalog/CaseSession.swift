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

    init(evaluator: Evaluator, digest: String) {
        let checked = evaluator.compiled.checked
        var probe = JSONWriter(style: .compact)
        DecisionEncoder.write(
            CaseDecision(
                caseID: nil, policyID: checked.id, payer: checked.payer, effective: checked.effective,
                digest: digest, decisions: [], nextSteps: []),
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

/// Evaluates a stream of cases against a catalog, keeping buffers and the last policy used between
/// cases. One session per thread; the catalog itself is shared.
public struct CaseSession {
    /// The catalog cases are evaluated against.
    public let catalog: PolicyCatalog
    private var scratch = EvaluationScratch()
    /// The case being evaluated; its storage is reused from case to case.
    private var decoded = DecodedCase()
    private var lastPolicy: Int?
    private let today: CivilDate

    /// Creates a session; `today` picks the version for cases with neither a received date nor `asOf`.
    public init(catalog: PolicyCatalog, today: CivilDate? = nil) {
        self.catalog = catalog
        self.today = today ?? Timestamp.now.localDate
    }

    /// Decodes and evaluates one case, returning the full decision.
    public mutating func decide(
        _ bytes: [UInt8], file: String = "<case>", policyID: String? = nil, asOf: CivilDate? = nil, explain: Bool = false
    ) -> Result<CaseDecision, CaseErrors> {
        bytes.withUnsafeBufferPointer { decide($0, file: file, policyID: policyID, asOf: asOf, explain: explain) }
    }

    /// `decide(_:file:policyID:asOf:explain:)` on bytes the caller holds, such as one line of a larger buffer.
    public mutating func decide(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String = "<case>", policyID: String? = nil, asOf: CivilDate? = nil,
        explain: Bool = false
    ) -> Result<CaseDecision, CaseErrors> {
        switch locate(bytes, file: file, policyID: policyID, asOf: asOf) {
        case .failure(let errors): return .failure(errors)
        case .success(let index): return .success(catalog.policies[index].evaluate(decoded, explain: explain))
        }
    }

    /// Decodes and evaluates one case and appends its compact decision JSON to `writer`.
    public mutating func write(
        _ bytes: [UInt8], file: String = "<case>", policyID: String? = nil, asOf: CivilDate? = nil, explain: Bool = false,
        to writer: inout JSONWriter
    ) -> CaseErrors? {
        bytes.withUnsafeBufferPointer { write($0, file: file, policyID: policyID, asOf: asOf, explain: explain, to: &writer) }
    }

    /// `write(_:file:policyID:asOf:explain:to:)` on bytes the caller holds, such as one line of a larger buffer.
    public mutating func write(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String = "<case>", policyID: String? = nil, asOf: CivilDate? = nil,
        explain: Bool = false, to writer: inout JSONWriter
    ) -> CaseErrors? {
        switch locate(bytes, file: file, policyID: policyID, asOf: asOf) {
        case .failure(let errors): return errors
        case .success(let index):
            let policy = catalog.policies[index]
            if !explain, policy.evaluator.evaluateLeaves(decoded.facts, scratch: &scratch), writeFast(policy, to: &writer) {
                return nil
            }
            DecisionEncoder.write(policy.evaluate(decoded, explain: explain), to: &writer)
            return nil
        }
    }

    /// Decodes the case into `decoded` for its policy and returns the policy's index, reading the
    /// case once when the previous case's policy is the right one.
    private mutating func locate(_ bytes: UnsafeBufferPointer<UInt8>, file: String, policyID: String?, asOf: CivilDate?) -> Result<Int, CaseErrors> {
        let policies = catalog.policies
        guard !policies.isEmpty else {
            return .failure(CaseErrors([.error("catalog.empty", "no policies are loaded", at: nil)]))
        }
        var candidate = lastPolicy ?? routedIndex(bytes, policyID: policyID, asOf: asOf) ?? 0
        var failure = policies[candidate].decoder.decode(bytes, file: file, into: &decoded)
        if let errors = failure {
            let routing = PolicyCatalog.route(bytes, limits: catalog.caseLimits)
            let date = asOf ?? routing.receivedAt?.localDate ?? today
            switch catalog.select(payer: routing.payer, policyID: policyID, date: date) {
            case .success:
                if let routed = catalog.selectIndex(payer: routing.payer, policyID: policyID, date: date), routed != candidate {
                    candidate = routed
                    failure = policies[candidate].decoder.decode(bytes, file: file, into: &decoded)
                }
            case .failure(let diagnostic):
                // With no policy for the case, a broken document is reported as such, read without
                // any policy's fields (the policy tried first depends on the case before, and so
                // differs between one thread and several); otherwise the missing policy is the problem.
                let broken = errors.diagnostics.contains { CaseDecoder.documentErrorIDs.contains($0.id) }
                if broken, let documentErrors = policies[candidate].decoder.documentErrors(bytes, file: file) {
                    return .failure(documentErrors)
                }
                return .failure(CaseErrors([diagnostic]))
            }
        }
        if let errors = failure { return .failure(errors) }
        let date = asOf ?? decoded.receivedAt?.localDate ?? today
        guard let selected = catalog.selectIndex(payer: decoded.payer, policyID: policyID, date: date) else {
            if case .failure(let diagnostic) = catalog.select(payer: decoded.payer, policyID: policyID, date: date) {
                return .failure(CaseErrors([diagnostic]))
            }
            return .failure(CaseErrors([.error("catalog.not-in-force", "no policy is in force on \(date)", at: nil)]))
        }
        lastPolicy = selected
        if selected == candidate { return .success(selected) }
        if let errors = policies[selected].decoder.decode(bytes, file: file, into: &decoded) { return .failure(errors) }
        return .success(selected)
    }

    private func routedIndex(_ bytes: UnsafeBufferPointer<UInt8>, policyID: String?, asOf: CivilDate?) -> Int? {
        let routing = PolicyCatalog.route(bytes, limits: catalog.caseLimits)
        return catalog.selectIndex(
            payer: routing.payer, policyID: policyID, date: asOf ?? routing.receivedAt?.localDate ?? today)
    }

    /// Writes the decision of a case answered on the fast path from the policy's fragments; the
    /// bytes equal `DecisionEncoder`'s for the same decision (a test holds them to it). Writes
    /// nothing and returns false when a due date has no time to count from: that decision needs
    /// information, which only the full path reports.
    private func writeFast(_ policy: LoadedPolicy, to writer: inout JSONWriter) -> Bool {
        guard writeDecisions(policy, to: &writer) else { return false }
        writer.bytes.append(contentsOf: #"},"next_steps":["#.utf8)
        policy.evaluator.writeNextSteps(leaves: scratch.leaves, decoded.facts, to: &writer)
        writer.bytes.append(contentsOf: "]}".utf8)
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
