import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Precert
@testable import PrecertService

@Suite("Decision service: audit trail, authentication, limits, configuration")
struct SafetyTests {
    /// A case full of free text that must never reach the audit trail or the logs.
    static let chattyCase = Array(
        #"{"case_id": "audit-1", "payer": "kaiser-norcal", "request": {"received_at": "2026-07-02T14:05:00-07:00", "urgency": "standard"}, "member": {"id": "K900000101", "name": "Zelda Quixote", "dob": "1990-04-01"}, "provider": {"name": "Dr Ysolde Marchetti", "network": "payer", "in_directory": true}, "service": {"cpt": ["90791"], "icd10": ["F41.1"], "date": "2026-07-09"}, "referral": {"status": "none"}, "booking": {"channel": "phone"}, "payment": {"method": "insurance"}, "documents": [], "clinical_notes": "Patient reports insomnia after a divorce"}"#.utf8)

    @Test("the audit trail holds one whole JSON line per decision and per failed case: ids, policy, digests, HMAC, answers, latency; no free text")
    func auditTrail() async throws {
        let folder = try Paths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let audit = folder.appendingPathComponent("audit.jsonl")
        let key = folder.appendingPathComponent("audit.key")
        let keyBytes = Array("0123456789abcdef0123456789abcdef".utf8)
        try Data(keyBytes + [10]).write(to: key)
        // A line left unfinished by a crash: cut off when the trail is opened again.
        try Data(#"{"decision_id":"old","time":"2026-11-29T00:00:00.000Z"}"#.utf8 + [10] + #"{"decision_id":"torn","#.utf8).write(to: audit)
        let logs = LogCapture()
        let service = try makeService(logs: logs) {
            $0.auditLog = audit.path
            $0.auditKeyFile = key.path
        }
        let catalog = try PolicyCatalog(paths: [Paths.policies])
        let decisionID = try await service.makeApplication().test(.router) { client in
            let decisionID = try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: Self.chattyCase)) { response throws in
                #expect(response.status == .ok)
                return try #require(response.headers[DecisionService.decisionIDHeader])
            }
            let wrong = #"{"case_id": "audit-2", "payer": "kaiser-norcal", "member": {"name": "Zelda Quixote"}, "service": {"date": "soon"}}"#
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(string: wrong)) { response throws in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[DecisionService.decisionIDHeader] != nil)
            }
            let batch = Self.chattyCase + [10] + Array("{\n".utf8)
            try await client.execute(uri: "/v1/decisions/batch", method: .post, headers: jsonLines, body: ByteBuffer(bytes: batch))
            return decisionID
        }
        let text = try String(contentsOf: audit, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n")
        try #require(lines.count == 5, "\(lines)")
        #expect(lines[0].contains(#""decision_id":"old""#))
        #expect(!text.contains("torn"))
        let records = try lines.dropFirst().map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }

        let decided = records[0]
        #expect(decided["decision_id"] as? String == decisionID)
        #expect(decided["status"] as? String == "decided")
        #expect(decided["route"] as? String == "/v1/decisions")
        #expect(decided["case_id"] as? String == "audit-1")
        let expectedHMAC = HMAC<SHA256>.authenticationCode(for: Self.chattyCase, using: SymmetricKey(data: keyBytes))
        #expect(decided["case_hmac"] as? String == "hmac-sha256:" + expectedHMAC.map { String(format: "%02x", $0) }.joined())
        let policy = try #require(decided["policy"] as? [String: Any])
        let kaiser = try #require(catalog.policy(id: "kaiser-norcal/behavioral-health"))
        #expect(policy["id"] as? String == kaiser.id)
        #expect(policy["effective"] as? String == kaiser.effective.description)
        #expect(policy["digest"] as? String == "sha256:" + kaiser.digest)
        #expect(decided["policy_set"] as? String == catalog.digest)
        #expect((decided["engine"] as? [String: Any])?["version"] as? String == PrecertEngine.version)
        let decisions = try #require(decided["decisions"] as? [String: Any])
        let answer = try catalog.evaluate(Self.chattyCase).get()
        #expect(Set(decisions.keys) == Set(answer.decisions.map(\.name)))
        let authorization = try #require(decisions["authorization"] as? [String: Any])
        #expect(authorization["outcome"] as? String == answer["authorization"]?.outcome)
        #expect(authorization["rules"] as? [String] == answer["authorization"]?.rules.map(\.id))
        #expect((decided["latency_us"] as? Int).map { $0 >= 0 } == true)
        #expect((decided["time"] as? String)?.hasSuffix("Z") == true)

        let failed = records[1]
        #expect(failed["status"] as? String == "error")
        #expect(failed["http_status"] as? Int == 422)
        #expect(failed["case_id"] as? String == "audit-2")
        #expect(failed["errors"] as? [String] == ["case.type"])

        #expect(records[2]["route"] as? String == "/v1/decisions/batch")
        #expect(records[2]["line"] as? Int == 1)
        #expect(records[3]["line"] as? Int == 2)
        #expect(records[3]["errors"] as? [String] == ["case.json"])

        // The case's free text is nowhere: not in the trail, not in the logs.
        for secret in ["Zelda", "Quixote", "Ysolde", "insomnia", "divorce", "1990-04-01", "soon"] {
            #expect(!text.contains(secret), "the audit trail holds `\(secret)`")
            #expect(!logs.text.contains(secret), "the log holds `\(secret)`")
        }
    }

    @Test("an audit record that cannot be written (a full disk) is counted and logged; the answer still goes out")
    func auditFailure() async throws {
        let folder = try Paths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("audit.key")
        try Data("0123456789abcdef0123456789abcdef".utf8).write(to: key)
        let logs = LogCapture()
        let service = try makeService(logs: logs) {
            $0.auditLog = "/dev/full"
            $0.auditKeyFile = key.path
        }
        let body = try Paths.example("direct-booking-without-authorization.json")
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: body)) { response throws in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { response throws in
                #expect(text(response).contains("precert_audit_write_failures_total 1"))
            }
        }
        #expect(logs.text.contains("audit record not written"))
    }

    @Test("an audit trail needs a key file of at least 16 bytes, and a place it can write")
    func auditConfiguration() throws {
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.resolve(flags: ["audit-log": "-"], environment: [:])
        }
        let folder = try Paths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("short.key")
        try Data("short".utf8).write(to: key)
        #expect(throws: ServiceStartError.self) {
            try makeService {
                $0.auditLog = folder.appendingPathComponent("audit.jsonl").path
                $0.auditKeyFile = key.path
            }
        }
        try Data("0123456789abcdef0123".utf8).write(to: key)
        #expect(throws: ServiceStartError.self) {
            try makeService {
                $0.auditLog = folder.appendingPathComponent("no/such/folder/audit.jsonl").path
                $0.auditKeyFile = key.path
            }
        }
    }

    @Test("with a tokens file, /v1 needs a bearer token it lists; health, readiness and metrics stay open")
    func authentication() async throws {
        let folder = try Paths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tokens = folder.appendingPathComponent("tokens")
        try Data("# issued 2026-11-30\nfirst-token-0123456789\n\nsecond-token-0123456789\n".utf8).write(to: tokens)
        let service = try makeService { $0.tokensFile = tokens.path }
        let body = try Paths.example("direct-booking-without-authorization.json")
        try await service.makeApplication().test(.router) { client in
            for header: String? in [nil, "Bearer wrong-token-0123456789", "Basic Zmlyc3QtdG9rZW4=", "Bearer ", "Bearer first-token-012345678"] {
                var headers = json
                if let header { headers[.authorization] = header }
                try await client.execute(uri: "/v1/decisions", method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response throws in
                    #expect(response.status == .unauthorized, "\(header ?? "no header")")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"precert\"")
                    #expect(try errorIDs(response) == ["request.unauthorized"])
                }
            }
            for token in ["first-token-0123456789", "second-token-0123456789"] {
                var headers = json
                headers[.authorization] = "Bearer \(token)"
                try await client.execute(uri: "/v1/decisions", method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response throws in
                    #expect(response.status == .ok)
                }
            }
            try await client.execute(uri: "/v1/policies", method: .get) { #expect($0.status == .unauthorized) }
            for open in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
                try await client.execute(uri: open, method: .get) { #expect($0.status == .ok, "\(open)") }
            }
        }
        try Data("# nothing\n".utf8).write(to: tokens)
        #expect(throws: ServiceStartError.self) { try makeService { $0.tokensFile = tokens.path } }
    }

    @Test("beyond the in-flight limit a request gets 503 with Retry-After at once; a body still arriving after the read timeout gets 408")
    func limits() async throws {
        let service = try makeService {
            $0.maxInFlight = 1
            // Long enough that the slow client still holds its slot when the second request comes,
            // even on a loaded machine.
            $0.readTimeout = 8
        }
        let body = try Paths.example("direct-booking-without-authorization.json")
        try await service.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            // A client that sends its head and half its body holds the one slot.
            let slow = try RawClient(port: port)
            defer { slow.close() }
            try slow.send(Array("POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8))
            try slow.send(Array(body.prefix(100)))
            try await Task.sleep(for: .milliseconds(500))
            // (On a connection of its own: the service closes a connection whose body it did not read.)
            let refused = try RawClient(port: port)
            defer { refused.close() }
            try refused.send(Array("POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            let answer503 = try await refused.receive(until: "service.overloaded", seconds: 5)
            #expect(answer503.hasPrefix("HTTP/1.1 503"))
            #expect(answer503.lowercased().contains("retry-after: 1\r\n"))
            #expect(answer503.contains(#""id":"service.overloaded""#))
            // Health is not limited: probes keep working under load.
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            // The slow body runs out of time: its next bytes, after the read timeout, get 408.
            try await Task.sleep(for: .milliseconds(8_200))
            try slow.send(Array(body.dropFirst(100).prefix(100)))
            let answer = try await slow.receive(until: "request.timeout", seconds: 10)
            #expect(answer.hasPrefix("HTTP/1.1 408"))
            // Its slot is free again.
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: body)) { response throws in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { response throws in
                #expect(text(response).contains(#"precert_http_requests_rejected_total{reason="overloaded"} 1"#))
            }
        }
    }

    @Test("a batch holds its in-flight slot until its streamed answers are done")
    func batchHoldsSlot() async throws {
        let service = try makeService { $0.maxInFlight = 1 }
        let line = try Paths.example("direct-booking-without-authorization.json").filter { $0 != UInt8(ascii: "\n") } + [UInt8(ascii: "\n")]
        try await service.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let batch = try RawClient(port: port)
            defer { batch.close() }
            try batch.send(Array("POST /v1/decisions/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
            try batch.send(Array(String(line.count, radix: 16).utf8) + Array("\r\n".utf8) + line + Array("\r\n".utf8))
            _ = try await batch.receive(until: "ex-001-direct-booking", seconds: 30)
            // The batch is still open: another request finds no slot.
            let other = try RawClient(port: port)
            defer { other.close() }
            try other.send(Array("POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(line.count)\r\n\r\n".utf8) + line)
            #expect(try await other.receive(until: "service.overloaded", seconds: 10).hasPrefix("HTTP/1.1 503"))
            // Once the batch ends, its slot is free again.
            try batch.send(Array("0\r\n\r\n".utf8))
            _ = try await batch.receive(until: "\r\n0\r\n\r\n", seconds: 10)
            try await Task.sleep(for: .milliseconds(200))
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: line)) { response throws in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("a connection that sends nothing is closed after the idle timeout")
    func idleTimeout() async throws {
        let service = try makeService { $0.idleTimeout = 1 }
        try await service.makeApplication().test(.live) { client in
            let idle = try RawClient(port: try #require(client.port))
            defer { idle.close() }
            #expect(try await idle.closedByPeer(within: 20))
        }
    }

    @Test("a request head over the limit is refused")
    func headerLimit() async throws {
        let service = try makeService { $0.maxHeaderBytes = 2_048 }
        try await service.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let socket = try RawClient(port: port)
            defer { socket.close() }
            try socket.send(Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: \(String(repeating: "a", count: 4_096))\r\n\r\n".utf8))
            let answer = try await socket.receive(until: nil, seconds: 3)
            #expect(!answer.contains("alive"))
        }
    }

    @Test("settings come from flags over environment variables over defaults; bad values name the flag")
    func configuration() throws {
        let defaults = try ServiceConfiguration.resolve(flags: [:], environment: [:])
        #expect(defaults.host == "127.0.0.1" && defaults.port == 8080 && defaults.policies == ["Policies"])
        let environment = ["PRECERT_PORT": "9000", "PRECERT_HOST": "0.0.0.0", "PRECERT_POLICIES": "a:b", "PRECERT_LOG_LEVEL": "debug"]
        let fromEnvironment = try ServiceConfiguration.resolve(flags: [:], environment: environment)
        #expect(fromEnvironment.port == 9000 && fromEnvironment.host == "0.0.0.0" && fromEnvironment.policies == ["a", "b"])
        #expect(fromEnvironment.logLevel == .debug)
        let flagsWin = try ServiceConfiguration.resolve(flags: ["port": "9100"], environment: environment)
        #expect(flagsWin.port == 9100 && flagsWin.host == "0.0.0.0")
        for (flag, value) in [("port", "80000"), ("port", "http"), ("max-in-flight", "0"), ("idle-timeout", "-1"), ("log-level", "loud"), ("watch-interval", "x")] {
            #expect {
                try ServiceConfiguration.resolve(flags: [flag: value], environment: [:])
            } throws: { error in
                (error as? ConfigurationError)?.setting == flag && (error as? ConfigurationError)?.description.contains("`\(value)`") == true
            }
        }
        // Every setting has a flag, an environment variable named after it, and help.
        for setting in ServiceConfiguration.settings {
            #expect(setting.environment == "PRECERT_" + setting.flag.uppercased().replacingOccurrences(of: "-", with: "_"))
            #expect(!setting.help.isEmpty && !setting.help.hasSuffix("."))
        }
    }

    @Test("the README's table of service settings lists exactly the service's settings, with their defaults")
    func readmeTable() throws {
        let readme = try String(contentsOf: Paths.root.appendingPathComponent("README.md"), encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `--") }
        var documented: [String: (environment: String, defaultText: String)] = [:]
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3 else { continue }
            let flag = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`-")).split(separator: " ").first.map(String.init) ?? ""
            documented[flag] = (cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells[2].trimmingCharacters(in: CharacterSet(charactersIn: "`")))
        }
        #expect(Set(documented.keys) == Set(ServiceConfiguration.settings.map(\.flag)))
        for setting in ServiceConfiguration.settings {
            #expect(documented[setting.flag]?.environment == setting.environment, "\(setting.flag)")
            #expect(documented[setting.flag]?.defaultText == setting.defaultText, "\(setting.flag)")
        }
    }

    @Test("log lines are JSON objects with time, level, logger and message")
    func logLines() throws {
        let logs = LogCapture()
        _ = try makeService(logs: logs)
        let lines = logs.text.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(record["time"] is String && record["level"] is String && record["message"] is String && record["logger"] is String)
        }
    }
}
