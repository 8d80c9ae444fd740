import Foundation
import Testing

@testable import Precert

/// `precert cases` (covering cases from the diagrams) and `precert test --record`.
@Suite("Covering cases")
struct CoveringCasesTests {
    static let policies = Fixtures.repositoryRoot.appendingPathComponent("Policies")
    static let catalog: PolicyCatalog = (try? PolicyCatalog(paths: [policies.path])) ?? PolicyCatalog.load(paths: []).catalog

    static func covering(_ id: String) throws -> (LoadedPolicy, CoveringCases) {
        let policy = try #require(catalog.policy(id: id, on: nil))
        return (policy, CoveringCases(policy))
    }

    @Test("each case, evaluated as any case is, gets the answer it was built for, and every rule is cited by some case", arguments: [
        "medicare/traditional-part-b", "aetna/commercial-behavioral-health", "texas-medicaid/behavioral-health",
    ])
    func casesReachTheirAnswers(_ id: String) throws {
        let (policy, covering) = try Self.covering(id)
        #expect(covering.unreached.isEmpty, "\(covering.unreached)")
        #expect(Set(covering.cases.map(\.id)).count == covering.cases.count)
        var cited: Set<String> = []
        for generated in covering.cases {
            let decision = try Self.catalog.evaluate(Array(generated.json.utf8)).get()
            #expect(decision.policyID == id && decision.effective == policy.effective)
            let result = try #require(decision[generated.decision])
            #expect(result.rules.map(\.id) == generated.rules, "\(generated.id)")
            for result in decision.decisions { for rule in result.rules { cited.insert("\(result.name)/\(rule.id)") } }
        }
        for decision in policy.policy.decisions {
            for rule in decision.rules { #expect(cited.contains("\(decision.name)/\(rule.id)"), "\(id): no case cites \(decision.name)/\(rule.id)") }
        }
    }

    @Test("values on both sides of a number threshold, and the same cases in the same order every time")
    func boundariesAndDeterminism() throws {
        // Texas Medicaid: 30 visits a year without authorization (`service.visits_this_year < 30`).
        let (policy, covering) = try Self.covering("texas-medicaid/behavioral-health")
        let visits = Set(covering.cases.compactMap { generated -> Int? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(generated.json.utf8)) as? [String: Any] else { return nil }
            return (object["service"] as? [String: Any])?["visits_this_year"] as? Int
        })
        #expect(visits.isSuperset(of: [29, 30, 31]), "\(visits.sorted())")
        #expect(CoveringCases(policy).jsonLines == covering.jsonLines)
    }

    @Test("recorded cases make a test file that passes against the policy that answered them, with every rule covered")
    func recordedTestsPass() throws {
        let (policy, covering) = try Self.covering("aetna/commercial-behavioral-health")
        let text = try TestRecorder.record(Array(covering.jsonLines.utf8), catalog: Self.catalog).get()
        #expect(text.contains("precert-test: 1\npolicy: \"aetna/commercial-behavioral-health\""))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("precert-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try text.write(to: folder.appendingPathComponent("recorded.test.yaml"), atomically: true, encoding: .utf8)
        let run = PolicyTestRunner.run(paths: [
            Self.policies.appendingPathComponent("aetna/commercial-behavioral-health.yaml").path,
            folder.appendingPathComponent("recorded.test.yaml").path,
            Self.policies.appendingPathComponent("calendars").path,
        ])
        #expect(run.diagnostics.filter { $0.severity == .error }.isEmpty, "\(run.diagnostics.map(\.description))")
        #expect(run.succeeded)
        #expect(run.results.count == covering.cases.count)
        let coverage = try #require(run.coverage.first { $0.policyID == policy.id })
        #expect(coverage.covered == coverage.total)
    }

    @Test("recording refuses a case it cannot evaluate, and cases of two policies, naming the lines")
    func recordingErrors() throws {
        let bad = Array("{\"payer\": \"medicare\", \"member\": {\"plan\": \"Medicare Part B\"}}\n\n{\"payer\": \"aetna\"}\n".utf8)
        guard case .failure(let failure) = TestRecorder.record(bad, catalog: Self.catalog) else {
            Issue.record("a bad case is recorded")
            return
        }
        #expect(failure.lines.map(\.line) == [1])
        #expect(failure.lines.first?.message.contains("`case.enum-value`") == true || failure.lines.first?.message.contains("cannot be evaluated") == true)
        let mixed = Array("{\"payer\": \"medicare\"}\n{\"payer\": \"aetna\", \"request\": {\"received_at\": \"2026-06-01T10:00:00-04:00\"}}\n".utf8)
        guard case .failure(let two) = TestRecorder.record(mixed, catalog: Self.catalog) else {
            Issue.record("cases of two policies are recorded in one file")
            return
        }
        #expect(two.lines.map(\.line) == [2])
        #expect(two.lines.first?.message.contains("`aetna/commercial-behavioral-health`") == true)
    }
}
