import Foundation
import Precert
@testable import PrecertCRD
import Testing

@Suite("CRD answers")
struct CRDAnswerTests {
    /// Compares `answer` with the golden file `name`, or writes it under PRECERT_UPDATE_GOLDEN=1.
    func golden(_ answer: JSONValue, _ name: String) throws {
        let url = CRDFixtures.directory.appendingPathComponent("golden/\(name).json")
        let text = answer.text + "\n"
        if CRDFixtures.updatingGolden {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "the response differs from golden/\(name).json; PRECERT_UPDATE_GOLDEN=1 rewrites it")
    }

    func conforms(_ answer: JSONValue, _ request: String) throws {
        let violations = CRDConformance.violations(response: answer, request: try CRDFixtures.request(request))
        #expect(violations.isEmpty, "\(violations)")
    }

    @Test("order-sign, CPT 90837, F33.1, Kaiser coverage, performer in the directory: covered, auth-needed, doc-needed, denial-risk cards")
    func performerInDirectory() throws {
        let json = try CRDFixtures.answer("order-sign-in-directory")
        let answer = Answer(json: json)
        try conforms(json, "order-sign-in-directory")
        #expect(answer.actions.count == 1)
        #expect(JSON.string(answer.actions.first?["resource"]?["resourceType"]) == "ServiceRequest")
        #expect(JSON.string(answer.actions.first?["resource"]?["id"]) == "sr-1")
        let info = try answer.information
        #expect(info.codes("covered") == ["covered"])
        #expect(info.codes("pa-needed") == ["auth-needed"])
        #expect(info.codes("doc-needed") == ["clinical"])
        #expect(info.codes("doc-purpose") == ["withpa"])
        #expect(info.codes("info-needed").isEmpty)
        #expect(info.sub("coverage").first?["reference"] == .string("Coverage/cov-kp"))
        #expect(info.sub("billingCode").first == JSON.object(["system": .string("http://www.ama-assn.org/go/cpt"), "code": .string("90837")]))
        #expect(info.sub("date").first == .string("2026-11-30"))
        #expect(JSON.string(info.sub("coverage-assertion-id").first)?.count == 32)
        // Cards: the denial risk (clinical notes missing), the checklist, the turnaround.
        let summaries = answer.cards.compactMap { JSON.string($0["summary"]) }
        #expect(summaries.count == 3)
        let risks = try #require(answer.cards.first { JSON.string($0["indicator"]) == "warning" })
        #expect(JSON.string(risks["detail"])?.contains("Clinical notes missing") == true)
        #expect(JSON.string(risks["source"]?["label"]) == "Kaiser Permanente")
        #expect(summaries.contains { $0.contains("1 of 5 items still needed") })
        #expect(summaries.contains { $0.contains("2026-12-03T23:59:59-08:00") && $0.contains("3 business days") })
        try golden(json, "order-sign-in-directory")
    }

    @Test("the same order with the performer's NPI not in the directory: conditional, info-needed performer")
    func performerUnknown() throws {
        let json = try CRDFixtures.answer("order-sign-unknown-npi")
        try conforms(json, "order-sign-unknown-npi")
        let info = try Answer(json: json).information
        #expect(info.codes("covered") == ["covered"])
        #expect(info.codes("pa-needed") == ["conditional"])
        #expect(info.codes("info-needed") == ["performer"])
        // Whether documents are needed waits on the authorization, so on the performer too.
        #expect(info.codes("doc-needed") == ["conditional"])
        #expect(info.codes("doc-purpose").isEmpty)
        // Denial risks, the checklist and the clock all wait on whether authorization is needed.
        #expect(Answer(json: json).cards.isEmpty)
        try golden(json, "order-sign-unknown-npi")
    }

    @Test("every fixture's response conforms to CRD (cardinalities, value sets, crd-ci-q1..q9, cards, resp-37)")
    func everyFixtureConforms() throws {
        let services = ["order-select": "precert-order-select", "order-dispatch": "precert-order-dispatch", "appointment-book": "precert-appointment-book", "appointment-book-no-order": "precert-appointment-book"]
        let names = try FileManager.default.contentsOfDirectory(atPath: CRDFixtures.path("requests")).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
        #expect(names.count >= 15)
        var answered = 0
        for name in names.sorted() {
            do {
                let json = try CRDFixtures.answer(name, service: services[name] ?? "precert-order-sign")
                try conforms(json, name)
                answered += 1
            } catch let error as CRDError {
                #expect(["order-sign-missing-coverage-prefetch", "order-sign-malformed-draft-orders"].contains(name), "\(name): \(error)")
            }
        }
        #expect(answered == names.count - 2)
    }

    @Test("the answer is the same bytes every time")
    func deterministic() throws {
        let request = Array(try Data(contentsOf: CRDFixtures.directory.appendingPathComponent("requests/order-sign-in-directory.json")))
        let first = try CRDFixtures.service.answer(serviceID: "precert-order-sign", request: request, now: CRDFixtures.now)
        let second = try CRDFixtures.service.answer(serviceID: "precert-order-sign", request: request, now: CRDFixtures.now)
        #expect(first == second)
        let later = try CRDFixtures.service.answer(serviceID: "precert-order-sign", request: request, now: Timestamp(rfc3339: "2026-11-30T18:00:00Z")!)
        let firstID = try Answer(json: JSONValue.parse(bytes: first)).information.sub("coverage-assertion-id")
        let laterID = try Answer(json: JSONValue.parse(bytes: later)).information.sub("coverage-assertion-id")
        #expect(firstID != laterID, "a later call is a new assertion")
    }

    @Test("what an audit trail records: each order's assertion id, its case and its decision")
    func assertionsForTheAuditTrail() throws {
        let request = Array(try Data(contentsOf: CRDFixtures.directory.appendingPathComponent("requests/order-sign-in-directory.json")))
        let answer = try CRDFixtures.service.respond(serviceID: "precert-order-sign", request: request, now: CRDFixtures.now)
        let assertion = try #require(answer.assertions.first)
        #expect(answer.assertions.count == 1)
        #expect(assertion.order == "ServiceRequest/sr-1")
        #expect(assertion.decision["authorization"]?.outcome == "required")
        #expect(try JSONValue.parse(bytes: assertion.caseBytes)["payer"] == .string("kaiser-norcal"))
        let written = try Answer(json: JSONValue.parse(bytes: answer.body)).information.sub("coverage-assertion-id")
        #expect(written == [.string(assertion.id)])
    }
}

@Suite("CRD information needed")
struct CRDInformationNeededTests {
    @Test("an input with no info-needed code gives OTH and a reason naming it (crd-ci-q6): the shipped mapping without its booking constant")
    func otherInformation() throws {
        let shipped = try String(contentsOfFile: CRDFixtures.repository("Policies/crd/mapping.yaml"), encoding: .utf8)
        let start = try #require(shipped.range(of: "  booking.channel:\n"))
        let end = try #require(shipped.range(of: "  member.id:\n"))
        let edited = String(shipped[..<start.lowerBound]) + String(shipped[end.lowerBound...])
        #expect(!edited.contains("booking.channel:"))
        let files = [PolicyFile(path: "mapping.yaml", text: edited), try CRDFixtures.file(CRDFixtures.path("kaiser-norcal-providers.yaml"))]
        let service = try CRDService.load(catalog: CRDFixtures.catalog, files: files).get()
        let request = try CRDFixtures.request("order-sign-in-directory")
        let json = try service.answer(serviceID: "precert-order-sign", request: request, now: CRDFixtures.now)
        let violations = CRDConformance.violations(response: json, request: request)
        #expect(violations.isEmpty, "\(violations)")
        let info = try Answer(json: json).information
        // Kaiser does not cover a visit booked around the authorization: with the booking unknown, coverage is open.
        #expect(info.codes("covered") == ["conditional"])
        #expect(info.codes("info-needed") == ["OTH"])
        #expect(info.sub("reason").contains { JSON.string($0["text"])?.contains("`booking.channel`") == true })
    }
}
