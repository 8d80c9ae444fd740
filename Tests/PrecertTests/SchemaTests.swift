import Foundation
import Testing

@testable import Precert

@Suite("JSON Schemas")
struct SchemaTests {
    // MARK: Helpers

    private static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private static func validator(_ text: String) throws -> SchemaValidator {
        try SchemaValidator(text: text)
    }

    /// A YAML policy as the YAML language server would hand it to the schema.
    private static func policyJSON(_ yaml: String, file: String = "p.yaml") throws -> JSONValue {
        let loaded = YAMLLoader.load(yaml, file: file)
        #expect(!loaded.diagnostics.containsErrors, "\(file): \(loaded.diagnostics.map(\.message))")
        return YAMLCoreJSON.convert(try #require(loaded.root))
    }

    /// The errors Precert itself reports for a policy text: YAML, decoding and checking.
    private static func engineErrors(_ yaml: String) -> [String] {
        PolicyPipeline.check(yaml: yaml, file: "p.yaml").1.filter { $0.severity == .error }.map(\.message)
    }

    /// The names a schema object lists under `key` (`properties` keys, or the items of `required`/`enum`).
    private static func names(_ value: JSONValue?, _ key: String) -> [String] {
        switch value?[key] {
        case .object(let members)?: members.map(\.key)
        case .array(let items)?: items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        default: []
        }
    }

    /// A small policy that Precert accepts without errors and that uses every section.
    static let basePolicy = """
        precert: 1
        policy: test/schema
        payer: test
        title: Schema test
        effective: 2026-05-20
        sources: ["test"]
        timezone: America/Los_Angeles
        calendar: us-federal
        inputs:
          provider.network: {enum: [payer, out_of_network]}
          request.urgency: {enum: [standard, urgent], default: standard}
          request.received_at: {type: datetime}
          service.cpt: {type: list<code>, default: []}
        sets:
          covered: ["90837", "90834"]
        conditions:
          in_house: provider.network == payer
        decisions:
          authorization:
            outcomes: [not_required, required]
            hit: first
            rules:
              - {id: in-house, when: in_house, then: not_required, because: In-house care., sources: [manual]}
            default: required
          turnaround:
            type: duration
            due_from: request.received_at
            rules:
              - {id: urgent, when: request.urgency == urgent, then: 72 hours}
            default: 3 business days
          risks:
            hit: all
            outcomes: {NON_COVERED: Use a covered code., OTHER: }
            rules:
              - id: non-covered
                when: "any(service.cpt, it not in covered)"
                then: NON_COVERED

        """

    /// A named change to a document: text replacements applied in order.
    struct Edit: CustomTestStringConvertible, Sendable {
        let name: String
        let replacements: [(find: String, replace: String)]
        var testDescription: String { name }

        init(_ name: String, _ find: String, _ replace: String) {
            self.init(name, [(find, replace)])
        }

        init(_ name: String, _ replacements: [(find: String, replace: String)]) {
            self.name = name
            self.replacements = replacements
        }

        /// `text` with the replacements made; each must find its text, or the edit tests nothing.
        func apply(to text: String) -> String {
            replacements.reduce(text) { text, replacement in
                #expect(text.contains(replacement.find), "`\(replacement.find)` is not in the document")
                return text.replacingOccurrences(of: replacement.find, with: replacement.replace)
            }
        }
    }

    /// The CASE.md example case.
    static let exampleCase = Fixtures.caseMDExample

    /// An out-of-network case without diagnoses or a referral, booked through a link: the parity
    /// answer is `needs_information` (it hangs on `service.icd10`), the turnaround has a due date,
    /// and the `all` decisions carry messages. `new_field_for_another_payer` shows the case schema is open.
    static let incompleteCase = """
        {
          "payer": "kaiser-norcal",
          "request": { "received_at": "2026-11-23T10:15:00-08:00", "urgency": null },
          "member": { "id": "K123456789", "plan": "commercial", "state": "CA" },
          "provider": { "npi": "1234567893", "network": "out_of_network", "in_directory": null },
          "service": { "cpt": ["90837", "90853"] },
          "booking": { "channel": "scheduling_link" },
          "documents": [],
          "new_field_for_another_payer": { "anything": [1, 2, 3] }
        }
        """

    // MARK: The schemas themselves

    @Test("each schema is JSON with $schema, $id and title, and every property has a description")
    func schemasAreWellFormed() throws {
        let versions = ["policy": 1, "case": 1, "decision": PrecertEngine.contract, "error": PrecertEngine.contract]
        for (name, text) in [("policy", Schemas.policy), ("case", Self.caseSchema), ("decision", Schemas.decision), ("error", Schemas.error)] {
            let schema = try JSONValue.parse(text)
            #expect(schema["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"))
            #expect(schema["$id"] == .string("https://precert.dev/schema/\(name)-\(versions[name]!).json"))
            #expect(schema["title"] != nil)
            #expect(schema["description"] != nil)
            #expect(SchemaValidator(schema).lint() == [], "\(name) schema")
        }
    }

    @Test("the policy schema lists exactly the keys PolicyDecoder accepts and requires")
    func policySchemaMirrorsDecoder() throws {
        let schema = try JSONValue.parse(Schemas.policy)
        let defs = schema["$defs"]
        #expect(Set(Self.names(schema, "properties")) == Set(PolicyDecoder.topKeys))
        #expect(Set(Self.names(schema, "required")) == Set(PolicyDecoder.requiredTopKeys))
        #expect(Self.names(defs?["input"], "properties") == PolicyDecoder.inputKeys)
        #expect(Self.names(defs?["decision"], "properties") == PolicyDecoder.decisionKeys)
        #expect(Self.names(defs?["decision"], "required") == ["rules"])
        #expect(Self.names(defs?["rule"], "properties") == PolicyDecoder.ruleKeys)
        #expect(Self.names(defs?["rule"], "required") == ["id", "then"])
        #expect(Self.names(defs?["defaultAnswer"], "properties") == PolicyDecoder.defaultKeys)
        #expect(Self.names(defs?["defaultAnswer"], "required") == ["then"])
        #expect(Self.names(defs?["decision"]?["properties"]?["hit"], "enum") == HitPolicy.allCases.map(\.rawValue))
    }

    @Test("every type name the schema offers is one Precert parses, and list<T>/set<T> follow the pattern")
    func typeNames() throws {
        let validator = try Self.validator(Schemas.policy)
        guard case .array(let branches)? = try JSONValue.parse(Schemas.policy)["$defs"]?["inputType"]?["anyOf"] else {
            Issue.record("no `anyOf` in $defs/inputType")
            return
        }
        let offered = Self.names(branches.first, "enum")
        #expect(offered.count > 9)
        for name in offered { #expect(PolicyDecoder.parseType(name) != nil, "\(name)") }
        let scalars = ["bool", "boolean", "number", "string", "text", "code", "date", "datetime", "duration"]
        let written = scalars + scalars.flatMap { ["list<\($0)>", "set<\($0)>", "set< \($0) >"] }
        for name in written {
            #expect(PolicyDecoder.parseType(name) != nil, "\(name)")
            let policy = Self.basePolicy.replacingOccurrences(of: "{type: datetime}", with: "{type: datetime}\n  x.y: {type: \"\(name)\"}")
            #expect(validator.validate(try Self.policyJSON(policy)) == [], "\(name)")
        }
        for name in ["numbr", "list<list<code>>", "list<>", "set<enum>", "map<code>", "list<code"] {
            #expect(PolicyDecoder.parseType(name) == nil, "\(name)")
            let policy = Self.basePolicy.replacingOccurrences(of: "{type: datetime}", with: "{type: datetime}\n  x.y: {type: \"\(name)\"}")
            #expect(validator.validate(try Self.policyJSON(policy)) != [], "\(name)")
        }
    }

    @Test("the decision schema's enums and constants are the engine's")
    func decisionSchemaMirrorsEncoder() throws {
        let schema = try JSONValue.parse(Schemas.decision)
        #expect(Self.names(schema["$defs"]?["decision"]?["properties"]?["status"], "enum") == DecisionStatus.allCases.map(\.rawValue))
        #expect(schema["properties"]?["engine"]?["properties"]?["contract"]?["const"] == .number(Double(PrecertEngine.contract)))
        #expect(schema["$id"] == .string("https://precert.dev/schema/decision-\(PrecertEngine.contract).json"))
    }

    // MARK: Policies

    @Test("every shipped policy validates against the policy schema")
    func shippedPolicies() throws {
        let validator = try Self.validator(Schemas.policy)
        let policies = Self.repositoryRoot.appendingPathComponent("Policies")
        let enumerator = try #require(FileManager.default.enumerator(at: policies, includingPropertiesForKeys: nil))
        var checked = 0
        for case let url as URL in enumerator {
            let path = url.path
            guard path.hasSuffix(".yaml") || path.hasSuffix(".yml"), !path.contains("/Policies/calendars/"), !path.contains("/Policies/regulations/"),
                !path.hasSuffix("/case-format.yaml"), !path.hasSuffix(".test.yaml"), !path.hasSuffix(".test.yml")
            else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            // Front-end files (the CRD mapping, provider directories) live among the policies.
            guard let root = YAMLLoader.load(text, file: path).root, PrecertFileKind.of(root) == .policy else { continue }
            let errors = validator.validate(try Self.policyJSON(text, file: path))
            #expect(errors == [], "\(path)")
            checked += 1
        }
        #expect(checked >= 1)
    }

    @Test("the base policy is accepted by both the schema and Precert")
    func basePolicyIsValid() throws {
        #expect(Self.engineErrors(Self.basePolicy) == [])
        #expect(try Self.validator(Schemas.policy).validate(try Self.policyJSON(Self.basePolicy)) == [])
    }

    static let rejected: [Edit] = [
        Edit("an unknown top-level key", "title: Schema test", "title: Schema test\nauthor: someone"),
        Edit("a misspelled top-level key", "calendar: us-federal", "calender: us-federal"),
        Edit("no `policy`", "policy: test/schema\n", ""),
        Edit("no `decisions`", "decisions:", "decision:"),
        Edit("an empty title", "title: Schema test", "title:"),
        Edit("`precert` quoted", "precert: 1", "precert: \"1\""),
        Edit("`precert: 2`", "precert: 1", "precert: 2"),
        Edit("a month 13", "effective: 2026-05-20", "effective: 2026-13-01"),
        Edit("`sources` as a mapping", "sources: [\"test\"]", "sources: {manual: yes}"),
        Edit("a bad hit policy", "    hit: first\n", "    hit: firstt\n"),
        Edit("an unknown rule key", "then: not_required, because:", "then: not_required, becuase:"),
        Edit("a rule without an id", "{id: urgent, when:", "{when:"),
        Edit("a rule without then", ", then: 72 hours}", "}"),
        Edit("an unknown decision key", "    hit: all\n", "    hits: all\n"),
        Edit("an unknown input key", "{type: datetime}", "{type: datetime, required: true}"),
        Edit("an input with both type and enum", "{enum: [payer, out_of_network]}", "{type: string, enum: [payer, out_of_network]}"),
        Edit("an input with neither type nor enum", "{type: datetime}", "{description: When it arrived.}"),
        Edit("an unknown input type", "{type: list<code>, default: []}", "{type: list<cod>, default: []}"),
        Edit("a list of lists", "{type: list<code>, default: []}", "{type: list<list<code>>, default: []}"),
        Edit("an empty enum", "{enum: [payer, out_of_network]}", "{enum: []}"),
        Edit("a repeated enum value", "{enum: [payer, out_of_network]}", "{enum: [payer, out_of_network, payer]}"),
        Edit("an input path with an empty part", "  service.cpt:", "  service..cpt:"),
        Edit("a mapping as a default", "{type: list<code>, default: []}", "{type: list<code>, default: {a: b}}"),
        Edit("a repeated outcome", "outcomes: [not_required, required]", "outcomes: [not_required, required, required]"),
        Edit("a word decision without outcomes", "    outcomes: [not_required, required]\n", ""),
        Edit("`due_from` on a word decision", "    hit: first\n", "    hit: first\n    due_from: request.received_at\n"),
        Edit("a duration decision without due_from", "    due_from: request.received_at\n", ""),
        Edit("a duration decision with outcomes", "    type: duration\n", "    type: duration\n    outcomes: [fast]\n"),
        Edit("a decision type other than duration", "    type: duration", "    type: number"),
        Edit("a misspelled duration unit", "then: 72 hours", "then: 72 hourz"),
        Edit("a misspelled default duration", "default: 3 business days", "default: 3 busyness days"),
        Edit("a default with hit all", "        then: NON_COVERED\n", "        then: NON_COVERED\n    default: OTHER\n"),
        Edit("a default mapping without then", "    default: required", "    default: {because: Everyone else.}"),
        Edit("a default mapping with an id", "    default: required", "    default: {then: required, id: fallback}"),
        Edit("a condition that is a list", "in_house: provider.network == payer", "in_house: [provider.network == payer]"),
    ]

    @Test("a policy Precert rejects for its shape fails the schema too", arguments: rejected)
    func rejectedPolicies(edit: Edit) throws {
        let policy = edit.apply(to: Self.basePolicy)
        #expect(Self.engineErrors(policy) != [], "Precert accepts it, so the schema must not reject it")
        #expect(try Self.validator(Schemas.policy).validate(try Self.policyJSON(policy)) != [])
    }

    static let accepted: [Edit] = [
        Edit("`sources` as one text", "sources: [\"test\"]", "sources: test manual"),
        Edit("unquoted numeric codes", "covered: [\"90837\", \"90834\"]", "covered: [90837, 90834]"),
        Edit("a number as the policy id", "policy: test/schema", "policy: 42"),
        Edit("`when: true`", "when: in_house", "when: true"),
        Edit("hit unique", "    hit: first\n", "    hit: unique\n"),
        Edit("an expiry date", "effective: 2026-05-20", "effective: 2026-05-20\nexpires: 2027-01-01"),
        Edit("descriptions", "  authorization:\n", "  authorization:\n    description: Whether it is needed.\n"),
        Edit("type aliases and spacing", "inputs:\n", "inputs:\n  member.active: {type: boolean}\n  member.name: {type: text}\n  member.codes: {type: set< code >}\n"),
        Edit("a default with an explanation", "    default: required",
            "    default:\n      then: required\n      because: Everyone else.\n      next_step: Ask for an authorization.\n"),
        Edit("rule sources as one text", "sources: [manual]", "sources: manual"),
        Edit("a default with sources", "    default: required", "    default: {then: required, sources: [manual]}"),
        Edit("a next step with a placeholder", "sources: [manual]}", "sources: [manual], next_step: \"{provider.network} care\"}"),
        Edit("empty optional sections", [
            ("sets:\n  covered: [\"90837\", \"90834\"]\n", "sets:\n"),
            ("when: \"any(service.cpt, it not in covered)\"", "when: len(service.cpt) > 3"),
        ]),
        Edit("a quoted date", "effective: 2026-05-20", "effective: \"2026-05-20\""),
        Edit("a duration in days", "then: 72 hours", "then: 2 calendar days"),
    ]

    @Test("a policy Precert accepts passes the schema", arguments: accepted)
    func acceptedPolicies(edit: Edit) throws {
        let policy = edit.apply(to: Self.basePolicy)
        #expect(Self.engineErrors(policy) == [])
        #expect(try Self.validator(Schemas.policy).validate(try Self.policyJSON(policy)) == [])
    }

    @Test("YAML scalars resolve as the YAML 1.2 core schema does")
    func yamlCoreResolution() throws {
        let json = try Self.policyJSON(
            """
            int: 1
            quoted: "1"
            float: 2.50
            hex: 0x1F
            yes: yes
            bool: true
            null1: ~
            null2:
            date: 2026-05-20
            duration: 72 hours
            block: |
              text
            list: [F33*, '90837', 90837]
            """)
        #expect(json["int"] == .number(1))
        #expect(json["quoted"] == .string("1"))
        #expect(json["float"] == .number(2.5))
        #expect(json["hex"] == .number(31))
        #expect(json["yes"] == .string("yes"))
        #expect(json["bool"] == .bool(true))
        #expect(json["null1"] == .null)
        #expect(json["null2"] == .null)
        #expect(json["date"] == .string("2026-05-20"))
        #expect(json["duration"] == .string("72 hours"))
        #expect(json["block"] == .string("text\n"))
        #expect(json["list"] == .array([.string("F33*"), .string("90837"), .number(90837)]))
    }

    // MARK: Cases

    @Test("the example cases validate against the case schema exactly when Precert accepts them")
    func cases() throws {
        let validator = try Self.validator(Self.caseSchema)
        let catalog = Self.catalog()
        var documents = [("CASE.md example", Self.exampleCase), ("incomplete case", Self.incompleteCase)]
        let examples = Self.repositoryRoot.appendingPathComponent("Examples")
        if let enumerator = FileManager.default.enumerator(at: examples, includingPropertiesForKeys: nil) {
            for case let url as URL in enumerator where url.pathExtension == "json" || url.pathExtension == "jsonl" {
                // Decisions written next to the cases are the decision schema's business.
                if url.lastPathComponent.contains("decision") || url.pathComponents.contains("decisions") { continue }
                let text = try String(contentsOf: url, encoding: .utf8)
                if url.pathExtension == "jsonl" {
                    for (index, line) in text.split(separator: "\n").enumerated() where !line.allSatisfy(\.isWhitespace) {
                        documents.append(("\(url.path):\(index + 1)", String(line)))
                    }
                } else {
                    documents.append((url.path, text))
                }
            }
        }
        for (name, text) in documents {
            let errors = validator.validate(try JSONValue.parse(text))
            // An example may be wrong on purpose (to show an error line in JSON Lines output);
            // then the schema must say so too.
            switch catalog.evaluate(Array(text.utf8)) {
            case .success:
                #expect(errors == [], "\(name): Precert evaluates it, so the schema must accept it")
            case .failure(let problems) where problems.diagnostics.contains(where: { $0.id == "case.type" }):
                #expect(errors != [], "\(name): Precert rejects it (\(problems.diagnostics.map(\.message))), so the schema must too")
            case .failure(let problems):
                Issue.record("\(name): not evaluated: \(problems.diagnostics.map(\.message))")
            }
        }
    }

    static let badCases: [Edit] = [
        Edit("an urgency outside the enum", #""urgency": "standard""#, #""urgency": "asap""#),
        Edit("a date without leading zeros", #""dob": "1990-04-01""#, #""dob": "1990-4-1""#),
        Edit("a date-time without an offset", #""received_at": "2026-11-23T10:15:00-08:00""#, #""received_at": "2026-11-23T10:15:00""#),
        Edit("a number as case_id", #""case_id": "c-000123""#, #""case_id": 123"#),
        Edit("text for a bool", #""in_directory": true"#, #""in_directory": "yes""#),
        Edit("a code where a list belongs", #""cpt": ["90837"]"#, #""cpt": "90837""#),
        Edit("a null inside a list", #""cpt": ["90837"]"#, #""cpt": ["90837", null]"#),
        Edit("a short NPI", #""npi": "1234567893""#, #""npi": "123""#),
        Edit("text where an object belongs", #""booking": { "channel": "payer_referral" }"#, #""booking": "payer_referral""#),
    ]

    @Test("the case schema rejects values Precert would reject", arguments: badCases)
    func rejectedCases(edit: Edit) throws {
        let text = edit.apply(to: Self.exampleCase)
        #expect(try Self.validator(Self.caseSchema).validate(try JSONValue.parse(text)) != [])
    }

    // MARK: Decisions

    /// The shipped policies, loaded as services load them.
    /// The case schema derived from the shipped case format.
    static var caseSchema: String {
        catalog().caseFormat.map(Schemas.case) ?? ""
    }

    private static func catalog() -> PolicyCatalog {
        let loaded = PolicyCatalog.load(paths: [repositoryRoot.appendingPathComponent("Policies").path])
        #expect(!loaded.diagnostics.containsErrors, "\(loaded.diagnostics.filter { $0.severity == .error }.map(\.message))")
        return loaded.catalog
    }

    private static func decide(_ caseText: String, explain: Bool = false) throws -> (CaseDecision, JSONValue) {
        switch catalog().evaluate(Array(caseText.utf8), options: EvaluationOptions(explain: explain)) {
        case .failure(let errors):
            Issue.record("the case was not evaluated: \(errors.diagnostics.map(\.message))")
            throw errors
        case .success(let decision):
            return (decision, try JSONValue.parse(bytes: DecisionEncoder.encode(decision)))
        }
    }

    @Test("a decision from the engine for the CASE.md example validates, with and without a trace")
    func decidedDecision() throws {
        let validator = try Self.validator(Schemas.decision)
        for explain in [false, true] {
            let (decision, json) = try Self.decide(Self.exampleCase, explain: explain)
            #expect(decision.decisions.contains { $0.status == .decided })
            #expect(validator.validate(json) == [], "explain: \(explain)")
            let pretty = try JSONValue.parse(bytes: DecisionEncoder.encode(decision, pretty: true))
            #expect(validator.validate(pretty) == [])
        }
    }

    @Test("every error document the engine writes validates against the error schema")
    func errorDocuments() throws {
        let validator = try Self.validator(Schemas.error)
        let broken = [
            #"{"case_id": "c-1", "payer": "kaiser-norcal", "service": {"date": "12/01/2026"}}"#,
            #"{"case_id": "c-2", "payer": 7}"#,
            #"{"payer": "nobody"}"#,
            "\u{FEFF}{\"payer\": \"kaiser-norcal\"}",
            #"{"payer": "kaiser-norcal", "#,
            "[1, 2]",
        ]
        var ids: Set<String> = []
        for text in broken {
            guard case .failure(let errors) = Self.catalog().evaluate(Array(text.utf8)) else {
                Issue.record("`\(text)` evaluated")
                continue
            }
            ids.formUnion(errors.diagnostics.map(\.id.code))
            for pretty in [false, true] {
                let json = try JSONValue.parse(bytes: DecisionEncoder.encode(errors, pretty: pretty))
                #expect(validator.validate(json) == [], "\(text)")
            }
            var writer = JSONWriter(style: .compact)
            DecisionEncoder.write(errors, line: 3, to: &writer)
            #expect(validator.validate(try JSONValue.parse(bytes: writer.bytes)) == [], "\(text) as a JSON Lines line")
        }
        // A payer of the wrong type and a byte-order mark say what they are.
        #expect(ids.isSuperset(of: ["case.type", "case.payer-type", "catalog.unknown-payer", "case.byte-order-mark", "case.json", "case.not-object"]))
        let policyErrors = PolicyCatalog.load(paths: [Fixtures.path("yaml-errors")]).diagnostics
        #expect(!policyErrors.isEmpty)
        #expect(validator.validate(try JSONValue.parse(DiagnosticRenderer.json(policyErrors))) == [])
    }

    @Test("a needs_information decision from the engine validates")
    func incompleteDecision() throws {
        let validator = try Self.validator(Schemas.decision)
        let (decision, json) = try Self.decide(Self.incompleteCase, explain: true)
        #expect(decision.decisions.contains { $0.status == .needsInformation })
        #expect(json["case_id"] == .null)
        // So that the optional parts of the contract are exercised too.
        guard case .object(let answers)? = json["decisions"] else {
            Issue.record("no decisions object")
            return
        }
        #expect(answers.contains { $0.value["due"] != nil })
        #expect(answers.contains { $0.value["messages"] != nil })
        #expect(answers.contains { $0.value["trace"] != nil })
        #expect(validator.validate(json) == [])
        // The example without `service.date` and `referral`: every answer is still decided (the
        // Kaiser policy defaults `referral.status` to `none`), but it is another engine output to check.
        var trimmed = try JSONValue.parse(Self.exampleCase)
        if case .object(let members) = trimmed {
            trimmed = .object(members.compactMap { member in
                if member.key == "referral" { return nil }
                if member.key == "service", case .object(let fields) = member.value {
                    return JSONValue.Member("service", .object(fields.filter { $0.key != "date" }))
                }
                return member
            })
        }
        let text = String(decoding: trimmed.jsonBytes(), as: UTF8.self)
        let (_, second) = try Self.decide(text)
        #expect(validator.validate(second) == [])
    }

    @Test(
        "the decision schema rejects a decision that breaks the contract",
        arguments: [
            "a status outside the enum", "a short digest", "an extra top-level field", "outcome on needs_information",
            "a decided answer without rules", "a trace step without a value",
        ])
    func brokenDecisions(change: String) throws {
        let validator = try Self.validator(Schemas.decision)
        let (_, json) = try Self.decide(Self.exampleCase, explain: true)
        guard case .object(var top) = json, case .object(var decisions)? = json["decisions"],
            case .object(var first)? = decisions.first?.value
        else {
            Issue.record("unexpected decision shape")
            return
        }
        func set(_ key: String, _ value: JSONValue?, in members: inout [JSONValue.Member]) {
            members.removeAll { $0.key == key }
            if let value { members.append(JSONValue.Member(key, value)) }
        }
        switch change {
        case "a status outside the enum": set("status", .string("maybe"), in: &first)
        case "a short digest":
            set("policy", .object([.init("id", .string("x")), .init("payer", .string("x")),
                .init("effective", .string("2026-05-20")), .init("digest", .string("sha256:abc"))]), in: &top)
        case "an extra top-level field": set("warnings", .array([]), in: &top)
        case "outcome on needs_information":
            set("status", .string("needs_information"), in: &first)
            set("missing", .array([]), in: &first)
            set("possible", .array([]), in: &first)
        case "a decided answer without rules": set("rules", nil, in: &first)
        case "a trace step without a value": set("trace", .array([.object([.init("test", .string("x"))])]), in: &first)
        default: Issue.record("unknown change \(change)")
        }
        decisions[0] = JSONValue.Member(decisions[0].key, .object(first))
        set("decisions", .object(decisions), in: &top)
        #expect(validator.validate(.object(top)) != [])
    }
}
