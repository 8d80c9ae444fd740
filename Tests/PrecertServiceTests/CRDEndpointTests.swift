import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Precert
@testable import PrecertCRD
@testable import PrecertService

/// The CRD test setup: a copy of the shipped policies whose Kaiser provider directory is the
/// synthetic test one (the shipped directory is empty), answered at a fixed instant.
enum CRDSetup {
    /// The instant every CRD answer here is dated: Monday 2026-11-30, 09:00 Pacific.
    static let now = Date(timeIntervalSince1970: TimeInterval(Timestamp(rfc3339: "2026-11-30T17:00:00Z")!.epochSeconds))
    /// The member id and the performer's NPI of the done-when requests.
    static let memberID = "K000000001"
    static let npi = "1234567893"

    /// A copy of the shipped policies with the test provider directory, in a folder of its own.
    static func policies() throws -> URL {
        let folder = try Paths.temporaryFolder()
        let copy = try Paths.copyOfPolicies(in: folder)
        let directory = copy.appendingPathComponent("kaiser-norcal/provider-directory.yaml")
        try FileManager.default.removeItem(at: directory)
        try FileManager.default.copyItem(at: Paths.fixtures.appendingPathComponent("crd/kaiser-norcal-providers.yaml"), to: directory)
        return copy
    }

    static func request(_ name: String) throws -> [UInt8] {
        try Paths.fixture("crd/\(name).json")
    }

    /// A service over `policies()` (or `policies`), CRD authentication off, dated `now`.
    static func service(
        policies: URL? = nil, logs: LogCapture = LogCapture(), _ adjust: (inout ServiceConfiguration) -> Void = { _ in }
    ) throws -> DecisionService {
        let folder = try policies ?? Self.policies()
        return try makeService(policies: folder.path, logs: logs) { configuration in
            configuration.crdAuth = .off
            configuration.now = { CRDSetup.now }
            adjust(&configuration)
        }
    }

    /// The library's own answer for a request, for byte comparison.
    static func libraryAnswer(_ name: String, policies: URL) throws -> [UInt8] {
        var options = CatalogOptions()
        options.analyze = false
        let catalog = try PolicyCatalog(paths: [policies.path], options: options)
        let crd = try CRDService.load(catalog: catalog, paths: [policies.path]).get()
        return try crd.answer(serviceID: "precert-order-sign", request: try request(name), now: Timestamp(rfc3339: "2026-11-30T17:00:00Z")!)
    }
}

extension CRDService.LoadError: CustomStringConvertible {
    public var description: String { diagnostics.map(\.message).joined(separator: "; ") }
}

@Suite("CDS Hooks endpoints (Da Vinci CRD)")
struct CRDEndpointTests {
    /// The whole HTTP answer as the golden files hold it.
    static func rendering(_ response: TestResponse) -> String {
        "HTTP \(response.status.code)\ncontent-type: \(response.headers[.contentType] ?? "none")\n\n\(String(buffer: response.body))\n"
    }

    static func checkGolden(_ received: String, _ name: String) throws {
        let file = Paths.fixtures.appendingPathComponent("golden/\(name).http")
        if ProcessInfo.processInfo.environment["PRECERT_UPDATE_GOLDEN"] == "1" {
            try received.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(received == expected, "PRECERT_UPDATE_GOLDEN=1 rewrites \(name).http")
    }

    @Test("GET /cds-services answers the discovery document: one service per hook, CRD's extensions")
    func discovery() async throws {
        let service = try CRDSetup.service()
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/cds-services", method: .get) { response throws in
                #expect(response.status == .ok)
                let services = try #require(try object(response)["services"] as? [[String: Any]])
                #expect(Set(services.compactMap { $0["hook"] as? String }) == ["order-sign", "order-select", "order-dispatch", "appointment-book"])
                for entry in services {
                    let extensions = try #require(entry["extension"] as? [String: Any])
                    #expect(extensions["davinci-crd.version"] as? [String] == ["2.2"])
                    #expect(extensions["davinci-crd.configuration-options"] != nil)
                }
                try Self.checkGolden(Self.rendering(response), "crd-discovery")
            }
        }
    }

    @Test(
        "the done-when order-sign requests through HTTP: the library's answer byte for byte, and the golden response",
        arguments: [
            (
                "order-sign-in-directory",
                [#""url":"covered","valueCode":"covered""#, #""url":"pa-needed","valueCode":"auth-needed""#, #""url":"doc-needed""#, #""indicator":"warning""#]
            ),
            ("order-sign-unknown-npi", [#""url":"covered","valueCode":"covered""#, #""valueCode":"conditional""#, #""url":"info-needed","valueCode":"performer""#]),
        ])
    func orderSign(_ name: String, _ fragments: [String]) async throws {
        let policies = try CRDSetup.policies()
        let service = try CRDSetup.service(policies: policies)
        let expected = try CRDSetup.libraryAnswer(name, policies: policies)
        try await service.makeApplication().test(.router) { client in
            try await client.execute(
                uri: "/cds-services/precert-order-sign", method: .post, headers: json, body: ByteBuffer(bytes: try CRDSetup.request(name))
            ) { response throws in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == expected)
                #expect(response.headers[DecisionService.policySetHeader] != nil)
                let body = text(response)
                for fragment in fragments { #expect(body.contains(fragment), "\(name): \(fragment)") }
                try Self.checkGolden(Self.rendering(response), "crd-\(name)")
            }
        }
    }

    @Test(
        "refused calls get CRD's status and an OperationOutcome",
        arguments: [
            // (service path, body, status, OperationOutcome issue code)
            ("precert-order-sign", "missing-prefetch", 412, "processing"),
            ("precert-order-sign", "{\"hook\": \"order-sign\", ", 400, "structure"),
            ("precert-order-sign", "", 400, "structure"),
            ("precert-order-sign", "[1, 2]", 400, "structure"),
            ("precert-no-such-service", "in-directory", 404, "not-found"),
        ])
    func refused(_ path: String, _ body: String, _ status: Int, _ code: String) async throws {
        let service = try CRDSetup.service()
        let bytes: [UInt8] =
            switch body {
            case "missing-prefetch": try CRDSetup.request("order-sign-missing-coverage-prefetch")
            case "in-directory": try CRDSetup.request("order-sign-in-directory")
            default: Array(body.utf8)
            }
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/cds-services/\(path)", method: .post, headers: json, body: ByteBuffer(bytes: bytes)) { response throws in
                #expect(response.status.code == status)
                #expect(response.headers[.contentType] == "application/json")
                let outcome = try object(response)
                #expect(outcome["resourceType"] as? String == "OperationOutcome")
                let issue = try #require((outcome["issue"] as? [[String: Any]])?.first)
                #expect(issue["code"] as? String == code)
                #expect(issue["severity"] as? String == "error")
            }
        }
    }

    @Test("a body over the size limit is 413 and another method is 405, as on the other routes")
    func limits() async throws {
        let service = try CRDSetup.service { $0.maxBodyBytes = 1_000 }
        try await service.makeApplication().test(.router) { client in
            try await client.execute(
                uri: "/cds-services/precert-order-sign", method: .post, headers: json, body: ByteBuffer(bytes: try CRDSetup.request("order-sign-in-directory"))
            ) { response throws in
                #expect(response.status == .contentTooLarge)
                #expect(try object(response)["resourceType"] as? String == "OperationOutcome")
            }
            try await client.execute(uri: "/cds-services/precert-order-sign", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
        }
    }

    @Test("feedback is accepted with 200 and logged with ids and outcomes only; a malformed one is 400, an unknown service 404")
    func feedback() async throws {
        let logs = LogCapture()
        let service = try CRDSetup.service(logs: logs)
        let good = #"{"feedback": [{"card": "0b7d2c4e-1f3a-4c55-9d1e-6a7b8c9d0e1f", "outcome": "overridden", "overrideReason": {"userComment": "patient Zelda Quixote declined"}, "outcomeTimestamp": "2026-11-30T17:05:00Z"}, {"card": "1c8e3d5f-2a4b-4d66-8e2f-7b8c9d0e1f2a", "outcome": "accepted", "acceptedSuggestions": [{"id": "s-1"}], "outcomeTimestamp": "2026-11-30T17:06:00Z"}]}"#
        try await service.makeApplication().test(.router) { client in
            try await client.execute(
                uri: "/cds-services/precert-order-sign/feedback", method: .post, headers: json, body: ByteBuffer(string: good)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 0)
            }
            for bad in [
                "{", "{}", #"{"feedback": []}"#, #"{"feedback": [{"card": "x", "outcome": "ignored", "outcomeTimestamp": "2026-11-30T17:05:00Z"}]}"#,
                #"{"feedback": [{"card": "x", "outcome": "accepted", "outcomeTimestamp": "2026-11-30T17:05:00Z"}]}"#,
                #"{"feedback": [{"card": "x", "outcome": "overridden"}]}"#,
            ] {
                try await client.execute(
                    uri: "/cds-services/precert-order-sign/feedback", method: .post, headers: json, body: ByteBuffer(string: bad)
                ) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }
            try await client.execute(uri: "/cds-services/nope/feedback", method: .post, headers: json, body: ByteBuffer(string: good)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let metrics = text(response)
                #expect(metrics.contains(#"precert_crd_feedback_total{service="precert-order-sign",outcome="overridden"} 1"#))
                #expect(metrics.contains(#"precert_crd_feedback_total{service="precert-order-sign",outcome="accepted"} 1"#))
            }
        }
        let lines = logs.text
        #expect(lines.contains("0b7d2c4e-1f3a-4c55-9d1e-6a7b8c9d0e1f") && lines.contains("overridden"))
        #expect(!lines.contains("Zelda") && !lines.contains("declined"))
    }

    @Test("every answered order is audited under its coverage-assertion-id; logs, metrics and the audit trail hold no member id or NPI")
    func auditAndPrivacy() async throws {
        let folder = try Paths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let auditFile = folder.appendingPathComponent("audit.jsonl")
        let keyFile = folder.appendingPathComponent("audit.key")
        try Data("a test key for the audit hmac, 32+ bytes long".utf8).write(to: keyFile)
        let logs = LogCapture()
        let service = try CRDSetup.service(logs: logs) { configuration in
            configuration.auditLog = auditFile.path
            configuration.auditKeyFile = keyFile.path
            configuration.logLevel = .trace
        }
        let (assertionIDs, exposition) = try await service.makeApplication().test(.router) { client in
            var ids: [String] = []
            for name in ["order-sign-in-directory", "order-sign-unknown-npi", "order-sign-missing-coverage-prefetch"] {
                let body = try await client.execute(
                    uri: "/cds-services/precert-order-sign", method: .post, headers: json, body: ByteBuffer(bytes: try CRDSetup.request(name))
                ) { response in response.status == .ok ? text(response) : "" }
                for match in body.matches(of: #/"coverage-assertion-id","valueString":"([0-9a-f]+)"/#) { ids.append(String(match.1)) }
            }
            let exposition = try await client.execute(uri: "/metrics", method: .get) { response in text(response) }
            return (ids, exposition)
        }
        #expect(assertionIDs.count == 2)
        let audit = try String(contentsOf: auditFile, encoding: .utf8)
        let records = audit.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.count == 2)
        #expect(records.compactMap { $0?["decision_id"] as? String } == assertionIDs)
        #expect(records.allSatisfy { $0?["route"] as? String == "/cds-services/{id}" && $0?["cds_service"] as? String == "precert-order-sign" })
        #expect(exposition.contains(#"precert_crd_requests_total{service="precert-order-sign",status="200"} 2"#))
        #expect(exposition.contains(#"precert_crd_requests_total{service="precert-order-sign",status="412"} 1"#))
        #expect(exposition.contains("precert_crd_request_duration_seconds_bucket"))
        for secret in [CRDSetup.memberID, CRDSetup.npi] {
            #expect(!logs.text.contains(secret), "log holds \(secret)")
            #expect(!audit.contains(secret), "audit holds \(secret)")
            #expect(!exposition.contains(secret), "metrics hold \(secret)")
        }
        #expect(logs.text.contains("/cds-services/{id}"), "the trace-level request lines were captured")
    }

    @Test("a broken CRD mapping is refused on reload and the working set keeps answering; the fixed one replaces it")
    func reload() async throws {
        let policies = try CRDSetup.policies()
        let service = try CRDSetup.service(policies: policies)
        let mapping = policies.appendingPathComponent("crd/mapping.yaml")
        let original = try Data(contentsOf: mapping)
        try (String(decoding: original, as: UTF8.self) + "\nunknown-top-level-key: 1\n").write(to: mapping, atomically: true, encoding: .utf8)
        #expect(service.reloadPolicies(force: true) == "refused")
        try await service.makeApplication().test(.router) { client in
            try await client.execute(
                uri: "/cds-services/precert-order-sign", method: .post, headers: json, body: ByteBuffer(bytes: try CRDSetup.request("order-sign-in-directory"))
            ) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/readyz", method: .get) { response throws in
                #expect((try object(response)["refused"] as? String)?.hasSuffix("in the CRD files") == true)
            }
        }
        try original.write(to: mapping)
        #expect(service.reloadPolicies(force: true) == "unchanged")
        // Without any CRD file the policies still serve, and discovery lists no service.
        try FileManager.default.removeItem(at: policies.appendingPathComponent("crd"))
        try FileManager.default.removeItem(at: policies.appendingPathComponent("kaiser-norcal/provider-directory.yaml"))
        #expect(service.reloadPolicies(force: true) == "replaced")
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/cds-services", method: .get) { response in
                #expect(response.status == .ok)
                #expect(text(response) == #"{"services":[]}"#)
            }
        }
    }
}
