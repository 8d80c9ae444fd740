import Foundation
import Testing

@testable import Precert

/// Policies, regulations and the shipped calendar held in memory, for the turnaround proof.
enum ClockFixtures {
    static let calendar = PolicyFile(
        path: "calendars/us-federal.yaml",
        bytes: Array(try! Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars/us-federal.yaml"))))

    /// A policy whose only decision is a turnaround: `urgent` for urgent requests, `standard` otherwise.
    static func policy(
        standard: String = "3 business days", urgent: String = "72 hours", effective: String = "2026-05-18",
        expires: String? = "2026-05-26", zone: String = "America/Los_Angeles", governs: String? = "{plans: [commercial], states: [CA]}",
        middleRule: String = ""
    ) -> String {
        """
        precert: 1
        policy: test/clock
        payer: test
        title: A clock under test
        effective: \(effective)
        \(expires.map { "expires: \($0)" } ?? "")
        sources: ["a test fixture"]
        timezone: \(zone)
        calendar: us-federal
        \(governs.map { "governs: \($0)" } ?? "")
        inputs:
          request.urgency:
            enum: [standard, urgent]
            default: standard
          request.received_at:
            type: datetime
          member.plan:
            enum: [commercial, medicare_advantage, medicaid, medicare, exchange]
          member.state:
            type: string
        decisions:
          turnaround:
            type: duration
            due_from: request.received_at
            hit: first
            rules:
              - id: clock-urgent
                when: request.urgency == urgent
                then: \(urgent)
                because: a test fixture
                sources: ["a test fixture"]
        \(middleRule)
              - id: clock-standard
                then: \(standard)
                because: a test fixture
                sources: ["a test fixture"]

        """
    }

    /// A regulation of commercial plans.
    static func regulation(
        id: String = "test-limit", standard: String = "7 calendar days", urgent: String = "72 hours", states: String? = nil,
        zone: String? = nil, plans: String = "[commercial]", effective: String? = nil, expires: String? = nil
    ) -> String {
        """
        precert-regulation: 1
        regulation: \(id)
        title: Limit \(id)
        citation: "Test \(id)"
        sources: ["a test fixture"]
        \(effective.map { "effective: \($0)" } ?? "")
        \(expires.map { "expires: \($0)" } ?? "")
        governs:
          plans: \(plans)
          \(states.map { "states: \($0)" } ?? "")
          requests: pre-service
        limits:
          standard: \(standard)
          urgent: \(urgent)
        calendar: us-federal
        \(zone.map { "timezone: \($0)" } ?? "")

        """
    }

    static func load(_ policy: String, _ regulations: [String]) -> PolicyCatalog.LoadResult {
        let files = [calendar, PolicyFile(path: "policy.yaml", text: policy)]
            + regulations.enumerated().map { PolicyFile(path: "regulation-\($0.offset).yaml", text: $0.element) }
        return PolicyCatalog.load(files: files)
    }

    /// The 1-based line of the only line of `text` that contains `needle`.
    static func line(of needle: String, in text: String) -> Int {
        let lines = text.components(separatedBy: "\n")
        let matches = lines.indices.filter { lines[$0].contains(needle) }
        precondition(matches.count == 1, "`\(needle)` is on \(matches.count) lines")
        return matches[0] + 1
    }
}

@Suite("Regulations: the turnaround proof")
struct TurnaroundProofTests {
    private func violations(_ result: PolicyCatalog.LoadResult) -> [Diagnostic] {
        result.diagnostics.filter { $0.id == "regulation.exceeds-limit" }
    }

    @Test("5 business days against 7 calendar days: late when received the Friday before Memorial Day, due the Monday after next")
    func fiveBusinessDaysAgainstSevenCalendarDays() throws {
        let policy = ClockFixtures.policy(standard: "5 business days")
        let result = ClockFixtures.load(policy, [ClockFixtures.regulation()])
        let found = violations(result)
        try #require(found.count == 1, "\(result.diagnostics)")
        let violation = found[0]
        #expect(position(violation) == "\(ClockFixtures.line(of: "then: 5 business days", in: policy)):15")
        let clock = try #require(violation.facts.clock)
        // Friday 2026-05-22: Monday 25 is Memorial Day, so the 5th business day is Monday June 1;
        // the 7th calendar day is Friday May 29.
        #expect(clock.receivedAt == "2026-05-22T00:00:00-07:00")
        #expect(clock.due == "2026-06-01T23:59:59-07:00")
        #expect(clock.regulationDue == "2026-05-29T23:59:59-07:00")
        #expect(clock.marginSeconds == -3 * 86_400)
        #expect(clock.regulation == "test-limit" && clock.requestKind == "standard" && clock.limit == "7 calendar days")
        #expect(violation.message.contains("`5 business days`") && violation.message.contains("3 days late"))
        // A policy whose clock can break the law does not load.
        #expect(result.catalog.policies.isEmpty)
    }

    @Test("4 calendar days against an urgent limit of 72 hours: worst at the first second of a day")
    func fourCalendarDaysAgainstSeventyTwoHours() throws {
        let policy = ClockFixtures.policy(urgent: "4 calendar days", effective: "2026-06-01", expires: "2026-06-08")
        let found = violations(ClockFixtures.load(policy, [ClockFixtures.regulation()]))
        try #require(found.count == 1)
        #expect(position(found[0]) == "\(ClockFixtures.line(of: "then: 4 calendar days", in: policy)):15")
        let clock = try #require(found[0].facts.clock)
        #expect(clock.requestKind == "urgent")
        // Received at 00:00:00, the clock runs to the end of the 4th day: 1 day 23:59:59 past 72 hours.
        #expect(clock.receivedAt == "2026-06-01T00:00:00-07:00")
        #expect(clock.due == "2026-06-05T23:59:59-07:00")
        #expect(clock.regulationDue == "2026-06-04T00:00:00-07:00")
        #expect(clock.marginSeconds == -(86_400 + 86_399))
    }

    @Test("10 business days against 7 calendar days: 10 days late from the Friday before Memorial Day")
    func tenBusinessDaysAgainstSevenCalendarDays() throws {
        let found = violations(ClockFixtures.load(ClockFixtures.policy(standard: "10 business days"), [ClockFixtures.regulation()]))
        let clock = try #require(found.first?.facts.clock)
        #expect(found.count == 1)
        #expect(clock.receivedAt == "2026-05-22T00:00:00-07:00")
        #expect(clock.due == "2026-06-08T23:59:59-07:00")
        #expect(clock.marginSeconds == -10 * 86_400)
    }

    @Test("6 business days against Knox-Keene's 5: worst when received the Thursday before Memorial Day")
    func sixBusinessDaysAgainstFive() throws {
        let regulation = ClockFixtures.regulation(id: "knox-keene-test", standard: "5 business days", states: "[CA]")
        let found = violations(ClockFixtures.load(ClockFixtures.policy(standard: "6 business days"), [regulation]))
        let clock = try #require(found.first?.facts.clock)
        // Thursday May 21: the 5th business day is Friday May 29, the 6th Monday June 1.
        #expect(clock.receivedAt == "2026-05-21T00:00:00-07:00")
        #expect(clock.due == "2026-06-01T23:59:59-07:00")
        #expect(clock.regulationDue == "2026-05-29T23:59:59-07:00")
        #expect(clock.marginSeconds == -3 * 86_400)
    }

    @Test("clocks within the limit load, and the proof records each kind's smallest margin")
    func passingClocks() throws {
        let result = ClockFixtures.load(ClockFixtures.policy(standard: "3 business days"), [ClockFixtures.regulation()])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        #expect(result.catalog.policies.count == 1)
        let proofs = result.clockProofs.sorted { $0.kind < $1.kind }
        #expect(proofs.map(\.kind) == [.standard, .urgent])
        #expect(proofs.allSatisfy { !$0.exceeds })
        // 3 business days from Wednesday 2026-05-20 end Tuesday May 26, past Memorial Day: a day
        // before the 7th calendar day (the earliest of the receipts with that margin).
        #expect(proofs[0].marginSeconds == 86_400)
        #expect(proofs[0].receivedAt.rfc3339 == "2026-05-20T00:00:00-07:00")
        // 72 hours against 72 hours: equal is within the limit.
        #expect(proofs[1].marginSeconds == 0)
        #expect(proofs[1].margin.severity == .note && proofs[1].margin.id == "regulation.within-limit")
    }

    @Test("a rule that a regulation's state rules out is not held to it; a rule it cannot rule out is")
    func reachabilityByState() throws {
        let california = [
            "      - id: clock-california", #"        when: has(member.state) and member.state == "CA""#, "        then: 5 business days",
            "        because: a test fixture", #"        sources: ["a test fixture"]"#,
        ].joined(separator: "\n")
        // Every state; under Knox-Keene only the California rule is reached, under a 15-day limit all are.
        let policy = ClockFixtures.policy(standard: "15 calendar days", governs: "{plans: [commercial]}", middleRule: california)
        let knoxKeene = ClockFixtures.regulation(id: "knox-keene-test", standard: "5 business days", states: "[CA]")
        let federal = ClockFixtures.regulation(id: "federal-test", standard: "15 calendar days")
        let result = ClockFixtures.load(policy, [knoxKeene, federal])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let standard = result.clockProofs.filter { $0.kind == .standard }
        #expect(Set(standard.map { "\($0.regulation) \($0.rule)" }) == ["knox-keene-test clock-california", "federal-test clock-standard"])
        let policyOnly = try #require(result.catalog.policies.first).policy
        let rules = TurnaroundProof.reachableRules(
            policyOnly, decision: policyOnly.decisions[0], kind: .standard,
            regulation: try #require(PolicyCatalog.load(files: [ClockFixtures.calendar, PolicyFile(path: "r.yaml", text: knoxKeene)]).regulations.first))
        #expect(rules == [1])
        // Without the California rule, Knox-Keene reaches the 15 days, which break its 5 business days.
        let without = ClockFixtures.load(ClockFixtures.policy(standard: "15 calendar days", governs: "{plans: [commercial]}"), [knoxKeene])
        #expect(violations(without).map(\.facts.clock?.regulation) == ["knox-keene-test"])
    }

    @Test("a regulation governs only overlapping plans, states and dates; a policy that says nothing is warned about")
    func scope() throws {
        let late = ClockFixtures.policy(standard: "30 calendar days")
        for regulation in [
            ClockFixtures.regulation(plans: "[medicaid]"),
            ClockFixtures.regulation(states: "[TX]"),
            ClockFixtures.regulation(expires: "2026-01-01"),
            ClockFixtures.regulation(effective: "2027-01-01"),
        ] {
            let result = ClockFixtures.load(late, [regulation])
            #expect(!result.hasErrors && result.clockProofs.isEmpty, "\(regulation)")
        }
        let undeclared = ClockFixtures.load(ClockFixtures.policy(standard: "30 calendar days", governs: nil), [ClockFixtures.regulation()])
        #expect(!undeclared.hasErrors)
        #expect(undeclared.diagnostics.map(\.id).filter { $0.code.hasPrefix("regulation.") } == ["regulation.scope-undeclared"])
    }

    @Test("a regulation counted in its own time zone: a New York clock of Knox-Keene's 5 business days is late, 4 are not")
    func regulationTimeZone() throws {
        let knoxKeene = ClockFixtures.regulation(id: "knox-keene-test", standard: "5 business days", states: "[CA]", zone: "America/Los_Angeles")
        let newYork = ClockFixtures.policy(standard: "5 business days", effective: "2026-06-08", expires: "2026-06-15", zone: "America/New_York")
        let clock = try #require(violations(ClockFixtures.load(newYork, [knoxKeene])).first?.facts.clock)
        // Friday 00:00 in New York is Thursday 21:00 in California: California counts from Thursday
        // (done Thursday June 18), New York from Friday, past Juneteenth (Friday June 19), to Monday June 22.
        #expect(clock.receivedAt == "2026-06-12T00:00:00-04:00")
        #expect(clock.due == "2026-06-22T23:59:59-04:00")
        #expect(clock.regulationDue == "2026-06-18T23:59:59-07:00")
        #expect(clock.marginSeconds == -(3 * 86_400 + 21 * 3600))
        let four = ClockFixtures.load(ClockFixtures.policy(standard: "4 business days", zone: "America/New_York"), [knoxKeene])
        #expect(!four.hasErrors, "\(four.diagnostics)")
        // Its 4th business day ends 23:59:59 in New York, 20:59:59 in California: 3 hours to spare.
        let closest = try #require(four.clockProofs.first { $0.kind == .standard })
        #expect(closest.marginSeconds == 10_800)
    }
}

@Suite("Regulations: files, governs and answers")
struct RegulationFileTests {
    @Test("a regulation file's mistakes are each reported at their place")
    func brokenRegulation() throws {
        let text = try String(contentsOfFile: Fixtures.path("regulations/broken-regulation.yaml"), encoding: .utf8)
        let result = PolicyCatalog.load(files: [ClockFixtures.calendar, PolicyFile(path: "broken-regulation.yaml", text: text)])
        let found = result.diagnostics.map { "\(position($0)) \($0.id)" }
        #expect(found == [
            "2:13 regulation.bad-id",
            "6:11 regulation.unknown-timezone",
            "8:11 regulation.unknown-plan",
            "9:12 regulation.bad-state",
            "10:13 regulation.unknown-requests",
            // `5 business days`, and the file names no calendar.
            "12:13 regulation.needs-calendar",
            "13:11 regulation.bad-limit",
            "14:3 regulation.unknown-key",
        ])
        #expect(result.diagnostics.first { $0.id == "regulation.unknown-plan" }?.facts.suggestion == "commercial")
        #expect(result.diagnostics.first { $0.id == "regulation.unknown-key" }?.message == "unknown key `emergent` in `limits`")
    }

    @Test("a policy's governs: mistakes are each reported at their place")
    func brokenGoverns() throws {
        let text = try String(contentsOfFile: Fixtures.path("regulations/broken-governs.yaml"), encoding: .utf8)
        let (_, diagnostics) = PolicyPipeline.check(yaml: text, calendars: ["us-federal"])
        let errors = diagnostics.filter { $0.severity == .error }.map { "\(position($0)) \($0.id)" }
        #expect(errors == [
            "10:11 policy.unknown-plan", "11:16 policy.bad-state", "12:15 policy.turnaround-not-duration",
            "13:12 policy.urgency-values",
        ])
        #expect(diagnostics.first { $0.id == "policy.unknown-plan" }?.facts.suggestion == "commercial")
    }

    @Test("the shipped policies pass the proof, and a Kaiser clock past the law is an error at its rule naming CMS-0057-F")
    func shippedPoliciesAndKaiserEdits() throws {
        let root = Fixtures.repositoryRoot.appendingPathComponent("Policies")
        let shipped = PolicyCatalog.load(paths: [root.path])
        #expect(!shipped.hasErrors)
        #expect(shipped.clockProofs.count >= 10 && shipped.clockProofs.allSatisfy { !$0.exceeds })
        let names = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }
        func files(kaiser edit: (String) -> String) throws -> [PolicyFile] {
            try names.sorted().map { name in
                let text = try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
                return PolicyFile(path: name, text: name.hasPrefix("kaiser-norcal/") ? edit(text) : text)
            }
        }
        for (from, to, kind) in [("then: 3 business days", "then: 10 business days", "standard"), ("then: 72 hours", "then: 4 calendar days", "urgent")] {
            let edited = PolicyCatalog.load(files: try files { $0.replacingOccurrences(of: "        \(from)\n", with: "        \(to)\n") })
            let kaiser = try String(contentsOf: root.appendingPathComponent("kaiser-norcal/behavioral-health.yaml"), encoding: .utf8)
            let cms = try #require(edited.diagnostics.first { $0.id == "regulation.exceeds-limit" && $0.facts.clock?.regulation == "cms-0057-f" })
            #expect(cms.location?.file == "kaiser-norcal/behavioral-health.yaml")
            #expect(cms.location?.line == ClockFixtures.line(of: "        \(from)", in: kaiser))
            #expect(cms.facts.clock?.requestKind == kind)
            #expect(!edited.catalog.policies.contains { $0.id == "kaiser-norcal/behavioral-health" })
        }
    }

    @Test("one payer's folder, or one policy file, is checked with its root's calendars and regulations")
    func onePayersFolder() throws {
        let root = Fixtures.repositoryRoot.appendingPathComponent("Policies")
        for path in ["kaiser-norcal", "aetna", "kaiser-norcal/behavioral-health.yaml"] {
            let loaded = PolicyCatalog.load(paths: [root.appendingPathComponent(path).path])
            #expect(!loaded.hasErrors, "\(path): \(loaded.diagnostics)")
            #expect(loaded.catalog.policies.count == 1, "\(path)")
            #expect(loaded.regulations.count == 4 && !loaded.clockProofs.isEmpty, "\(path)")
        }
        // The root itself, or its calendars named as well, adds nothing twice.
        #expect(PolicyFiles.sharedFolders(for: [root.path]).isEmpty)
        let calendars = root.appendingPathComponent("calendars").path
        #expect(PolicyFiles.sharedFolders(for: [root.appendingPathComponent("aetna").path, calendars]).map { ($0 as NSString).lastPathComponent } == ["regulations", "case-format.yaml"])
    }

    @Test("answers show each governing regulation's due date next to the payer's, in the fast path's bytes and the encoder's alike")
    func regulatoryDueDatesInAnswers() throws {
        let catalog = try PolicyCatalog(paths: [Fixtures.repositoryRoot.appendingPathComponent("Policies").path])
        func decide(_ member: String, urgency: String = "standard") throws -> (DecisionResult, [UInt8]) {
            let json = """
                {"case_id": "r1", "payer": "kaiser-norcal", "member": \(member),
                 "request": {"received_at": "2026-11-23T10:15:00-08:00", "urgency": "\(urgency)"},
                 "provider": {"network": "contracted_platform"}, "service": {"cpt": ["90837"], "date": "2026-12-01"}}
                """
            let bytes = Array(json.utf8)
            let decision = try catalog.evaluate(bytes).get()
            let fast = try catalog.decisionJSON(bytes).get()
            #expect(fast == DecisionEncoder.encode(decision, style: .compact), "the fast path and the encoder differ")
            return (try #require(decision.decisions.first { $0.name == "turnaround" }), fast)
        }
        let (advantage, _) = try decide(#"{"plan": "medicare_advantage", "state": "CA"}"#)
        #expect(advantage.due?.rfc3339 == "2026-11-27T23:59:59-08:00")
        #expect(advantage.regulatory.map(\.regulation) == ["cms-0057-f"])
        #expect(advantage.regulatory.first?.due.rfc3339 == "2026-11-30T23:59:59-08:00")
        #expect(advantage.regulatory.first?.binding == false)
        let (commercial, bytes) = try decide(#"{"plan": "commercial", "state": "CA"}"#)
        #expect(commercial.regulatory.map(\.regulation) == ["erisa-pre-service", "knox-keene-ur"])
        #expect(commercial.regulatory.map(\.due.rfc3339) == ["2026-12-08T23:59:59-08:00", "2026-12-01T23:59:59-08:00"])
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""due":"2026-11-27T23:59:59-08:00","regulatory":[{"regulation":"erisa-pre-service","citation":"29 CFR 2560.503-1","limit":"15 calendar days","due":"2026-12-08T23:59:59-08:00","binding":false}"#))
        let (urgent, _) = try decide(#"{"plan": "commercial", "state": "CA"}"#, urgency: "urgent")
        #expect(urgent.regulatory.map(\.limit.description) == ["72 hours", "72 hours"])
        // Outside California only ERISA; with no plan, none.
        #expect(try decide(#"{"plan": "commercial", "state": "NV"}"#).0.regulatory.map(\.regulation) == ["erisa-pre-service"])
        #expect(try decide(#"{"state": "CA"}"#).0.regulatory.isEmpty)
    }

    @Test("a decision's provenance names the regulations behind its due dates, and its digest changes with their files")
    func provenance() throws {
        let root = Fixtures.repositoryRoot.appendingPathComponent("Policies")
        let names = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }.sorted()
        func decision(knoxKeeneSuffix: String) throws -> CaseDecision {
            let files = try names.map { name in
                let text = try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
                return PolicyFile(path: name, text: name == "regulations/knox-keene-ur.yaml" ? text + knoxKeeneSuffix : text)
            }
            let catalog = PolicyCatalog.load(files: files).catalog
            let json = #"{"payer": "kaiser-norcal", "member": {"plan": "commercial", "state": "CA"}, "request": {"received_at": "2026-11-23T10:15:00-08:00"}}"#
            return try catalog.evaluate(Array(json.utf8)).get()
        }
        let shipped = try decision(knoxKeeneSuffix: "")
        #expect(shipped.provenance.regulations.map(\.id) == ["cms-0057-f", "erisa-pre-service", "knox-keene-ur"])
        let edited = try decision(knoxKeeneSuffix: "# a reviewer's comment\n")
        #expect(edited.provenance.digest != shipped.provenance.digest)
        #expect(edited.provenance.regulations.map(\.digest) != shipped.provenance.regulations.map(\.digest))
        #expect(edited.provenance.calendarDigest == shipped.provenance.calendarDigest)
    }

    @Test("a regulation whose limit ends before the payer's clock is marked binding, only the earliest")
    func binding() throws {
        let policyText = ClockFixtures.policy(standard: "3 business days", expires: nil)
        let result = ClockFixtures.load(policyText, [ClockFixtures.regulation()])
        let loaded = try #require(result.catalog.policies.first)
        var tight = try #require(result.regulations.first)
        tight.id = "tight"
        tight.limits[.standard] = ClockDuration(amount: 1, unit: .calendarDays)
        var loose = tight
        loose.id = "loose"
        loose.limits[.standard] = ClockDuration(amount: 2, unit: .calendarDays)
        let clocks = try #require(RegulatoryClocks(policy: loaded.policy, calendar: loaded.calendar, regulations: [loose, tight]))
        let received = try #require(Timestamp(rfc3339: "2026-11-23T10:15:00-08:00"))
        let payerDue = try #require(Timestamp(rfc3339: "2026-11-27T23:59:59-08:00"))
        let values: [Value?] = loaded.policy.inputs.map { input in
            switch input.path {
            case "request.urgency": .enumValue(0)
            case "member.plan": .enumValue(0)
            case "member.state": .string("CA")
            default: nil
            }
        }
        let dues = values.withUnsafeBufferPointer { clocks.dues($0, receivedAt: received, payerDue: payerDue) }
        #expect(dues.map(\.regulation) == ["loose", "tight"])
        #expect(dues.map(\.binding) == [false, true])
        #expect(dues.map(\.due.rfc3339) == ["2026-11-25T23:59:59-08:00", "2026-11-24T23:59:59-08:00"])
    }
}
