import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Precert
@testable import PrecertService

/// Whole HTTP answers (status, content type, body) against golden files under
/// `Fixtures/golden/`, so that any change to what a client receives shows in review.
/// `PRECERT_UPDATE_GOLDEN=1 swift test --filter GoldenResponse` rewrites them.
@Suite("Decision service: golden responses")
struct GoldenResponseTests {
    struct Exchange: Sendable, CustomTestStringConvertible {
        let name: String
        let method: HTTPRequest.Method
        let uri: String
        let contentType: String?
        let body: String
        var testDescription: String { name }
    }

    static let exchanges: [Exchange] = [
        Exchange(name: "decision", method: .post, uri: "/v1/decisions", contentType: "application/json",
                 body: #"{"case_id": "golden-1", "payer": "kaiser-norcal", "request": {"received_at": "2026-07-02T14:05:00-07:00", "urgency": "standard"}, "member": {"plan": "commercial"}, "provider": {"network": "contracted_platform", "in_directory": true}, "service": {"cpt": ["90791"], "icd10": ["F41.1"], "date": "2026-07-09"}, "referral": {"status": "none"}, "booking": {"channel": "scheduling_link"}, "payment": {"method": "insurance"}, "documents": []}"#),
        Exchange(name: "malformed-json", method: .post, uri: "/v1/decisions", contentType: "application/json", body: "{\"payer\": \"kaiser-norcal\",\n  \"service\": {]}"),
        Exchange(name: "wrong-type", method: .post, uri: "/v1/decisions", contentType: "application/json",
                 body: #"{"case_id": "golden-2", "payer": "kaiser-norcal", "service": {"cpt": 90791}}"#),
        Exchange(name: "unknown-payer", method: .post, uri: "/v1/decisions", contentType: "application/json", body: #"{"payer": "kaiser-socal"}"#),
        Exchange(name: "not-in-force", method: .post, uri: "/v1/decisions?as_of=2020-01-01", contentType: "application/json", body: #"{"payer": "kaiser-norcal"}"#),
        Exchange(name: "media-type", method: .post, uri: "/v1/decisions", contentType: "text/csv", body: "payer\nkaiser-norcal\n"),
        Exchange(name: "unknown-parameter", method: .post, uri: "/v1/decisions?asof=2026-01-01", contentType: "application/json", body: "{}"),
        Exchange(name: "batch", method: .post, uri: "/v1/decisions/batch", contentType: "application/x-ndjson",
                 body: "{\"payer\": \"medicare\", \"case_id\": \"b-1\"}\n\n{\"payer\": 7}\n"),
        Exchange(name: "no-route", method: .get, uri: "/v1/decision", contentType: nil, body: ""),
        Exchange(name: "healthz", method: .get, uri: "/healthz", contentType: nil, body: ""),
    ]

    @Test("each response is its golden file", arguments: exchanges)
    func golden(_ exchange: Exchange) async throws {
        let service = try makeService()
        let received = try await service.makeApplication().test(.router) { client in
            var headers: HTTPFields = [:]
            if let contentType = exchange.contentType { headers[.contentType] = contentType }
            return try await client.execute(
                uri: exchange.uri, method: exchange.method, headers: headers,
                body: exchange.body.isEmpty ? nil : ByteBuffer(string: exchange.body)
            ) { response in
                "HTTP \(response.status.code)\ncontent-type: \(response.headers[.contentType] ?? "none")\n\n\(String(buffer: response.body))\n"
            }
        }
        let file = Paths.fixtures.appendingPathComponent("golden/\(exchange.name).http")
        if ProcessInfo.processInfo.environment["PRECERT_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try received.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(received == expected, "PRECERT_UPDATE_GOLDEN=1 rewrites \(exchange.name).http")
    }
}
