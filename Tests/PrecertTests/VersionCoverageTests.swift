import Foundation
import Testing

@testable import Precert

/// `Fixtures/policy-tests/versioned`: two versions of `test/versions` handed over on July 1, with a
/// passing test file; `versioned-errors.test.yaml` holds July cases that do not pass.
enum VersionedTests {
    static let folder = Fixtures.path("policy-tests/versioned")
    static let january = "\(folder)/clinic-january.yaml"
    static let july = "\(folder)/clinic-july.yaml"
    static let errors = Fixtures.path("policy-tests/versioned-errors.test.yaml")

    /// The coverage of the version effective on `effective`, `covered/total uncovered-ids`.
    static func summary(_ run: PolicyTestRun, _ effective: CivilDate) -> String {
        guard let version = run.coverage.first(where: { $0.policyID == "test/versions" && $0.effective == effective }) else {
            return "none"
        }
        let uncovered = version.entries.filter { !$0.covered }.map(\.ruleID)
        return "\(version.covered)/\(version.total) uncovered \(uncovered)"
    }

    static let firstDay = CivilDate(year: 2026, month: 1, day: 1)!
    static let handOver = CivilDate(year: 2026, month: 7, day: 1)!
}

@Suite("Coverage of policy versions")
struct VersionCoverageTests {
    @Test("each version of a policy has its own coverage: a case counts toward the version its date chooses")
    func perVersion() throws {
        let run = PolicyTestRunner.run(paths: [VersionedTests.folder, PolicyTestFixtures.calendars])
        #expect(run.diagnostics.isEmpty, "\(run.diagnostics.map(\.description))")
        #expect(run.failed == 0)
        #expect(run.coverage.map { "\($0.policyID) \($0.effective)" } == ["test/versions 2026-01-01", "test/versions 2026-07-01"])
        #expect(VersionedTests.summary(run, VersionedTests.firstDay) == "1/2 uncovered [\"default\"]")
        #expect(VersionedTests.summary(run, VersionedTests.handOver) == "1/3 uncovered [\"in-house\", \"urgent\"]")
        // Each version's line, under the version's own file.
        #expect(PolicyTestReport.coverage(run) == """
            \(VersionedTests.january):19: rule `default` of decision `authorization` is not covered by any test
            \(VersionedTests.july):17: rule `in-house` of decision `authorization` is not covered by any test
            \(VersionedTests.july):18: rule `urgent` of decision `authorization` is not covered by any test
            coverage 50% test/versions (effective 2026-01-01): 1 of 2 rules and defaults
            coverage 33.3% test/versions (effective 2026-07-01): 1 of 3 rules and defaults

            """)
    }

    @Test("a case whose expectation has an error, or is wrong, still counts the rules it reached")
    func failingExpectationsKeepCoverage() throws {
        let run = PolicyTestRunner.run(paths: [
            VersionedTests.january, VersionedTests.july, VersionedTests.errors, PolicyTestFixtures.calendars,
        ])
        #expect(run.diagnostics.map { "\(position($0)) \($0.id)" } == ["10:32 test.unknown-outcome", "23:23 test.unknown-key"])
        // None passes: the cases with errors are still reported as not run, the wrong answer as failed.
        #expect(run.results.map(\.outcome) == [
            .notRun,
            .failed([DecisionMismatch(
                decision: "authorization", expected: "required", actual: "not_required",
                context: "rule `urgent` at \(VersionedTests.july):18")]),
            .notRun,
        ])
        #expect(!run.succeeded)
        // Yet every rule of the July version was reached: `in-house` by the case with an unknown
        // outcome, `urgent` by the wrong one, `default` by the one with an unknown key.
        #expect(VersionedTests.summary(run, VersionedTests.handOver) == "3/3 uncovered []")
        // No case is dated before July: the January version stays uncovered.
        #expect(VersionedTests.summary(run, VersionedTests.firstDay) == "0/2 uncovered [\"in-house\", \"default\"]")
    }

    @Test("a case with an error in the case itself, not its expectations, is not evaluated and counts nothing")
    func brokenCaseCountsNothing() throws {
        let run = PolicyTestFixtures.run("bad-case.test.yaml")
        #expect(run.results.map(\.outcome) == [.notRun, .notRun])
        let clinic = try #require(run.coverage.first { $0.policyID == "test/small-clinic" })
        #expect(clinic.covered == 0)
    }
}
