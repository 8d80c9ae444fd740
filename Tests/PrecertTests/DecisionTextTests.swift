import Foundation
import Testing

@testable import Precert

/// The text answer `precert eval` prints: summary first, within the width, rule detail behind `why`.
@Suite("Decision text")
struct DecisionTextTests {
    /// Every example case file and its decision against the shipped policies.
    static let examples: [(name: String, decision: CaseDecision)] = {
        let folder = Walkthrough.root.appendingPathComponent("Examples")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)),
                case .success(let decision) = Walkthrough.loaded.catalog.evaluate(Array(data), options: EvaluationOptions(explain: true))
            else { return nil }
            return ("Examples/\(name)", decision)
        }
    }()

    @Test("every example's answer fits in 25 lines of 100 columns, starts with the summary and cites no file:line")
    func examplesFit() throws {
        #expect(Self.examples.count >= 10)
        for (name, decision) in Self.examples {
            let text = DecisionText.render(decision, options: .init(width: 100))
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count <= 25, "\(name): \(lines.count) lines")
            for line in lines { #expect(line.count <= 100, "\(name): \(line.count) columns: \(line)") }
            #expect(lines.first.map(String.init) == decision.title, "\(name) starts with `\(lines.first ?? "")`")
            #expect(text.range(of: #"\.yaml:\d+"#, options: .regularExpression) == nil, "\(name) cites a file:line")
            #expect(!text.contains("Uncertain"), "\(name) shows a reviewer note outside --why")
            #expect(!text.contains("\u{1B}"), "\(name) has color escapes without color")
        }
    }

    @Test("--why holds every rule, its because and its file:line")
    func whyHoldsTheDetail() {
        for (name, decision) in Self.examples {
            let text = DecisionText.render(decision, options: .init(why: true, width: 100))
            // `because` texts are wrapped: compare word runs.
            let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for result in decision.decisions {
                for rule in result.rules {
                    #expect(flat.contains("rule `\(rule.id)` at \(rule.location.fileAndLine)"), "\(name): rule \(rule.id)")
                    if let because = rule.because {
                        #expect(flat.contains(because.split(whereSeparator: \.isWhitespace).joined(separator: " ")), "\(name): because of \(rule.id)")
                    }
                }
            }
        }
    }

    @Test("the summary shows the policy's labels, the due date in local words and the actions in order")
    func summaryOfDirectBooking() throws {
        let decision = try #require(Self.examples.first { $0.name.hasSuffix("direct-booking-without-authorization.json") }?.decision)
        let text = DecisionText.render(decision, options: .init(width: 100))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("  Authorization           Needed"))
        #expect(lines.contains("  Coverage                Not covered"))
        #expect(lines.contains("  Kaiser decides by       Wed, Jul 8, 2026, end of day, Pacific time (3 business days)"))
        #expect(lines.contains("  Still needed            Clinical notes"))
        // The missing item is written into the step, and the denial risk with the same fix is not repeated.
        let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flat.contains("3. Before the request is sent: Attach clinical notes from the referring Kaiser provider (document `clinical_notes`), at least 50 characters."))
        #expect(!flat.contains("To lower the risk of a denial"))
        #expect(!flat.contains("listed under missing requirements"))
        #expect(decision.nextSteps.count == 4)
        let whatToDo = try #require(lines.firstIndex(of: "What to do"))
        let sources = try #require(lines.firstIndex { $0.hasPrefix("Sources  ") })
        #expect(whatToDo < sources)
        #expect(lines[sources].contains(#"Grow Therapy help center, "Accept Kaiser NorCal referrals""#))
    }

    @Test("a due time of day, and zones by the words people use")
    func plainDue() throws {
        let afternoon = try #require(Timestamp(rfc3339: "2026-11-02T15:30:00-08:00"))
        #expect(DecisionText.plainDue(afternoon, zone: "America/Los_Angeles") == "Mon, Nov 2, 2026, 3:30 PM, Pacific time")
        let midnight = try #require(Timestamp(rfc3339: "2026-03-09T00:05:00-04:00"))
        #expect(DecisionText.plainDue(midnight, zone: "America/New_York") == "Mon, Mar 9, 2026, 12:05 AM, Eastern time")
        let endOfDay = try #require(Timestamp(rfc3339: "2026-07-10T23:59:59+02:00"))
        #expect(DecisionText.plainDue(endOfDay, zone: "Europe/Berlin") == "Fri, Jul 10, 2026, end of day, Europe/Berlin time")
    }

    @Test("lines wrap to the width asked for, and color only when asked for")
    func widthAndColor() throws {
        let decision = try #require(Self.examples.first { $0.name.hasSuffix("out-of-network-without-documentation.json") }?.decision)
        for width in [40, 60, 80, 132] {
            let text = DecisionText.render(decision, options: .init(why: true, width: width))
            // A word longer than a line (a file path, a rule id) stands alone.
            for line in text.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).contains(" ") && !line.contains(".yaml") {
                #expect(line.count <= width, "\(width): \(line)")
            }
        }
        let colored = DecisionText.render(decision, options: .init(color: true))
        #expect(colored.contains("\u{1B}[1mWhat to do\u{1B}[0m"))
        let stripped = colored.replacingOccurrences(of: #"\x{1B}\[[0-9]+m"#, with: "", options: .regularExpression)
        #expect(stripped == DecisionText.render(decision, options: .init()))
    }

    @Test("a policy that labels no decision shows them all by name; a decision that does not apply is left out")
    func unlabelled() throws {
        let loaded = PolicyCatalog.load(files: [PolicyFile(path: "steps.yaml", text: Self.stepsPolicy(labels: false))] + Self.calendar)
        let catalog = try #require(loaded.hasErrors ? nil : loaded.catalog, "\(loaded.diagnostics.map(\.description))")
        let decision = try #require(try? catalog.evaluate(Array(#"{"payer": "p", "docs": ["a"]}"#.utf8)).get())
        let text = DecisionText.render(decision)
        #expect(text.contains("  missing  Document B, Document C\n"))
        #expect(text.contains("  risks    R1, R2\n"))
        #expect(text.contains("  steps    complete, guard\n"))
        #expect(!text.contains("gone"))
    }

    @Test("a `{decision}` placeholder writes that decision's messages, each once across the steps")
    func decisionPlaceholders() throws {
        let loaded = PolicyCatalog.load(files: [PolicyFile(path: "steps.yaml", text: Self.stepsPolicy(labels: true))] + Self.calendar)
        let catalog = try #require(loaded.hasErrors ? nil : loaded.catalog, "\(loaded.diagnostics.map(\.description))")
        func steps(_ docs: [String]) throws -> [String] {
            let json = #"{"payer": "p", "docs": [\#(docs.map { "\"\($0)\"" }.joined(separator: ","))]}"#
            let decision = try catalog.evaluate(Array(json.utf8)).get()
            // The JSON a service writes (the fast path) gives the same steps.
            let bytes = try #require(try? catalog.decisionJSON(Array(json.utf8), options: EvaluationOptions()).get())
            let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            #expect(object["next_steps"] as? [String] == decision.nextSteps)
            return decision.nextSteps
        }
        // b and c are missing; R1's fix is b's message, so the risk step only adds R2's.
        #expect(try steps(["a"]) == ["Before sending: Attach B. Attach C.", "Against a denial: Call the plan."])
        // Only R1, whose fix the first step already gave: the second step says nothing new and is left out.
        #expect(try steps(["a", "c"]) == ["Before sending: Attach B."])
        // Nothing missing: no steps at all.
        #expect(try steps(["a", "b", "c"]).isEmpty)
    }

    @Test("a placeholder naming neither an input nor a decision is an error that suggests either")
    func unknownPlaceholder() throws {
        let text = Self.stepsPolicy(labels: true).replacingOccurrences(of: "{missing}", with: "{misssing}")
        let loaded = PolicyCatalog.load(files: [PolicyFile(path: "steps.yaml", text: text)] + Self.calendar)
        let diagnostic = try #require(loaded.diagnostics.first { $0.id == "name.unknown-placeholder" })
        #expect(diagnostic.message == "placeholder `{misssing}` names no declared input or decision")
        #expect(diagnostic.hint?.contains("`missing`") == true)
        #expect(position(diagnostic) == "38:20")
    }

    static let calendar = [
        PolicyFile(path: "us-federal.yaml", bytes: (try? Fixtures.bytes("../../../Policies/calendars/us-federal.yaml")) ?? [])
    ]

    /// A policy whose steps list what is missing and the fixes of its denial risks.
    static func stepsPolicy(labels: Bool) -> String {
        """
        precert: 1
        policy: p/steps
        payer: p
        title: Steps
        effective: 2026-01-01
        sources: ["test: none"]
        timezone: America/New_York
        calendar: us-federal
        inputs:
          docs: {type: set<string>, default: []}
        decisions:
          missing:
            \(labels ? "label: Still needed" : "description: What is missing.")
            outcomes:
              b: {label: Document B, message: Attach B.}
              c: {label: Document C, message: Attach C.}
            hit: all
            rules:
              - {id: need-b, when: '"b" not in docs', then: b, because: b, sources: ["test: b"]}
              - {id: need-c, when: '"c" not in docs', then: c, because: c, sources: ["test: c"]}
          risks:
            outcomes:
              R1: Attach B.
              R2: Call the plan.
            hit: all
            rules:
              - {id: risk-1, when: '"b" not in docs', then: R1, because: r1, sources: ["test: r1"]}
              - {id: risk-2, when: '"c" not in docs', then: R2, because: r2, sources: ["test: r2"]}
          steps:
            outcomes: [complete, guard]
            hit: all
            rules:
              - id: step-complete
                when: len(missing) > 0
                then: complete
                because: complete
                sources: ["test: steps"]
                next_step: "Before sending: {missing}"
              - id: step-guard
                when: len(risks) > 0
                then: guard
                because: guard
                sources: ["test: steps"]
                next_step: "Against a denial: {risks}"
          gone:
            outcomes: [x]
            applies_when: len(docs) > 5
            rules:
              - {id: gone-x, then: x, because: x, sources: ["test: x"]}
        """
    }
}
