import Foundation
import Testing

@testable import Precert

@Suite("Analysis of compiled policies")
struct AnalysisTests {
    static let policy = policyText(
        """
        inputs:
          provider.network: {enum: [payer, affiliate, out_of_network]}
          payment.method: {enum: [insurance, cash]}
          service.visits: {type: number}
          clinical_notes: {type: string}
        conditions:
          never: payment.method == cash and payment.method == insurance
          long_notes: len(clinical_notes) >= 50
        decisions:
          authorization:
            outcomes: [not_required, required]
            rules:
              - {id: cash, when: payment.method == cash, then: not_required}
              - {id: in-house, when: provider.network == payer, then: not_required}
              - {id: cash-in-house, when: payment.method == cash and provider.network == payer, then: required}
              - {id: impossible, when: never, then: required}
              - {id: outside, when: provider.network == out_of_network and payment.method == insurance, then: required}
          pathway:
            outcomes: [a, b]
            hit: unique
            rules:
              - {id: many-visits, when: service.visits >= 10, then: a}
              - {id: outside-network, when: provider.network == out_of_network, then: b}
            default: a
          notes:
            outcomes: [ok, short]
            rules:
              - {id: notes-ok, when: long_notes, then: ok}
        """)

    private func compiled() throws -> LoadedPolicy { try compilePolicy(Self.policy) }

    private func finding(_ id: String, _ policy: LoadedPolicy, containing text: String? = nil) -> Diagnostic? {
        policy.compiled.findings.first { $0.id.code == id && (text.map($0.message.contains) ?? true) }
    }

    /// The JSON case at the end of a finding's hint.
    private func exampleCase(_ diagnostic: Diagnostic?) throws -> String {
        let hint = try #require(diagnostic?.hint)
        let start = try #require(hint.firstIndex(of: "{"))
        return String(hint[start...])
    }

    @Test("a shadowed rule names the earlier rules that decide first")
    func shadowed() throws {
        let policy = try compiled()
        let shadowed = try #require(finding("analysis.shadowed-rule", policy))
        #expect(shadowed.message == "rule `cash-in-house` can never decide: every case it matches is decided first by rules `cash`, `in-house`")
        #expect(position(shadowed) == "23:9")
        #expect(shadowed.notes.map(\.range?.start.line) == [21, 22])
        #expect(shadowed.severity == .warning)
    }

    @Test("a rule whose condition is always false, and the condition itself")
    func alwaysFalse() throws {
        let policy = try compiled()
        let never = try #require(finding("analysis.never-matches", policy))
        #expect(never.message == "rule `impossible` can never match: its condition is always false")
        #expect(position(never) == "24:9")
        let condition = try #require(finding("analysis.constant-condition", policy))
        #expect(condition.message == "condition `never` is always false")
        #expect(position(condition) == "15:3")
    }

    @Test("a gap gives a counterexample case that really reaches no rule")
    func gap() throws {
        let policy = try compiled()
        let gap = try #require(finding("analysis.gap", policy, containing: "`authorization`"))
        #expect(gap.message == "gap: some cases reach no rule of decision `authorization`, which has no default")
        #expect(position(gap) == "18:3")
        let example = try exampleCase(gap)
        #expect(example == #"{"provider": {"network": "affiliate"}, "payment": {"method": "insurance"}}"#)
        let decided = policy.evaluate(try decode(example, policy))
        #expect(decided.decisions[0].status == .noMatch)
    }

    @Test("a gap behind an opaque test is only possible, and names the condition it needs")
    func possibleGap() throws {
        let policy = try compiled()
        let gap = try #require(finding("analysis.gap", policy, containing: "`notes`"))
        #expect(gap.message.hasPrefix("possible gap"))
        #expect(gap.hint?.contains("where `len(clinical_notes) >= 50` is false") == true)
    }

    @Test("an overlap under hit policy unique gives a case both rules match")
    func overlap() throws {
        let policy = try compiled()
        let overlap = try #require(finding("analysis.overlap", policy))
        #expect(overlap.message == "overlap: rules `many-visits` and `outside-network` of decision `pathway` match the same case, but its hit policy is `unique`")
        #expect(position(overlap) == "31:9")
        let example = try exampleCase(overlap)
        let decided = policy.evaluate(try decode(example, policy))
        let pathway = decided.decisions[1]
        #expect(pathway.rules.map(\.id) == ["many-visits", "outside-network"])
    }

    @Test("shipped-size policies keep their diagrams small: each input tested at most once per path")
    func readsEachInputOnce() throws {
        let policy = try compiled()
        let facts = try decode(#"{"provider": {"network": "out_of_network"}, "payment": {"method": "insurance"}, "service": {"visits": 3}, "clinical_notes": "short"}"#, policy).facts
        let result = policy.evaluator.evaluate(facts, explain: true)
        for decision in result.decisions {
            let tests = decision.trace.map(\.test)
            #expect(Set(tests).count == tests.count, "\(decision.name) tests \(tests)")
        }
    }
}
