import Foundation
import Testing

@testable import Precert

/// Runs fixture test files against the small clinic policy in `Fixtures/policy-tests`.
enum PolicyTestFixtures {
    static let policy = Fixtures.path("policy-tests/clinic.yaml")
    static let calendars = Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars").path

    static func run(_ testFile: String) -> PolicyTestRun {
        PolicyTestRunner.run(paths: [policy, Fixtures.path("policy-tests/\(testFile)"), calendars])
    }

    static func path(_ testFile: String) -> String { Fixtures.path("policy-tests/\(testFile)") }

    /// `file:line` of a policy rule, as failures print it.
    static func rule(_ line: Int) -> String { "\(policy):\(line)" }
}

@Suite("PolicyTestRunner")
struct PolicyTestRunnerTests {
    @Test("a passing file: every case passes, with no diagnostics")
    func passing() {
        let run = PolicyTestFixtures.run("passing.test.yaml")
        #expect(run.diagnostics.isEmpty, "\(run.diagnostics.map(\.description))")
        #expect(run.results.map(\.name) == [
            "in-house care needs no authorization",
            "an outside visit needs authorization, due on Thanksgiving Friday",
            "a referral's end date without the date of service needs information",
            "a case read from a JSON file",
        ])
        #expect(run.failed == 0)
        #expect(run.results.first?.facts == "test fixture: in-house care")
        #expect(run.results.first?.location.line == 4)
        #expect(PolicyTestReport.summary(run) == "4 passed, 0 failed")
        #expect(PolicyTestReport.failures(run) == "")
        #expect(run.succeeded)
    }

    @Test("a failing file: expected against actual, with the rule and its file:line")
    func failing() throws {
        let run = PolicyTestFixtures.run("failing.test.yaml")
        #expect(run.diagnostics.isEmpty, "\(run.diagnostics.map(\.description))")
        #expect(PolicyTestReport.summary(run) == "1 passed, 2 failed")
        #expect(!run.succeeded)
        let file = PolicyTestFixtures.path("failing.test.yaml")
        let rule = PolicyTestFixtures.rule
        #expect(PolicyTestReport.failures(run) == """
            FAIL \(file):11: an outside visit is wrongly expected to need no authorization
              authorization: expected not_required, got required (rule `default` at \(rule(28)))
              turnaround: expected due 2026-11-30T23:59:59-08:00, got due 2026-11-27T23:59:59-08:00 (rule `default` at \(rule(35)))
              risks: expected [NO_NOTES, MANY_VISITS], got [NO_NOTES] (rule `risk-notes` at \(rule(40)))
            FAIL \(file):20: a missing date of service is wrongly expected to be decided
              authorization: expected on_file, got needs_information (missing service.date; possible on_file, required)
              risks: expected not_applicable, got [NO_NOTES] (rule `risk-notes` at \(rule(40)))

            """)
        guard case .failed(let mismatches) = run.results[1].outcome else {
            Issue.record("the second case did not fail")
            return
        }
        #expect(mismatches.first == DecisionMismatch(
            decision: "authorization", expected: "not_required", actual: "required", context: "rule `default` at \(rule(28))"))
    }

    @Test("unknown keys anywhere in a test file are errors with did-you-mean and the allowed keys")
    func unknownKeys() {
        let run = PolicyTestFixtures.run("unknown-keys.test.yaml")
        let errors = run.diagnostics.filter { $0.id == "test.unknown-key" }
        #expect(errors.map(position) == ["3:1", "7:5", "9:23"])
        #expect(errors.map(\.message) == [
            "unknown key `as-of` in the test file",
            "unknown key `as_off` in test case `misspelled keys`",
            "unknown key `outcom` in the expectation for `authorization`",
        ])
        #expect(errors.first?.hint == "did you mean `as_of`? allowed keys: `precert-test`, `policy`, `as_of`, `cases`")
        #expect(errors.last?.hint == "did you mean `outcome`? allowed keys: `status`, `outcome`, `due`, `rule`, `rules`, `missing`, `possible`")
        #expect(run.diagnostics.count == 3)
        // A case with errors is not run, and counts as failed so that the summary never hides it.
        #expect(run.results.map(\.outcome) == [.notRun])
        #expect(PolicyTestReport.summary(run) == "0 passed, 1 failed")
        #expect(PolicyTestReport.failures(run).hasSuffix(":5: misspelled keys\n  not run: the case has errors, reported with the diagnostics\n"))
    }

    @Test("a decision, outcome or rule the policy lacks is an error at its place, with a hint")
    func badNames() {
        let run = PolicyTestFixtures.run("bad-names.test.yaml")
        let found = run.diagnostics.map { "\(position($0)) \($0.id) \($0.message) | \($0.hint ?? "")" }
        #expect(found == [
            "9:7 test.unknown-decision policy `test/small-clinic` has no decision `authorisation` | did you mean `authorization`?",
            "10:32 test.unknown-outcome decision `authorization` has no outcome `approved` | outcomes: `not_required`, `on_file`, `required`",
            "10:48 test.unknown-rule decision `authorization` has no rule `in-hous` | did you mean `in-house`?",
            "11:19 test.bad-duration `not_applicable` is not a duration | `not_applicable` is a status: write `turnaround: {status: not_applicable}`",
            "12:15 test.unknown-outcome decision `risks` has no outcome `NO_NOTE` | did you mean `NO_NOTES`?",
        ])
        #expect(run.results.map(\.outcome) == [.notRun])
    }

    @Test("an unknown policy id is an error at `policy:`; its cases are not run")
    func unknownPolicy() {
        let run = PolicyTestFixtures.run("unknown-policy.test.yaml")
        #expect(run.diagnostics.map(\.id) == ["test.unknown-policy"])
        #expect(position(run.diagnostics.first) == "2:9")
        #expect(run.diagnostics.first?.message == "no policy `test/small-clinik`")
        #expect(run.diagnostics.first?.hint == "did you mean `test/small-clinic`?")
        #expect(run.failed == 1)
    }

    @Test("an error in another test file does not make an unknown policy id look like a policy left out for its errors")
    func unknownPolicyBesideBrokenTestFile() {
        let run = PolicyTestRunner.run(paths: [
            PolicyTestFixtures.policy, PolicyTestFixtures.path("unknown-policy.test.yaml"),
            PolicyTestFixtures.path("bad-names.test.yaml"), PolicyTestFixtures.calendars,
        ])
        let unknown = run.diagnostics.first { $0.id == "test.unknown-policy" }
        #expect(run.diagnostics.count > 1)
        #expect(position(unknown) == "2:9")
        #expect(unknown?.hint == "did you mean `test/small-clinic`?")
    }

    @Test("a case value of the wrong type is reported at its place in the YAML; a case without a date is refused")
    func badCase() {
        let run = PolicyTestFixtures.run("bad-case.test.yaml")
        #expect(run.diagnostics.map(\.id) == ["case.type", "test.no-date"])
        #expect(run.diagnostics.map(position) == ["8:26", "11:5"])
        #expect(run.diagnostics.first?.message == "$.documents[1]: expected text, got a number")
        #expect(run.diagnostics.first?.hint == "a plain number in YAML is a number; quote it to write text, e.g. `\"42\"`")
        #expect(run.diagnostics.last?.message == "test case `no date to choose the version by` gives no date to choose the policy version by")
        #expect(run.results.map(\.outcome) == [.notRun, .notRun])
    }

    @Test("coverage counts every rule and default some case cites, per policy")
    func coverage() throws {
        let run = PolicyTestFixtures.run("passing.test.yaml")
        let clinic = try #require(run.coverage.first { $0.policyID == "test/small-clinic" })
        #expect(clinic.total == 8)
        #expect(clinic.covered == 6)
        #expect(clinic.percent == 75)
        #expect(clinic.entries.filter { !$0.covered }.map { "\($0.decision)/\($0.ruleID):\($0.location.line)" } == [
            "authorization/on-file:25", "turnaround/urgent:34",
        ])
        #expect(PolicyTestReport.coverage(run) == """
            \(PolicyTestFixtures.rule(25)): rule `on-file` of decision `authorization` is not covered by any test
            \(PolicyTestFixtures.rule(34)): rule `urgent` of decision `turnaround` is not covered by any test
            coverage 75% test/small-clinic (effective 2026-01-01): 6 of 8 rules and defaults

            """)
        // Failing cases still exercise rules: the failing file reaches 4 of the 8.
        let failing = PolicyTestFixtures.run("failing.test.yaml").coverage.first { $0.policyID == "test/small-clinic" }
        #expect(failing?.covered == 4)
        #expect(PolicyTestReport.percentText(200.0 / 3) == "66.6%")
        #expect(PolicyTestReport.percentText(99.99) == "99.9%")
    }

    @Test("inline cases are converted with the YAML 1.2 core schema")
    func coreSchema() throws {
        let yaml = """
            {a: true, b: "true", c: 12, d: 1.5e3, e: ~, f: 0x1F, g: 0o17, h: no, i: 2026-06-01, j: [1, "1"], k: '', l: null,
             m: !!str 12, n: .5, o: +3, p: 007, q: False, r: 1.2.3, s: [], t: {}, u: 'null'}
            """
        let root = try #require(YAMLLoader.load(yaml, file: "case.yaml").root)
        let json = try YAMLCaseJSON.convert(root).get()
        #expect(String(decoding: json, as: UTF8.self)
            == #"{"a":true,"b":"true","c":12,"d":1500,"e":null,"f":31,"g":15,"h":"no","i":"2026-06-01","j":[1,"1"],"k":"","l":null,"m":"12","n":0.5,"o":3,"p":7,"q":false,"r":"1.2.3","s":[],"t":{},"u":"null"}"#)
        let infinite = try #require(YAMLLoader.load("{a: .inf}", file: "case.yaml").root)
        guard case .failure(let errors) = YAMLCaseJSON.convert(infinite) else {
            Issue.record("converted an infinite number")
            return
        }
        #expect(errors.diagnostics.map(\.id) == ["test.case-value"])
    }

    @Test("a case_file path is relative to the test file, with `dir/..` folded")
    func caseFilePaths() {
        #expect(PolicyTestRunner.Session.resolve("../../Examples/a.json", besides: "Policies/kaiser-norcal/x.test.yaml") == "Examples/a.json")
        #expect(PolicyTestRunner.Session.resolve("cases/a.json", besides: "/abs/dir/x.test.yaml") == "/abs/dir/cases/a.json")
        #expect(PolicyTestRunner.Session.resolve("a.json", besides: "x.test.yaml") == "a.json")
        #expect(PolicyTestRunner.Session.resolve("/tmp/a.json", besides: "Policies/x.test.yaml") == "/tmp/a.json")
    }

    @Test("the shipped policies' tests all pass and reach every rule and default")
    func shippedPolicies() throws {
        let run = PolicyTestRunner.run(paths: [Fixtures.repositoryRoot.appendingPathComponent("Policies").path])
        #expect(run.diagnostics.isEmpty, "\(run.diagnostics.map(\.description))")
        #expect(run.failed == 0, "\(PolicyTestReport.failures(run))")
        #expect(run.passed >= 40)
        #expect(Set(run.coverage.map(\.policyID)) == [
            "aetna/commercial-behavioral-health", "kaiser-norcal/behavioral-health", "medicare/traditional-part-b",
            "optum-uhc/commercial-behavioral-health", "texas-medicaid/behavioral-health",
        ])
        for policy in run.coverage {
            #expect(policy.percent == 100, "\(PolicyTestReport.coverage(run))")
        }
        // Every Kaiser case that proves a fact says which.
        let kaiser = run.results.filter { $0.file.hasSuffix("kaiser-norcal/behavioral-health.test.yaml") }
        #expect(kaiser.filter { $0.facts != nil }.count >= 15)
    }
}
