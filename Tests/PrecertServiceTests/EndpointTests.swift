import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Precert
@testable import PrecertService

@Suite("Decision service endpoints")
struct EndpointTests {
    @Test("POST /v1/decisions answers with the library's decision JSON, byte for byte, naming the decision and the policy set")
    func decision() async throws {
        let service = try makeService()
        let body = try Paths.example("direct-booking-without-authorization.json")
        let catalog = try PolicyCatalog(paths: [Paths.policies])
        let expected = try catalog.decisionJSON(body).get()
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: body)) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(Array(buffer: response.body) == expected)
                let id = try #require(response.headers[DecisionService.decisionIDHeader])
                #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
                #expect(response.headers[DecisionService.policySetHeader] == catalog.digest)
            }
            // Another request gets another id.
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: body)) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[DecisionService.decisionIDHeader] != nil)
            }
        }
    }

    @Test("query parameters choose the policy and date and turn on the trace, as the CLI's flags do")
    func parameters() async throws {
        let service = try makeService()
        let body = try Paths.example("direct-booking-without-authorization.json")
        let catalog = try PolicyCatalog(paths: [Paths.policies])
        let options = EvaluationOptions(policyID: "kaiser-norcal/behavioral-health", asOf: CivilDate(iso: "2026-06-01"), explain: true, file: "body")
        let expected = try catalog.decisionJSON(body, options: options).get()
        try await service.makeApplication().test(.router) { client in
            try await client.execute(
                uri: "/v1/decisions?policy=kaiser-norcal/behavioral-health&as_of=2026-06-01&explain=true", method: .post, headers: json,
                body: ByteBuffer(bytes: body)
            ) { response throws in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == expected)
                #expect(text(response).contains("\"trace\""))
            }
        }
    }

    @Test(
        "each kind of bad request gets its status and a stable id",
        arguments: [
            // (query, content type, body, status, first error id)
            ("", "application/json", "{\"payer\": ", 400, "case.json"),
            ("", "application/json", "[1, 2]", 400, "case.not-object"),
            ("", "application/json", "", 400, "case.not-object"),
            ("", "text/plain", "{}", 415, "request.media-type"),
            ("", "application/x-www-form-urlencoded", "a=b", 415, "request.media-type"),
            ("", "application/json", #"{"payer": "nobody"}"#, 404, "catalog.unknown-payer"),
            ("?policy=kaiser-norcal/behavioural-health", "application/json", #"{"payer": "kaiser-norcal"}"#, 404, "catalog.unknown-policy"),
            ("?as_of=2001-01-01", "application/json", #"{"payer": "kaiser-norcal"}"#, 404, "catalog.not-in-force"),
            ("", "application/json", #"{"payer": "kaiser-norcal", "service": {"date": "12/01/2026"}}"#, 422, "case.type"),
            ("?as_of=yesterday", "application/json", "{}", 400, "request.invalid-parameter"),
            ("?explain=maybe", "application/json", "{}", 400, "request.invalid-parameter"),
            ("?explian=true", "application/json", "{}", 400, "request.unknown-parameter"),
            ("?as_of=2026-07-01&as_of=2026-08-01", "application/json", "{}", 400, "request.invalid-parameter"),
        ])
    func badRequests(query: String, contentType: String, body: String, status: Int, id: String) async throws {
        let service = try makeService()
        try await service.makeApplication().test(.router) { client in
            try await client.execute(
                uri: "/v1/decisions" + query, method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: body)
            ) { response throws in
                #expect(response.status.code == status, "\(text(response))")
                #expect(response.headers[.contentType] == "application/json")
                #expect(try errorIDs(response).first == id)
                let document = try object(response)
                // Whose problem it is: no version in force is the deployment's (as in the CLI, exit 3).
                #expect(document["fault"] as? String == (id == "catalog.not-in-force" ? "deployment" : "case"))
                #expect(document.keys.contains("case_id"))
            }
        }
    }

    @Test("the error documents carry the JSON path, the hint with the versions that exist, and the suggestion")
    func errorDetails() async throws {
        let service = try makeService()
        try await service.makeApplication().test(.router) { client in
            let wrongType = #"{"case_id": "c-7", "payer": "kaiser-norcal", "service": {"date": "12/01/2026"}}"#
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(string: wrongType)) { response throws in
                let document = try object(response)
                #expect(document["case_id"] as? String == "c-7")
                let error = try #require((document["errors"] as? [[String: Any]])?.first)
                #expect(error["path"] as? String == "$.service.date")
                #expect(error["found"] as? String == "string")
            }
            try await client.execute(uri: "/v1/decisions?as_of=2001-01-01", method: .post, headers: json, body: ByteBuffer(string: #"{"payer": "kaiser-norcal"}"#)) { response throws in
                let error = try #require((try object(response)["errors"] as? [[String: Any]])?.first)
                #expect((error["hint"] as? String)?.contains("`kaiser-norcal/behavioral-health` from 2026-05-20") == true)
            }
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(string: #"{"payer": "kaiser-norcall"}"#)) { response throws in
                let error = try #require((try object(response)["errors"] as? [[String: Any]])?.first)
                #expect(error["suggestion"] as? String == "kaiser-norcal")
            }
            try await client.execute(uri: "/v2/decisions", method: .post, headers: json, body: ByteBuffer(string: "{}")) { response throws in
                #expect(response.status == .notFound)
                #expect(try errorIDs(response) == ["request.no-route"])
            }
            try await client.execute(uri: "/v1/decisions", method: .get) { response throws in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
                #expect(try errorIDs(response) == ["request.method-not-allowed"])
            }
            try await client.execute(uri: "/healthz", method: .delete) { response throws in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
            }
        }
    }

    @Test("a body over the limit is 413, whether its length is declared or it just keeps coming")
    func bodyLimit() async throws {
        let service = try makeService { $0.maxBodyBytes = 2_000 }
        let big = "{\"payer\": \"kaiser-norcal\", \"clinical_notes\": \"" + String(repeating: "x", count: 5_000) + "\"}"
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(string: big)) { response throws in
                #expect(response.status == .contentTooLarge)
                #expect(try errorIDs(response) == ["limit.case-size"])
                #expect(try #require((try object(response)["errors"] as? [[String: Any]])?.first?["limit"] as? Int) == 2_000)
            }
        }
        try await service.makeApplication().test(.live) { client in
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(string: big)) { response throws in
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test("deep nesting and long strings are refused with the CLI's limit ids")
    func jsonLimits() async throws {
        let service = try makeService()
        let deep = #"{"payer": "kaiser-norcal", "x": "# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(string: deep)) { response throws in
                #expect(response.status.code == 422 || response.status.code == 400)
                #expect(try errorIDs(response) == ["limit.json-depth"])
            }
        }
    }

    @Test("GET /v1/policies lists every policy with its versions, decisions and inputs; GET /v1/policies/{id} one of them")
    func policies() async throws {
        let service = try makeService()
        let catalog = try PolicyCatalog(paths: [Paths.policies])
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/policies", method: .get) { response throws in
                #expect(response.status == .ok)
                let document = try object(response)
                #expect(document["policy_set"] as? String == catalog.digest)
                let policies = try #require(document["policies"] as? [[String: Any]])
                #expect(policies.compactMap { $0["id"] as? String } == Array(Set(catalog.policies.map(\.id))).sorted())
            }
            try await client.execute(uri: "/v1/policies/kaiser-norcal/behavioral-health", method: .get) { response throws in
                #expect(response.status == .ok)
                let document = try object(response)
                #expect(document["payer"] as? String == "kaiser-norcal")
                let version = try #require((document["versions"] as? [[String: Any]])?.first)
                let kaiser = try #require(catalog.policy(id: "kaiser-norcal/behavioral-health"))
                #expect(version["digest"] as? String == "sha256:" + kaiser.digest)
                #expect(version["effective"] as? String == kaiser.effective.description)
                let decisions = try #require(version["decisions"] as? [[String: Any]])
                #expect(decisions.compactMap { $0["name"] as? String } == kaiser.decisionNames)
                let authorization = try #require(decisions.first { $0["name"] as? String == "authorization" })
                #expect((authorization["outcomes"] as? [String])?.contains("required") == true)
                let inputs = try #require(version["inputs"] as? [[String: Any]])
                #expect(inputs.contains { $0["path"] as? String == "service.cpt" })
            }
            try await client.execute(uri: "/v1/policies/kaiser-norcal%2Fbehavioral-health", method: .get) { response throws in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/policies/kaiser-norcal/behavioural-health", method: .get) { response throws in
                #expect(response.status == .notFound)
                #expect(try errorIDs(response) == ["catalog.unknown-policy"])
            }
        }
    }

    @Test("health is always open; readiness names the set; metrics count requests, decisions and the set; the OpenAPI document parses")
    func operations() async throws {
        let service = try makeService()
        let catalog = try PolicyCatalog(paths: [Paths.policies])
        let body = try Paths.example("direct-booking-without-authorization.json")
        try await service.makeApplication().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(text(response) == #"{"status":"alive"}"#)
            }
            try await client.execute(uri: "/readyz", method: .get) { response throws in
                #expect(response.status == .ok)
                let document = try object(response)
                #expect(document["status"] as? String == "ready")
                #expect(document["policy_set"] as? String == catalog.digest)
                #expect(document["policies"] as? Int == catalog.policies.count)
            }
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: body))
            try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(string: "{"))
            try await client.execute(uri: "/metrics", method: .get) { response throws in
                #expect(response.status == .ok)
                let metrics = text(response)
                #expect(metrics.contains(#"precert_http_requests_total{route="/v1/decisions",method="POST",status="200"} 1"#))
                #expect(metrics.contains(#"precert_http_requests_total{route="/v1/decisions",method="POST",status="400"} 1"#))
                #expect(metrics.contains(#"precert_http_request_duration_seconds_bucket{route="/v1/decisions",method="POST",le="#))
                #expect(metrics.contains(#"precert_decisions_total{policy="kaiser-norcal/behavioral-health",decision="authorization",outcome="required"} 1"#))
                #expect(metrics.contains(#"precert_case_errors_total{id="case.json"} 1"#))
                #expect(metrics.contains("precert_policy_set_info{digest=\"\(catalog.digest)\"} 1"))
                #expect(metrics.contains(#"precert_policy_reloads_total{result="replaced"} 1"#))
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response throws in
                #expect(response.status == .ok)
                let document = try object(response)
                #expect(document["openapi"] as? String == "3.1.0")
                // The case schema is the serving set's case format's.
                let caseSchema = try #require(((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?["Case"] as? [String: Any])
                let caseProperties = try #require(caseSchema["properties"] as? [String: Any])
                #expect(caseProperties["member"] != nil && caseProperties["clinical_notes"] != nil)
                let paths = try #require(document["paths"] as? [String: Any])
                #expect(
                    Set(paths.keys) == [
                        "/v1/decisions", "/v1/decisions/batch", "/v1/policies", "/v1/policies/{id}", "/healthz", "/readyz", "/metrics", "/openapi.json",
                        "/cds-services", "/cds-services/{id}", "/cds-services/{id}/feedback",
                    ])
                // Every reference resolves inside the document.
                let text = text(response)
                for match in text.matches(of: /"\$ref":"#\/([^"]+)"/) {
                    var node: Any = document
                    for part in match.1.split(separator: "/") {
                        let key = String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                        node = try #require((node as? [String: Any])?[key], "unresolved reference #/\(match.1)")
                    }
                }
            }
        }
    }
}
