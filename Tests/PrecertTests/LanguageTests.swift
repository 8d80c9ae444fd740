import Foundation
import Testing

@testable import Precert

/// Loads policy text through the real pipeline (YAML, decoder, checker) and returns diagnostics.
func checkPolicy(_ text: String, file: String = "p.yaml", calendars: Set<String>? = ["us-federal"]) -> (CheckedPolicy?, [Diagnostic]) {
    PolicyPipeline.check(yaml: text, file: file, calendars: calendars)
}

/// A minimal valid policy with `body` appended (inputs, sets, conditions, decisions).
func policyText(_ body: String) -> String {
    """
    precert: 1
    policy: test/policy
    payer: test
    title: Test
    effective: 2026-01-01
    sources: ["test"]
    timezone: America/Los_Angeles
    calendar: us-federal
    \(body)
    """
}

@Suite("Expression parser")
struct ExpressionParserTests {
    private func parse(_ text: String) -> Result<Expr, Diagnostic> {
        ExpressionParser.parse(text) { SourceLocation(file: "e", line: 1, column: $0 + 1) }
    }

    @Test("precedence: not binds tighter than and, and tighter than or")
    func precedence() throws {
        let expr = try parse("not a or b and c == d").get()
        guard case .binary(.or, let left, let right) = expr.syntax else { Issue.record("expected or"); return }
        #expect(left.syntax == .not(Expr(.name("a"), at: left.range)))
        guard case .binary(.and, _, let compare) = right.syntax else { Issue.record("expected and"); return }
        guard case .binary(.equal, _, _) = compare.syntax else { Issue.record("expected =="); return }
    }

    @Test("literals: dates, durations, numbers, strings, lists, not in")
    func literals() throws {
        let expr = try parse("x + 1 year <= 2026-05-20 and \"a\" not in [b, 'c', 3.5, 72 hours, 3 business days]").get()
        guard case .binary(.and, let compare, let membership) = expr.syntax,
            case .binary(.lessOrEqual, let sum, let date) = compare.syntax,
            case .binary(.plus, _, let year) = sum.syntax,
            case .binary(.notIn, let text, let list) = membership.syntax,
            case .list(let items) = list.syntax
        else { Issue.record("unexpected shape \(expr.syntax)"); return }
        #expect(year.syntax == .literal(.duration(ClockDuration(amount: 1, unit: .years))))
        #expect(date.syntax == .literal(.date(CivilDate(year: 2026, month: 5, day: 20)!)))
        #expect(text.syntax == .literal(.string("a")))
        #expect(items.count == 5)
        #expect(items[3].syntax == .literal(.duration(ClockDuration(amount: 72, unit: .hours))))
        #expect(items[4].syntax == .literal(.duration(ClockDuration(amount: 3, unit: .businessDays))))
    }

    @Test("source locations take no part in equality")
    func locationsIgnored() throws {
        let a = try parse("a == b").get()
        let b = try parse("  a ==   b").get()
        #expect(a == b)
        #expect(a.range.start.column != b.range.start.column)
    }

    static let errors: [(text: String, column: Int, message: String)] = [
        ("a = b", 3, "`=` is not an operator"),
        ("a == ", 6, "the expression ends where a value is expected"),
        ("(a == b", 8, "expected `)` to close the `(`"),
        ("a == \"open", 6, "unclosed string: add the closing `\"`"),
        ("a && b", 3, "`&` is not an operator"),
        ("a == b c", 8, "unexpected `c` after a complete expression"),
        ("a < b < c", 7, "comparisons cannot be chained"),
        ("[a, b", 6, "expected `,` or `]` in a list"),
        ("2026-02-30 == d", 1, "`2026-02-30` is not a real date: February 2026 has 28 days"),
        ("x # y", 3, "unexpected character `#`"),
        ("3 weeks == x", 1, "`3 weeks` is not a duration"),
    ]

    @Test("syntax errors point at their column", arguments: errors)
    func syntaxErrors(_ expected: (text: String, column: Int, message: String)) {
        guard case .failure(let diagnostic) = parse(expected.text) else {
            Issue.record("`\(expected.text)` parsed")
            return
        }
        #expect(diagnostic.message == expected.message)
        #expect(diagnostic.location?.column == expected.column)
    }

    @Test("nesting and length limits")
    func limits() {
        let deep = String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100)
        guard case .failure(let tooDeep) = parse(deep) else { Issue.record("parsed"); return }
        #expect(tooDeep.id == "limit.expression-depth")
        let long = Array(repeating: "a", count: 3000).joined(separator: " or ")
        guard case .failure(let tooLong) = parse(long) else { Issue.record("parsed"); return }
        #expect(tooLong.id == "limit.expression-length")
        #expect(tooLong.message == "expression is \(long.count) characters, over the limit of 4096")
    }
}

@Suite("Policy decoding and checking")
struct CheckerTests {
    @Test("a policy with ten different mistakes gets ten diagnostics from one run, each at its place")
    func tenMistakes() throws {
        let text = try String(contentsOfFile: Fixtures.path("policies/ten-mistakes.yaml"), encoding: .utf8)
        let (_, diagnostics) = checkPolicy(text, file: "ten-mistakes.yaml")
        let errors = diagnostics.filter { $0.severity == .error }.sortedByLocation()
        let found = errors.map { "\(position($0)) \($0.id)" }
        #expect(
            found == [
                "5:12 policy.bad-date", "7:11 policy.unknown-timezone", "13:22 policy.unknown-type",
                "14:54 policy.bad-default", "20:5 policy.unknown-key", "23:52 name.unknown", "24:27 type.mismatch",
                "25:56 type.unknown-outcome", "26:27 type.mismatch", "27:54 expr.syntax",
            ])
        #expect(errors.count == 10)
        #expect(errors[5].message == "unknown name `out_of_netwrk`")
        #expect(errors[5].hint == "did you mean `out_of_network`?")
        #expect(errors[4].hint?.contains("did you mean `hit`?") == true)
        #expect(errors[4].hint?.contains("allowed keys: `description`, `label`, `outcomes`") == true)
    }

    /// A small decision around one rule condition, to check expressions in context.
    private func rule(_ when: String, inputs: String = "") -> String {
        policyText(
            """
            inputs:
              provider.network: {enum: [payer, out_of_network]}
              service.date: {type: date}
              service.cpt: {type: list<code>}
              service.visits: {type: number}
              clinical_notes: {type: string}
              request.received_at: {type: datetime}
              documents: {type: set<string>}
            \(inputs)
            sets:
              covered: ["90837", "F32*"]
            decisions:
              authorization:
                outcomes: [not_required, required]
                rules:
                  - {id: r1, when: '\(when)', then: required}
                default: not_required
            """)
    }

    static let typeErrors: [(when: String, id: String, message: String)] = [
        ("service.date < 5", "type.mismatch", "cannot compare a date with a number"),
        ("provider.network < payer", "type.not-ordered", "`<` does not apply to an enum(payer, out_of_network)"),
        ("service.visits", "type.not-boolean", "`when` must be true or false, but this is a number"),
        ("service.cpt in covered", "type.mismatch", "set `covered` holds codes, but this is a list<code>"),
        ("covered", "type.misplaced-set", "set `covered` can only follow `in` or `not in`"),
        ("lenn(clinical_notes) < 50", "name.unknown-function", "unknown function `lenn`"),
        ("any(service.visits, it > 1)", "type.not-collection", "`any` needs a list or set first, not a number"),
        ("service.date + 3 business days < 2026-01-01", "type.arithmetic", "cannot add `3 business days` to a date"),
        ("request.received_at == service.date", "type.mismatch", "cannot compare a datetime with a date"),
        ("servce.date < 2026-01-01", "name.unknown", "unknown name `servce.date`"),
        ("5 in service.visits", "type.not-collection", "`in` needs a list, a set or a value set on its right, not a number"),
        ("has(\"x\")", "type.has", "`has` takes the name of a declared input"),
    ]

    @Test("type errors", arguments: typeErrors)
    func typeError(_ expected: (when: String, id: String, message: String)) {
        let (checked, diagnostics) = checkPolicy(rule(expected.when))
        #expect(checked == nil)
        let error = diagnostics.first { $0.severity == .error }
        #expect(error?.id.code == expected.id)
        #expect(error?.message == expected.message)
        // Columns point inside the quoted `when:` scalar on line 24, which starts at column 25.
        #expect(error?.location?.line == 24)
        #expect((error?.location?.column ?? 0) >= 25)
    }

    @Test("a misspelled name carries the name it probably meant as data, not only in the hint")
    func suggestionFacts() {
        for (when, id, meant) in [
            ("servce.date < 2026-01-01", "name.unknown", "service.date"),
            ("lenn(clinical_notes) < 50", "name.unknown-function", "len"),
            ("provider.network == out_of_netwrk", "name.unknown", "out_of_network"),
        ] {
            let error = checkPolicy(rule(when)).1.first { $0.severity == .error }
            #expect(error?.id.code == id, "\(when)")
            #expect(error?.facts.suggestion == meant, "\(when)")
            #expect(error?.hint?.contains("`\(meant)`") == true, "\(when)")
        }
    }

    @Test("well-typed expressions check clean")
    func wellTyped() {
        for when in [
            "provider.network == payer and payer == provider.network",
            "any(service.cpt, it in covered) or all(service.cpt, it not in covered)",
            "len(clinical_notes) >= 50 and \"pcp_referral\" in documents",
            "service.date <= 2026-01-01 + 1 year and request.received_at + 72 hours > request.received_at",
            "not has(service.visits) or service.visits in [1, 2, 3]",
        ] {
            let (checked, diagnostics) = checkPolicy(rule(when))
            #expect(checked != nil, "\(when): \(diagnostics)")
            #expect(!diagnostics.containsErrors)
        }
    }

    @Test("decision cycles are errors that name the cycle")
    func cycle() {
        let (checked, diagnostics) = checkPolicy(
            policyText(
                """
                decisions:
                  a:
                    outcomes: [x, y]
                    rules: [{id: r1, when: b == x, then: x}]
                    default: y
                  b:
                    outcomes: [x, y]
                    rules: [{id: r2, when: a == x, then: x}]
                    default: y
                """))
        #expect(checked == nil)
        let error = diagnostics.first { $0.id == "policy.decision-cycle" }
        #expect(error?.message == "decisions read each other in a cycle: `a` reads `b` reads `a`")
        #expect(position(error) == "16:28")
    }

    @Test("decisions are ordered after the decisions they read")
    func ordering() throws {
        let (checked, _) = checkPolicy(
            policyText(
                """
                conditions:
                  late: second == x
                decisions:
                  first:
                    outcomes: [x, y]
                    rules: [{id: r1, when: late, then: x}]
                    default: y
                  second:
                    outcomes: [x, y]
                    rules: []
                    default: x
                """))
        let policy = try #require(checked)
        #expect(policy.evaluationOrder == [1, 0])
    }

    @Test("unknown and missing keys, calendar and unused names")
    func keysAndWarnings() {
        let (_, diagnostics) = checkPolicy(
            """
            precert: 1
            policy: test/p
            title: T
            effective: 2026-01-01
            sources: [x]
            timezone: UTC
            calendar: us-federl
            inputs:
              a.b: {type: bool}
            sets:
              s: [x]
            conditions:
              c: a.b
            decisions:
              d:
                outcomes: [x]
                rules: [{id: r, then: x, whenn: a.b}]
            """)
        let byID = Dictionary(grouping: diagnostics, by: \.id.code)
        #expect(byID["policy.missing-key"]?.first?.message == "the policy is missing the required key `payer`")
        #expect(position(byID["policy.missing-key"]?.first) == "1:1")
        #expect(byID["policy.unknown-key"]?.first?.message == "unknown key `whenn` in a rule of `d`")
        #expect(byID["policy.unknown-calendar"]?.first?.hint == "did you mean `us-federal`?")
        #expect(byID["unused.set"]?.first?.message == "set `s` is never used")
        #expect(byID["unused.condition"]?.first?.message == "condition `c` is never used")
        #expect(byID["unused.set"]?.first?.severity == .warning)
    }

    @Test("`yes` is not a boolean default: use true or false")
    func yesIsNotBoolean() {
        let (_, diagnostics) = checkPolicy(
            policyText(
                """
                inputs:
                  flag: {type: bool, default: yes}
                decisions:
                  d:
                    outcomes: [x]
                    rules: [{id: r, when: flag, then: x}]
                """))
        let error = diagnostics.first { $0.id == "policy.bad-default" }
        #expect(error?.message == "`yes` is not a boolean")
        #expect(error?.hint == "use true or false")
        #expect(position(error) == "10:31")
    }

    @Test("an expression in a block scalar reports the right line")
    func blockScalar() {
        let (_, diagnostics) = checkPolicy(
            policyText(
                """
                inputs:
                  flag: {type: bool}
                decisions:
                  d:
                    outcomes: [x]
                    rules:
                      - id: r
                        when: |
                          flag and
                            flag == nope
                        then: x
                """))
        let error = diagnostics.first { $0.id == "name.unknown" }
        #expect(error?.location?.line == 18)
        #expect(error?.location?.column == 21)
    }

    @Test("templates name declared inputs")
    func templates() {
        let (_, diagnostics) = checkPolicy(
            policyText(
                """
                inputs:
                  provider.npi: {type: string}
                decisions:
                  d:
                    outcomes: [x]
                    rules: [{id: r, when: has(provider.npi), then: x, next_step: "Give NPI {provider.np}"}]
                """))
        let error = diagnostics.first { $0.id == "name.unknown-placeholder" }
        #expect(error?.message == "placeholder `{provider.np}` names no declared input or decision")
        #expect(error?.hint?.hasPrefix("did you mean `provider.npi`?") == true)
    }
}

@Suite("Rule-count limit")
struct RuleCountLimitTests {
    private let text = policyText(
        """
        inputs:
          flag: {type: bool}
        decisions:
          d:
            outcomes: [x, y]
            rules:
              - {id: r1, when: flag, then: x}
              - {id: r2, when: not flag, then: y}
            default: x
        """)

    @Test("a policy over the rule limit is rejected with the limit's value, and a raised limit lets it through")
    func ruleLimit() throws {
        let root = try #require(YAMLLoader.load(text, file: "p.yaml").root)
        let (strict, problems) = PolicyDecoder.decode(root, source: SourceText(file: "p.yaml", text: text), maxRules: 2)
        #expect(strict == nil)
        #expect(problems.first?.id == "limit.rule-count")
        #expect(problems.first?.message == "the policy has 3 rules, over the limit of 2")
        #expect(position(problems.first) == "11:1")
        let (relaxed, none) = PolicyDecoder.decode(root, source: SourceText(file: "p.yaml", text: text), maxRules: 3)
        #expect(relaxed != nil)
        #expect(none.isEmpty)
    }
}

@Suite("Condition depth limit")
struct ConditionDepthTests {
    private func chain(_ length: Int, reversed: Bool) -> String {
        var lines = (1..<length).map { "  c\($0): c\($0 - 1)" }
        if reversed { lines.reverse() }
        return policyText(
            """
            inputs:
              e: {enum: [a, b]}
            conditions:
              c0: e == a
            \(lines.joined(separator: "\n"))
            decisions:
              d:
                outcomes: [x, y]
                rules: [{id: r, when: c\(length - 1), then: x}]
                default: y
            """)
    }

    @Test("conditions may build on each other up to the limit, in any order")
    func withinLimit() {
        for reversed in [false, true] {
            let (checked, diagnostics) = checkPolicy(chain(PolicyChecker.maxConditionDepth, reversed: reversed))
            #expect(checked != nil, "\(diagnostics)")
        }
    }

    @Test("a longer chain is one error naming the limit, without deep recursion, in any order")
    func overLimit() {
        for reversed in [false, true] {
            let (checked, diagnostics) = checkPolicy(chain(5_000, reversed: reversed))
            #expect(checked == nil)
            let errors = diagnostics.filter { $0.severity == .error }
            #expect(errors.map(\.id.code) == ["limit.condition-depth"])
            #expect(errors.first?.message == "conditions build on each other more than 32 levels deep")
        }
    }
}
