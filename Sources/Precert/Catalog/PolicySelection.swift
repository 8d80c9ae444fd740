#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a case says about which policy applies to it.
public struct CaseRouting: Sendable, Hashable {
    /// The `payer` field.
    public var payer: String?
    /// The `request.received_at` field, when it is a valid date-time.
    public var receivedAt: Timestamp?
}

extension PolicyCatalog {
    /// Reads `payer` and `request.received_at` from case JSON without decoding anything else.
    public static func route(_ bytes: [UInt8], limits: CaseLimits = CaseLimits()) -> CaseRouting {
        bytes.withUnsafeBufferPointer { route($0, limits: limits) }
    }

    /// `route(_:limits:)` on bytes the caller holds, such as one line of a larger buffer.
    public static func route(_ buffer: UnsafeBufferPointer<UInt8>, limits: CaseLimits = CaseLimits()) -> CaseRouting {
        var routing = CaseRouting()
        var reader = JSONReader(buffer, limits: limits.json)
        do {
            guard reader.peekKind() == .object else { return routing }
            try reader.beginObject()
            while try reader.nextKey() {
                if reader.keyEquals("payer"), reader.peekKind() == .string {
                    routing.payer = try reader.readString()
                } else if reader.keyEquals("request"), reader.peekKind() == .object {
                    try reader.beginObject()
                    while try reader.nextKey() {
                        if reader.keyEquals("received_at"), reader.peekKind() == .string {
                            routing.receivedAt = try reader.readStringBytes { Timestamp(utf8: $0) }
                        }
                    }
                }
            }
        } catch {
            // The policy's decoder reports malformed JSON with its place.
        }
        return routing
    }

    /// The case limits the catalog was loaded with (every policy's decoder shares them).
    var caseLimits: CaseLimits { policies.first?.decoder.limits ?? CaseLimits() }

    /// The index of the policy version in force on `date` for `policyID` (or else `payer`), without
    /// building anything; `nil` when there is none (then `select` explains why).
    public func selectIndex(payer: String?, policyID: String?, date: CivilDate) -> Int? {
        var best: Int?
        for index in policies.indices {
            let policy = policies[index].policy
            if let policyID { if policy.id != policyID { continue } } else if policy.payer != payer { continue }
            guard policies[index].isInForce(on: date) else { continue }
            if best == nil || policies[best!].policy.effective < policy.effective { best = index }
        }
        return best
    }

    /// The policy version for a case: by `policyID` or else the case's payer, in force on `date`.
    public func select(payer: String?, policyID: String?, date: CivilDate) -> Result<LoadedPolicy, Diagnostic> {
        let candidates: [LoadedPolicy]
        if let policyID {
            candidates = policies.filter { $0.policy.id == policyID }
            if candidates.isEmpty {
                let ids = Set(policies.map(\.policy.id)).sorted()
                return .failure(
                    .error(
                        "catalog.unknown-policy", "no policy `\(policyID)`", at: nil,
                        hint: Suggestion.didYouMean(policyID, in: ids) ?? "policies: \(ids.map { "`\($0)`" }.joined(separator: ", "))"))
            }
        } else {
            guard let payer else {
                return .failure(
                    .error("catalog.no-payer", "the case names no `payer`", at: nil,
                        hint: "add `\"payer\": \"kaiser-norcal\"` to the case, or pass `--policy ID`"))
            }
            candidates = policies.filter { $0.policy.payer == payer }
            if candidates.isEmpty {
                let payers = Set(policies.map(\.policy.payer)).sorted()
                return .failure(
                    .error(
                        "catalog.unknown-payer", "no policy for payer `\(payer)`", at: nil,
                        hint: Suggestion.didYouMean(payer, in: payers) ?? "payers: \(payers.map { "`\($0)`" }.joined(separator: ", "))"))
            }
        }
        let inForce = candidates.filter { $0.isInForce(on: date) }
        if let chosen = inForce.max(by: { $0.policy.effective < $1.policy.effective }) { return .success(chosen) }
        let versions = candidates.map { version in
            "`\(version.policy.id)` from \(version.policy.effective)" + (version.policy.expires.map { " until \($0)" } ?? "")
        }
        return .failure(
            .error(
                "catalog.not-in-force", "no policy is in force on \(date)", at: nil,
                hint: "versions: \(versions.joined(separator: "; ")); pass `--as-of DATE` to choose a date"))
    }

    /// Decodes and evaluates one case: picks the policy by payer (or `policyID`) in force on the
    /// local date of `request.received_at` (or `asOf`). For many cases on one thread, keep a
    /// `CaseSession`, which this uses for a single case.
    public func evaluate(
        _ bytes: [UInt8], file: String = "<case>", policyID: String? = nil, asOf: CivilDate? = nil,
        explain: Bool = false, today: CivilDate? = nil
    ) -> Result<CaseDecision, CaseErrors> {
        var session = CaseSession(catalog: self, today: today)
        return session.decide(bytes, file: file, policyID: policyID, asOf: asOf, explain: explain)
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
