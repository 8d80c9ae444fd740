import Foundation
import Testing

@testable import Precert
import PrecertWorkloads

/// Generates random policies over a fixed set of inputs, and random cases for them.
struct RandomPolicies {
    var rng: SeededGenerator

    static let header = """
        precert: 1
        policy: random/p
        payer: random
        title: Random
        effective: 2026-01-01
        sources: ["generated"]
        timezone: UTC
        calendar: us-federal
        inputs:
          e1: {enum: [a, b, c]}
          e2: {enum: [p, q], default: p}
          b1: {type: bool}
          n1: {type: number}
          t1: {type: date}
          t2: {type: date}
          notes: {type: string}
          codes: {type: list<code>}
        sets:
          s1: ["A1", "B*"]
        """

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func atom(reads: [String]) -> String {
        var atoms = [
            "e1 == a", "e1 != b", "e1 in [a, c]", "e2 == q", "b1", "not b1", "b1 == false", "n1 < 5", "n1 >= 10",
            "n1 == 7", "n1 in [1, 2]", "t1 < 2026-03-01", "t1 <= t2", "t1 + 1 year >= 2027-01-01", "len(notes) < 5",
            "has(n1)", "any(codes, it in s1)", "\"A1\" in codes", "t2 > 2026-06-30",
        ]
        if reads.contains("d0") { atoms += ["d0 == x", "d0 in [y, z]", "d0 != z"] }
        if reads.contains("d1") { atoms += ["r2 in d1", "r4 not in d1", "len(d1) > 1"] }
        return pick(atoms)
    }

    mutating func condition(depth: Int, reads: [String]) -> String {
        if depth == 0 || chance(0.4) { return atom(reads: reads) }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return "(\(condition(depth: depth - 1, reads: reads)) and \(condition(depth: depth - 1, reads: reads)))"
        case 1: return "(\(condition(depth: depth - 1, reads: reads)) or \(condition(depth: depth - 1, reads: reads)))"
        default: return "not (\(condition(depth: depth - 1, reads: reads)))"
        }
    }

    mutating func rules(_ prefix: String, outcomes: [String], reads: [String]) -> String {
        (0..<Int.random(in: 1...5, using: &rng)).map { i in
            "      - {id: \(prefix)-\(i), when: '\(condition(depth: 3, reads: reads))', then: \(pick(outcomes))}"
        }.joined(separator: "\n")
    }

    mutating func policy() -> String {
        var text = Self.header + "\ndecisions:\n"
        text += "  d0:\n    outcomes: [x, y, z]\n    hit: first\n    rules:\n" + rules("a", outcomes: ["x", "y", "z"], reads: [])
        if chance(0.7) { text += "\n    default: \(pick(["x", "y", "z"]))" }
        text += "\n  d1:\n    outcomes: [r1, r2, r3, r4]\n    hit: all\n    rules:\n" + rules("b", outcomes: ["r1", "r2", "r3", "r4"], reads: [])
        text += "\n  d2:\n    outcomes: [u, v]\n    hit: unique\n    rules:\n" + rules("c", outcomes: ["u", "v"], reads: ["d0"])
        if chance(0.5) { text += "\n    default: u" }
        text += "\n  d3:\n    outcomes: [m, n]\n    hit: first\n"
        if chance(0.5) { text += "    applies_when: '\(condition(depth: 1, reads: ["d0"]))'\n" }
        text += "    rules:\n" + rules("d", outcomes: ["m", "n"], reads: ["d0", "d1"]) + "\n    default: m\n"
        return text
    }

    /// A case; each field is left out with probability `absent`.
    mutating func caseJSON(absent: Double) -> String {
        var fields: [String] = []
        func add(_ key: String, _ value: String, _ generator: inout RandomPolicies) {
            if !generator.chance(absent) { fields.append("\"\(key)\": \(value)") }
        }
        add("e1", "\"\(pick(["a", "b", "c"]))\"", &self)
        add("e2", "\"\(pick(["p", "q"]))\"", &self)
        add("b1", pick(["true", "false"]), &self)
        add("n1", pick(["0", "1", "2", "4.5", "5", "7", "9", "10", "12"]), &self)
        let dates = ["2025-12-31", "2026-02-28", "2026-03-01", "2026-03-02", "2026-06-30", "2026-07-01", "2027-01-01"]
        add("t1", "\"\(pick(dates))\"", &self)
        add("t2", "\"\(pick(dates))\"", &self)
        add("notes", "\"\(String(repeating: "n", count: Int.random(in: 0...8, using: &rng)))\"", &self)
        add("codes", "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in "\"\(pick(["A1", "A2", "B7", "C1"]))\"" }.joined(separator: ",") + "]", &self)
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

/// Compiles policy text through the real pipeline.
func compilePolicy(_ text: String, options: CompileOptions = CompileOptions()) throws -> LoadedPolicy {
    let (checked, diagnostics) = checkPolicy(text)
    guard let checked else {
        throw CaseErrors(diagnostics.filter { $0.severity == .error })
    }
    let calendar = try HolidayCalendar(name: "us-federal", title: "none", holidays: [])
    return LoadedPolicy(checked: checked, calendar: calendar, source: SourceText(file: "p.yaml", text: text), digest: "", options: options)
}

func decode(_ json: String, _ policy: LoadedPolicy) throws -> DecodedCase {
    try policy.decoder.decode(Array(json.utf8)).get()
}

@Suite("Decision diagrams against rule-by-rule evaluation")
struct DiagramPropertyTests {
    @Test("for thousands of random policies and cases, the diagrams answer as the rules do")
    func diagramsMatchRules() throws {
        var generator = RandomPolicies(rng: SeededGenerator(seed: 20261123))
        var compared = 0
        var partialCompared = 0
        for _ in 0..<1000 {
            let text = generator.policy()
            let policy = try compilePolicy(text)
            let reference = Evaluator(compiled: policy.compiled, calendar: policy.calendar, ruleByRule: true)
            for _ in 0..<8 {
                let facts = try decode(generator.caseJSON(absent: 0), policy).facts
                let fast = policy.evaluator.evaluate(facts).decisions
                let slow = reference.evaluate(facts).decisions
                #expect(fast == slow, "policy:\n\(text)\nfacts: \(facts)")
                if fast != slow { return }
                compared += 1
            }
            for _ in 0..<4 {
                // With unknown inputs the diagram is at least as decided as three-valued rules.
                let facts = try decode(generator.caseJSON(absent: 0.3), policy).facts
                let fast = policy.evaluator.evaluate(facts).decisions
                let slow = reference.evaluate(facts).decisions
                for (f, s) in zip(fast, slow) where s.status != .needsInformation {
                    #expect(f.status == s.status && f.outcomes == s.outcomes, "policy:\n\(text)\nfacts: \(facts)\n\(f)\n\(s)")
                }
                partialCompared += 1
            }
        }
        #expect(compared == 8_000)
        #expect(partialCompared == 4_000)
    }

    @Test("a decision past its node budget falls back, says so, and answers the same")
    func fallbackAnswersTheSame() throws {
        var generator = RandomPolicies(rng: SeededGenerator(seed: 7))
        for _ in 0..<200 {
            let text = generator.policy()
            let diagrams = try compilePolicy(text)
            let fallback = try compilePolicy(text, options: CompileOptions(nodesPerRule: 0, minimumNodeBudget: 0))
            #expect(fallback.compiled.roots.allSatisfy { $0 == nil })
            #expect(fallback.compiled.findings.filter { $0.id == "analysis.fallback" }.count == 4)
            for _ in 0..<10 {
                let facts = try decode(generator.caseJSON(absent: 0), diagrams).facts
                #expect(diagrams.evaluator.evaluate(facts).decisions == fallback.evaluator.evaluate(facts).decisions)
            }
        }
    }

    @Test("every atom in specialized form answers as the general evaluator, with inputs known or not")
    func fastAtomsMatchGeneral() throws {
        var generator = RandomPolicies(rng: SeededGenerator(seed: 4242))
        var compared = 0
        var unknown = 0
        for _ in 0..<300 {
            let text = generator.policy()
            let policy = try compilePolicy(text)
            for index in 0..<6 {
                let facts = try decode(generator.caseJSON(absent: index % 2 == 0 ? 0 : 0.4), policy).facts
                for (atom, fast, general) in policy.evaluator.atomTruths(facts) {
                    #expect(fast == general, "`\(atom)`: specialized \(String(describing: fast)), general \(String(describing: general))\npolicy:\n\(text)\nfacts: \(facts)")
                    if fast != general { return }
                    compared += 1
                    if general == nil { unknown += 1 }
                }
            }
        }
        #expect(compared > 5_000)
        #expect(unknown > 500)
    }

    @Test("the decision JSON written from a walk equals the encoder's, with unknown inputs, on diagrams and rule by rule")
    func writtenBytesEqualEncoder() throws {
        var generator = RandomPolicies(rng: SeededGenerator(seed: 77))
        let options = EvaluationOptions(policyID: "random/p", today: CivilDate(year: 2026, month: 1, day: 2))
        var open = 0
        for round in 0..<200 {
            let text = generator.policy()
            let rulesOnly = round % 4 == 3
            let policy = try compilePolicy(text, options: rulesOnly ? CompileOptions(nodesPerRule: 0, minimumNodeBudget: 0) : CompileOptions())
            let catalog = PolicyCatalog(policies: [policy], calendars: [:])
            var session = CaseSession(catalog: catalog)
            for index in 0..<10 {
                let line = Array(generator.caseJSON(absent: [0, 0.2, 0.5, 0.9][index % 4]).utf8)
                var written = Array("earlier\n".utf8)
                #expect(session.write(line, options: options, to: &written) == nil)
                let decision = try catalog.evaluate(line, options: options).get()
                let expected = Array("earlier\n".utf8) + DecisionEncoder.encode(decision)
                #expect(written == expected, "policy:\n\(text)\ncase: \(String(decoding: line, as: UTF8.self))\n\(String(decoding: written, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))")
                if written != expected { return }
                #expect(try catalog.decisionJSON(line, options: options).get() == Array(written.dropFirst(8)))
                open += decision.decisions.filter { $0.status == .needsInformation }.count
            }
        }
        #expect(open > 500)
    }
}
