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

/// `precert diff` over a corpus.
@Suite("Policy diff")
struct PolicyDiffTests {
    static let root = Fixtures.repositoryRoot.appendingPathComponent("Policies")

    /// The Kaiser policy, and the same with `edit` applied to its text, each loaded alone.
    static func versions(_ edit: (String) -> String) throws -> (LoadedPolicy, LoadedPolicy) {
        let text = try String(contentsOf: root.appendingPathComponent("kaiser-norcal/behavioral-health.yaml"), encoding: .utf8)
        let calendar = PolicyFile(path: "us-federal.yaml", bytes: Array(try Data(contentsOf: root.appendingPathComponent("calendars/us-federal.yaml"))))
        func load(_ text: String) throws -> LoadedPolicy {
            let loaded = PolicyCatalog.load(files: [PolicyFile(path: "kaiser.yaml", text: text), calendar])
            return try #require(loaded.catalog.policies.first, "\(loaded.diagnostics.map(\.description))")
        }
        let edited = edit(text)
        #expect(edited != text, "the edit changes the policy")
        return (try load(text), try load(edited))
    }

    @Test("urgent 72 -> 48 hours: exactly the turnaround changes, and the counts equal an independent count over the same cases")
    func urgentClock() throws {
        let (old, new) = try Self.versions { $0.replacingOccurrences(of: "        then: 72 hours", with: "        then: 48 hours") }
        let corpus = CoveringCases(old).jsonLines + CoveringCases(new).jsonLines
        let diff = PolicyDiff(old: old, new: new, corpus: Array(corpus.utf8))
        #expect(diff.changesAnswers)
        #expect(Set(diff.answers.map(\.decision)) == ["turnaround"])
        #expect(diff.answers.allSatisfy { $0.from.hasPrefix("72 hours") && $0.to.hasPrefix("48 hours") })
        // Counted again case by case, outside PolicyDiff.
        var independent = 0
        for line in corpus.split(separator: "\n") {
            let bytes = Array(line.utf8)
            guard case .success(let a) = old.decoder.decode(bytes), case .success(let b) = new.decoder.decode(bytes) else { continue }
            if old.evaluate(a)["turnaround"]?.outcomes != new.evaluate(b)["turnaround"]?.outcomes { independent += 1 }
        }
        #expect(independent > 0 && diff.answers.map(\.count).reduce(0, +) == independent && diff.changedCases == independent)
    }

    @Test("a reworded because changes explanations only; two rules swapped where only the rule cited changes, likewise")
    func explanationsOnly() throws {
        let (old, reworded) = try Self.versions {
            $0.replacingOccurrences(of: "because: Kaiser's urgent turnaround is 72 hours.", with: "because: Kaiser answers urgent requests within 72 hours.")
        }
        let corpus = Array((CoveringCases(old).jsonLines).utf8)
        let diff = PolicyDiff(old: old, new: reworded, corpus: corpus)
        #expect(!diff.changesAnswers && diff.changedCases == 0)
        #expect(diff.explanations.map(\.decision) == ["turnaround"])
        #expect(diff.explanations.first?.to.contains("reworded") == true)
    }

    @Test("a code added to a set: a generated case holding that code changes coverage, and every sample is a case that changes")
    func codeAdded() throws {
        let (old, new) = try Self.versions {
            $0.replacingOccurrences(of: "covered_psychotherapy: [\"90791\"", with: "covered_psychotherapy: [\"90785\", \"90791\"")
        }
        let corpus = String(decoding: PolicyDiff.coveringCorpus(old: old, new: new), as: UTF8.self)
        let diff = PolicyDiff(old: old, new: new, corpus: Array(corpus.utf8))
        let coverage = try #require(diff.answers.first { $0.decision == "coverage" && $0.from == "not_covered" && $0.to == "covered" })
        let byID = Dictionary(corpus.split(separator: "\n").map { line -> (String, [UInt8]) in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return ((object?["case_id"] as? String) ?? "", Array(line.utf8))
        }, uniquingKeysWith: { first, _ in first })
        for sample in coverage.samples {
            let bytes = try #require(byID[sample])
            #expect(String(decoding: bytes, as: UTF8.self).contains("90785"), "\(sample)")
            let before = old.evaluate(try old.decoder.decode(bytes).get())["coverage"]?.outcome
            let after = new.evaluate(try new.decoder.decode(bytes).get())["coverage"]?.outcome
            #expect(before == "not_covered" && after == "covered")
        }
    }
}
