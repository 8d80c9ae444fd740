import Foundation
import Precert
@testable import PrecertCRD
import Testing

/// One synthetic request per branch of the mapping and of the answer.
@Suite("CRD mapping branches")
struct CRDBranchTests {
    /// The case document the mapping reads from the first order of a fixture.
    func caseDocument(_ name: String, service serviceID: String = "precert-order-sign") throws -> JSONValue {
        let service = CRDFixtures.service
        let spec = try #require(service.mapping.services.first { $0.id == serviceID })
        let call = try HookCall(try CRDFixtures.request(name), service: spec, orderTypes: service.mapping.orderTypes)
        let mapper = CaseMapper(mapping: service.mapping, directories: service.directories)
        let order = try #require(call.orders.first)
        let scope = FHIRScope(order: order, coverage: call.coverages.first, context: call.context, resources: call.resources, now: CRDFixtures.now, today: CivilDate(iso: "2026-11-30")!)
        let payer = try #require(mapper.payer(in: scope, hook: call.hook))
        return mapper.caseDocument(scope: scope, hook: call.hook, payer: payer)
    }

    @Test("order-sign: every field the Kaiser policy reads from the request")
    func orderSignCase() throws {
        let document = try caseDocument("order-sign-in-directory")
        #expect(document["payer"] == .string("kaiser-norcal"))
        #expect(document["member"]?["id"] == .string("K000000001"))
        #expect(document["member"]?["state"] == .string("CA"))
        #expect(document["service"]?["cpt"] == .array([.string("90837")]))
        #expect(document["service"]?["icd10"] == .array([.string("F33.1")]))
        #expect(document["service"]?["date"] == .string("2026-12-01"))
        #expect(document["provider"]?["npi"] == .string("1234567893"))
        #expect(document["provider"]?["network"] == .string("contracted_platform"))
        #expect(document["provider"]?["in_directory"] == .bool(true))
        #expect(document["payment"]?["method"] == .string("insurance"))
        #expect(document["booking"]?["channel"] == .string("payer_referral"))
        #expect(document["request"]?["received_at"] == .string("2026-11-30T17:00:00+00:00"))
        #expect(document["member"]?["name"] == nil, "nothing is read that the mapping does not name")
    }

    @Test("an NPI not in the directory leaves the network unknown, never guessed")
    func unknownNPI() throws {
        let document = try caseDocument("order-sign-unknown-npi")
        #expect(document["provider"]?["npi"] == .string("1444000008"))
        #expect(document["provider"]?["network"] == nil)
        #expect(document["provider"]?["in_directory"] == nil)
    }

    @Test("no performer: no NPI (the requester is not the performer), info-needed performer")
    func noPerformer() throws {
        let document = try caseDocument("order-sign-no-performer")
        #expect(document["provider"] == nil)
        let info = try Answer(json: try CRDFixtures.answer("order-sign-no-performer")).information
        #expect(info.codes("info-needed") == ["performer"])
        #expect(info.codes("pa-needed") == ["conditional"])
    }

    @Test("billing options: CPT and HCPCS from ext-billing-options when the order code is SNOMED")
    func billingOptions() throws {
        let document = try caseDocument("order-sign-billing-options")
        #expect(document["service"]?["cpt"] == .array([.string("90834"), .string("H0004")]))
        let info = try Answer(json: try CRDFixtures.answer("order-sign-billing-options")).information
        // H0004 is outside the policy's psychotherapy set: not covered, with the policy's reason, no pa-needed (crd-ci-q2).
        #expect(info.codes("covered") == ["not-covered"])
        #expect(info.codes("pa-needed").isEmpty)
        let systems = info.sub("billingCode").compactMap { JSON.string($0["system"]) }
        #expect(systems == ["http://www.ama-assn.org/go/cpt", "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"])
    }

    @Test("a CPT code outside the covered set: not-covered with the policy's reason")
    func notCoveredCode() throws {
        let json = try CRDFixtures.answer("order-sign-not-covered-code")
        let info = try Answer(json: json).information
        #expect(info.codes("covered") == ["not-covered"])
        #expect(info.sub("reason").contains { JSON.string($0["text"])?.contains("outpatient psychotherapy codes") == true })
        let summaries = Answer(json: json).cards.compactMap { JSON.string($0["summary"]) }
        #expect(summaries.contains { $0.contains("denial reason") }, "the non-covered-service denial risk is a card")
    }

    @Test("payer named by the resolved Organization's name, ignoring case")
    func payerByResolvedName() throws {
        #expect(try caseDocument("order-sign-payer-by-resolved-name")["payer"] == .string("kaiser-norcal"))
    }

    @Test("member id from subscriberId, date from occurrencePeriod, NPI through a PractitionerRole")
    func roleAndPeriod() throws {
        let document = try caseDocument("order-sign-role-period-subscriber")
        #expect(document["member"]?["id"] == .string("K000000001"))
        #expect(document["service"]?["date"] == .string("2026-12-03"))
        #expect(document["provider"]?["npi"] == .string("1234567893"))
    }

    @Test("no date on the order: the Kaiser policy decides without it")
    func noDate() throws {
        let document = try caseDocument("order-sign-no-date")
        #expect(document["service"]?["date"] == nil)
        let info = try Answer(json: try CRDFixtures.answer("order-sign-no-date")).information
        #expect(info.codes("pa-needed") == ["auth-needed"])
    }

    @Test("out-of-network performer: the PCP referral and in-network-unavailable documents are needed")
    func outOfNetwork() throws {
        let json = try CRDFixtures.answer("order-sign-out-of-network")
        let info = try Answer(json: json).information
        #expect(info.codes("pa-needed") == ["auth-needed"])
        #expect(Set(info.codes("doc-needed")) == ["clinical", "admin"])
        let risks = try #require(Answer(json: json).cards.first { JSON.string($0["indicator"]) == "warning" })
        #expect(JSON.string(risks["detail"])?.contains("Provider not in Kaiser's directory") == true)
        #expect(JSON.string(risks["detail"])?.contains("Service available in network") == true)
    }

    @Test("a Kaiser clinician: no-auth, no documentation, no withpa (crd-ci-q4)")
    func kaiserClinician() throws {
        let json = try CRDFixtures.answer("order-sign-kaiser-clinician")
        let info = try Answer(json: json).information
        #expect(info.codes("covered") == ["covered"])
        #expect(info.codes("pa-needed") == ["no-auth"])
        #expect(info.codes("doc-needed").isEmpty)
        #expect(info.codes("doc-purpose").isEmpty)
        #expect(Answer(json: json).cards.isEmpty)
    }

    @Test("a Coverage of another payer: not-covered, coverage-not-found")
    func otherPayer() throws {
        let info = try Answer(json: try CRDFixtures.answer("order-sign-other-payer")).information
        #expect(info.codes("covered") == ["not-covered"])
        #expect(info.sub("reason").first?["coding"] == .array([JSON.object(["system": .string(ResponseWriter.reasonSystem), "code": .string("coverage-not-found")])]))
        #expect(info.codes("pa-needed").isEmpty)
    }

    @Test("a Coverage that is not active: not-covered, no-active-coverage")
    func inactiveCoverage() throws {
        let info = try Answer(json: try CRDFixtures.answer("order-sign-inactive-coverage")).information
        #expect(info.codes("covered") == ["not-covered"])
        #expect(JSON.string(JSON.items(info.sub("reason").first?["coding"]).first?["code"]) == "no-active-coverage")
    }

    @Test("no Coverage at all: no coverage information (it needs a Coverage), an insurance card says why")
    func noCoverage() throws {
        let answer = Answer(json: try CRDFixtures.answer("order-sign-no-coverage"))
        #expect(answer.actions.isEmpty)
        #expect(answer.cards.count == 1)
        #expect(JSON.string(answer.cards.first?["source"]?["topic"]?["code"]) == "insurance")
    }

    @Test("the client's configuration: max-cards and coverage-info: false obeyed")
    func configuration() throws {
        let capped = Answer(json: try CRDFixtures.answer("order-sign-configuration"))
        #expect(capped.actions.count == 1)
        #expect(capped.cards.count == 1)
        guard case .object(var members) = try CRDFixtures.request("order-sign-configuration") else { throw CRDError(.malformed, "fixture") }
        members.removeAll { $0.key == "extension" }
        members.append(JSONValue.Member("extension", JSON.object(["davinci-crd.configuration": JSON.object(["coverage-info": .bool(false)])])))
        let off = Answer(json: try CRDFixtures.service.answer(serviceID: "precert-order-sign", request: .object(members), now: CRDFixtures.now))
        #expect(off.actions.isEmpty)
        #expect(off.cards.isEmpty, "the cards are coverage-info cards too")
    }

    @Test("order-select answers only the selected order")
    func orderSelect() throws {
        let answer = Answer(json: try CRDFixtures.answer("order-select", service: "precert-order-select"))
        #expect(answer.actions.count == 1)
        #expect(JSON.string(answer.actions.first?["resource"]?["id"]) == "sr-2")
    }

    @Test("order-dispatch: the dispatched order from the prefetch, the performer from the context")
    func orderDispatch() throws {
        let document = try caseDocument("order-dispatch", service: "precert-order-dispatch")
        #expect(document["provider"]?["npi"] == .string("1234567893"))
        let answer = Answer(json: try CRDFixtures.answer("order-dispatch", service: "precert-order-dispatch"))
        #expect(JSON.string(answer.actions.first?["resource"]?["id"]) == "sr-dispatch")
        #expect(try answer.information.codes("pa-needed") == ["auth-needed"])
    }

    @Test("appointment-book: the update goes on the ServiceRequest the Appointment is based on; date from start")
    func appointmentWithOrder() throws {
        let document = try caseDocument("appointment-book", service: "precert-appointment-book")
        #expect(document["service"]?["date"] == .string("2026-12-08"))
        #expect(document["service"]?["cpt"] == .array([.string("90837")]))
        #expect(document["provider"]?["npi"] == .string("1234567893"))
        let answer = Answer(json: try CRDFixtures.answer("appointment-book", service: "precert-appointment-book"))
        #expect(JSON.string(answer.actions.first?["resource"]?["resourceType"]) == "ServiceRequest")
        #expect(JSON.string(answer.actions.first?["resource"]?["id"]) == "sr-appt")
    }

    @Test("appointment-book without an order: codes from serviceType, date from requestedPeriod, the Appointment updated")
    func appointmentWithoutOrder() throws {
        let document = try caseDocument("appointment-book-no-order", service: "precert-appointment-book")
        #expect(document["service"]?["cpt"] == .array([.string("90834")]))
        #expect(document["service"]?["icd10"] == .array([.string("F41.1")]))
        #expect(document["service"]?["date"] == .string("2026-12-10"))
        let answer = Answer(json: try CRDFixtures.answer("appointment-book-no-order", service: "precert-appointment-book"))
        #expect(JSON.string(answer.actions.first?["resource"]?["resourceType"]) == "Appointment")
    }
}

@Suite("CRD errors")
struct CRDErrorTests {
    func error(_ body: () throws -> Any) -> CRDError? {
        do {
            _ = try body()
            return nil
        } catch let error as CRDError {
            return error
        } catch {
            return nil
        }
    }

    @Test("a required prefetch key not sent: 412 with an OperationOutcome")
    func missingPrefetch() throws {
        let failure = try #require(error { try CRDFixtures.answer("order-sign-missing-coverage-prefetch") })
        #expect(failure.kind == .missingPrefetch)
        #expect(failure.httpStatus == 412)
        #expect(failure.message.contains("`coverage`"))
        let outcome = try JSONValue.parse(bytes: failure.operationOutcome)
        #expect(outcome["resourceType"] == .string("OperationOutcome"))
        #expect(JSON.string(JSON.items(outcome["issue"]).first?["code"]) == "processing")
    }

    @Test("malformed requests: 400, and the message holds nothing from the record")
    func malformed() throws {
        let notJSON = error { try CRDFixtures.service.answer(serviceID: "precert-order-sign", request: Array("{\"hook\": ".utf8), now: CRDFixtures.now) }
        #expect(notJSON?.httpStatus == 400)
        let bundle = try #require(error { try CRDFixtures.answer("order-sign-malformed-draft-orders") })
        #expect(bundle.httpStatus == 400)
        #expect(bundle.message == "`context.draftOrders` must be a FHIR Bundle")
        let wrongHook = try #require(error { try CRDFixtures.answer("order-dispatch") })
        #expect(wrongHook.kind == .malformed)
        #expect(error { try CRDFixtures.answer("order-sign-in-directory", service: "nope") }?.httpStatus == 404)
        for failure in [notJSON, bundle, wrongHook].compactMap({ $0 }) {
            for secret in ["K000000001", "1234567893", "F33.1", "Pat", "1990-04-01"] { #expect(!failure.message.contains(secret)) }
        }
    }
}

@Suite("CRD requests shaped like the implementation guide's")
struct CRDGuideShapedTests {
    @Test("order-sign after the IG's example: absolute references, two draft orders, a null prefetch key; one update per order")
    func guideShapedOrderSign() throws {
        let json = try CRDFixtures.answer("order-sign-ig-shaped")
        let violations = CRDConformance.violations(response: json, request: try CRDFixtures.request("order-sign-ig-shaped"))
        #expect(violations.isEmpty, "\(violations)")
        let answer = Answer(json: json)
        #expect(answer.actions.compactMap { JSON.string($0["resource"]?["id"]) } == ["1357", "2468"])
        let byOrder = Dictionary(uniqueKeysWithValues: answer.actions.compactMap { action -> (String, JSONValue)? in
            guard let id = JSON.string(action["resource"]?["id"]),
                let info = JSON.items(action["resource"]?["extension"]).first(where: { JSON.string($0["url"]) == ResponseWriter.extensionURL })
            else { return nil }
            return (id, info)
        })
        // Psychotherapy through the billing option, the ICD-10 reason beside a SNOMED one, the performer by absolute reference.
        #expect(byOrder["1357"]?.codes("covered") == ["covered"])
        #expect(byOrder["1357"]?.codes("pa-needed") == ["auth-needed"])
        // Oxygen equipment is not in the behavioral health policy's covered set.
        #expect(byOrder["2468"]?.codes("covered") == ["not-covered"])
        #expect(byOrder["2468"]?.sub("coverage").first?["reference"] == .string("Coverage/COV1"))
        let assertions = Set(byOrder.values.compactMap { JSON.string($0.sub("coverage-assertion-id").first) })
        #expect(assertions.count == 2, "each order is its own assertion")
    }
}

@Suite("CRD field sources")
struct CRDFieldSourceTests {
    static let mappingText = """
        precert-crd-mapping: 1
        title: test
        services:
          - {id: s, hook: order-sign, description: d}
        payers:
          kaiser-norcal:
            label: Kaiser Permanente
            policy: kaiser-norcal/behavioral-health
            identifiers: ["KP-NCAL"]
            coverage-information:
              covered:
                decision: coverage
                outcomes: {covered: covered, not_covered: not-covered, self_pay: not-covered}
        fields:
          payer:
            - {path: "coverage.payor.identifier.value", lookup: payer}
          member.plan:
            - path: "coverage.class.where(type.coding.code = 'plan').value"
              map: {gold: commercial}
          booking.channel:
            - {constant: phone, hooks: [appointment-book]}
            - {constant: payer_referral}
          service.visits_this_year:
            - {path: "order.quantityQuantity.value"}
          service.date:
            - {path: "order.occurrenceDateTime"}
        """

    func caseFor(hook: String, order: String, coverage: String) throws -> JSONValue? {
        let (mapping, problems) = CRDMappingLoader.load(text: Self.mappingText, file: "m.yaml", caseFormat: CRDFixtures.catalog.caseFormat!, catalog: CRDFixtures.catalog)
        #expect(problems.isEmpty, "\(problems)")
        let loaded = try #require(mapping)
        let mapper = CaseMapper(mapping: loaded, directories: [:])
        let coverageValue = try JSONValue.parse(coverage)
        let scope = FHIRScope(order: try JSONValue.parse(order), coverage: coverageValue, context: .object([]), resources: [coverageValue], now: CRDFixtures.now, today: CivilDate(iso: "2026-11-30")!)
        guard let payer = mapper.payer(in: scope, hook: hook) else { return nil }
        return mapper.caseDocument(scope: scope, hook: hook, payer: payer)
    }

    static let coverage = #"{"resourceType":"Coverage","id":"c","payor":[{"identifier":{"value":"KP-NCAL"}}],"class":[{"type":{"coding":[{"code":"group"}]},"value":"g1"},{"type":{"coding":[{"code":"plan"}]},"value":"gold"}]}"#

    @Test("a payer by identifier; `map` translates a FHIR value; a value the map does not give is skipped, not guessed")
    func mapAndLookup() throws {
        let order = #"{"resourceType":"ServiceRequest","id":"o","quantityQuantity":{"value":4},"occurrenceDateTime":"not a date"}"#
        let document = try #require(try caseFor(hook: "order-sign", order: order, coverage: Self.coverage))
        #expect(document["payer"] == .string("kaiser-norcal"))
        #expect(document["member"]?["plan"] == .string("commercial"))
        #expect(document["service"]?["visits_this_year"] == .number(4))
        #expect(document["service"]?["date"] == nil, "a value that is not a date leaves the field unknown")
        let silver = Self.coverage.replacingOccurrences(of: "gold", with: "silver")
        let unmapped = try #require(try caseFor(hook: "order-sign", order: order, coverage: silver))
        #expect(unmapped["member"]?["plan"] == nil, "`silver` is no value of `member.plan`")
        let otherPayer = Self.coverage.replacingOccurrences(of: "KP-NCAL", with: "ACME")
        #expect(try caseFor(hook: "order-sign", order: order, coverage: otherPayer) == nil)
    }

    @Test("a source limited to some hooks applies only to them; the first source that gives a value wins")
    func hookLimited() throws {
        let order = #"{"resourceType":"ServiceRequest","id":"o"}"#
        #expect(try caseFor(hook: "order-sign", order: order, coverage: Self.coverage)?["booking"]?["channel"] == .string("payer_referral"))
        #expect(try caseFor(hook: "appointment-book", order: order, coverage: Self.coverage)?["booking"]?["channel"] == .string("phone"))
    }
}
