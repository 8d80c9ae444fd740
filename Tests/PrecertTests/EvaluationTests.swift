import Foundation
import Testing

@testable import Precert
import PrecertWorkloads

/// The fixture catalog: two versions of a small clinic policy, with the shipped calendars.
enum ClinicCatalog {
    static let loaded: PolicyCatalog.LoadResult = PolicyCatalog.load(paths: [
        Fixtures.path("catalog"), Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars").path,
    ])

    static var catalog: PolicyCatalog { loaded.catalog }

    static func evaluate(_ json: String, asOf: CivilDate? = nil, explain: Bool = false) -> Result<CaseDecision, CaseErrors> {
        catalog.evaluate(Array(json.utf8), options: EvaluationOptions(asOf: asOf, explain: explain, file: "case.json"))
    }

    static func decide(_ json: String, asOf: CivilDate? = nil) throws -> CaseDecision {
        try evaluate(json, asOf: asOf).get()
    }
}

func result(_ decision: CaseDecision, _ name: String) -> DecisionResult? {
    decision.decisions.first { $0.name == name }
}

@Suite("Evaluation")
struct EvaluationTests {
    @Test("the fixture catalog loads clean")
    func loadsClean() {
        #expect(ClinicCatalog.loaded.diagnostics.filter { $0.severity == .error }.isEmpty)
        #expect(ClinicCatalog.catalog.policies.count == 2)
    }

    @Test("a decided case: outcomes, rules with file:line, because, due date, next steps")
    func decided() throws {
        let decision = try ClinicCatalog.decide(
            #"{"case_id": "c-1", "payer": "test-clinic", "request": {"received_at": "2026-11-23T10:15:00-08:00"}, "provider": {"network": "out_of_network"}, "service": {"date": "2026-12-01"}, "referral": {"valid_until": "2026-11-30"}}"#)
        #expect(decision.caseID == "c-1")
        #expect(decision.effective == CivilDate(year: 2026, month: 7, day: 1))
        let authorization = try #require(result(decision, "authorization"))
        #expect(authorization.status == .decided)
        #expect(authorization.outcomes == ["required"])
        #expect(authorization.rules.map(\.id) == ["default"])
        let turnaround = try #require(result(decision, "turnaround"))
        #expect(turnaround.outcomes == ["3 business days"])
        // Received Monday of Thanksgiving week: Tue, Wed, (Thu holiday), Fri.
        #expect(turnaround.due?.rfc3339 == "2026-11-27T23:59:59-08:00")
        #expect(turnaround.rules.first?.because == "Standard requests get three business days.")
        #expect(turnaround.rules.first?.location.fileAndLine.hasSuffix("clinic-v2.yaml:36") == true)
    }

    @Test("next steps fill placeholders from the case")
    func nextSteps() throws {
        let decision = try ClinicCatalog.decide(
            #"{"payer": "test-clinic", "request": {"received_at": "2026-11-23T10:15:00-08:00"}, "member": {"id": "K42"}, "provider": {"network": "out_of_network"}, "service": {"date": "2026-12-01"}, "referral": {"valid_until": "2027-01-01"}}"#)
        #expect(result(decision, "authorization")?.outcomes == ["on_file"])
        #expect(result(decision, "turnaround")?.status == .notApplicable)
        #expect(decision.nextSteps == ["Bring member K42's referral letter."])
    }

    @Test("an unknown input that could change the answer gives needs_information with what is missing")
    func needsInformation() throws {
        let decision = try ClinicCatalog.decide(
            #"{"payer": "test-clinic", "request": {"received_at": "2026-11-23T10:15:00-08:00"}, "provider": {"network": "out_of_network"}, "referral": {"valid_until": null}}"#)
        let authorization = try #require(result(decision, "authorization"))
        #expect(authorization.status == .needsInformation)
        #expect(authorization.missing == ["service.date", "referral.valid_until"])
        #expect(authorization.possible == ["on_file", "required"])
        // The turnaround reads the authorization, so it inherits the open question.
        let turnaround = try #require(result(decision, "turnaround"))
        #expect(turnaround.status == .needsInformation)
        #expect(turnaround.missing == ["service.date", "referral.valid_until"])
        #expect(turnaround.possible == ["3 business days", "not_applicable"])
    }

    @Test("a decision that does not depend on the unknown input is decided as usual")
    func unknownButIrrelevant() throws {
        let decision = try ClinicCatalog.decide(
            #"{"payer": "test-clinic", "request": {"received_at": "2026-11-23T10:15:00-08:00"}, "provider": {"network": "payer"}}"#)
        #expect(result(decision, "authorization")?.status == .decided)
        #expect(result(decision, "authorization")?.outcomes == ["not_required"])
        #expect(result(decision, "turnaround")?.status == .notApplicable)
    }

    @Test("the version in force on the received date is chosen; --as-of overrides")
    func versions() throws {
        let urgent = #"{"payer": "test-clinic", "request": {"received_at": "RECEIVED", "urgency": "urgent"}, "provider": {"network": "out_of_network"}, "service": {"date": "2026-12-01"}, "referral": {"valid_until": "2026-01-01"}}"#
        let june = try ClinicCatalog.decide(urgent.replacingOccurrences(of: "RECEIVED", with: "2026-06-30T09:00:00-07:00"))
        #expect(june.effective == CivilDate(year: 2026, month: 1, day: 1))
        #expect(result(june, "turnaround")?.outcomes == ["72 hours"])
        #expect(result(june, "turnaround")?.due?.rfc3339 == "2026-07-03T09:00:00-07:00")
        let july = try ClinicCatalog.decide(urgent.replacingOccurrences(of: "RECEIVED", with: "2026-07-01T09:00:00-07:00"))
        #expect(july.effective == CivilDate(year: 2026, month: 7, day: 1))
        #expect(result(july, "turnaround")?.outcomes == ["48 hours"])
        let asOf = try ClinicCatalog.decide(
            urgent.replacingOccurrences(of: "RECEIVED", with: "2026-07-01T09:00:00-07:00"), asOf: CivilDate(year: 2026, month: 3, day: 1))
        #expect(asOf.effective == CivilDate(year: 2026, month: 1, day: 1))
    }

    @Test("no policy in force, or none for the payer, is an error that lists what exists")
    func noPolicy() throws {
        guard case .failure(let early) = ClinicCatalog.evaluate(#"{"payer": "test-clinic", "request": {"received_at": "2025-06-01T09:00:00-07:00"}}"#) else {
            Issue.record("evaluated")
            return
        }
        #expect(early.diagnostics.first?.message == "no version of `test/clinic` is in force on 2025-06-01")
        #expect(early.fault == .deployment)
        #expect(early.diagnostics.first?.hint?.contains("`test/clinic` from 2026-01-01; `test/clinic` from 2026-07-01") == true)
        guard case .failure(let unknown) = ClinicCatalog.evaluate(#"{"payer": "test-clinik"}"#) else {
            Issue.record("evaluated")
            return
        }
        #expect(unknown.diagnostics.first?.message == "no policy for payer `test-clinik`")
        #expect(unknown.diagnostics.first?.hint == "did you mean `test-clinic`?")
    }

    @Test("two versions of one policy with the same effective date are an error at load time")
    func duplicateVersion() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("precert-dup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try String(contentsOfFile: Fixtures.path("catalog/clinic-v1.yaml"), encoding: .utf8)
        try text.write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try text.write(to: directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        let loaded = PolicyCatalog.load(paths: [directory.path, Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars").path])
        let error = loaded.diagnostics.first { $0.id == "catalog.duplicate-version" }
        #expect(error?.message == "policy `test/clinic` already has a version effective 2026-01-01")
        #expect(error?.location?.file.hasSuffix("b.yaml") == true)
        #expect(error?.location?.line == 5)
    }

    @Test("the same case gives byte-identical decision JSON")
    func deterministic() throws {
        let json = #"{"case_id": "c-9", "payer": "test-clinic", "request": {"received_at": "2026-11-23T10:15:00-08:00"}, "provider": {"network": "out_of_network"}}"#
        let first = DecisionEncoder.encode(try ClinicCatalog.decide(json))
        for _ in 0..<20 { #expect(DecisionEncoder.encode(try ClinicCatalog.decide(json)) == first) }
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.hasPrefix(#"{"case_id":"c-9","policy":{"id":"test/clinic","payer":"test-clinic","effective":"2026-07-01","digest":"sha256:"#))
        #expect(text.contains(#""engine":{"name":"precert","version":"\#(PrecertEngine.version)","contract":3}"#))
        #expect(text.contains(#""authorization":{"status":"needs_information","missing":["service.date","referral.valid_until"],"possible":["on_file","required"]}"#))
        #expect(text.contains(#""next_steps":[],"provenance":{"digest":"sha256:"#))
        // Everything that shaped the answer: the file relative to the policies root, the calendar
        // and its digest, the zone and its data, and the date that chose the version.
        #expect(text.contains(#""policy_file":"clinic-v2.yaml","calendar":{"name":"us-federal","digest":"sha256:"#))
        #expect(text.hasSuffix(#","time_zone":"America/Los_Angeles","tzdata":"\#(PolicyTimeZone.dataVersion)","version_date":"2026-11-23","version_date_from":"received_at"}}"#))
    }

    @Test("contract 3: each rule an object with its sources, no `because` where a rule has none, trace values with their JSON types")
    func contractThree() throws {
        let json = #"{"case_id": "c-1", "payer": "test-clinic", "request": {"received_at": "2026-11-23T10:15:00-08:00"}, "provider": {"network": "out_of_network"}, "service": {"date": "2026-12-01"}, "referral": {"valid_until": "2026-11-30"}}"#
        let decision = try ClinicCatalog.evaluate(json, explain: true).get()
        let document = try JSONValue.parse(bytes: DecisionEncoder.encode(decision))
        let authorization = try #require(document["decisions"]?["authorization"])
        // The default has no `because`: the key is absent, not null.
        #expect(authorization["rules"] == .array([.object([
            .init("id", .string("default")), .init("sources", .array([])),
            .init("source", .string("clinic-v2.yaml:29")),
        ])]))
        guard case .array(let trace)? = authorization["trace"] else {
            Issue.record("an explained decision has a trace")
            return
        }
        // An enum input's value is its word; a condition's is a boolean.
        #expect(trace.first?["value"] == .string("out_of_network"))
        #expect(trace.contains { $0["value"] == .bool(false) })
        #expect(!trace.contains { $0["value"] == .string("false") || $0["value"] == .string("true") })
        let turnaround = try #require(document["decisions"]?["turnaround"]?["rules"])
        #expect(turnaround == .array([.object([
            .init("id", .string("default")), .init("because", .string("Standard requests get three business days.")),
            .init("sources", .array([])), .init("source", .string("clinic-v2.yaml:36")),
        ])]))
    }

    @Test("concurrent evaluation from many tasks gives the same answers as one")
    func concurrent() async throws {
        let catalog = ClinicCatalog.catalog
        let cases = (0..<200).map { i in
            let network = i % 3 == 0 ? "payer" : "out_of_network"
            let day = 1 + i % 28
            return Array(#"{"case_id": "c-\#(i)", "payer": "test-clinic", "request": {"received_at": "2026-11-\#(String(format: "%02d", day))T10:00:00-08:00", "urgency": "\#(i % 2 == 0 ? "urgent" : "standard")"}, "provider": {"network": "\#(network)"}, "service": {"date": "2026-12-01"}, "referral": {"valid_until": "2026-11-\#(String(format: "%02d", 1 + i % 30))"}}"#.utf8)
        }
        let serial = cases.map { DecisionEncoder.encode(try! catalog.evaluate($0).get()) }
        let parallel = await withTaskGroup(of: (Int, [[UInt8]]).self) { group in
            for task in 0..<8 {
                group.addTask {
                    (task, cases.map { DecisionEncoder.encode(try! catalog.evaluate($0).get()) })
                }
            }
            var all: [[[UInt8]]] = []
            for await (_, results) in group { all.append(results) }
            return all
        }
        #expect(parallel.count == 8)
        for results in parallel { #expect(results == serial) }
    }

    @Test("--explain shows the path through the diagram with each tested value")
    func explain() throws {
        let decision = try ClinicCatalog.evaluate(
            #"{"payer": "test-clinic", "request": {"received_at": "2026-11-23T10:15:00-08:00"}, "provider": {"network": "out_of_network"}, "service": {"date": "2026-12-01"}, "referral": {"valid_until": "2026-11-30"}}"#,
            explain: true
        ).get()
        let trace = try #require(result(decision, "authorization")?.trace)
        #expect(trace == [
            TraceStep(test: "provider.network", value: "out_of_network", typedValue: .text("out_of_network")),
            TraceStep(test: "service.date <= referral.valid_until", value: "false", typedValue: .bool(false)),
        ])
    }

    @Test("`len` of a decision that is not applicable is unknown whether the case's other inputs are known or not")
    func lengthOfNotApplicableDecision() throws {
        // The walk once answered `len(d1) > 0` false for a not-applicable `d1` when every input was
        // known, and unknown (as documented) when another input was not.
        let policy = try compilePolicy(RandomPolicies.header + """

            decisions:
              d0:
                outcomes: [k]
                rules:
                  - {id: a1, when: b1, then: k}
                default: k
              d1:
                outcomes: [r1, r2]
                hit: all
                applies_when: e1 == a
                rules:
                  - {id: r, when: n1 > 1, then: r1}
              d2:
                outcomes: [u, v]
                rules:
                  - {id: c1, when: len(d1) > 0, then: u}
                default: v

            """)
        let reference = Evaluator(compiled: policy.compiled, calendar: policy.calendar, ruleByRule: true)
        for json in [#"{"e1": "b", "n1": 3, "b1": true}"#, #"{"e1": "b", "n1": 3}"#] {
            let facts = try decode(json, policy).facts
            let walked = policy.evaluator.evaluate(facts).decisions
            #expect(walked[1].status == .notApplicable)
            #expect(walked[2].status == .needsInformation, "\(json)")
            #expect(walked[2].possible == ["u", "v"])
            #expect(reference.evaluate(facts).decisions[2] == walked[2])
            var scratch = EvaluationScratch()
            #expect(!policy.evaluator.evaluateLeaves(facts, scratch: &scratch))
            let traced = policy.evaluator.evaluate(facts, explain: true).decisions[2].trace
            #expect(traced == [TraceStep(test: "len(d1) > 0", value: "unknown")])
        }
    }

    @Test("`len(text)` compared from the UTF-8 length agrees with counting scalars, for every operator")
    func textLengthBounds() {
        let texts = ["", "a", "abcd", "é", "日本", "😀😀", "a😀b", String(repeating: "é", count: 30), String(repeating: "x", count: 60)]
        let operators: [BinaryOperator] = [.less, .lessOrEqual, .greater, .greaterOrEqual, .equal, .notEqual]
        for text in texts {
            let length = Double(text.unicodeScalars.count)
            for op in operators {
                for constant in stride(from: -1.0, through: 130.0, by: 0.5) {
                    let expected: Bool
                    switch op {
                    case .less: expected = length < constant
                    case .lessOrEqual: expected = length <= constant
                    case .greater: expected = length > constant
                    case .greaterOrEqual: expected = length >= constant
                    case .equal: expected = length == constant
                    default: expected = length != constant
                    }
                    #expect(FastAtom.compareLength(of: text, op, constant) == expected, "len(\(text)) \(op) \(constant)")
                }
            }
        }
    }
}

@Suite("Bad case input")
struct BadCaseTests {
    private func errors(_ json: String) -> [Diagnostic] {
        guard case .failure(let errors) = ClinicCatalog.evaluate(json) else { return [] }
        return errors.diagnostics
    }

    static let classes: [(json: String, id: String, position: String, message: String)] = [
        (#"{"payer": "test-clinic", "service": {"date": "12/01/2026"}}"#, "case.type", "1:46",
         #"$.service.date: expected a date YYYY-MM-DD, got "12/01/2026""#),
        (#"{"payer": "test-clinic", "provider": {"network": "outside"}}"#, "case.type", "1:50",
         #"$.provider.network: expected one of payer, out_of_network, got "outside""#),
        (#"{"payer": "test-clinic", "provider": {"network": 3}}"#, "case.type", "1:50",
         "$.provider.network: expected one of payer, out_of_network, got 3"),
        (#"{"payer": "test-clinic", "member": {"id": 123}}"#, "case.type", "1:43", "$.member.id: expected text, got a number"),
        (#"{"payer": "test-clinic", "provider": "x"}"#, "case.type", "1:38", "$.provider: expected an object, got text"),
        ("{\"payer\": \"test-clinic\",\n \"provider\": {\"network\": \"payer\"", "case.json", "2:33", "unexpected end of input"),
        ("[1, 2]", "case.not-object", "1:1", "a case must be a JSON object"),
        (#"{"payer": "test-clinic", "request": {"received_at": "2026-11-23 10:15"}}"#, "case.type", "1:53",
         #"$.request.received_at: expected an RFC 3339 date-time with an offset, like 2026-11-23T10:15:00-08:00, got "2026-11-23 10:15""#),
        // A due date counted from it would be written with a five-digit year, which no schema allows.
        (#"{"payer": "test-clinic", "request": {"received_at": "9999-12-31T10:00:00-08:00"}}"#, "case.out-of-range", "1:53",
         #"$.request.received_at: "9999-12-31T10:00:00-08:00" is too late: a due date counted from it would pass the year 9999"#),
    ]

    @Test("each bad input gets a diagnostic naming the JSON path at its place", arguments: classes)
    func badInput(_ expected: (json: String, id: String, position: String, message: String)) {
        let diagnostic = errors(expected.json).first
        #expect(diagnostic?.id.code == expected.id)
        #expect(position(diagnostic) == expected.position)
        #expect(diagnostic?.message.hasPrefix(expected.message) == true, "\(diagnostic?.message ?? "none")")
    }

    @Test("every type error of a case is reported at once")
    func allErrors() {
        let found = errors(#"{"payer": "test-clinic", "service": {"date": "soon"}, "provider": {"network": "x"}, "member": {"id": false}}"#)
        #expect(found.map(\.id.code) == ["case.type", "case.type", "case.type"])
    }

    @Test("huge, deep and hostile documents are rejected quickly and safely")
    func hostile() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(errors(#"{"payer": "test-clinic", "x": "# + deep + "}").first?.id == "limit.json-depth")
        let huge = #"{"payer": "test-clinic", "pad": ""# + String(repeating: "a", count: 2 << 20) + "\"}"
        #expect(errors(huge).first?.id == "limit.case-size")
        let numeric = try! compilePolicy(RandomPolicies.header + "\ndecisions:\n  d:\n    outcomes: [x]\n    rules: [{id: r, when: n1 > 1, then: x}]\n")
        guard case .failure(let range) = numeric.decoder.decode(Array(#"{"n1": 1e999}"#.utf8)) else {
            Issue.record("decoded")
            return
        }
        #expect(range.diagnostics.first?.message.contains("out of range") == true)
        #expect(position(range.diagnostics.first) == "1:8")
        let invalidUTF8 = Array(#"{"payer": "test-clinic", "member": {"id": ""#.utf8) + [0xFF, 0xFE] + Array("\"}}".utf8)
        guard case .failure(let bad) = ClinicCatalog.catalog.evaluate(invalidUTF8) else {
            Issue.record("evaluated")
            return
        }
        #expect(bad.diagnostics.first?.id == "case.json")
    }

    @Test("free text of the case never appears in an error message")
    func privacy() {
        let marker = "SECRET-MARKER-7731"
        let found = errors(#"{"payer": "test-clinic", "member": {"id": ["\#(marker)"]}, "service": {"date": "\#(marker)"}}"#)
        #expect(!found.isEmpty)
        // Only a short value of a typed field is echoed; the free-text id is not.
        #expect(found.filter { $0.message.contains(marker) }.map(\.id.code) == ["case.type"])
        #expect(found.first { $0.message.hasPrefix("$.member.id") }?.message == "$.member.id: expected text, got a list")
    }
}

@Suite("Case sessions")
struct CaseSessionTests {
    static let shipped = PolicyCatalog.load(paths: [Fixtures.repositoryRoot.appendingPathComponent("Policies").path]).catalog

    @Test("decoding into a reused case gives what a fresh decode gives, after lists, gaps and errors")
    func reusedDecoding() throws {
        let kaiser = try #require(Self.shipped.policies.first { $0.policy.id == "kaiser-norcal/behavioral-health" })
        var corpus = CaseCorpus(seed: 7)
        var reused = DecodedCase()
        var compared = 0
        for i in 0..<2000 {
            var text = corpus.next(payer: "kaiser-norcal")
            switch i % 5 {
            case 1: text = text.replacingOccurrences(of: #""documents": ["#, with: #""documents_": ["#)
            case 2: text = text.replacingOccurrences(of: #""cpt": ["#, with: #""cpt": ["90834", "#)
            case 3: text = text.replacingOccurrences(of: #""urgency": ""#, with: #""urgency": 7, "x": ""#)
            default: break
            }
            let line = Array(text.utf8)
            let errors = kaiser.decoder.decode(line, into: &reused)
            switch kaiser.decoder.decode(line) {
            case .success(let fresh):
                #expect(errors == nil)
                #expect(reused == fresh, "case \(i)")
                compared += 1
            case .failure(let expected):
                #expect(errors?.diagnostics.map(\.message) == expected.diagnostics.map(\.message))
            }
        }
        #expect(compared > 1000)
    }

    @Test("a broken case with no payer gets the same errors whichever case came before it")
    func brokenCaseErrorsDoNotDependOnHistory() throws {
        var corpus = CaseCorpus(seed: 5)
        let broken = [
            #"{ "provider":"#, #"{"service": {"cpt": ["90834"#, #"{"member": 5, "#, "[1, 2]", #"{"request": {"received_at": 7}"#,
            "{\n  \"booking\":n2u",
        ]
        for text in broken {
            let fresh = Self.shipped.evaluate(Array(text.utf8))
            guard case .failure(let expected) = fresh else {
                Issue.record("`\(text)` evaluated")
                continue
            }
            for payer in ["kaiser-norcal", "medicare", "optum-uhc", "aetna", "texas-medicaid"] {
                var session = CaseSession(catalog: Self.shipped)
                var writer: [UInt8] = []
                _ = session.write(Array(corpus.next(payer: payer).utf8), to: &writer)
                let errors = session.write(Array(text.utf8), to: &writer)
                #expect(errors?.diagnostics.map(\.message) == expected.diagnostics.map(\.message), "`\(text)` after a \(payer) case")
            }
        }
    }

    @Test("a next step given by several decisions, or filled in to the same words, is listed once on both paths")
    func repeatedNextSteps() throws {
        let catalog = PolicyCatalog.load(paths: [
            Fixtures.path("steps"), Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars").path,
        ]).catalog
        var session = CaseSession(catalog: catalog)
        let cases: [(String, [String])] = [
            ("member services", ["Call member services."]),
            ("K123", ["Call member services.", "Call K123."]),
        ]
        for (member, expected) in cases {
            let line = Array(#"{"payer": "test-steps", "provider": {"network": "out_of_network"}, "member": {"id": "\#(member)"}}"#.utf8)
            let full = try catalog.evaluate(line).get()
            #expect(full.nextSteps == expected)
            var writer: [UInt8] = []
            #expect(session.write(line, to: &writer) == nil)
            #expect(String(decoding: writer, as: UTF8.self) == String(decoding: DecisionEncoder.encode(full), as: UTF8.self))
        }
    }

    @Test("the fast path writes the same bytes as the full encoder, for thousands of generated cases")
    func fastBytesEqualFull() {
        var corpus = CaseCorpus(seed: 99)
        var session = CaseSession(catalog: Self.shipped)
        var fast = 0
        for i in 0..<3000 {
            let payer = ["kaiser-norcal", "kaiser-norcal", "medicare", "optum-uhc", "aetna", "texas-medicaid"][i % 6]
            var line = Array(corpus.next(payer: payer).utf8)
            if i % 7 == 0 {
                // Leave a field out now and then, so some cases take the slow path.
                line = Array(String(decoding: line, as: UTF8.self).replacingOccurrences(of: #""date": "2026-12-"#, with: #""date_": "2026-12-"#).utf8)
            }
            if i % 11 == 0 {
                // Without the time a due date counts from, a turnaround needs that information.
                line = Array(String(decoding: line, as: UTF8.self).replacingOccurrences(of: #""received_at":"#, with: #""received_":"#).utf8)
            }
            // Output already in the writer stays, also when the fast path takes back what it wrote.
            var writer = Array("earlier\n".utf8)
            let errors = session.write(line, to: &writer)
            let full = Self.shipped.evaluate(line)
            switch full {
            case .success(let decision):
                #expect(errors == nil)
                let expected = Array("earlier\n".utf8) + DecisionEncoder.encode(decision)
                #expect(writer == expected, "case \(i): \(String(decoding: writer, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))")
                if writer != expected { return }
                fast += 1
            case .failure(let expectedErrors):
                #expect(errors?.diagnostics.map(\.message) == expectedErrors.diagnostics.map(\.message))
            }
        }
        #expect(fast > 2500)
    }

    @Test("one-case calls from several threads at once borrow buffers of their own and answer as a session does")
    func oneCaseCallsFromThreads() async throws {
        var corpus = CaseCorpus(seed: 31)
        let payers = ["kaiser-norcal", "medicare", "optum-uhc", "aetna", "texas-medicaid"]
        let lines = (0..<300).map { i in
            var text = corpus.next(payer: payers[i % payers.count])
            if i % 3 == 1 { text = text.replacingOccurrences(of: #""network": "#, with: #""network_": "#) }
            if i % 7 == 0 { text = #"{"case_id": "s-\#(i)", "payer": "\#(payers[i % payers.count])", "request": {"received_at": "2026-07-06T10:00:00-07:00"}}"# }
            return Array(text.utf8)
        }
        var session = CaseSession(catalog: Self.shipped)
        let expected: [[UInt8]] = lines.map { line in
            var output: [UInt8] = []
            _ = session.write(line, to: &output)
            return output
        }
        let catalog = Self.shipped
        let agreed = await withTaskGroup(of: Bool.self) { group in
            for task in 0..<6 {
                group.addTask {
                    var same = true
                    for step in 0..<lines.count {
                        let index = (step * 7 + task * 50) % lines.count
                        same = same && (try? catalog.decisionJSON(lines[index]).get()) == expected[index]
                        if step % 5 == 0 {
                            same = same && (try? catalog.evaluate(lines[index]).get()).map { DecisionEncoder.encode($0) } == expected[index]
                        }
                    }
                    return same
                }
            }
            var all: [Bool] = []
            for await same in group { all.append(same) }
            return all
        }
        #expect(agreed == Array(repeating: true, count: 6))
    }

    @Test("a session follows the payer from case to case")
    func switchesPolicies() throws {
        var corpus = CaseCorpus(seed: 5)
        var session = CaseSession(catalog: Self.shipped)
        for payer in ["medicare", "kaiser-norcal", "medicare", "texas-medicaid", "kaiser-norcal"] {
            let decision = try session.decide(Array(corpus.next(payer: payer).utf8)).get()
            #expect(decision.payer == payer)
        }
    }
}
