import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Precert
@testable import PrecertService

@Suite("Decision service: batches and reloads")
struct BatchAndReloadTests {
    @Test("a batch answers every line in order, as `precert eval --jsonl` does: decisions, blank lines and bad lines with their line numbers")
    func batch() async throws {
        let service = try makeService()
        let catalog = try PolicyCatalog(paths: [Paths.policies])
        let first = try Paths.example("direct-booking-without-authorization.json").filter { $0 != UInt8(ascii: "\n") }
        let second = try Paths.example("medicare-member.json").filter { $0 != UInt8(ascii: "\n") }
        let body = first + [UInt8(ascii: "\n")]
            + Array("\n".utf8)  // line 2: blank
            + Array("{\"payer\": \r\n".utf8)  // line 3: malformed, with a Windows line end
            + second  // line 4: the last, without a line end
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/decisions/batch", method: .post, headers: jsonLines, body: ByteBuffer(bytes: body)) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/x-ndjson")
                let lines = text(response).split(separator: "\n", omittingEmptySubsequences: false)
                try #require(lines.count == 5 && lines[4].isEmpty, "\(lines)")
                #expect(Array(lines[0].utf8) == (try catalog.decisionJSON(first).get()))
                #expect(lines[1].contains(#""line":2"#) && lines[1].contains("case.blank-line"))
                #expect(lines[2].contains(#""line":3"#) && lines[2].contains("case.json"))
                #expect(Array(lines[3].utf8) == (try catalog.decisionJSON(second).get()))
            }
        }
    }

    @Test("a batch is streamed: the answers of lines already sent arrive before the request body ends")
    func batchStreams() async throws {
        let service = try makeService()
        let line = try Paths.example("direct-booking-without-authorization.json").filter { $0 != UInt8(ascii: "\n") } + [UInt8(ascii: "\n")]
        try await service.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let socket = try RawClient(port: port)
            defer { socket.close() }
            let head = "POST /v1/decisions/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
            try socket.send(Array(head.utf8))
            try socket.send(Array(String(line.count, radix: 16).utf8) + Array("\r\n".utf8) + line + Array("\r\n".utf8))
            // The body has not ended, yet the first answer arrives.
            let received = try await socket.receive(until: "\"case_id\":\"ex-001-direct-booking\"", seconds: 30)
            #expect(received.contains("200 OK"))
            try socket.send(Array("0\r\n\r\n".utf8))
        }
    }

    @Test("a batch over the size limit answers the lines before it and ends with a `limit.batch-size` line")
    func batchLimit() async throws {
        let service = try makeService { $0.maxBatchBytes = 10_000 }
        let line = try Paths.example("direct-booking-without-authorization.json").filter { $0 != UInt8(ascii: "\n") } + [UInt8(ascii: "\n")]
        let body = Array(Array(repeating: line, count: 20).joined())
        try await service.makeApplication().test(.live) { client in
            try await client.execute(uri: "/v1/decisions/batch", method: .post, headers: jsonLines, body: ByteBuffer(bytes: body)) { response throws in
                // The declared length is over the limit: refused before any line is read.
                #expect(response.status == .contentTooLarge)
                #expect(try errorIDs(response) == ["limit.batch-size"])
            }
            let port = try #require(client.port)
            let socket = try RawClient(port: port)
            defer { socket.close() }
            try socket.send(Array("POST /v1/decisions/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
            for _ in 0..<20 {
                try socket.send(Array(String(line.count, radix: 16).utf8) + Array("\r\n".utf8) + line + Array("\r\n".utf8))
            }
            try socket.send(Array("0\r\n\r\n".utf8))
            let received = try await socket.receive(until: "limit.batch-size", seconds: 30)
            let answered = received.components(separatedBy: "\"case_id\":\"ex-001-direct-booking\"").count - 1
            #expect(answered >= 1 && answered < 20, "\(answered) lines answered")
        }
    }

    @Test("a broken policy set is refused and the old one keeps answering; a good one replaces it; requests during reloads all succeed")
    func reload() async throws {
        let folder = try Paths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let policies = try Paths.copyOfPolicies(in: folder)
        let logs = LogCapture()
        let service = try makeService(policies: policies.path, logs: logs)
        let original = try #require(service.servingDigest)
        let body = try Paths.example("direct-booking-without-authorization.json")
        let kaiser = policies.appendingPathComponent("kaiser-norcal/behavioral-health.yaml")
        let whole = try Data(contentsOf: kaiser)

        try await service.makeApplication().test(.live) { client in
            #expect(service.reloadPolicies() == nil, "unchanged files are not reloaded")

            try (whole + Data("\nnotes: [unfinished\n".utf8)).write(to: kaiser)
            #expect(service.reloadPolicies() == "refused")
            #expect(service.servingDigest == original)
            #expect(service.reloadPolicies() == nil, "the same broken files are not reloaded (nor logged) again")
            try await client.execute(uri: "/readyz", method: .get) { response throws in
                #expect(response.status == .ok)
                let document = try object(response)
                #expect(document["policy_set"] as? String == original)
                #expect((document["refused"] as? String)?.contains("error") == true)
            }
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: body)) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[DecisionService.policySetHeader] == original)
            }
            #expect(logs.text.contains("policy set refused"))
            #expect(logs.text.contains("behavioral-health.yaml:"))

            // Requests keep succeeding while good and unchanged sets are loaded over and over.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var failures = 0
                        for _ in 0..<25 {
                            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: body)) { response throws in
                                if response.status != .ok { failures += 1 }
                            }
                        }
                        return failures
                    }
                }
                for round in 0..<6 {
                    try (whole + Data("\n# reviewed \(round)\n".utf8)).write(to: kaiser)
                    #expect(service.reloadPolicies() == "replaced")
                }
                var failures = 0
                for try await count in group { failures += count }
                #expect(failures == 0)
            }
            let replaced = try #require(service.servingDigest)
            #expect(replaced != original)
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: body)) { response throws in
                #expect(response.headers[DecisionService.policySetHeader] == replaced)
            }
            try await client.execute(uri: "/metrics", method: .get) { response throws in
                #expect(text(response).contains(#"precert_policy_reloads_total{result="refused"} 1"#))
                #expect(text(response).contains("precert_policy_set_info{digest=\"\(replaced)\"} 1"))
                #expect(!text(response).contains("precert_policy_set_info{digest=\"\(original)\"}"))
            }
        }
    }

    @Test("a service over broken policies is alive but not ready, and turns ready once the files are fixed")
    func notReady() async throws {
        let folder = try Paths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let policies = try Paths.copyOfPolicies(in: folder)
        let broken = policies.appendingPathComponent("aetna/commercial-behavioral-health.yaml")
        let whole = try Data(contentsOf: broken)
        try Data("precert: 1\npolicy: [".utf8).write(to: broken)
        let service = try makeService(policies: policies.path)
        #expect(service.servingDigest == nil)
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response throws in
                #expect(response.status == .serviceUnavailable)
                #expect(try object(response)["status"] as? String == "not_ready")
            }
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(string: "{}")) { response throws in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                #expect(try errorIDs(response) == ["service.not-ready"])
                #expect(try object(response)["fault"] as? String == "deployment")
            }
            try whole.write(to: broken)
            #expect(service.reloadPolicies() == "replaced")
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
    }
}

/// A plain TCP client, for what a test client cannot do: send a body in pieces, stall, or watch
/// the connection close.
final class RawClient: @unchecked Sendable {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawClientError.connect }
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw RawClientError.send }
            offset += written
        }
    }

    /// Reads until the text holds `marker`, the peer closes, or `seconds` pass; returns what arrived.
    /// Polls without blocking and sleeps between polls: a blocking wait would hold one of the few
    /// threads that the service under test also runs on.
    func receive(until marker: String?, seconds: Double) async throws -> String {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else {
                try await Task.sleep(for: .milliseconds(10))
                continue
            }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
            if let marker, String(decoding: received, as: UTF8.self).contains(marker) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Whether the peer closed the connection within `seconds`.
    func closedByPeer(within seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else {
                try await Task.sleep(for: .milliseconds(10))
                continue
            }
            if recv(descriptor, &buffer, buffer.count, 0) <= 0 { return true }
        }
        return false
    }

    func close() { Glibc.close(descriptor) }
}

enum RawClientError: Error { case connect, send }
