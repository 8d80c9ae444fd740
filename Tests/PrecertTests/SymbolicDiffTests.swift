import Foundation
import Testing

@testable import Precert

/// `precert diff` from the diagrams: regions of cases whose answers change, each confirmed by a
/// case both versions evaluate.
@Suite("Symbolic diff")
struct SymbolicDiffTests {
    /// Every region with an example: the example, evaluated by both versions, gives the region's
    /// answers and rules, and (for an answer change) different answers.
    static func expectConfirmed(_ diff: SymbolicDiff, old: LoadedPolicy, new: LoadedPolicy, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        for region in diff.answers + diff.explanations {
            guard let example = region.example else { continue }
            let bytes = Array(example.utf8)
            let before = try #require(old.evaluate(try old.decoder.decode(bytes).get())[region.decision])
            let after = try #require(new.evaluate(try new.decoder.decode(bytes).get())[region.decision])
            #expect(before.rules.map(\.id) == region.oldRules.map(\.id), "\(example)", sourceLocation: sourceLocation)
            #expect(after.rules.map(\.id) == region.newRules.map(\.id), "\(example)", sourceLocation: sourceLocation)
            #expect((PolicyDiff.answer(before) != PolicyDiff.answer(after)) == region.changesAnswer, "\(example)", sourceLocation: sourceLocation)
        }
    }

    @Test("urgent 72 -> 48 hours: the turnaround of urgent requests changes, nothing else, each region with a confirmed case")
    func urgentClock() throws {
        let (old, new) = try PolicyDiffTests.versions { $0.replacingOccurrences(of: "        then: 72 hours", with: "        then: 48 hours") }
        let diff = SymbolicDiff(old: old, new: new)
        #expect(diff.changesAnswers)
        #expect(Set(diff.answers.map(\.decision)) == ["turnaround"])
        #expect(diff.answers.allSatisfy { $0.from == "72 hours" && $0.to == "48 hours" && $0.example != nil })
        #expect(diff.answers.allSatisfy { $0.conditions.contains("request.urgency == urgent") })
        #expect(diff.answers.allSatisfy { $0.oldRules.map(\.id) == ["turnaround-urgent"] && $0.oldRules.first?.location.hasSuffix(":243") == true })
        #expect(diff.explanations.isEmpty && diff.incomplete.isEmpty)
        try Self.expectConfirmed(diff, old: old, new: new)
    }

    @Test("a CPT code added to the covered set: a case holding that code goes from not covered to covered")
    func codeAdded() throws {
        let (old, new) = try PolicyDiffTests.versions {
            $0.replacingOccurrences(of: "covered_psychotherapy: [\"90791\"", with: "covered_psychotherapy: [\"90785\", \"90791\"")
        }
        let diff = SymbolicDiff(old: old, new: new)
        let coverage = diff.answers.filter { $0.decision == "coverage" }
        #expect(!coverage.isEmpty && coverage.allSatisfy { $0.from == "not_covered" && $0.to == "covered" })
        #expect(coverage.allSatisfy { $0.example?.contains("\"90785\"") == true })
        // Adding a code can only take cases out of `outside_covered_set`: no region the other way.
        #expect(!diff.answers.contains { $0.decision == "coverage" && $0.from == "covered" })
        #expect(coverage.first?.conditions.contains { $0.hasSuffix("(as the new version reads it)") } == true)
        #expect(Set(diff.answers.filter { $0.example != nil }.map(\.decision)).isSubset(of: ["coverage", "denial_risks", "next_steps", "cash_pay"]))
        try Self.expectConfirmed(diff, old: old, new: new)
    }

    @Test("a reworded because changes no answer: explanation regions only")
    func reworded() throws {
        let (old, new) = try PolicyDiffTests.versions {
            $0.replacingOccurrences(of: "because: Kaiser's urgent turnaround is 72 hours.", with: "because: Kaiser answers urgent requests within 72 hours.")
        }
        let diff = SymbolicDiff(old: old, new: new)
        #expect(!diff.changesAnswers)
        #expect(!diff.explanations.isEmpty && diff.explanations.allSatisfy { $0.decision == "turnaround" && $0.from == $0.to && $0.example != nil })
        try Self.expectConfirmed(diff, old: old, new: new)
    }

    @Test("a rule removed: the denial risk it gave disappears from the cases it matched")
    func ruleRemoved() throws {
        let (old, new) = try PolicyDiffTests.versions { text in
            let start = try! #require(text.range(of: "      - id: risk-service-available-in-network\n"))
            let end = try! #require(text.range(of: "      - id: risk-missing-pcp-referral\n"))
            return text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: "")
        }
        let diff = SymbolicDiff(old: old, new: new)
        let risks = diff.answers.filter { $0.decision == "denial_risks" && $0.example != nil }
        #expect(!risks.isEmpty)
        #expect(risks.allSatisfy { $0.from.contains("SERVICE_AVAILABLE_IN_NETWORK") && !$0.to.contains("SERVICE_AVAILABLE_IN_NETWORK") })
        #expect(risks.allSatisfy { $0.oldRules.contains { $0.id == "risk-service-available-in-network" } })
        try Self.expectConfirmed(diff, old: old, new: new)
    }

    @Test("two Kaiser coverage rules with the same outcome swapped: the cited rule changes where both match, no answer does")
    func kaiserSwapped() throws {
        let (old, new) = try PolicyDiffTests.versions { text in
            let booked = try! #require(text.range(of: "      - id: coverage-booked-around-authorization\n"))
            let cpt = try! #require(text.range(of: "      - id: coverage-non-covered-cpt\n"))
            let covered = try! #require(text.range(of: "      - id: coverage-covered\n"))
            let first = String(text[booked.lowerBound..<cpt.lowerBound]), second = String(text[cpt.lowerBound..<covered.lowerBound])
            return text.replacingCharacters(in: booked.lowerBound..<covered.lowerBound, with: second + first)
        }
        let diff = SymbolicDiff(old: old, new: new)
        #expect(!diff.changesAnswers)
        #expect(!diff.explanations.isEmpty)
        #expect(diff.explanations.allSatisfy {
            $0.decision == "coverage" && $0.from == "not_covered" && $0.to == "not_covered"
                && $0.oldRules.map(\.id) == ["coverage-booked-around-authorization"] && $0.newRules.map(\.id) == ["coverage-non-covered-cpt"]
        })
        #expect(diff.explanations.allSatisfy { $0.conditions.contains("booking.channel == scheduling_link") && $0.example != nil })
        try Self.expectConfirmed(diff, old: old, new: new)
    }

    @Test("two overlapping rules with the same outcome swapped: only the rule cited changes")
    func swapped() throws {
        let (old, new) = try Self.pair(
            rules: ["- {id: first, when: member.plan == medicare, then: required, because: a, sources: [s]}",
                    "- {id: second, when: provider.in_directory == false, then: required, because: b, sources: [s]}"],
            edit: { $0.reversed() })
        let diff = SymbolicDiff(old: old, new: new)
        #expect(!diff.changesAnswers)
        let cited = diff.explanations.map { "\($0.oldRules.map(\.id)) -> \($0.newRules.map(\.id))" }
        #expect(Set(cited) == ["[\"first\"] -> [\"second\"]", "[\"second\"] -> [\"first\"]"] || Set(cited) == ["[\"first\"] -> [\"second\"]"])
        #expect(diff.explanations.allSatisfy { $0.conditions.contains("member.plan == medicare") && $0.conditions.contains("provider.in_directory == false") })
        try Self.expectConfirmed(diff, old: old, new: new)
    }

    @Test("the same policy twice: nothing changes, and the walk prunes at the root")
    func identical() throws {
        let (old, new) = try PolicyDiffTests.versions { $0 + "\n" }
        let diff = SymbolicDiff(old: old, new: new)
        #expect(diff.answers.isEmpty && diff.explanations.isEmpty && diff.incomplete.isEmpty)
    }

    @Test("over random policy pairs, every example changes its answer and every random case that changes falls in a reported region",
          arguments: 0..<24)
    func randomPairs(seed: Int) throws {
        var random = SplitMix64(state: UInt64(seed) &* 0x9E37_79B9 &+ 1)
        let rules = (0..<(2 + random.next(4))).map { i in Self.randomRule(i, &random) }
        let mutation = random.next(5)
        let (old, new) = try Self.pair(rules: rules, codes: ["90791", "90832", "90837"], edit: { rules in
            var rules = rules
            switch mutation {
            case 0: rules.swapAt(0, rules.count - 1)
            case 1: rules.removeLast()
            case 2: rules[0] = rules[0].replacingOccurrences(of: "then: required", with: "then: not_required")
            case 3: rules[rules.count - 1] = Self.randomRule(rules.count - 1, &random)
            default: rules.insert(Self.randomRule(9, &random), at: 0)
            }
            return rules
        }, newCodes: mutation == 4 ? ["90791", "90834"] : nil)
        let diff = SymbolicDiff(old: old, new: new)
        try Self.expectConfirmed(diff, old: old, new: new)
        // Random complete cases (the symbolic diff compares cases with every input known).
        let plans = ["commercial", "medicare", "medicaid"], codes = ["90791", "90832", "90834", "90837", "99213"]
        for _ in 0..<200 {
            let cpt = (0..<(1 + random.next(2))).map { _ in "\"\(codes[random.next(codes.count)])\"" }.joined(separator: ", ")
            let json = """
                {"payer": "test", "member": {"plan": "\(plans[random.next(plans.count)])"}, "provider": {"in_directory": \(random.next(2) == 1)}, \
                "service": {"cpt": [\(cpt)], "visits_this_year": \(random.next(40))}}
                """
            let bytes = Array(json.utf8)
            let before = try #require(old.evaluate(try old.decoder.decode(bytes).get())["authorization"])
            let after = try #require(new.evaluate(try new.decoder.decode(bytes).get())["authorization"])
            let (from, to) = (PolicyDiff.answer(before), PolicyDiff.answer(after))
            let regions = from != to ? diff.answers : diff.explanations
            guard from != to || before.rules.map(\.id) != after.rules.map(\.id) else { continue }
            #expect(
                regions.contains {
                    $0.from == from && $0.to == to && $0.oldRules.map(\.id) == before.rules.map(\.id) && $0.newRules.map(\.id) == after.rules.map(\.id)
                }, "seed \(seed) mutation \(mutation): \(json) \(from) -> \(to) is in no region")
        }
    }

    /// A random rule over the test inputs.
    static func randomRule(_ index: Int, _ random: inout SplitMix64) -> String {
        let atoms = [
            "member.plan == medicare", "member.plan != commercial", "provider.in_directory == false",
            "service.visits_this_year > \(5 * random.next(6))", "any(service.cpt, it in codes)", "all(service.cpt, it in codes)",
            "service.visits_this_year <= \(10 * random.next(4))",
        ]
        let first = atoms[random.next(atoms.count)], second = atoms[random.next(atoms.count)]
        let when = switch random.next(3) {
        case 0: first
        case 1: "\(first) and \(second)"
        default: "\(first) or not (\(second))"
        }
        return "- {id: rule-\(index), when: \"\(when)\", then: \(random.next(2) == 0 ? "required" : "not_required"), because: reason \(index), sources: [s]}"
    }

    /// A test policy with `rules`, and the same with `edit` applied to its rules (and `newCodes`
    /// for its code set), each loaded alone.
    static func pair(
        rules: [String], codes: [String] = ["90791"], edit: ([String]) -> [String], newCodes: [String]? = nil
    ) throws -> (LoadedPolicy, LoadedPolicy) {
        func text(_ rules: [String], _ codes: [String]) -> String {
            """
            precert: 1
            policy: test/diff
            payer: test
            title: A policy for diffs
            effective: 2026-05-20
            sources: ["test fixture"]
            timezone: America/New_York
            calendar: us-federal
            inputs:
              member.plan: {enum: [commercial, medicare_advantage, medicaid, medicare, exchange]}
              provider.in_directory: {type: bool}
              service.cpt: {type: list<code>}
              service.visits_this_year: {type: number}
            sets:
              codes: [\(codes.map { "\"\($0)\"" }.joined(separator: ", "))]
            decisions:
              authorization:
                outcomes: [required, not_required]
                hit: first
                rules:
            \(rules.map { "      " + $0 }.joined(separator: "\n"))
                default: {then: not_required, because: otherwise, sources: [s]}

            """
        }
        func load(_ text: String) throws -> LoadedPolicy {
            let calendar = PolicyFile(
                path: "us-federal.yaml", bytes: Array(try Data(contentsOf: PolicyDiffTests.root.appendingPathComponent("calendars/us-federal.yaml"))))
            let loaded = PolicyCatalog.load(files: [PolicyFile(path: "diff.yaml", text: text), calendar])
            return try #require(loaded.catalog.policies.first, "\(loaded.diagnostics.map(\.description))\n\(text)")
        }
        return (try load(text(rules, codes)), try load(text(edit(rules), newCodes ?? codes)))
    }
}
