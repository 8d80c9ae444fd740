import Foundation
import Precert
@testable import PrecertCRD
import Testing

@Suite("CRD mapping file")
struct CRDMappingFileTests {
    static let head = """
        precert-crd-mapping: 1
        title: test
        services:
          - {id: s, hook: order-sign, description: d}
        payers:
          kaiser-norcal:
            label: Kaiser Permanente
            policy: kaiser-norcal/behavioral-health
            names: [Kaiser Permanente Northern California]
            coverage-information:
              covered:
                decision: coverage
                outcomes: {covered: covered, not_covered: not-covered, self_pay: not-covered}

        """

    /// Every diagnostic of a mapping, as `line:column id message`.
    func problems(_ text: String) -> [String] {
        let format = CRDFixtures.catalog.caseFormat!
        let (_, diagnostics) = CRDMappingLoader.load(text: text, file: "m.yaml", caseFormat: format, catalog: CRDFixtures.catalog)
        return diagnostics.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.id) \($0.message)" }
    }

    @Test("the shipped mapping and directory load without a problem against the shipped policies")
    func shippedFilesLoad() throws {
        switch CRDService.load(catalog: CRDFixtures.catalog, paths: [CRDFixtures.repository("Policies")]) {
        case .success(let service):
            #expect(service.mapping.services.map(\.hook) == ["order-sign", "order-select", "order-dispatch", "appointment-book"])
            #expect(service.directories["kaiser-norcal"]?.entries.isEmpty == true, "no provider facts are shipped without a source")
        case .failure(let error):
            Issue.record("\(error.diagnostics)")
        }
    }

    @Test("the catalog accepts the CRD files beside the policies and pins them in its digest")
    func catalogAcceptsFrontEndFiles() throws {
        let loaded = PolicyCatalog.load(paths: [CRDFixtures.repository("Policies")], options: { var o = CatalogOptions(); o.analyze = false; return o }())
        #expect(!loaded.diagnostics.contains { $0.id == "catalog.unknown-file" })
        #expect(!loaded.hasErrors)
    }

    @Test("case fields are checked against the case format, with a suggestion")
    func unknownField() {
        let found = problems(Self.head + "fields:\n  service.cpts:\n    - {path: \"order.code\"}\n")
        #expect(found == ["15:3 crd-mapping.unknown-field the case format has no field `service.cpts`"])
    }

    @Test("paths are parsed, and a problem is placed at its character")
    func badPath() {
        let found = problems(Self.head + "fields:\n  service.cpt:\n    - {path: \"order.code.coding.where(system 'x').code\"}\n")
        #expect(found == ["16:46 crd-mapping.bad-path expected `=` in `where`; it only compares for equality"])
        let function = problems(Self.head + "fields:\n  service.cpt:\n    - path: order.code.exists()\n")
        #expect(function == ["16:24 crd-mapping.bad-path unknown function `exists()`: the path language has `where`, `resolve`, `ofType`, `first` and `all`"])
    }

    @Test("constants and mapped values must be values of the case field")
    func badValues() {
        let found = problems(Self.head + "fields:\n  booking.channel:\n    - {constant: payer-referral}\n")
        #expect(found == ["16:18 crd-mapping.bad-value `payer-referral` is not a value of `booking.channel`"])
        let date = problems(Self.head + "fields:\n  service.date:\n    - {constant: \"12/01/2026\"}\n")
        #expect(date == ["16:18 crd-mapping.bad-value `12/01/2026` is not a date for `service.date`"])
    }

    @Test("CRD codes, decisions and outcomes are checked against CRD and the payer's policy")
    func outcomeTable() {
        let text = """
            precert-crd-mapping: 1
            title: test
            services:
              - {id: s, hook: order-signs, description: d}
            payers:
              kaiser-norcal:
                label: Kaiser Permanente
                policy: kaiser-norcal/behavioral-health
                names: [Kaiser Permanente Northern California]
                coverage-information:
                  covered:
                    decision: coverage
                    outcomes: {covered: coverd, not_covered: not-covered, self_pay: not-covered}
                  pa-needed:
                    decision: authorisation
                    outcomes: {}
                  doc-needed:
                    decision: missing_requirements
                    outcomes: {member_ids: admin}
            fields: {}
            """
        let found = problems(text)
        #expect(found == [
            "4:19 crd-mapping.unknown-code `order-signs` is not a CRD code for `hook`",
            "13:29 crd-mapping.unknown-code `coverd` is not a CRD code for `covered`",
            "15:19 crd-mapping.unknown-decision policy `kaiser-norcal/behavioral-health` has no decision `authorisation`",
            "19:20 crd-mapping.unknown-outcome decision `missing_requirements` has no outcome `member_ids`",
            "19:19 crd-mapping.unmapped-outcome `doc-needed` gives no CRD code for `member_id`, `provider_npi`, `icd10_codes`, `cpt_codes`, `clinical_notes`, `pcp_referral`, `in_network_unavailable`",
        ])
    }

    @Test("unknown keys get a suggestion; a source needs exactly one kind")
    func keysAndKinds() {
        let found = problems(Self.head + "fields:\n  member.id:\n    - {pth: coverage.subscriberId}\n  member.state:\n    - {constant: CA, directory: network}\n")
        #expect(found.contains("16:8 crd-mapping.unknown-key unknown key `pth` in a source of `member.id`"))
        #expect(found.contains("18:7 crd-mapping.source-kind a source of `member.state` has both `constant` and `directory`; give one"))
    }

    @Test("a provider directory checks NPIs and networks")
    func directory() {
        let text = """
            precert-provider-directory: 1
            payer: kaiser-norcal
            title: t
            sources: []
            providers:
              - {npi: "1234567890", network: payer}
              - {npi: "1234567893", network: in_network}
            """
        let (directory, diagnostics) = ProviderDirectoryLoader.load(text: text, file: "d.yaml", caseFormat: CRDFixtures.catalog.caseFormat!)
        #expect(directory == nil)
        #expect(diagnostics.map { "\($0.location!.line):\($0.location!.column) \($0.id)" } == ["6:11 directory.bad-npi", "7:34 directory.bad-network"])
    }
}

@Suite("CRD path language")
struct FHIRPathTests {
    let scope: FHIRScope = {
        let coverage = try! JSONValue.parse(#"{"resourceType":"Coverage","id":"c","payor":[{"reference":"Organization/o","display":"X"}],"identifier":[{"type":{"coding":[{"code":"MB"}]},"value":"m1"},{"value":"other"}]}"#)
        let org = try! JSONValue.parse(#"{"resourceType":"Organization","id":"o","name":"Org"}"#)
        return FHIRScope(order: .null, coverage: coverage, context: .object([]), resources: [coverage, org], now: CRDFixtures.now, today: CivilDate(iso: "2026-11-30")!)
    }()

    func values(_ path: String) throws -> [String] {
        scope.evaluate(try FHIRPath.parse(path)).compactMap(FHIRScope.text)
    }

    @Test("fields flatten arrays; where filters on a field chain; resolve and ofType follow references")
    func evaluation() throws {
        #expect(try values("coverage.identifier.value") == ["m1", "other"])
        #expect(try values("coverage.identifier.where(type.coding.code = 'MB').value") == ["m1"])
        #expect(try values("coverage.payor.resolve().name") == ["Org"])
        #expect(try values("coverage.payor.resolve().ofType(Practitioner).name") == [])
        #expect(try values("Organization.name") == ["Org"])
        #expect(try values("coverage.identifier.value.first()") == ["m1"])
        #expect(try values("coverage.identifier.value.all()") == ["m1", "other"])
        #expect(try values("today()") == ["2026-11-30"])
        #expect(try values("now()") == ["2026-11-30T17:00:00+00:00"])
    }

    @Test("parse errors say where")
    func errors() {
        #expect(throws: FHIRPath.ParseError.self) { try FHIRPath.parse("") }
        do {
            _ = try FHIRPath.parse("patient.name")
            Issue.record("`patient` is not a root")
        } catch {
            #expect(error.offset == 0)
        }
    }
}

@Suite("CRD discovery")
struct CRDDiscoveryTests {
    @Test("one service per hook, with prefetch templates and the CRD extensions")
    func discovery() throws {
        let document = try JSONValue.parse(bytes: CRDFixtures.service.discovery())
        let services = JSON.items(document["services"])
        #expect(services.compactMap { JSON.string($0["hook"]) } == ["order-sign", "order-select", "order-dispatch", "appointment-book"])
        for service in services {
            #expect(JSON.string(service["id"]) != nil && JSON.string(service["description"]) != nil)
            #expect(service["prefetch"]?["coverage"] == .string("Coverage?patient={{context.patientId}}&status=active"))
            #expect(service["extension"]?["davinci-crd.version"] == .array([.string("2.2")]))
            let options = JSON.items(service["extension"]?["davinci-crd.configuration-options"])
            #expect(options.compactMap { JSON.string($0["code"]) } == ["coverage-info", "insurance", "max-cards"])
            #expect(options.first?["type"] == .string("boolean") && options.last?["type"] == .string("integer"))
        }
    }
}

@Suite("CRD files as a set")
struct CRDFileSetTests {
    @Test("a mapping whose payer names a directory no file gives, and no mapping at all, are refused")
    func refusedSets() throws {
        let mapping = try CRDFixtures.file(CRDFixtures.repository("Policies/crd/mapping.yaml"))
        switch CRDService.load(catalog: CRDFixtures.catalog, files: [mapping]) {
        case .success: Issue.record("a payer's directory is missing")
        case .failure(let error): #expect(error.diagnostics.map(\.id) == ["crd.unknown-directory"])
        }
        let directory = try CRDFixtures.file(CRDFixtures.path("kaiser-norcal-providers.yaml"))
        switch CRDService.load(catalog: CRDFixtures.catalog, files: [directory]) {
        case .success: Issue.record("there is no mapping")
        case .failure(let error): #expect(error.diagnostics.map(\.id) == ["crd.no-mapping"])
        }
        switch CRDService.load(catalog: CRDFixtures.catalog, files: [mapping, directory, directory]) {
        case .success: Issue.record("two directories for one payer")
        case .failure(let error): #expect(error.diagnostics.map(\.id) == ["crd.duplicate-directory"])
        }
    }
}

@Suite("CRD files in precert check")
struct CRDCheckTests {
    @Test("the shipped folder has no CRD problem; a folder without CRD files is not asked for one")
    func shipped() {
        #expect(CRDService.check(catalog: CRDFixtures.catalog, paths: [CRDFixtures.repository("Policies")]).isEmpty)
        #expect(CRDService.check(catalog: CRDFixtures.catalog, paths: [CRDFixtures.repository("Policies/calendars")]).isEmpty)
    }

    @Test("a broken mapping beside the policies is reported at its place")
    func brokenMapping() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("precert-crd-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let shipped = try String(contentsOfFile: CRDFixtures.repository("Policies/crd/mapping.yaml"), encoding: .utf8)
        let broken = shipped.replacingOccurrences(of: "  member.state:\n", with: "  member.states:\n")
        try broken.write(to: folder.appendingPathComponent("mapping.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: CRDFixtures.path("kaiser-norcal-providers.yaml"), toPath: folder.appendingPathComponent("providers.yaml").path)
        let problems = CRDService.check(catalog: CRDFixtures.catalog, paths: [folder.path])
        let line = broken.components(separatedBy: "\n").firstIndex(of: "  member.states:")! + 1
        #expect(problems.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.id)" } == ["\(line):3 crd-mapping.unknown-field"])
        #expect(problems.first?.facts.suggestion == "member.state")
    }
}
