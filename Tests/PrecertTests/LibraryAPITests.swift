import Foundation
import Testing

// The public API, as a service would use it (no `@testable`): what docs/LIBRARY.md shows. (A test
// target sees `package` declarations too; api/Precert.txt is what holds the public surface.)
import Precert

/// The library as a service engineer uses it: load, evaluate, read the answer, handle errors.
@Suite("Library API")
struct LibraryAPITests {
    static let root = Fixtures.repositoryRoot.path
    static let policies = root + "/Policies"

    /// A Kaiser case whose every input is known, received on a fixed date.
    static let kaiserCase = Array(
        #"{"case_id": "api-1", "payer": "kaiser-norcal", "request": {"received_at": "2026-07-06T10:00:00-07:00", "urgency": "standard"}, "member": {"id": "K123"}, "provider": {"npi": "1234567890", "network": "out_of_network", "in_directory": true}, "service": {"cpt": ["90837"], "icd10": ["F32.1"], "date": "2026-07-10"}, "referral": {"status": "none"}, "booking": {"channel": "scheduling_link"}, "payment": {"method": "insurance"}, "documents": []}"#.utf8)

    @Test("typed access: each decision's status, outcome, due instant and citing rules")
    func typedAccess() throws {
        let catalog = try PolicyCatalog(paths: [Self.policies])
        let decision = try catalog.evaluate(Self.kaiserCase).get()
        #expect(decision.caseID == "api-1")
        #expect(decision.policyID == "kaiser-norcal/behavioral-health")
        let authorization = try #require(decision["authorization"])
        #expect(authorization.status == .decided)
        #expect(authorization.outcome == "required")
        #expect(authorization.rules.map(\.id) == ["auth-required"])
        #expect(authorization.rules[0].location.file == "kaiser-norcal/behavioral-health.yaml")
        let turnaround = try #require(decision["turnaround"])
        #expect(turnaround.duration?.amount == 3 && turnaround.duration?.unit == .businessDays)
        #expect(turnaround.due?.rfc3339 == "2026-07-09T23:59:59-07:00")
        #expect(decision["no-such-decision"] == nil)
        #expect(decision.provenance.versionDate == CivilDate(year: 2026, month: 7, day: 6))
        #expect(decision.provenance.versionDateSource == .receivedAt)
        #expect(decision.provenance.calendar == "us-federal")
    }

    @Test("the one-case JSON call writes exactly the encoded decision, for known and unknown inputs")
    func oneCaseJSON() throws {
        let catalog = try PolicyCatalog(paths: [Self.policies])
        let sparse = Array(#"{"case_id": "api-2", "payer": "kaiser-norcal", "request": {"received_at": "2026-07-06T10:00:00-07:00"}}"#.utf8)
        for bytes in [Self.kaiserCase, sparse] {
            let decision = try catalog.evaluate(bytes).get()
            #expect(try catalog.decisionJSON(bytes).get() == DecisionEncoder.encode(decision))
        }
        var session = CaseSession(catalog: catalog)
        var output: [UInt8] = []
        #expect(session.write(sparse, to: &output) == nil)
        #expect(output == (try catalog.decisionJSON(sparse).get()))
    }

    @Test("the same case gives the same bytes however the policies path is written")
    func sourcePathsAreRelative() throws {
        let spellings = [Self.policies, Self.policies + "/", Self.root + "/./Policies"]
        let outputs = try spellings.map { path in try PolicyCatalog(paths: [path]).decisionJSON(Self.kaiserCase).get() }
        #expect(Set(outputs).count == 1)
        let text = String(decoding: outputs[0], as: UTF8.self)
        #expect(text.contains(#""source":"kaiser-norcal/behavioral-health.yaml:"#))
        #expect(text.contains(#""policy_file":"kaiser-norcal/behavioral-health.yaml""#))
    }

    @Test("policies held in memory load like files; a holiday deleted from the calendar changes the provenance digest")
    func inMemoryFiles() throws {
        let directory = URL(fileURLWithPath: Self.policies)
        func file(_ relative: String) throws -> PolicyFile {
            PolicyFile(path: relative, bytes: Array(try Data(contentsOf: directory.appendingPathComponent(relative))))
        }
        let policy = try file("kaiser-norcal/behavioral-health.yaml")
        let calendar = try file("calendars/us-federal.yaml")
        // The regulations too: the turnaround's regulatory due dates, and the provenance, come from them.
        let regulations = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("regulations").path)
            .sorted().map { try file("regulations/" + $0) }
        let loaded = PolicyCatalog.load(files: [policy, calendar] + regulations)
        #expect(!loaded.hasErrors, "\(loaded.diagnostics.map(\.description))")
        let fromMemory = try loaded.catalog.decisionJSON(Self.kaiserCase).get()
        #expect(fromMemory == (try PolicyCatalog(paths: [Self.policies]).decisionJSON(Self.kaiserCase).get()))

        // The same calendar without Juneteenth: the policy's digest is the same, the decision's is not.
        let text = String(decoding: calendar.bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.filter { !$0.contains("Juneteenth National Independence Day\"") }
        try #require(kept.count == lines.count - 1, "the calendar names Juneteenth on one line")
        let edited = PolicyFile(path: calendar.path, text: kept.joined(separator: "\n"))
        let other = PolicyCatalog.load(files: [policy, edited] + regulations)
        #expect(!other.hasErrors, "\(other.diagnostics.map(\.description))")
        let before = try loaded.catalog.evaluate(Self.kaiserCase).get()
        let after = try other.catalog.evaluate(Self.kaiserCase).get()
        #expect(before.digest == after.digest)
        #expect(before.provenance.calendarDigest != after.provenance.calendarDigest)
        #expect(before.provenance.digest != after.provenance.digest)
    }

    @Test("a policies path that does not exist is an error, and the throwing load says so")
    func missingPath() throws {
        let loaded = PolicyCatalog.load(paths: ["no/such/folder"])
        #expect(loaded.hasErrors)
        #expect(loaded.diagnostics.map(\.id) == ["io.not-found"])
        #expect(throws: CatalogError.self) { try PolicyCatalog(paths: ["no/such/folder"]) }
        // An empty catalog still answers, with the deployment's fault named.
        guard case .failure(let errors) = loaded.catalog.evaluate(Self.kaiserCase) else {
            Issue.record("an empty catalog evaluated a case")
            return
        }
        #expect(errors.diagnostics.map(\.id) == ["catalog.empty"])
        #expect(errors.fault == .deployment)
        #expect(errors.caseID == "api-1")
    }

    @Test("errors say what happened, carry the case id and the JSON path, and whose fault they are")
    func errors() throws {
        let catalog = try PolicyCatalog(paths: [Self.policies])
        let cases: [(String, DiagnosticID, String?)] = [
            (#"{"case_id": "e-1", "payer": 7}"#, "case.payer-type", "$.payer"),
            ("\u{FEFF}{\"case_id\": \"e-2\", \"payer\": \"kaiser-norcal\"}", "case.byte-order-mark", nil),
            (#"{"case_id": "e-3", "payer": "kaiser-norcal", "service": {"date": "12/01/2026"}}"#, "case.type", "$.service.date"),
            (#"{"case_id": "e-4", "payer": "kaiser-norcl"}"#, "catalog.unknown-payer", "$.payer"),
        ]
        for (text, id, path) in cases {
            guard case .failure(let errors) = catalog.evaluate(Array(text.utf8)) else {
                Issue.record("`\(text)` evaluated")
                continue
            }
            #expect(errors.diagnostics.first?.id == id, "\(text)")
            #expect(errors.diagnostics.first?.facts.jsonPath == path, "\(text)")
            #expect(errors.fault == .caseDocument)
            if id != "case.byte-order-mark" { #expect(errors.caseID?.hasPrefix("e-") == true, "\(text)") }
        }
        guard case .failure(let typo) = catalog.evaluate(Array(cases[3].0.utf8)) else { return }
        #expect(typo.diagnostics.first?.facts.suggestion == "kaiser-norcal")
        // No version in force for a known payer is the deployment's fault.
        let early = Array(#"{"payer": "kaiser-norcal", "request": {"received_at": "2020-01-01T09:00:00-08:00"}}"#.utf8)
        guard case .failure(let none) = catalog.evaluate(early) else {
            Issue.record("a case from 2020 evaluated")
            return
        }
        #expect(none.diagnostics.map(\.id) == ["catalog.not-in-force"])
        #expect(none.fault == .deployment)
        let document = String(decoding: DecisionEncoder.encode(none), as: UTF8.self)
        #expect(document.hasPrefix(#"{"case_id":null,"fault":"deployment","errors":[{"id":"catalog.not-in-force","severity":"error","#))
    }

    @Test("a policy that did not load is the deployment's fault: its payer is not unknown, and an older version does not answer in its place")
    func brokenVersion() throws {
        let fixtures = URL(fileURLWithPath: Fixtures.path("catalog"))
        func file(_ name: String) throws -> PolicyFile {
            PolicyFile(path: name, bytes: Array(try Data(contentsOf: fixtures.appendingPathComponent(name))))
        }
        let calendar = PolicyFile(
            path: "calendars/us-federal.yaml",
            bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Self.policies + "/calendars/us-federal.yaml"))))
        let v1 = try file("clinic-v1.yaml")
        // The July version with a typo in a rule: it does not load.
        let v2 = try file("clinic-v2.yaml")
        let broken = PolicyFile(path: v2.path, text: String(decoding: v2.bytes, as: UTF8.self).replacingOccurrences(of: "provider.network ==", with: "provider.netwrk =="))
        // A new payer whose only policy is broken.
        let other = PolicyFile(path: "other.yaml", text: String(decoding: v2.bytes, as: UTF8.self)
            .replacingOccurrences(of: "payer: test-clinic", with: "payer: other-clinic")
            .replacingOccurrences(of: "policy: test/clinic", with: "policy: test/other")
            .replacingOccurrences(of: "provider.network ==", with: "provider.netwrk =="))
        let loaded = PolicyCatalog.load(files: [calendar, v1, broken, other])
        #expect(loaded.hasErrors)
        #expect(loaded.catalog.policies.map(\.file) == ["clinic-v1.yaml"])
        func evaluate(_ text: String) -> Result<CaseDecision, CaseErrors> { loaded.catalog.evaluate(Array(text.utf8)) }
        // Before the broken version's date, the first version answers.
        let march = #"{"payer": "test-clinic", "request": {"received_at": "2026-03-02T09:00:00-08:00"}}"#
        #expect(try evaluate(march).get().effective == CivilDate(year: 2026, month: 1, day: 1))
        // After it, no answer from the old version: the deployment has to fix the new one.
        let august = #"{"payer": "test-clinic", "request": {"received_at": "2026-08-03T09:00:00-07:00"}}"#
        guard case .failure(let errors) = evaluate(august) else {
            Issue.record("the January version answered a case the broken July version governs")
            return
        }
        #expect(errors.diagnostics.map(\.id) == ["catalog.policy-not-loaded"])
        #expect(errors.fault == .deployment)
        #expect(errors.diagnostics.first?.message.contains("`clinic-v2.yaml`") == true)
        // The broken payer is not "unknown".
        guard case .failure(let otherErrors) = evaluate(#"{"payer": "other-clinic"}"#) else {
            Issue.record("a payer whose only policy is broken was answered")
            return
        }
        #expect(otherErrors.diagnostics.map(\.id) == ["catalog.policy-not-loaded"])
        #expect(otherErrors.fault == .deployment)
    }

    @Test("the date that chose the version is recorded with where it came from")
    func versionDate() throws {
        let catalog = try PolicyCatalog(paths: [Self.policies])
        let undated = Array(#"{"payer": "kaiser-norcal"}"#.utf8)
        let asOf = try catalog.evaluate(undated, options: EvaluationOptions(asOf: CivilDate(year: 2026, month: 8, day: 1))).get()
        #expect(asOf.provenance.versionDate == CivilDate(year: 2026, month: 8, day: 1))
        #expect(asOf.provenance.versionDateSource == .asOf)
        let today = try catalog.evaluate(undated, options: EvaluationOptions(today: CivilDate(year: 2026, month: 9, day: 1))).get()
        #expect(today.provenance.versionDate == CivilDate(year: 2026, month: 9, day: 1))
        #expect(today.provenance.versionDateSource == .today)
    }

    @Test("policy tests run through the public API")
    func policyTests() {
        let run = PolicyTestRunner.run(paths: [Self.policies])
        #expect(run.succeeded)
        #expect(run.failed == 0 && run.passed > 0)
        #expect(run.coverage.allSatisfy { $0.percent == 100 })
        #expect(PolicyTestReport.summary(run) == "\(run.passed) passed, 0 failed")
    }
}
