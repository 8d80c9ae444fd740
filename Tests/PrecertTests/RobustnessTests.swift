import Foundation
import PrecertWorkloads
import Testing

@testable import Precert

// Issue 8, "no input crashes, hangs or fools Precert":
// - fuzz regressions (the inputs under Fixtures/fuzz-regressions/, replayed through the same
//   pipelines as the libFuzzer targets under Fuzz/),
// - limits (each names itself and its value, and raising it lets the same input through),
// - the diagram evaluator against rule-by-rule evaluation on generated cases for every shipped policy
//   (`PRECERT_DIFFERENTIAL_CASES=1000000 swift test -c release --filter Differential`),
// - concurrency (`PRECERT_CONCURRENCY_CASES=100000`, under TSan in Scripts/tsan.sh),
// - privacy (free text never reaches a diagnostic, nor the decision unless a next step asks for it).

// MARK: - Shared

/// The shipped policies and calendars, loaded once.
enum ShippedPolicies {
    static let directory = Fixtures.repositoryRoot.appendingPathComponent("Policies").path
    static let loaded: PolicyCatalog.LoadResult = PolicyCatalog.load(paths: [directory])
    static var catalog: PolicyCatalog { loaded.catalog }
    static let today = CivilDate(year: 2026, month: 11, day: 23)!
}

/// A number read from the environment, for the long runs of the scripts.
func environmentCount(_ name: String, default value: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? value
}

/// The pipelines the fuzz targets drive, so that a fuzzer's find replays as an ordinary test.
enum FuzzPipelines {
    /// Fuzz/policy: YAML -> syntax -> checked (calendar `us-federal`) -> diagrams; every diagnostic rendered.
    static func policy(_ bytes: [UInt8]) -> [Diagnostic] {
        let file = "fuzz.yaml"
        // The raw bytes, as the fuzz target reads them: invalid UTF-8 must reach the YAML stage as it is.
        let (loaded, diagnostics) = PolicyPipeline.policy(
            PolicyFile(path: file, bytes: bytes), calendars: ShippedPolicies.catalog.calendars)
        _ = DiagnosticRenderer(sources: [SourceText(file: file, text: String(decoding: bytes, as: UTF8.self))]).render(diagnostics)
        if let loaded {
            for index in loaded.policy.decisions.indices { _ = loaded.compiled.nodeCount(ofDecision: index) }
        }
        return diagnostics
    }

    /// Fuzz/expression: the parser with default limits; places stay inside the text.
    static func expression(_ bytes: [UInt8]) -> Result<Expr, Diagnostic> {
        let text = String(decoding: bytes, as: UTF8.self)
        let length = text.unicodeScalars.count
        return ExpressionParser.parse(text) { offset in
            precondition(offset >= 0 && offset <= length)
            return SourceLocation(file: "fuzz.yaml", line: 1, column: 1 + offset)
        }
    }

    /// Fuzz/case: pinned to Kaiser and routed by payer; a decision encodes to JSON that parses back.
    static func caseDocument(_ bytes: [UInt8]) throws -> [Result<CaseDecision, CaseErrors>] {
        var results: [Result<CaseDecision, CaseErrors>] = []
        for policyID in ["kaiser-norcal/behavioral-health", nil] {
            let result = ShippedPolicies.catalog.evaluate(
                bytes, options: EvaluationOptions(policyID: policyID, explain: bytes.count % 2 == 1, file: "case.json", today: ShippedPolicies.today))
            if case .success(let decision) = result {
                _ = try JSONValue.parse(bytes: DecisionEncoder.encode(decision), limits: JSONLimits(maxDepth: 16, maxStringBytes: 1 << 30))
            }
            results.append(result)
        }
        return results
    }
}

/// Policy text for tests that need one: `inputs` and `decisions` blocks go under a fixed header.
func robustnessPolicy(inputs: String, conditions: String = "", decisions: String) -> String {
    """
    precert: 1
    policy: robust/p
    payer: robust
    title: Robustness
    effective: 2026-01-01
    sources: ["generated"]
    timezone: UTC
    calendar: us-federal
    inputs:
    \(inputs)
    \(conditions.isEmpty ? "" : "conditions:\n" + conditions)
    decisions:
    \(decisions)
    """
}

// MARK: - Fuzz regressions

@Suite("Robustness: fuzz regressions")
struct RobustnessFuzzRegressionTests {
    static func files(_ target: String) -> [String] {
        let folder = Fixtures.directory.appendingPathComponent("fuzz-regressions/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { "fuzz-regressions/\(target)/\($0)" }
    }

    @Test("policy inputs the fuzzer found give diagnostics, not crashes", arguments: files("policy"))
    func policy(_ fixture: String) throws {
        let diagnostics = FuzzPipelines.policy(try Fixtures.bytes(fixture))
        for diagnostic in diagnostics { #expect(!diagnostic.message.isEmpty) }
    }

    @Test("expressions the fuzzer found parse or give one diagnostic", arguments: files("expression"))
    func expression(_ fixture: String) throws {
        if case .failure(let diagnostic) = FuzzPipelines.expression(try Fixtures.bytes(fixture)) {
            #expect(!diagnostic.message.isEmpty)
        }
    }

    @Test("case documents the fuzzer found are decided or rejected with diagnostics", arguments: files("case"))
    func caseDocument(_ fixture: String) throws {
        for result in try FuzzPipelines.caseDocument(try Fixtures.bytes(fixture)) {
            if case .failure(let errors) = result { #expect(!errors.diagnostics.isEmpty) }
        }
    }

    @Test("the shipped policies and examples pass through the fuzz pipelines cleanly")
    func seeds() throws {
        let root = Fixtures.repositoryRoot
        for name in try FileManager.default.subpathsOfDirectory(atPath: ShippedPolicies.directory).sorted()
        where name.hasSuffix(".yaml") && !name.hasSuffix(".test.yaml") && !name.hasPrefix("calendars") && !name.hasPrefix("regulations")
            && name != "case-format.yaml" && !name.hasPrefix("crd/") && !name.hasSuffix("provider-directory.yaml")
        {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: ShippedPolicies.directory + "/" + name)))
            let errors = FuzzPipelines.policy(bytes).filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(name): \(errors)")
        }
        let examples = root.appendingPathComponent("Examples")
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() where name.hasSuffix(".json") {
            let bytes = Array(try Data(contentsOf: examples.appendingPathComponent(name)))
            _ = try FuzzPipelines.caseDocument(bytes)
        }
    }
}

// MARK: - Limits

@Suite("Robustness: limits")
struct RobustnessLimitTests {
    /// The single error of `diagnostics` with this id, after checking there is one.
    private func only(_ id: String, in diagnostics: [Diagnostic], sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
        let found = diagnostics.filter { $0.id.code == id }
        #expect(found.count == 1, "expected one `\(id)` in \(diagnostics.map(\.description))", sourceLocation: sourceLocation)
        return found.first
    }

    @Test("policy file size: yaml.file-too-large names the size and the limit; a larger limit reads it")
    func yamlFileSize() throws {
        let text = "precert: 1\ntitle: \"\(String(repeating: "x", count: 200))\"\n"
        let tight = YAMLLoader.load(text, file: "p.yaml", limits: YAMLLimits(maxBytes: 100))
        #expect(tight.root == nil)
        let diagnostic = try #require(only("yaml.file-too-large", in: tight.diagnostics))
        #expect(diagnostic.message == "file is \(text.utf8.count) bytes, over the limit of 100 bytes")
        #expect(YAMLLimits.default.maxBytes == 16 << 20)
        let loose = YAMLLoader.load(text, file: "p.yaml", limits: YAMLLimits(maxBytes: 1000))
        #expect(loose.diagnostics.isEmpty && loose.root != nil)
    }

    @Test("policy file size through the catalog: the file is not even read past LoadLimits.yaml.maxBytes")
    func catalogFileSize() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("precert-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = robustnessPolicy(
            inputs: "  e: {enum: [a, b]}",
            decisions: "  d:\n    outcomes: [x, y]\n    rules:\n      - {id: r, when: e == a, then: x}\n    default: y")
        let file = folder.appendingPathComponent("p.yaml")
        try Data(text.utf8).write(to: file)
        let calendars = Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars").path
        let tight = PolicyCatalog.load(paths: [file.path, calendars], limits: LoadLimits(yaml: YAMLLimits(maxBytes: 200)))
        let diagnostic = try #require(tight.diagnostics.first { $0.id.code == "io.file-too-large" })
        #expect(diagnostic.message.contains("limit of 200 bytes"))
        #expect(tight.catalog.policies.isEmpty)
        let loose = PolicyCatalog.load(paths: [file.path, calendars], limits: LoadLimits(yaml: YAMLLimits(maxBytes: 1 << 20)))
        #expect(loose.catalog.policies.count == 1, "\(loose.diagnostics)")
    }

    @Test("YAML depth: yaml.too-deep names the limit; a deeper limit reads the file")
    func yamlDepth() throws {
        let depth = 70
        let text = "a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let strict = YAMLLoader.load(text, file: "p.yaml")
        let diagnostic = try #require(only("yaml.too-deep", in: strict.diagnostics))
        #expect(diagnostic.message == "nesting is deeper than the limit of 64 levels")
        #expect(strict.root == nil)
        let loose = YAMLLoader.load(text, file: "p.yaml", limits: YAMLLimits(maxDepth: depth + 1))
        #expect(loose.diagnostics.isEmpty && loose.root != nil)
    }

    @Test("YAML depth: a very deep file (100,000 levels) stops at the limit without recursing")
    func yamlVeryDeep() throws {
        let depth = 100_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let result = YAMLLoader.load(text, file: "p.yaml")
        #expect(result.diagnostics.map(\.id.code) == ["yaml.too-deep"])
    }

    @Test("alias expansion: a billion-laughs file stops at its first anchor, before anything is copied")
    func aliasExpansion() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let bomb = YAMLLoader.load(text, file: "p.yaml")
        let diagnostic = try #require(only("yaml.anchor", in: bomb.diagnostics))
        #expect(diagnostic.message == "anchor `&a0` is not allowed: Precert does not read YAML anchors")
        #expect(position(diagnostic) == "1:5")
        #expect(bomb.root == nil)
    }

    private func parse(_ text: String, _ limits: ExpressionParser.Limits = .init()) -> Result<Expr, Diagnostic> {
        ExpressionParser.parse(text, limits: limits) { SourceLocation(file: "p.yaml", line: 1, column: $0 + 1) }
    }

    @Test("expression length: limit.expression-length names the length and the limit; a longer limit parses it")
    func expressionLength() throws {
        let text = Array(repeating: "e == a", count: 600).joined(separator: " or ")
        #expect(text.count > 4096)
        guard case .failure(let diagnostic) = parse(text) else {
            Issue.record("a \(text.count)-character expression parsed")
            return
        }
        #expect(diagnostic.id.code == "limit.expression-length")
        #expect(diagnostic.message == "expression is \(text.count) characters, over the limit of 4096")
        guard case .success = parse(text, ExpressionParser.Limits(maxLength: 10_000)) else {
            Issue.record("a raised limit still rejects the expression")
            return
        }
    }

    @Test("expression nesting: limit.expression-depth names the limit; a deeper limit parses it")
    func expressionDepth() throws {
        for text in [
            String(repeating: "(", count: 40) + "e == a" + String(repeating: ")", count: 40),
            String(repeating: "not ", count: 40) + "b",
            String(repeating: "len(", count: 40) + "x" + String(repeating: ")", count: 40) + " > 1",
            String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
        ] {
            guard case .failure(let diagnostic) = parse(text) else {
                Issue.record("`\(text)` parsed")
                continue
            }
            #expect(diagnostic.id.code == "limit.expression-depth", "\(text)")
            #expect(diagnostic.message == "expression nests deeper than the limit of 32 levels")
            if case .failure(let again) = parse(text, ExpressionParser.Limits(maxDepth: 64)) {
                Issue.record("a raised limit still rejects `\(text)`: \(again)")
            }
        }
    }

    @Test("expression limits reach the decoder: LoadLimits.expression is what PolicyDecoder enforces")
    func expressionLimitsThroughDecoder() throws {
        let when = String(repeating: "(", count: 40) + "e == a" + String(repeating: ")", count: 40)
        let text = robustnessPolicy(
            inputs: "  e: {enum: [a, b]}",
            decisions: "  d:\n    outcomes: [x, y]\n    rules:\n      - {id: r, when: '\(when)', then: x}\n    default: y")
        let root = try #require(YAMLLoader.load(text, file: "p.yaml").root)
        let source = SourceText(file: "p.yaml", text: text)
        let (_, strict) = PolicyDecoder.decode(root, source: source)
        #expect(strict.map(\.id.code) == ["limit.expression-depth"])
        #expect(strict.first?.location?.line == 16)
        let (syntax, loose) = PolicyDecoder.decode(root, source: source, expressionLimits: ExpressionParser.Limits(maxDepth: 50))
        #expect(loose.isEmpty && syntax != nil)
    }

    private func kaiser(_ limits: CaseLimits = CaseLimits()) throws -> CaseDecoder {
        let policy = try #require(ShippedPolicies.catalog.policies.first { $0.policy.id == "kaiser-norcal/behavioral-health" })
        return CaseDecoder(policy: policy.policy, limits: limits)
    }

    private let validCase = #"{"payer": "kaiser-norcal", "provider": {"network": "payer"}, "service": {"date": "2026-12-01"}}"#

    @Test("case size: limit.case-size names the size and the limit; a larger limit reads the case")
    func caseSize() throws {
        let text = validCase.dropLast() + #", "padding": "\#(String(repeating: "p", count: 2_000))"}"#
        let bytes = Array(text.utf8)
        let strict = try kaiser(CaseLimits(maxBytes: 1_000)).decode(bytes)
        guard case .failure(let errors) = strict else { Issue.record("an oversize case decoded"); return }
        #expect(errors.diagnostics.map(\.id.code) == ["limit.case-size"])
        #expect(errors.diagnostics.first?.message == "the case is \(bytes.count) bytes, over the limit of 1000 bytes")
        #expect(CaseLimits().maxBytes == 1 << 20)
        #expect(throws: Never.self) { try kaiser(CaseLimits(maxBytes: 4_000)).decode(bytes).get() }
    }

    @Test("JSON depth: the error names the depth limit; a deeper limit reads the case")
    func jsonDepth() throws {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        let bytes = Array((validCase.dropLast() + #", "extra": \#(deep)}"#).utf8)
        guard case .failure(let errors) = try kaiser().decode(bytes) else { Issue.record("a 71-deep case decoded"); return }
        #expect(errors.diagnostics.map(\.id.code) == ["limit.json-depth"])
        #expect(errors.diagnostics.first?.message == "nesting deeper than 64 levels")
        let raised = CaseLimits(json: JSONLimits(maxDepth: 100, maxStringBytes: 256 << 10))
        #expect(throws: Never.self) { try kaiser(raised).decode(bytes).get() }
    }

    @Test("JSON depth: a million open brackets are rejected at the limit without recursing")
    func jsonVeryDeep() throws {
        let bytes = Array(("{\"x\": " + String(repeating: "[", count: 1_000_000)).utf8)
        guard case .failure(let errors) = try kaiser(CaseLimits(maxBytes: 2 << 20)).decode(bytes) else {
            Issue.record("decoded")
            return
        }
        #expect(errors.diagnostics.first?.message == "nesting deeper than 64 levels")
    }

    @Test("string length: the error names the limit, for read and for skipped fields; a longer limit reads it")
    func stringLength() throws {
        let notes = String(repeating: "n", count: 300_000)
        for text in [
            validCase.dropLast() + #", "clinical_notes": "\#(notes)"}"#,  // a declared input
            validCase.dropLast() + #", "member": {"name": "\#(notes)"}}"#,  // skipped, still validated
        ] {
            let bytes = Array(text.utf8)
            guard case .failure(let errors) = try kaiser().decode(bytes) else { Issue.record("a 300 KB string decoded"); continue }
            #expect(errors.diagnostics.map(\.id.code) == ["limit.string-length"])
            #expect(errors.diagnostics.first?.message == "string longer than 262144 bytes")
            let raised = CaseLimits(json: JSONLimits(maxDepth: 64, maxStringBytes: 512 << 10))
            #expect(throws: Never.self) { try kaiser(raised).decode(bytes).get() }
        }
    }

    @Test("list length: limit.list-length names the path and the limit; a longer limit reads the list")
    func listLength() throws {
        let codes = Array(repeating: "\"90837\"", count: 10_001).joined(separator: ",")
        let bytes = Array(#"{"payer": "kaiser-norcal", "provider": {"network": "payer"}, "service": {"date": "2026-12-01", "cpt": [\#(codes)]}}"#.utf8)
        guard case .failure(let errors) = try kaiser().decode(bytes) else { Issue.record("10,001 items decoded"); return }
        #expect(errors.diagnostics.map(\.id.code) == ["limit.list-length"])
        #expect(errors.diagnostics.first?.message == "$.service.cpt: more than 10000 items")
        #expect(throws: Never.self) { try kaiser(CaseLimits(maxListLength: 20_000)).decode(bytes).get() }
    }

    @Test("case limits given to the catalog apply to routing too, so a raised limit lets the case through")
    func catalogCaseLimits() throws {
        // `payer` comes after a value that only the raised limits accept.
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        let text = #"{"extra": \#(deep), "provider": {"network": "payer"}, "payer": "kaiser-norcal"}"#
        let raised = CaseLimits(json: JSONLimits(maxDepth: 100, maxStringBytes: 256 << 10))
        let loaded = PolicyCatalog.load(paths: [ShippedPolicies.directory], limits: LoadLimits(), caseLimits: raised)
        let result = loaded.catalog.evaluate(Array(text.utf8), options: EvaluationOptions(today: ShippedPolicies.today))
        #expect(throws: Never.self) { try result.get() }
    }

    @Test("a declared field given twice is case.duplicate-key naming its path, not the last copy silently winning")
    func duplicateKeys() throws {
        for (text, path) in [
            (#"{"payer": "kaiser-norcal", "payment": {"method": "cash"}, "payment": {"method": "insurance"}}"#, "$.payment"),
            (#"{"payer": "kaiser-norcal", "payment": {"method": "cash", "method": "insurance"}}"#, "$.payment.method"),
            (#"{"payer": "kaiser-norcal", "payer": "aetna"}"#, "$.payer"),
            (#"{"payer": "kaiser-norcal", "documents": ["a"], "documents": null}"#, "$.documents"),
        ] {
            guard case .failure(let errors) = try kaiser().decode(Array(text.utf8)) else { Issue.record("\(text) decoded"); continue }
            #expect(errors.diagnostics.map(\.id.code) == ["case.duplicate-key"])
            #expect(errors.diagnostics.first?.message == "\(path) is given twice")
        }
        // Fields no policy reads may repeat, as before.
        #expect(throws: Never.self) { try kaiser().decode(Array(#"{"payer": "kaiser-norcal", "x": 1, "x": 2}"#.utf8)).get() }
    }

    @Test("a large set input keeps every distinct item and drops repeats (10,000 documents, each given twice)")
    func largeSetDecodes() throws {
        // Deduplication uses a hash set, so this stays linear; speed is measured by benchmarks, not here.
        let documents = (0..<10_000).map { "\"document-\($0)\"" }
        let bytes = Array((validCase.dropLast() + #", "documents": [\#((documents + documents).joined(separator: ","))]}"#).utf8)
        let decoder = try kaiser(CaseLimits(maxListLength: 20_000))
        let decoded = try decoder.decode(bytes).get()
        let slot = try #require(decoder.policy.slot(of: "documents"))
        guard case .list(let items)? = decoded.facts.values[slot] else { Issue.record("no documents"); return }
        #expect(items.count == 10_000)
        #expect(items.first == .string("document-0"))
        #expect(items.last == .string("document-9999"))
    }
}

// MARK: - Policy shapes that once crashed, hung or misled

@Suite("Robustness: hostile policies")
struct RobustnessHostilePolicyTests {
    /// Checks and compiles policy text with the shipped calendar name.
    private func check(_ text: String) -> (CheckedPolicy?, [Diagnostic]) {
        PolicyPipeline.check(yaml: text, file: "p.yaml", calendars: ["us-federal"])
    }

    @Test("an enum of 200 values and a number compared with 100 constants are answered as the rules answer")
    func wideDomains() throws {
        // More than 127 branches on one node: an enum of 200 values, and 100 thresholds (201 regions).
        let values = (0..<200).map { "v\($0)" }
        let enumRules = (0..<200).map { "      - {id: e\($0), when: e == v\($0), then: \($0 % 2 == 0 ? "x" : "y")}" }
        let numberRules = (0..<100).map { "      - {id: n\($0), when: n == \($0), then: \($0 % 2 == 0 ? "x" : "y")}" }
        let text = robustnessPolicy(
            inputs: "  e: {enum: [\(values.joined(separator: ", "))]}\n  n: {type: number}",
            decisions: """
                  by_enum:
                    outcomes: [x, y, z]
                    rules:
                \(enumRules.joined(separator: "\n"))
                    default: z
                  by_number:
                    outcomes: [x, y, z]
                    rules:
                \(numberRules.joined(separator: "\n"))
                    default: z
                """)
        let policy = try compilePolicy(text, options: CompileOptions(analyze: false))
        #expect(policy.compiled.roots.allSatisfy { $0 != nil })
        let reference = Evaluator(compiled: policy.compiled, calendar: policy.calendar, ruleByRule: true)
        var cases: [(String, String)] = []
        for e in [0, 1, 126, 127, 128, 129, 130, 190, 199] { cases.append(("e = v\(e)", #"{"e": "v\#(e)", "n": 0.5}"#)) }
        for n in [0, 1, 50, 62, 63, 64, 65, 70, 99, 100] { cases.append(("n = \(n)", #"{"e": "v0", "n": \#(n)}"#)) }
        var wrong: [String] = []
        for (label, json) in cases {
            let facts = try decode(json, policy).facts
            let fast = policy.evaluator.evaluate(facts).decisions
            let walked = policy.evaluator.evaluate(facts, explain: true).decisions.map { result in
                var result = result
                result.trace = []
                return result
            }
            let slow = reference.evaluate(facts).decisions
            if fast != slow || walked != slow {
                let ids = { (results: [DecisionResult]) in results.map { $0.rules.map(\.id).joined() }.joined(separator: "/") }
                wrong.append("\(label): diagram \(ids(fast)), walk \(ids(walked)), rules \(ids(slow))")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(cases.count) cases answered wrongly: \(wrong)")
    }

    @Test("an enum of 40,000 values (past Int16) is answered as the rules answer when the limit allows it")
    func veryWideEnum() throws {
        let values = (0..<40_000).map { "v\($0)" }.joined(separator: ", ")
        let text = robustnessPolicy(
            inputs: "  e: {enum: [\(values)]}",
            decisions: "  d:\n    outcomes: [x, y]\n    rules:\n      - {id: last, when: e == v39999, then: x}\n    default: y")
        let root = try #require(YAMLLoader.load(text, file: "p.yaml").root)
        let syntax = try #require(PolicyDecoder.decode(root, source: SourceText(file: "p.yaml", text: text)).0)
        let (strict, problems) = PolicyChecker.check(syntax, context: .init(calendars: ["us-federal"]))
        #expect(strict == nil && problems.contains { $0.id.code == "limit.enum-values" })
        let (checked, _) = PolicyChecker.check(syntax, context: .init(calendars: ["us-federal"], limits: PolicyLimits(maxEnumValues: 50_000)))
        let calendar = try HolidayCalendar(name: "us-federal", title: "none", holidays: [])
        let policy = LoadedPolicy(
            checked: try #require(checked), calendar: calendar, source: SourceText(file: "p.yaml", text: text), digest: "",
            options: CompileOptions(analyze: false))
        let facts = try decode(#"{"e": "v39999"}"#, policy).facts
        #expect(policy.evaluator.evaluate(facts).decisions.first?.rules.map(\.id) == ["last"])
        #expect(policy.evaluator.evaluate(facts, explain: true).decisions.first?.rules.map(\.id) == ["last"])
    }

    @Test("a rule shadowed by thousands of rules names a few of them, not all (no quadratic findings)")
    func shadowingNamesAFew() throws {
        let rules = (0..<400).map { "      - {id: r\($0), when: e == a, then: x}" }.joined(separator: "\n")
        let text = robustnessPolicy(inputs: "  e: {enum: [a, b]}", decisions: "  d:\n    outcomes: [x, y]\n    rules:\n\(rules)\n    default: y")
        let (checked, _) = check(text)
        let compiled = PolicyCompiler.compile(try #require(checked))
        let shadowed = compiled.findings.filter { $0.id.code == "analysis.shadowed-rule" }
        #expect(shadowed.count == 399)
        let total = shadowed.reduce(0) { $0 + $1.notes.count + $1.message.utf8.count / 100 }
        // Naming every earlier rule in every finding would be 80,000 notes for 400 rules.
        #expect(total < 399 * 20, "findings name \(total) notes in all")
    }

    @Test("conditions that use conditions 100,000 deep give limit.condition-depth, not a stack overflow")
    func deepConditionChain() throws {
        var conditions = "  c0: e == a\n"
        for i in 1..<100_000 { conditions += "  c\(i): c\(i - 1)\n" }
        let text = robustnessPolicy(
            inputs: "  e: {enum: [a, b]}", conditions: conditions,
            decisions: "  d:\n    outcomes: [x, y]\n    rules:\n      - {id: r, when: c99999, then: x}\n    default: y")
        let (checked, diagnostics) = check(text)
        #expect(checked == nil)
        let limit = try #require(diagnostics.first { $0.id.code == "limit.condition-depth" })
        #expect(limit.message == "conditions build on each other more than \(PolicyChecker.maxConditionDepth) levels deep")
    }

    /// 31 conditions, each one `or` chain of about 800 terms (4,096 characters) that starts with the
    /// condition before it: within the condition-depth and expression limits, yet 25,000 levels deep
    /// once the conditions are written out.
    static func orChains() -> String {
        var conditions = "  c0: b\n"
        for i in 1..<32 {
            var terms = ["c\(i - 1)"]
            while (terms + ["b"]).joined(separator: " or ").count <= 4090 { terms.append("b") }
            conditions += "  c\(i): '\(terms.joined(separator: " or "))'\n"
        }
        return robustnessPolicy(
            inputs: "  b: {type: bool}", conditions: conditions,
            decisions: "  d:\n    outcomes: [x, y]\n    rules:\n      - {id: r, when: c31, then: x}\n    default: y")
    }

    @Test("conditions of long `or` chains, 25,000 levels deep written out, give a limit diagnostic, not a stack overflow")
    func deepOrChains() throws {
        let (checked, diagnostics) = check(Self.orChains())
        #expect(checked == nil)
        let limit = try #require(diagnostics.first { $0.id.code == "limit.expression-depth" })
        #expect(limit.message.contains("over the limit of 256 levels"))
    }

    @Test("expression depth: limit.expression-depth names the depth and the limit; a deeper limit checks the policy")
    func expressionDepth() throws {
        #expect(PolicyLimits.default.maxExpressionDepth == 256)
        let chain = (0..<300).map { _ in "e == a" }.joined(separator: " or ")
        let text = robustnessPolicy(
            inputs: "  e: {enum: [a, b]}",
            decisions: "  d:\n    outcomes: [x, y]\n    rules:\n      - {id: r, when: '\(chain)', then: x}\n    default: y")
        let root = try #require(YAMLLoader.load(text, file: "p.yaml").root)
        let syntax = try #require(PolicyDecoder.decode(root, source: SourceText(file: "p.yaml", text: text)).0)
        let (strict, problems) = PolicyChecker.check(syntax, context: .init(calendars: ["us-federal"]))
        #expect(strict == nil)
        #expect(problems.filter { $0.severity == .error }.map(\.message) == [
            "the `when` of rule `r` nests 301 levels deep with the conditions it uses written out, over the limit of 256 levels"
        ])
        let raised = PolicyLimits(maxExpressionDepth: 400)
        #expect(PolicyChecker.check(syntax, context: .init(calendars: ["us-federal"], limits: raised)).0 != nil)
    }

    @Test("condition depth is configurable: PolicyLimits.maxConditionDepth")
    func conditionDepthConfigurable() throws {
        var conditions = "  c0: e == a\n"
        for i in 1..<40 { conditions += "  c\(i): c\(i - 1)\n" }
        let text = robustnessPolicy(
            inputs: "  e: {enum: [a, b]}", conditions: conditions,
            decisions: "  d:\n    outcomes: [x, y]\n    rules:\n      - {id: r, when: c39, then: x}\n    default: y")
        let root = try #require(YAMLLoader.load(text, file: "p.yaml").root)
        let syntax = try #require(PolicyDecoder.decode(root, source: SourceText(file: "p.yaml", text: text)).0)
        let (strict, problems) = PolicyChecker.check(syntax, context: .init(calendars: ["us-federal"]))
        #expect(strict == nil && problems.contains { $0.id.code == "limit.condition-depth" })
        let raised = PolicyLimits(maxConditionDepth: 50)
        #expect(PolicyChecker.check(syntax, context: .init(calendars: ["us-federal"], limits: raised)).0 != nil)
    }

    @Test("enum values: limit.enum-values names the count and the limit; a larger limit checks the policy")
    func enumValues() throws {
        #expect(PolicyLimits.default.maxEnumValues == 1_000)
        let text = robustnessPolicy(
            inputs: "  e: {enum: [a, b, c, d]}", decisions: "  d:\n    outcomes: [x, y]\n    rules:\n      - {id: r, when: e == a, then: x}\n    default: y")
        let root = try #require(YAMLLoader.load(text, file: "p.yaml").root)
        let syntax = try #require(PolicyDecoder.decode(root, source: SourceText(file: "p.yaml", text: text)).0)
        let (strict, problems) = PolicyChecker.check(syntax, context: .init(calendars: ["us-federal"], limits: PolicyLimits(maxEnumValues: 3)))
        #expect(strict == nil)
        #expect(problems.filter { $0.severity == .error }.map(\.message) == ["input `e` lists 4 enum values, over the limit of 3"])
        #expect(PolicyChecker.check(syntax, context: .init(calendars: ["us-federal"], limits: PolicyLimits(maxEnumValues: 4))).0 != nil)
    }

    @Test("policy limits reach the checker through the catalog (LoadLimits.policy)")
    func policyLimitsThroughCatalog() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("precert-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = robustnessPolicy(
            inputs: "  e: {enum: [a, b, c]}", decisions: "  d:\n    outcomes: [x, y]\n    rules:\n      - {id: r, when: e == a, then: x}\n    default: y")
        try Data(text.utf8).write(to: folder.appendingPathComponent("p.yaml"))
        let calendars = Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars").path
        let strict = PolicyCatalog.load(paths: [folder.path, calendars], limits: LoadLimits(policy: PolicyLimits(maxEnumValues: 2)))
        #expect(strict.diagnostics.contains { $0.id.code == "limit.enum-values" })
        #expect(strict.catalog.policies.isEmpty)
        let loose = PolicyCatalog.load(paths: [folder.path, calendars], limits: LoadLimits(policy: PolicyLimits(maxEnumValues: 3)))
        #expect(loose.catalog.policies.count == 1)
    }

    @Test("a number compared with 300 constants compiles its comparisons as atoms and answers as the rules do")
    func manyThresholds() throws {
        let rules = (0..<300).map { "      - {id: n\($0), when: n == \($0), then: \($0 % 2 == 0 ? "x" : "y")}" }.joined(separator: "\n")
        let text = robustnessPolicy(inputs: "  n: {type: number}", decisions: "  d:\n    outcomes: [x, y, z]\n    rules:\n\(rules)\n    default: z")
        let policy = try compilePolicy(text, options: CompileOptions(analyze: false))
        #expect(policy.compiled.variables.allSatisfy { $0.domainSize <= 2 * 256 + 1 })
        let reference = Evaluator(compiled: policy.compiled, calendar: policy.calendar, ruleByRule: true)
        for n in [0, 1, 63, 64, 128, 255, 256, 257, 299, 300] {
            let facts = try decode(#"{"n": \#(n)}"#, policy).facts
            #expect(policy.evaluator.evaluate(facts).decisions == reference.evaluate(facts).decisions, "n = \(n)")
        }
        let interval = try compilePolicy(text, options: CompileOptions(analyze: false, maxIntervalThresholds: 300))
        #expect(interval.compiled.variables.contains { $0.domainSize == 601 })
    }

    @Test("rule count: limit.rule-count names the count and the limit; a larger limit reads the policy")
    func ruleCount() throws {
        #expect(LoadLimits().maxRules == 5_000)
        let rules = (0..<6).map { "      - {id: r\($0), when: e == a, then: x}" }.joined(separator: "\n")
        let text = robustnessPolicy(inputs: "  e: {enum: [a, b]}", decisions: "  d:\n    outcomes: [x, y]\n    rules:\n\(rules)")
        let root = try #require(YAMLLoader.load(text, file: "p.yaml").root)
        let source = SourceText(file: "p.yaml", text: text)
        let (strict, problems) = PolicyDecoder.decode(root, source: source, maxRules: 5)
        #expect(strict == nil)
        #expect(problems.map(\.id.code) == ["limit.rule-count"])
        #expect(problems.first?.message == "the policy has 6 rules, over the limit of 5")
        let (loose, none) = PolicyDecoder.decode(root, source: source, maxRules: 6)
        #expect(loose != nil && none.isEmpty)
    }

    @Test("rule count through the catalog: LoadLimits.maxRules")
    func ruleCountThroughCatalog() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("precert-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = (0..<3).map { "      - {id: r\($0), when: e == a, then: x}" }.joined(separator: "\n")
        let text = robustnessPolicy(inputs: "  e: {enum: [a, b]}", decisions: "  d:\n    outcomes: [x, y]\n    rules:\n\(rules)\n    default: y")
        try Data(text.utf8).write(to: folder.appendingPathComponent("p.yaml"))
        let calendars = Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars").path
        let strict = PolicyCatalog.load(paths: [folder.path, calendars], limits: LoadLimits(maxRules: 3))
        #expect(strict.diagnostics.first { $0.id.code == "limit.rule-count" }?.message == "the policy has 4 rules, over the limit of 3")
        #expect(strict.catalog.policies.isEmpty)
        let loose = PolicyCatalog.load(paths: [folder.path, calendars], limits: LoadLimits(maxRules: 4))
        #expect(loose.catalog.policies.count == 1)
    }
}

// MARK: - Differential: diagrams against rule-by-rule evaluation

/// Generates cases for one policy from its declared inputs: enum values, booleans, numbers and dates
/// around the constants the policy compares against, codes from its code sets and outside them,
/// texts around the lengths it measures, and fields left out.
struct PolicyCaseGenerator {
    let policy: CheckedPolicy
    private var random: SeededGenerator
    private var numbers: [Int: Set<Double>] = [:]
    private var dates: Set<Int32> = []
    private var texts: [Int: Set<String>] = [:]
    private var lengths: [Int: Set<Int>] = [:]
    private var codes: [String] = []
    // The constants above, sorted once, so that picking from them costs nothing per case.
    private var numberList: [Int: [Double]] = [:]
    private var dateList: [Int32] = []
    private var textList: [Int: [String]] = [:]
    private var lengthList: [Int: [Int]] = [:]

    init(policy: CheckedPolicy, seed: UInt64) {
        self.policy = policy
        random = SeededGenerator(seed: seed)
        var expressions = policy.conditions.map(\.expression)
        for decision in policy.decisions {
            expressions += decision.rules.map(\.when)
            if let applies = decision.appliesWhen { expressions.append(applies) }
        }
        for expression in expressions { collect(expression, element: nil) }
        var pool: Set<String> = ["", "Z99.9", "00000", "f33.1", "F", "99999"]
        for set in policy.codeSets {
            for member in set.exact {
                pool.insert(member)
                pool.insert(member + "0")
                pool.insert(String(member.dropLast()))
            }
            for prefix in set.prefixes {
                pool.insert(prefix)
                pool.insert(prefix + "1")
                pool.insert(prefix + ".9")
                pool.insert(String(prefix.dropLast()))
            }
        }
        codes = pool.sorted()
        for anchor in ["2025-01-01", "2026-01-01", "2026-05-20", "2026-11-23", "2026-12-01", "2027-01-01"] {
            dates.insert(CivilDate(iso: anchor)!.dayNumber)
        }
        numberList = numbers.mapValues { $0.sorted() }
        dateList = dates.sorted()
        textList = texts.mapValues { $0.sorted() }
        lengthList = lengths.mapValues { $0.sorted() }
    }

    /// Notes the constants each input slot is compared with (`element` is the slot `it` ranges over).
    private mutating func collect(_ expression: CheckedExpr, element: Int?) {
        func slot(of e: CheckedExpr) -> Int? {
            switch e {
            case .input(let s): return s
            case .element: return element
            case .shift(let inner, _, _): return slot(of: inner)
            default: return nil
            }
        }
        func note(_ s: Int?, _ value: Value) {
            guard let s else { return }
            switch value {
            case .number(let n): numbers[s, default: []].insert(n)
            case .date(let d): dates.insert(d.dayNumber)
            case .string(let t): texts[s, default: []].insert(t)
            default: break
            }
        }
        switch expression {
        case .compare(_, .length(let inner), .constant(.number(let n))), .compare(_, .constant(.number(let n)), .length(let inner)):
            if let s = slot(of: inner) { lengths[s, default: []].insert(Int(n)) }
            collect(inner, element: element)
        case .compare(_, let a, let b):
            if case .constant(let c) = b { note(slot(of: a), c) }
            if case .constant(let c) = a { note(slot(of: b), c) }
            collect(a, element: element)
            collect(b, element: element)
        case .inValues(let a, let values):
            for value in values { note(slot(of: a), value) }
            collect(a, element: element)
        case .contains(let collection, let item):
            if case .constant(let c) = item { note(slot(of: collection), c) }
            collect(collection, element: element)
            collect(item, element: element)
        case .any(let collection, let predicate), .all(let collection, let predicate):
            collect(collection, element: element)
            collect(predicate, element: slot(of: collection))
        case .not(let a), .length(let a), .shift(let a, _, _), .inCodeSet(let a, _):
            collect(a, element: element)
        case .and(let a, let b), .or(let a, let b):
            collect(a, element: element)
            collect(b, element: element)
        case .constant, .input, .element, .condition, .decision, .has:
            break
        }
    }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }

    private mutating func number(_ slot: Int) -> Double {
        let constants = numberList[slot, default: []]
        if !constants.isEmpty, chance(0.8) {
            return pick(constants) + pick([-1, -0.5, 0, 0, 0.5, 1])
        }
        return pick([0, 1, 2, 3, 5, 9, 10, 11, 12, 20, 29, 30, 31, 40, 100, -1, 1e9])
    }

    /// Dates of one case cluster around one anchor, so that comparisons between inputs (and an input
    /// plus a year) go both ways and are sometimes equal.
    private mutating func date(anchor: Int32) -> CivilDate {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return CivilDate(dayNumber: pick(dateList) + Int32(pick([-1, 0, 0, 1])))
        case 1:
            let base = CivilDate(dayNumber: anchor)
            return pick([base, base.adding(years: 1), base.adding(years: -1), base.adding(months: 1)]).adding(days: pick([-1, 0, 0, 1]))
        default: return CivilDate(dayNumber: anchor + Int32(pick([-400, -366, -365, -364, -30, -1, 0, 0, 0, 1, 30, 364, 365, 366, 400])))
        }
    }

    private mutating func text(_ slot: Int) -> String {
        let constants = textList[slot, default: []]
        if !constants.isEmpty, chance(0.5) { return pick(constants) }
        let length = lengthList[slot].map { pick($0) + pick([-1, 0, 0, 1]) } ?? pick([0, 1, 5, 10, 60])
        // Multi-byte characters check that `len` counts characters, not bytes.
        return String(repeating: pick(["n", "é", "🩺", "\"", "\\"]), count: max(0, length))
    }

    private mutating func value(_ type: ValueType, slot: Int, anchor: Int32) -> Value {
        switch type {
        case .bool: return .bool(chance(0.5))
        case .number: return .number(number(slot))
        case .string: return .string(text(slot))
        case .code:
            let constants = textList[slot, default: []]
            return .string(!constants.isEmpty && chance(0.3) ? pick(constants) : pick(codes))
        case .date: return .date(date(anchor: anchor))
        case .datetime:
            let day = date(anchor: anchor)
            let offsets: [Int32] = [0, -28_800, -25_200, -18_000, 19_800]
            let seconds: [Int] = [0, 1, 32_400, 61_201, 86_399]
            return .datetime(Timestamp(localDate: day, secondsOfDay: pick(seconds), utcOffsetSeconds: pick(offsets)))
        case .duration: return .duration(ClockDuration(amount: pick([0, 1, 3, 72]), unit: pick(ClockUnit.allCases)))
        case .enumeration(let names): return .enumValue(Int.random(in: 0..<names.count, using: &random))
        case .list(let element), .set(let element):
            let count = lengthList[slot].map { max(0, pick($0) + pick([-1, 0, 1])) } ?? pick([0, 1, 1, 1, 2, 3])
            var items: [Value] = []
            let constants = textList[slot, default: []]
            for _ in 0..<count {
                let item: Value
                if case .string = element, !constants.isEmpty, chance(0.7) {
                    item = .string(pick(constants))
                } else if case .string = element {
                    item = .string(pick(["other", "chart_notes", ""]))
                } else {
                    item = value(element, slot: slot, anchor: anchor)
                }
                if case .set = type, items.contains(item) { continue }
                items.append(item)
            }
            return .list(items)
        case .valueSet: return .bool(false)
        }
    }

    /// The next case: each input is left out with probability `absent` (then its default, if any,
    /// applies, as the decoder does).
    mutating func next(absent: Double) -> CaseFacts {
        var facts = CaseFacts(slotCount: policy.inputs.count)
        let anchor = pick(dateList) + Int32(Int.random(in: -40...40, using: &random))
        for (slot, input) in policy.inputs.enumerated() {
            if absent > 0, chance(absent) {
                facts.values[slot] = input.defaultValue
            } else {
                facts.values[slot] = value(input.type, slot: slot, anchor: anchor)
                facts.present[slot] = true
            }
        }
        return facts
    }

    /// The case as JSON in the shared case shape (present fields only), for checking the decoder.
    func json(_ facts: CaseFacts) -> String {
        CaseJSON.sketch(facts, policy: policy, onlyPresent: true)
    }
}

/// What the differential comparison found for one policy.
struct DifferentialReport: Sendable {
    var policy: String
    var cases = 0
    var allKnown = 0
    var withUnknowns = 0
    var decidedByRulesWithUnknowns = 0
    var moreDecidedByDiagrams = 0
    var fewerCitations = 0
    var decoderChecks = 0
    var differences = 0
    var examples: [String] = []

    mutating func differ(_ text: @autoclosure () -> String) {
        differences += 1
        if examples.count < 5 { examples.append(text()) }
    }
}

enum Differential {
    /// Compares the diagram evaluator (fast path and walk) with rule-by-rule evaluation on `count`
    /// generated cases for `loaded`.
    static func run(_ loaded: LoadedPolicy, count: Int, seed: UInt64) -> DifferentialReport {
        let policy = loaded.policy
        var report = DifferentialReport(policy: policy.id)
        var generator = PolicyCaseGenerator(policy: policy, seed: seed)
        let diagrams = loaded.evaluator
        let rules = Evaluator(compiled: loaded.compiled, calendar: loaded.calendar, ruleByRule: true)
        func summary(_ r: DecisionResult) -> String {
            "\(r.name): \(r.status.rawValue) \(r.outcomes) rules \(r.rules.map(\.id)) due \(r.due?.rfc3339 ?? "-") missing \(r.missing) possible \(r.possible)"
        }
        for index in 0..<count {
            let absent = index % 2 == 0 ? 0 : [0.1, 0.3, 0.6][index % 3]
            let facts = generator.next(absent: absent)
            report.cases += 1
            if index % 16 == 0 {
                // The decoder reads the same facts from the case's JSON.
                report.decoderChecks += 1
                let json = generator.json(facts)
                switch loaded.decoder.decode(Array(json.utf8)) {
                case .success(let decoded) where decoded.facts == facts: break
                case .success(let decoded): report.differ("decoder: \(json)\n  read \(decoded.facts)\n  made \(facts)")
                case .failure(let errors): report.differ("decoder rejected \(json): \(errors.diagnostics.map(\.description))")
                }
            }
            let fast = diagrams.evaluate(facts)
            let slow = rules.evaluate(facts)
            let walked = index % 4 == 0 ? diagrams.evaluate(facts, explain: true).decisions : nil
            let known = facts.values.allSatisfy { $0 != nil }
            if known {
                report.allKnown += 1
                for (i, (f, s)) in zip(fast.decisions, slow.decisions).enumerated() {
                    let w = walked?[i]
                    if f.status != s.status || f.outcomes != s.outcomes || f.rules.map(\.id) != s.rules.map(\.id) || f.due != s.due
                        || (w.map { $0.status != s.status || $0.outcomes != s.outcomes || $0.rules.map(\.id) != s.rules.map(\.id) } ?? false)
                    {
                        report.differ("\(policy.id) \(generator.json(facts))\n  diagram \(summary(f))\n  walk    \(w.map(summary) ?? "-")\n  rules   \(summary(s))")
                    }
                }
                if fast.nextSteps != slow.nextSteps {
                    report.differ("\(policy.id) \(generator.json(facts))\n  next steps \(fast.nextSteps) vs \(slow.nextSteps)")
                }
            } else {
                report.withUnknowns += 1
                for (f, s) in zip(fast.decisions, slow.decisions) {
                    if s.status != .needsInformation {
                        // Rule by rule decides: the diagram decides the same. It may cite fewer rules: where
                        // an unknown input leaves an earlier rule open, three-valued rules cite it too,
                        // while the diagram can know that rule cannot match (it reads the inputs behind
                        // another decision's outcome, not just the outcome).
                        report.decidedByRulesWithUnknowns += 1
                        let fewer = Set(f.rules.map(\.id)).isSubset(of: s.rules.map(\.id)) && f.rules.isEmpty == s.rules.isEmpty
                        if f.status != s.status || f.outcomes != s.outcomes || !fewer {
                            report.differ("\(policy.id) \(generator.json(facts)) (unknowns)\n  diagram \(summary(f))\n  rules   \(summary(s))")
                        } else if f.rules.map(\.id) != s.rules.map(\.id) {
                            report.fewerCitations += 1
                        }
                    } else if f.status != .needsInformation {
                        // The diagram is more decided; its answer must be one the rules still allow.
                        report.moreDecidedByDiagrams += 1
                        let answer = f.status == .decided ? f.outcomes : [f.status.rawValue]
                        if !answer.allSatisfy(s.possible.contains) {
                            report.differ("\(policy.id) \(generator.json(facts)) (unknowns)\n  diagram \(summary(f))\n  rules   \(summary(s))")
                        }
                    }
                }
            }
        }
        return report
    }

    static func runAll(casesPerPolicy: Int) async -> [DifferentialReport] {
        let policies = ShippedPolicies.catalog.policies
        return await withTaskGroup(of: DifferentialReport.self) { group in
            for (index, loaded) in policies.enumerated() {
                group.addTask { run(loaded, count: casesPerPolicy, seed: 20_261_123 &+ UInt64(index)) }
            }
            var reports: [DifferentialReport] = []
            for await report in group { reports.append(report) }
            return reports.sorted { $0.policy < $1.policy }
        }
    }
}

@Suite("Robustness: Differential diagrams against rules")
struct RobustnessDifferentialTests {
    @Test("for every shipped policy, the diagrams answer as the rules do on generated cases (PRECERT_DIFFERENTIAL_CASES, default 20,000)")
    func shippedPolicies() async throws {
        #expect(ShippedPolicies.loaded.diagnostics.filter { $0.severity == .error }.isEmpty)
        #expect(ShippedPolicies.catalog.policies.count >= 5)
        let count = environmentCount("PRECERT_DIFFERENTIAL_CASES", default: 20_000)
        let start = DispatchTime.now().uptimeNanoseconds
        let reports = await Differential.runAll(casesPerPolicy: count)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        for report in reports {
            print(
                "differential \(report.policy): \(report.cases) cases (\(report.allKnown) all known, \(report.withUnknowns) with unknowns: "
                    + "\(report.decidedByRulesWithUnknowns) decisions decided by the rules, \(report.moreDecidedByDiagrams) more decided by the diagrams, "
                    + "\(report.fewerCitations) citing fewer rules), "
                    + "\(report.decoderChecks) decoder round trips, \(report.differences) differences")
            #expect(report.differences == 0, "\(report.policy): \(report.differences) differences, e.g.\n\(report.examples.joined(separator: "\n"))")
            #expect(report.allKnown > 0 && report.withUnknowns > 0)
        }
        print("differential: \(reports.count) policies x \(count) cases in \(String(format: "%.1f", seconds)) s")
    }

    @Test("the generator covers each policy's code sets, constants and both branches of its rules")
    func generatorCoverage() throws {
        for loaded in ShippedPolicies.catalog.policies {
            var generator = PolicyCaseGenerator(policy: loaded.policy, seed: 1)
            var matched: Set<String> = []
            for _ in 0..<2_000 {
                let facts = generator.next(absent: 0)
                for result in loaded.evaluator.evaluate(facts).decisions { matched.formUnion(result.rules.map(\.id)) }
            }
            let rules = Set(loaded.policy.decisions.flatMap { $0.rules.map(\.id) })
            let never = rules.subtracting(matched).sorted()
            // Rules the analysis proves can never decide are the only ones a generator may miss.
            let shadowed = Set(loaded.compiled.findings.filter { $0.id.code.hasPrefix("analysis.") }.flatMap { finding in
                rules.filter { finding.message.contains("`\($0)`") }
            })
            #expect(never.filter { !shadowed.contains($0) }.isEmpty, "\(loaded.policy.id): generated cases never reach \(never)")
        }
    }
}

// MARK: - Concurrency

enum ConcurrencyRun {
    /// Generated case lines spread over the shipped payers (and a few no policy takes).
    static func lines(_ count: Int) -> [[UInt8]] {
        var payers = Array(Set(ShippedPolicies.catalog.policies.map(\.policy.payer))).sorted()
        payers.append("unknown-payer")
        var corpus = CaseCorpus(seed: 8)
        return (0..<count).map { index in Array(corpus.next(payer: payers[index % payers.count]).utf8) }
    }

    /// A fingerprint of everything a caller sees for one case: the decision JSON, or the diagnostics.
    static func fingerprint(_ catalog: PolicyCatalog, _ line: [UInt8], explain: Bool) -> Int {
        var hasher = Hasher()
        switch catalog.evaluate(line, options: EvaluationOptions(explain: explain, today: ShippedPolicies.today)) {
        case .success(let decision): hasher.combine(DecisionEncoder.encode(decision))
        case .failure(let errors): hasher.combine(errors.diagnostics)
        }
        return hasher.finalize()
    }
}

@Suite("Robustness: Concurrency")
struct RobustnessConcurrencyTests {
    @Test("8 tasks evaluating the same cases against one catalog give the same decisions as one task (PRECERT_CONCURRENCY_CASES each, default 2,000)")
    func eightTasksAgreeWithOne() async throws {
        let count = environmentCount("PRECERT_CONCURRENCY_CASES", default: 2_000)
        let catalog = ShippedPolicies.catalog
        let lines = ConcurrencyRun.lines(min(count, 20_000))
        let reference = lines.indices.map { ConcurrencyRun.fingerprint(catalog, lines[$0], explain: $0 % 7 == 0) }
        let start = DispatchTime.now().uptimeNanoseconds
        let mismatches = await withTaskGroup(of: (task: Int, mismatches: Int, evaluated: Int).self) { group in
            for task in 0..<8 {
                group.addTask {
                    var mismatches = 0
                    // Each task starts at its own place in the corpus, so different cases run side by side.
                    for step in 0..<count {
                        let index = (step + task * lines.count / 8) % lines.count
                        if ConcurrencyRun.fingerprint(catalog, lines[index], explain: index % 7 == 0) != reference[index] { mismatches += 1 }
                        if step % 256 == 0 { await Task.yield() }
                    }
                    return (task, mismatches, count)
                }
            }
            var results: [(task: Int, mismatches: Int, evaluated: Int)] = []
            for await result in group { results.append(result) }
            return results
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("concurrency: 8 tasks x \(count) cases (\(lines.count) distinct) in \(String(format: "%.1f", seconds)) s; mismatches \(mismatches.map(\.mismatches))")
        #expect(mismatches.count == 8)
        #expect(mismatches.allSatisfy { $0.mismatches == 0 && $0.evaluated == count })
    }

    @Test("one evaluator and one decoder shared by threads that each reuse their own scratch buffers")
    func sharedEvaluatorWithScratch() async throws {
        let policy = try #require(ShippedPolicies.catalog.policies.first { $0.policy.id == "kaiser-norcal/behavioral-health" })
        let cases = try Workloads(policies: ShippedPolicies.directory, cases: 2_000, seed: 99).decoded
        let reference = cases.map { policy.evaluator.evaluate($0.facts).decisions }
        let agreed = await withTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var scratch = EvaluationScratch()
                    var same = true
                    for step in 0..<cases.count {
                        let index = (step + task * 250) % cases.count
                        if policy.evaluator.evaluateLeaves(cases[index].facts, scratch: &scratch) {
                            let results = policy.evaluator.materialize(scratch, cases[index].facts)
                            same = same && results.map(\.outcomes) == reference[index].map(\.outcomes)
                        } else {
                            same = same && policy.evaluator.evaluate(cases[index].facts).decisions == reference[index]
                        }
                    }
                    return same
                }
            }
            var all: [Bool] = []
            for await same in group { all.append(same) }
            return all
        }
        #expect(agreed == Array(repeating: true, count: 8))
    }
}

// MARK: - Privacy

/// Puts a marker into every free-text field of a case and looks for it everywhere Precert answers.
enum PrivacyProbe {
    /// The string fields of domain/CASE.md that hold free text or identifiers (`case_id` is echoed by
    /// contract and `payer` routes the case, so they are left out), with where the marker goes.
    static let fields: [(path: [String], inList: Bool)] = [
        (["member", "id"], false), (["member", "name"], false), (["member", "state"], false),
        (["provider", "npi"], false), (["provider", "name"], false), (["provider", "practice"], false),
        (["provider", "phone"], false), (["provider", "fax"], false), (["clinical_notes"], false),
        (["provider", "licensed_states"], true), (["documents"], true),
    ]

    static func marker(_ path: [String]) -> String { "PHIMARK-\(path.joined(separator: "-"))-QZ" }

    /// A complete, valid case in the shared shape with every free-text field marked.
    static func marked() throws -> [String: Any] {
        let example = Fixtures.repositoryRoot.appendingPathComponent("Examples/affiliate-with-pcp-referral.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: example)) as? [String: Any])
        object["case_id"] = "c-privacy"
        for field in fields {
            let value: Any = field.inList ? [marker(field.path), "clinical_notes", "pcp_referral"] : marker(field.path)
            set(&object, field.path, value)
        }
        return object
    }

    static func set(_ object: inout [String: Any], _ path: [String], _ value: Any) {
        if path.count == 1 {
            object[path[0]] = value
            return
        }
        var inner = object[path[0]] as? [String: Any] ?? [:]
        set(&inner, Array(path.dropFirst()), value)
        object[path[0]] = inner
    }

    static func text(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Named case documents: valid, with type errors elsewhere, with the marked fields mistyped,
    /// oversized and malformed around the markers.
    static func variants() throws -> [(name: String, text: String)] {
        let base = try marked()
        var variants: [(String, String)] = [("valid", try text(base))]
        var mistyped = base
        for (path, value) in [
            (["provider", "network"], 42 as Any), (["service", "date"], "2026-13-45"), (["service", "cpt"], "90837"),
            (["request", "urgency"], true), (["referral", "status"], "maybe"), (["payment", "method"], ["cash"]),
            (["request", "received_at"], "yesterday"), (["service", "visits_this_year"], "three"),
            (["provider", "in_directory"], "yes"), (["history", "payer_group_therapy_completed"], 1),
            (["member", "plan"], 7), (["referral", "valid_until"], "soon"), (["service", "icd10"], [1, 2]),
            (["booking", "channel"], NSNull()), (["referral", "initiated_by"], ["pcp"]),
        ] as [([String], Any)] {
            set(&mistyped, path, value)
        }
        variants.append(("type errors in other fields", try text(mistyped)))
        var wrapped = base
        for field in fields {
            set(&wrapped, field.path, field.inList ? [["note": marker(field.path)]] : ["text": marker(field.path)] as Any)
        }
        variants.append(("marked fields mistyped (objects)", try text(wrapped)))
        var listed = base
        for field in fields { set(&listed, field.path, field.inList ? marker(field.path) : [marker(field.path)] as Any) }
        variants.append(("marked fields mistyped (lists and text)", try text(listed)))
        var numbered = mistyped
        for field in fields where !field.inList { set(&numbered, field.path, 12345) }
        set(&numbered, ["clinical_notes"], marker(["clinical_notes"]) + String(repeating: "x", count: 300_000))
        variants.append(("oversized notes", try text(numbered)))
        let valid = try text(base)
        for field in fields {
            let mark = marker(field.path)
            guard let range = valid.range(of: mark) else { continue }
            let name = field.path.joined(separator: ".")
            variants.append(("cut inside \(name)", String(valid[..<valid.index(range.lowerBound, offsetBy: 8)])))
            variants.append(("cut after \(name)", String(valid[..<range.upperBound]) + "\""))
            variants.append(("bad escape in \(name)", valid.replacingCharacters(in: range, with: mark + "\\q")))
            variants.append(("control character in \(name)", valid.replacingCharacters(in: range, with: mark + "\u{01}")))
            variants.append(("missing comma after \(name)", valid.replacingOccurrences(of: "\(mark)\",", with: "\(mark)\" ")))
            variants.append(("bare word for \(name)", valid.replacingOccurrences(of: "\"\(mark)\"", with: mark)))
        }
        return variants
    }

    /// The input paths a policy's next-step templates print.
    static func templateFields(_ policy: CheckedPolicy) -> Set<String> {
        var fields: Set<String> = []
        for decision in policy.decisions {
            for rule in decision.rules + (decision.defaultRule.map { [$0] } ?? []) {
                for part in rule.nextStep ?? [] {
                    if case .input(let slot) = part { fields.insert(policy.inputs[slot].path) }
                }
            }
        }
        return fields
    }

    /// Where markers show up in one answer; empty when nothing leaked.
    static func leaks(_ result: Result<CaseDecision, CaseErrors>, policy: CheckedPolicy) -> [String] {
        var found: [String] = []
        switch result {
        case .failure(let errors):
            for diagnostic in errors.diagnostics {
                let texts = [diagnostic.message, diagnostic.hint ?? ""] + diagnostic.notes.map(\.message)
                let shown = fields.filter { field in texts.contains { $0.contains(marker(field.path)) } }
                for field in shown {
                    found.append("diagnostic `\(diagnostic.id)` shows \(field.path.joined(separator: ".")): \(diagnostic.message) / \(diagnostic.hint ?? "")")
                }
                if shown.isEmpty, texts.contains(where: { $0.contains("PHIMARK") }) {
                    found.append("diagnostic `\(diagnostic.id)` shows part of a marker: \(diagnostic.message) / \(diagnostic.hint ?? "")")
                }
            }
        case .success(let decision):
            let json = String(decoding: DecisionEncoder.encode(decision), as: UTF8.self)
            let text = DecisionText.render(decision, options: .init(why: true, explain: true))
            let allowed = templateFields(policy)
            for field in fields {
                let mark = marker(field.path)
                let path = field.path.joined(separator: ".")
                let inSteps = decision.nextSteps.reduce(0) { $0 + $1.components(separatedBy: mark).count - 1 }
                let inJSON = json.components(separatedBy: mark).count - 1
                if inJSON > inSteps || (inSteps > 0 && !allowed.contains(path)) {
                    found.append("decision JSON shows \(path) (\(inJSON) times, \(inSteps) in next steps; templates print \(allowed.sorted()))")
                }
                if text.components(separatedBy: mark).count - 1 > inSteps {
                    found.append("decision text shows \(path) outside next steps")
                }
            }
            if found.isEmpty, json.contains("PHIMARK") != decision.nextSteps.contains(where: { $0.contains("PHIMARK") }) {
                found.append("a marker shows in the decision JSON outside next steps")
            }
        }
        return found
    }
}

@Suite("Robustness: privacy")
struct RobustnessPrivacyTests {
    @Test("free text never appears in a diagnostic, nor in a decision except where a next step template asks for it")
    func markersStayOut() throws {
        let catalog = ShippedPolicies.catalog
        let variants = try PrivacyProbe.variants()
        var leaks: [String] = []
        var evaluated = 0
        var echoedByTemplates = 0
        for loaded in catalog.policies {
            for (name, text) in variants {
                for explain in [false, true] {
                    let result = catalog.evaluate(
                        Array(text.utf8),
                        options: EvaluationOptions(policyID: loaded.policy.id, explain: explain, file: "case.json", today: ShippedPolicies.today))
                    evaluated += 1
                    if case .success(let decision) = result, decision.nextSteps.contains(where: { $0.contains("PHIMARK") }) {
                        echoedByTemplates += 1
                    }
                    for leak in PrivacyProbe.leaks(result, policy: loaded.policy) {
                        leaks.append("\(loaded.policy.id), \(name)\(explain ? ", explain" : ""): \(leak)")
                    }
                }
            }
        }
        print("privacy: \(evaluated) evaluations of \(variants.count) case variants, \(echoedByTemplates) decisions print a marked field through a next-step template")
        #expect(leaks.isEmpty, "\(leaks.count) leaks:\n\(leaks.prefix(20).joined(separator: "\n"))")
        // The probe itself works: the valid case decides, and Kaiser's affiliate next step prints the NPI it was given.
        let kaiser = try #require(catalog.policies.first { $0.policy.id == "kaiser-norcal/behavioral-health" })
        #expect(PrivacyProbe.templateFields(kaiser.policy).contains("provider.npi"))
        #expect(echoedByTemplates > 0)
    }

    @Test("routing by payer: a case whose payer is unknown is rejected without echoing its free text")
    func unknownPayer() throws {
        var object = try PrivacyProbe.marked()
        object["payer"] = "nobody"
        let result = ShippedPolicies.catalog.evaluate(Array(try PrivacyProbe.text(object).utf8), options: EvaluationOptions(today: ShippedPolicies.today))
        guard case .failure(let errors) = result else { Issue.record("decided"); return }
        #expect(errors.diagnostics.map(\.id.code) == ["catalog.unknown-payer"])
        #expect(PrivacyProbe.leaks(result, policy: ShippedPolicies.catalog.policies[0].policy).isEmpty)
    }
}
