import Crypto
import Foundation
import Precert

/// The audit trail: one JSON line per decision (and per case that could not be evaluated),
/// appended to a file or written to standard output.
///
/// A record says which policy version decided what, for whom the caller asked (`case_id`), and
/// proves which case it was without holding it: an HMAC-SHA256 of the case bytes under the
/// operator's key, so that a case kept elsewhere can be matched later. It holds no name, note or
/// other text of the case.
///
/// Each record is written with one `write` of the whole line to a descriptor opened for appending,
/// so lines from concurrent requests never interleave. On opening, a last line left unfinished by
/// a crash is cut off, so the file holds whole lines only and new records follow the last whole one.
final class AuditTrail: @unchecked Sendable {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let key: SymmetricKey
    private let lock = NSLock()

    /// Opens the trail: `-` is standard output, anything else a file appended to (created with
    /// mode 0600). Throws a message when the file or the key cannot be used.
    init(destination: String, keyFile: String) throws(AuditError) {
        guard let keyData = FileManager.default.contents(atPath: keyFile) else {
            throw AuditError(message: "cannot read the audit key file `\(keyFile)`")
        }
        var keyBytes = Array(keyData)
        while let last = keyBytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { keyBytes.removeLast() }
        guard keyBytes.count >= 16 else {
            throw AuditError(message: "the audit key in `\(keyFile)` is shorter than 16 bytes; use at least 32 random bytes")
        }
        key = SymmetricKey(data: keyBytes)
        if destination == "-" {
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
            return
        }
        try Self.cutUnfinishedLine(destination)
        let opened = open(destination, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard opened >= 0 else { throw AuditError(message: "cannot open the audit log `\(destination)` for appending") }
        descriptor = opened
        ownsDescriptor = true
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// The HMAC-SHA256 of a case's bytes under the operator's key, `hmac-sha256:` then hex.
    func caseHMAC(_ bytes: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: bytes, using: key)
        return "hmac-sha256:" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// Appends one record (a JSON object without its line end) as one whole line; says whether it
    /// was written (a line that fails part way is cut off again).
    @discardableResult
    func append(_ record: [UInt8]) -> Bool {
        var line = record
        line.append(UInt8(ascii: "\n"))
        lock.lock()
        defer { lock.unlock() }
        // Where the line starts, so that a write that fails part way (a full disk) can be undone.
        let start = ownsDescriptor ? lseek(descriptor, 0, SEEK_END) : -1
        let complete = line.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        if !complete, start >= 0 { _ = ftruncate(descriptor, start) }
        return complete
    }


    /// Cuts a last line without its line end (left by a crash mid-write) off the file.
    private static func cutUnfinishedLine(_ path: String) throws(AuditError) {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { return }  // a new file
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            guard size > 0 else { return }
            // Read back in blocks until a line end is found.
            var end = size
            var block: UInt64 = 4096
            while end > 0 {
                let start = end > block ? end - block : 0
                try handle.seek(toOffset: start)
                let data = try handle.read(upToCount: Int(end - start)) ?? Data()
                if start + UInt64(data.count) == size, data.last == UInt8(ascii: "\n") { return }  // ends whole
                if let newline = data.lastIndex(of: UInt8(ascii: "\n")) {
                    try handle.truncate(atOffset: start + UInt64(newline - data.startIndex) + 1)
                    return
                }
                end = start
                block *= 2
            }
            try handle.truncate(atOffset: 0)
        } catch {
            throw AuditError(message: "cannot repair the audit log `\(path)`")
        }
    }
}

/// An audit trail that cannot be opened.
struct AuditError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Writes audit records with the library's JSON writer, so every string is escaped the same way
/// as in decisions.
enum AuditRecord {
    /// The record of an evaluated case.
    static func decision(
        id: String, time: Date, route: String, line: Int?, caseHMAC: String, summary: DecisionSummary, setDigest: String, seconds: Double
    ) -> [UInt8] {
        var writer = JSONWriter(style: .compact)
        writer.beginObject()
        header(&writer, id: id, time: time, route: route, line: line)
        decided(
            &writer, policy: (summary.policy.id, summary.policy.effective, summary.policy.digest, summary.policy.provenance.digest),
            caseID: summary.caseID, caseHMAC: caseHMAC, results: summary.results, setDigest: setDigest)
        latency(&writer, seconds)
        writer.endObject()
        return writer.bytes
    }

    /// The record of an order a CDS Hooks call answered: as `decision`'s, with the CDS service's
    /// id, the coverage-assertion id as the decision id, and the HMAC of the case read from the
    /// order (the case itself, built from the patient's record, is never written).
    static func crdDecision(
        id: String, time: Date, route: String, serviceID: String, caseHMAC: String, decision: CaseDecision, setDigest: String, seconds: Double
    ) -> [UInt8] {
        var writer = JSONWriter(style: .compact)
        writer.beginObject()
        header(&writer, id: id, time: time, route: route, line: nil)
        writer.key("cds_service")
        writer.string(serviceID)
        decided(
            &writer, policy: (decision.policyID, decision.effective, decision.digest, decision.provenance.digest),
            caseID: decision.caseID, caseHMAC: caseHMAC, results: decision.decisions, setDigest: setDigest)
        latency(&writer, seconds)
        writer.endObject()
        return writer.bytes
    }

    /// The members every record of a decided case has: the status, the policy version, the engine
    /// and case, and each decision's status, outcome and rule ids.
    private static func decided(
        _ writer: inout JSONWriter, policy: (id: String, effective: CivilDate, digest: String, provenanceDigest: String),
        caseID: String?, caseHMAC: String, results: [DecisionResult], setDigest: String
    ) {
        writer.key("status")
        writer.string("decided")
        writer.key("policy")
        writer.beginObject()
        writer.key("id")
        writer.string(policy.id)
        writer.key("effective")
        writer.string(policy.effective.description)
        writer.key("digest")
        writer.string("sha256:" + policy.digest)
        writer.key("provenance_digest")
        writer.string("sha256:" + policy.provenanceDigest)
        writer.endObject()
        setEngineAndCase(&writer, setDigest: setDigest, caseID: caseID, caseHMAC: caseHMAC)
        writer.key("decisions")
        writer.beginObject()
        for result in results {
            writer.key(result.name)
            writer.beginObject()
            writer.key("status")
            writer.string(result.status.rawValue)
            if result.status == .decided {
                writer.key("outcome")
                if result.isList {
                    writer.beginArray()
                    for outcome in result.outcomes { writer.string(outcome) }
                    writer.endArray()
                } else if let outcome = result.outcome {
                    writer.string(outcome)
                } else {
                    writer.null()
                }
            }
            writer.key("rules")
            writer.beginArray()
            for rule in result.rules { writer.string(rule.id) }
            writer.endArray()
            writer.endObject()
        }
        writer.endObject()
    }

    /// The record of a case that could not be evaluated: the ids of its problems, never their
    /// messages (which may name fields of the case).
    static func failure(
        id: String, time: Date, route: String, line: Int?, caseHMAC: String, errors: CaseErrors, httpStatus: Int,
        setDigest: String?, seconds: Double
    ) -> [UInt8] {
        var writer = JSONWriter(style: .compact)
        writer.beginObject()
        header(&writer, id: id, time: time, route: route, line: line)
        writer.key("status")
        writer.string("error")
        writer.key("http_status")
        writer.number(httpStatus)
        writer.key("fault")
        writer.string(errors.fault.rawValue)
        setEngineAndCase(&writer, setDigest: setDigest, caseID: errors.caseID, caseHMAC: caseHMAC)
        writer.key("errors")
        writer.beginArray()
        for diagnostic in errors.diagnostics { writer.string(diagnostic.id.code) }
        writer.endArray()
        latency(&writer, seconds)
        writer.endObject()
        return writer.bytes
    }

    private static func header(_ writer: inout JSONWriter, id: String, time: Date, route: String, line: Int?) {
        writer.key("decision_id")
        writer.string(id)
        writer.key("time")
        writer.string(timestamp(time))
        writer.key("route")
        writer.string(route)
        if let line {
            writer.key("line")
            writer.number(line)
        }
    }

    /// What every record says of the set, the engine and the case: the same fields in the same order.
    private static func setEngineAndCase(_ writer: inout JSONWriter, setDigest: String?, caseID: String?, caseHMAC: String) {
        writer.key("policy_set")
        if let setDigest { writer.string(setDigest) } else { writer.null() }
        writer.key("engine")
        writer.beginObject()
        writer.key("version")
        writer.string(PrecertEngine.version)
        writer.key("contract")
        writer.number(PrecertEngine.contract)
        writer.endObject()
        writer.key("case_id")
        if let caseID { writer.string(caseID) } else { writer.null() }
        writer.key("case_hmac")
        writer.string(caseHMAC)
    }

    private static func latency(_ writer: inout JSONWriter, _ seconds: Double) {
        writer.key("latency_us")
        writer.number(Int((seconds * 1e6).rounded()))
    }

    /// RFC 3339 in UTC with milliseconds (`2026-11-30T08:15:02.123Z`).
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds / 1000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
    }
}
