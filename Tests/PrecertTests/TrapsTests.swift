import Foundation
import Testing

@testable import Precert

/// Silent traps a policy author can fall into, each turned into a located diagnostic.
@Suite("Traps: durations, code case, contradictions, certain gaps")
struct TrapsTests {
    private func text(_ name: String) throws -> String {
        try String(contentsOfFile: Fixtures.path("traps/\(name)"), encoding: .utf8)
    }

    private func diagnostics(_ name: String) throws -> [Diagnostic] {
        checkPolicy(try text(name), file: name).1
    }

    private func findings(_ name: String) throws -> [Diagnostic] {
        try compilePolicy(try text(name)).compiled.findings
    }

    @Test("`then: 5 days` is an error whose hint offers calendar or business days")
    func durationKind() throws {
        let found = try diagnostics("duration-kind.yaml")
        let kind = try #require(found.first { $0.id == "policy.duration-kind" })
        #expect(kind.severity == .error)
        #expect(position(kind) == "18:50")
        #expect(kind.message == "`5 days` does not say which days it counts")
        #expect(kind.hint == "write `5 calendar days` or `5 business days`")
    }

    @Test("a misspelled duration unit gets a did-you-mean")
    func durationTypo() throws {
        let found = try diagnostics("duration-kind.yaml")
        let typo = try #require(found.first { $0.id == "type.bad-duration" })
        #expect(position(typo) == "19:56")
        #expect(typo.hint == "did you mean `3 business days`?")
        #expect(typo.facts.suggestion == "3 business days")
    }

    @Test("a clock over ten years is an error, not clamped")
    func durationTooLong() throws {
        let found = try diagnostics("duration-kind.yaml")
        let long = try #require(found.first { $0.id == "policy.duration-too-long" })
        #expect(position(long) == "20:14")
        #expect(long.message == "`11 years` is longer than ten years")
    }

    @Test("a misspelled unit in an expression gets a did-you-mean")
    func expressionDurationTypo() throws {
        let (_, found) = checkPolicy(
            policyText(
                """
                inputs:
                  service.date: {type: date}
                  referral.issued_on: {type: date}
                decisions:
                  referral:
                    outcomes: [valid, late]
                    rules:
                      - {id: late, when: service.date > referral.issued_on + 5 dyas, then: late}
                    default: valid
                """))
        let typo = try #require(found.first { $0.message.contains("`5 dyas` is not a duration") })
        #expect(typo.hint == "did you mean `5 calendar days`?")
    }

    @Test("a regulation's limit must say which days it counts")
    func regulationDurationKind() throws {
        let result = PolicyCatalog.load(files: [
            ClockFixtures.calendar, PolicyFile(path: "regulations/unit-less.yaml", text: try text("duration-kind-regulation.yaml")),
        ])
        let kind = try #require(result.diagnostics.first { $0.id == "regulation.duration-kind" })
        #expect(position(kind) == "12:13")
        #expect(kind.hint == "write `15 calendar days` or `15 business days`")
        let date = try #require(result.diagnostics.first { $0.id == "regulation.bad-date" })
        #expect(position(date) == "4:12")
        #expect(date.message == "`effective`: `0000-01-01` is outside the years 1 to 9999")
    }

    @Test("a lowercase pattern in a code set is flagged: no uppercase code can match it")
    func codeCase() throws {
        let found = try diagnostics("code-case.yaml")
        let lower = try #require(found.first { $0.id == "policy.code-case" })
        #expect(lower.severity == .warning)
        #expect(position(lower) == "12:22")
        #expect(lower.message == "`f33*` in set `depression` has lowercase letters, so no uppercase code can match it")
        #expect(lower.hint?.hasSuffix("write `F33*`") == true)
        #expect(found.filter { $0.id == "policy.code-case" }.count == 1)
    }

    @Test("a lowercase code written in an expression is flagged where it is compared with a code input, not with text")
    func codeCaseLiterals() throws {
        let found = try diagnostics("code-case-literals.yaml").filter { $0.id == "policy.code-case" }
        #expect(found.map(position) == ["16:41", "17:55"])
        #expect(found.first?.message == "code `f33.1` has lowercase letters, so no uppercase code can match it")
        #expect(found.last?.hint?.hasSuffix("write `G0155`") == true)
    }

    @Test("a rule contradicting itself across two inputs can never match")
    func twoInputContradiction() throws {
        let found = try findings("two-input-contradiction.yaml")
        let never = found.filter { $0.id == "analysis.never-matches" }
        #expect(never.count == 1)
        let rule = try #require(never.first)
        #expect(position(rule) == "18:9")
        #expect(rule.message == "rule `in-time` can never match: `service.date <= referral.valid_until` and `service.date > referral.valid_until` cannot both be true")
        #expect(!found.contains { $0.message.contains("rule `late`") })
    }

    @Test("the search for a certain gap survives extreme constants and still gives a finding")
    func gapWithExtremeConstants() throws {
        let policy = try compilePolicy(try text("gap-extreme-constants.yaml"))
        let gap = try #require(policy.compiled.findings.first { $0.id == "analysis.gap" })
        #expect(position(gap) == "15:3")
        let hint = try #require(gap.hint)
        #expect(gap.message == "gap: some cases reach no rule of decision `referral`, which has no default")
        let example = String(hint[try #require(hint.firstIndex(of: "{"))...])
        #expect(policy.evaluate(try decode(example, policy)).decisions[0].status == .noMatch)
    }

    @Test("a gap behind a comparison of two inputs is certain when its case re-evaluates to no match")
    func certainGap() throws {
        let policy = try compilePolicy(try text("certain-gap.yaml"))
        let gap = try #require(policy.compiled.findings.first { $0.id == "analysis.gap" })
        #expect(gap.message == "gap: some cases reach no rule of decision `referral`, which has no default")
        #expect(position(gap) == "13:3")
        let hint = try #require(gap.hint)
        #expect(!hint.contains("where"))
        let example = String(hint[try #require(hint.firstIndex(of: "{"))...])
        let decided = policy.evaluate(try decode(example, policy))
        #expect(decided.decisions[0].status == .noMatch)
    }

    @Test("a gap behind a comparison with a shifted input (`+ 1 year`) is certain: its case is tried a year apart")
    func shiftedGap() throws {
        let policy = try compilePolicy(try text("shifted-gap.yaml"))
        let gap = try #require(policy.compiled.findings.first { $0.id == "analysis.gap" })
        #expect(gap.message == "gap: some cases reach no rule of decision `authorization`, which has no default")
        #expect(position(gap) == "13:3")
        let hint = try #require(gap.hint)
        let example = String(hint[try #require(hint.firstIndex(of: "{"))...])
        #expect(policy.evaluate(try decode(example, policy)).decisions[0].status == .noMatch)
    }
}

@Suite("Diagnostics a policy author can act on")
struct ActionableDiagnosticsTests {
    @Test("an expression that does not parse hides no use: no unused warnings next to its error")
    func noUnusedAfterParseError() throws {
        let (_, found) = checkPolicy(
            policyText(
                """
                inputs:
                  service.date: {type: date}
                  referral.issued_on: {type: date}
                decisions:
                  referral:
                    outcomes: [valid, late]
                    rules:
                      - {id: late, when: "service.date > (referral.issued_on", then: late}
                    default: valid
                """))
        let syntax = try #require(found.first { $0.id == "expr.syntax" })
        #expect(position(syntax) == "16:61")
        #expect(found.map(\.id.code) == ["expr.syntax"], "\(found.map(\.message))")
        #expect(!found.contains { $0.id.code.hasPrefix("unused.") })
    }

    private func fixture(_ name: String) throws -> [Diagnostic] {
        checkPolicy(try String(contentsOfFile: Fixtures.path("traps/\(name)"), encoding: .utf8), file: name).1
    }

    @Test("`then:required` says a space is missing after the colon, and nothing else")
    func missingSpace() throws {
        let found = try fixture("missing-space.yaml")
        #expect(found.count == 1, "\(found.map(\.message))")
        let missing = try #require(found.first)
        #expect(missing.id == "policy.unknown-key")
        #expect(position(missing) == "15:65")
        #expect(missing.message == "`then:required` needs a space after the colon")
        #expect(missing.hint?.hasPrefix("write `then: required`") == true)
    }

    @Test("a decision cycle points at the expression that reads the other decision")
    func cyclePointsAtTheRead() throws {
        let found = try fixture("decision-cycle.yaml")
        let cycle = try #require(found.first { $0.id == "policy.decision-cycle" })
        #expect(cycle.message == "decisions read each other in a cycle: `authorization` reads `pathway` reads `authorization`")
        #expect(position(cycle) == "22:32")
        #expect(cycle.notes.map { $0.range.map { "\($0.start.line):\($0.start.column)" } } == ["14:3"])
    }

    @Test("type errors carry a fix: quote the number, write the date as a date")
    func typeFixes() throws {
        let found = try fixture("type-fixes.yaml").filter { $0.id == "type.mismatch" }
        #expect(found.map(position) == ["16:29", "17:27", "18:29"])
        #expect(found.map(\.hint) == [
            "quote the number: `\"90837\"`; codes and text are written in quotes",
            "write the date without quotes: `2026-05-20`",
            "compare with a date like `2026-05-20`, or with another date input",
        ])
    }

    @Test("a misspelled top-level key gives its did-you-mean and no knock-on errors")
    func misspelledTopLevelKey() throws {
        let found = try fixture("misspelled-inputs.yaml")
        #expect(found.map(\.id.code) == ["policy.unknown-key"], "\(found.map(\.message))")
        let unknown = try #require(found.first)
        #expect(position(unknown) == "9:1")
        #expect(unknown.hint?.hasPrefix("did you mean `inputs`?") == true)
    }
}

@Suite("Front-end traps: empty files, impossible dates, endless durations")
struct FrontEndTrapsTests {
    @Test("a policy file of only comments is `catalog.unknown-file`, not silently skipped")
    func onlyComments() throws {
        let result = PolicyCatalog.load(files: [PolicyFile(path: "only-comments.yaml", bytes: try Fixtures.bytes("traps/only-comments.yaml"))])
        let unknown = try #require(result.diagnostics.first { $0.id == "catalog.unknown-file" })
        #expect(position(unknown) == "1:1")
        #expect(unknown.message == "the file is empty or holds only comments, so it is not a Precert file")
        let empty = PolicyCatalog.load(files: [PolicyFile(path: "empty.yaml", text: "")])
        #expect(empty.diagnostics.map(\.id.code) == ["catalog.unknown-file"])
    }

    @Test("a YAML tag in a policy, even a core one, is refused at its place")
    func tagRefused() throws {
        let text = try String(contentsOfFile: Fixtures.path("traps/tagged.yaml"), encoding: .utf8)
        let (checked, found) = checkPolicy(text, file: "tagged.yaml")
        #expect(checked == nil)
        #expect(found.map(\.id.code) == ["yaml.tag"])
        #expect(position(found.first) == "4:8")
        #expect(found.first?.message == "tag `!!str` is not allowed in a policy")
    }

    @Test("year 0, a date that does not exist and a shift over ten years are located errors")
    func impossibleDates() throws {
        let text = try String(contentsOfFile: Fixtures.path("traps/year-zero.yaml"), encoding: .utf8)
        let (checked, found) = checkPolicy(text, file: "year-zero.yaml")
        #expect(checked == nil)
        let effective = try #require(found.first { $0.id == "policy.bad-date" })
        #expect(position(effective) == "5:12")
        #expect(effective.message == "`effective`: `0000-01-01` is outside the years 1 to 9999")
        let defaultValue = try #require(found.first { $0.id == "policy.bad-default" })
        #expect(position(defaultValue) == "10:39")
        #expect(defaultValue.message.contains("`2026-02-30` is not a real date: February 2026 has 28 days"))
        let syntax = found.filter { $0.id == "expr.syntax" }
        #expect(syntax.map(position) == ["15:42", "16:55"])
        #expect(syntax.map(\.message) == ["`0000-12-31` is outside the years 1 to 9999", "`11 years` is longer than ten years"])
    }
}
