/// A policy test file (`precert-test: 1`): the policy it tests and its cases, each a case document
/// with the answers it must get.
///
/// Decoding checks the file's shape only (keys, kinds of value, dates, durations, statuses); whether
/// a decision, outcome, rule or input exists depends on the policy version a case is evaluated
/// against, and `PolicyTestRunner` checks that.
package struct PolicyTestFile: Sendable {
    /// The file's path, as discovered.
    package var file: String
    /// The id of the policy under test (`kaiser-norcal/behavioral-health`); `nil` when the file
    /// does not give one (an error already reported), so that its cases still count as not run.
    package var policyID: Located<String>?
    /// The date that picks the policy version for cases that give none of their own.
    package var asOf: Located<CivilDate>?
    /// The cases, in the order written; a case whose shape has errors is left out.
    package var cases: [PolicyTestCase]
    /// Where each case left out for errors is written, so that it can be counted as not run.
    package var invalidCases: [InvalidCase]

    /// A case that could not be decoded.
    package struct InvalidCase: Sendable, Hashable {
        /// Its name, when it has one.
        package var name: String?
        /// Where it is written.
        package var location: SourceLocation
    }

    /// The keys a test file may have at its top level.
    static let topKeys = ["precert-test", "policy", "as_of", "cases"]
    /// The keys of one case.
    static let caseKeys = ["name", "facts", "as_of", "case", "case_file", "expect"]
    /// The keys of one decision's expectation written as a mapping.
    static let expectationKeys = ["status", "outcome", "due", "rule", "rules", "missing", "possible"]

    /// Decodes a test file's YAML tree, reporting every shape problem at its place.
    package static func decode(_ root: YAMLNode, file: String) -> (PolicyTestFile?, [Diagnostic]) {
        var decoder = PolicyTestDecoder()
        let decoded = decoder.decodeFile(root, file: file)
        return (decoded, decoder.diagnostics.all)
    }
}

/// One test case: a case document and the answers it must get.
package struct PolicyTestCase: Sendable {
    /// The case's name, shown when it fails.
    package var name: String
    /// Where the case is written (its first key).
    package var location: SourceLocation
    /// Which fact the case proves, e.g. `docs/PAYER-FACTS.md: Kaiser, grow-kaiser-referrals — ...`.
    package var facts: String?
    /// The date that picks the policy version, overriding the file's and `request.received_at`.
    package var asOf: Located<CivilDate>?
    /// The case document; `nil` when the case gives none it can use.
    package var input: PolicyTestCaseInput?
    /// The expected answers, one per decision named under `expect`, in the order written; an
    /// expectation with errors is left out.
    package var expectations: [DecisionExpectation]
    /// Whether the case has shape errors: it is not evaluated, but what it names is still checked
    /// against the policy so that every problem is reported in one run.
    package var hasErrors: Bool
    /// Whether the case document and the date that picks its version are sound, whatever the
    /// errors of its expectations: such a case is still evaluated, so that the rules it reaches
    /// count toward coverage, though it does not pass.
    package var isEvaluable = true
}

/// Where a test case's document comes from.
package enum PolicyTestCaseInput: Sendable {
    /// Written in the test file under `case:`; converted to case JSON with the YAML 1.2 core schema.
    case inline(YAMLNode)
    /// A JSON file named under `case_file:`, relative to the test file.
    case file(Located<String>)
}

/// What one decision must answer for a test case.
///
/// A plain word (`coverage: not_covered`) or list (`denial_risks: [A, B]`) expects that outcome;
/// a mapping may say more: `status`, `outcome`, `due`, `rule`/`rules`, `missing`, `possible`.
package struct DecisionExpectation: Sendable {
    /// The decision's name, where it is written.
    package var decision: Located<String>
    /// The status expected: written, or implied (`needs_information` by `missing`/`possible`,
    /// else `decided`).
    package var status: DecisionStatus
    /// Where the status is written, when it is.
    package var statusRange: SourceRange?
    /// The outcome words (or duration text) expected, when given.
    package var outcomes: [Located<String>]?
    /// Whether the outcome was written as a list (the form for a `hit: all` decision).
    package var outcomeIsList: Bool
    /// Where the outcome is written.
    package var outcomeRange: SourceRange?
    /// The due date expected, for a duration decision.
    package var due: Located<Timestamp>?
    /// The rule ids expected to decide (`default` for a decision's default).
    package var rules: [Located<String>]?
    /// The inputs expected to be missing, for `needs_information`.
    package var missing: [Located<String>]?
    /// The outcomes expected to be possible, for `needs_information`.
    package var possible: [Located<String>]?
    /// Where the whole expectation is written.
    package var range: SourceRange
}

/// Decodes the shape of a test file; collects every problem rather than stopping at the first.
struct PolicyTestDecoder {
    private(set) var diagnostics = DiagnosticBag()

    private mutating func fields(
        _ node: YAMLNode, of what: String, allowed: [String], required: [String] = []
    ) -> [String: YAMLNode.Pair]? {
        MappingFields.read(
            node, of: what, allowed: allowed, required: required,
            codes: .init(wrongKind: "test.wrong-kind", unknownKey: "test.unknown-key", missingKey: "test.missing-key"),
            into: &diagnostics)
    }

    private func describe(_ node: YAMLNode) -> String {
        node.isNull ? "empty" : node.kindDescription
    }

    private mutating func text(_ node: YAMLNode, _ what: String) -> Located<String>? {
        MappingFields.text(node, what, wrongKind: "test.wrong-kind", emptyAllowed: true, into: &diagnostics)
    }

    /// A list of words; `[]` is an empty list, and a lone word is refused so that a list is always
    /// written as one.
    private mutating func words(_ node: YAMLNode, _ what: String) -> [Located<String>]? {
        guard let items = node.sequence else {
            diagnostics.report(
                .error("test.wrong-kind", "\(what) must be a list, not \(describe(node))", at: node.range,
                    hint: "write a list in brackets, e.g. `[\(node.scalar ?? "a, b")]`"))
            return nil
        }
        var result: [Located<String>] = []
        for item in items {
            guard let word = text(item, "an item of \(what)") else { return nil }
            result.append(word)
        }
        return result
    }

    private mutating func date(_ node: YAMLNode, _ what: String) -> Located<CivilDate>? {
        guard let written = text(node, what) else { return nil }
        guard let date = CivilDate(iso: written.value) else {
            diagnostics.report(
                .error("test.bad-date", "\(what) `\(written.value)` is not a date", at: node.range,
                    hint: "write a real date as YYYY-MM-DD, e.g. `2026-06-01`"))
            return nil
        }
        return Located(date, at: node.range)
    }

    mutating func decodeFile(_ root: YAMLNode, file: String) -> PolicyTestFile? {
        guard let top = fields(root, of: "the test file", allowed: PolicyTestFile.topKeys, required: ["precert-test", "policy", "cases"])
        else { return nil }
        if let node = top["precert-test"]?.value, !(node.scalar == "1" && node.scalarStyle == .plain) {
            let message = node.scalar == "1"
                ? "`precert-test` must be the plain number `1`, not quoted text"
                : "unsupported test file format `\(node.scalar ?? node.kindDescription)`"
            diagnostics.report(
                .error("test.format", message, at: node.range, hint: "this version of Precert reads `precert-test: 1`"))
        }
        let policyID = top["policy"].flatMap { text($0.value, "`policy`") }
        let asOf = top["as_of"].flatMap { date($0.value, "`as_of`") }
        var cases: [PolicyTestCase] = []
        var invalid: [PolicyTestFile.InvalidCase] = []
        if let node = top["cases"]?.value {
            if let items = node.sequence {
                var names: [String: SourceRange] = [:]
                for item in items {
                    guard var decoded = decodeCase(item, file: file) else {
                        invalid.append(PolicyTestFile.InvalidCase(name: item["name"]?.scalar, location: item.location))
                        continue
                    }
                    if let first = names[decoded.name] {
                        decoded.hasErrors = true
                        decoded.isEvaluable = false
                        cases.append(decoded)
                        diagnostics.report(
                            .error(
                                "test.duplicate-name", "a second test case named `\(decoded.name)`", at: SourceRange(decoded.location),
                                hint: "give each case its own name: failures are reported by name",
                                notes: [DiagnosticNote("the first case with this name", at: first)]))
                        continue
                    }
                    names[decoded.name] = SourceRange(decoded.location)
                    cases.append(decoded)
                }
            } else {
                diagnostics.report(
                    .error("test.wrong-kind", "`cases` must be a list, not \(describe(node))", at: node.range,
                        hint: "write each case as a list item starting with `- name: ...`"))
            }
        }
        return PolicyTestFile(file: file, policyID: policyID, asOf: asOf, cases: cases, invalidCases: invalid)
    }

    private mutating func decodeCase(_ node: YAMLNode, file: String) -> PolicyTestCase? {
        let before = diagnostics.all.count
        let name = node["name"]?.scalar
        let what = name.map { "test case `\($0)`" } ?? "a test case"
        guard let body = fields(node, of: what, allowed: PolicyTestFile.caseKeys, required: ["name", "expect"]) else {
            return nil
        }
        let written = body["name"].flatMap { text($0.value, "the name of \(what)") }
        let facts = body["facts"].flatMap { text($0.value, "`facts`") }?.value
        let asOf = body["as_of"].flatMap { date($0.value, "`as_of`") }
        var input: PolicyTestCaseInput?
        switch (body["case"], body["case_file"]) {
        case (let inline?, nil):
            if inline.value.mapping != nil {
                input = .inline(inline.value)
            } else {
                diagnostics.report(
                    .error("test.wrong-kind", "`case` must be a mapping, not \(describe(inline.value))", at: inline.value.range,
                        hint: "write the case's fields under `case:`, as in a case JSON document"))
            }
        case (nil, let path?):
            input = text(path.value, "`case_file`").map(PolicyTestCaseInput.file)
        case (let inline?, .some):
            diagnostics.report(
                .error("test.case-and-file", "\(what) has both `case` and `case_file`", at: inline.key.range,
                    hint: "give the case inline under `case:` or name a JSON file under `case_file:`, not both"))
        case (nil, nil):
            diagnostics.report(
                .error("test.missing-key", "\(what) needs a `case` or a `case_file`", at: SourceRange(node.location)))
        }
        // Errors from here on are the expectations'; the case itself can still be evaluated.
        let beforeExpectations = diagnostics.all.count
        var expectations: [DecisionExpectation] = []
        if let pair = body["expect"] {
            if let pairs = pair.value.mapping {
                if pairs.isEmpty {
                    diagnostics.report(
                        .error("test.wrong-kind", "`expect` of \(what) names no decision", at: pair.value.range,
                            hint: "write at least one decision and its answer, e.g. `authorization: required`"))
                }
                expectations = pairs.compactMap { decodeExpectation($0) }
            } else {
                diagnostics.report(
                    .error("test.wrong-kind", "`expect` must be a mapping, not \(describe(pair.value))", at: pair.value.range,
                        hint: "map each decision's name to its answer, e.g. `authorization: required`"))
            }
        }
        guard let written else { return nil }
        return PolicyTestCase(
            name: written.value, location: node.location, facts: facts, asOf: asOf, input: input, expectations: expectations,
            hasErrors: diagnostics.all.count != before || input == nil,
            isEvaluable: beforeExpectations == before && input != nil)
    }

    private mutating func decodeExpectation(_ pair: YAMLNode.Pair) -> DecisionExpectation? {
        let decision = Located(pair.key.scalar ?? "", at: pair.key.range)
        let node = pair.value
        var expectation = DecisionExpectation(
            decision: decision, status: .decided, statusRange: nil, outcomes: nil, outcomeIsList: false, outcomeRange: nil,
            due: nil, rules: nil, missing: nil, possible: nil, range: node.range)
        switch node.content {
        case .scalar where node.isNull:
            diagnostics.report(
                .error("test.wrong-kind", "the expectation for `\(decision.value)` is empty", at: pair.key.range,
                    hint: "write the outcome (`\(decision.value): required`) or a mapping such as `{status: not_applicable}`"))
            return nil
        case .scalar(let word, _):
            expectation.outcomes = [Located(word, at: node.range)]
            expectation.outcomeRange = node.range
            return expectation
        case .sequence:
            guard let list = words(node, "the outcomes of `\(decision.value)`") else { return nil }
            expectation.outcomes = list
            expectation.outcomeIsList = true
            expectation.outcomeRange = node.range
            return expectation
        case .mapping:
            break
        }
        let what = "the expectation for `\(decision.value)`"
        guard let body = fields(node, of: what, allowed: PolicyTestFile.expectationKeys) else { return nil }
        let before = diagnostics.all.count
        if node.mapping?.isEmpty == true {
            diagnostics.report(
                .error("test.wrong-kind", "\(what) expects nothing", at: node.range,
                    hint: "give at least one of \(PolicyTestFile.expectationKeys.map { "`\($0)`" }.joined(separator: ", "))"))
        }
        if let statusPair = body["status"], let written = text(statusPair.value, "`status`") {
            if let status = DecisionStatus(rawValue: written.value) {
                expectation.status = status
                expectation.statusRange = written.range
            } else {
                let names = DecisionStatus.allCases.map(\.rawValue)
                let hint = Suggestion.didYouMean(written.value, in: names).map { "\($0) " } ?? ""
                diagnostics.report(
                    .error("test.bad-status", "unknown status `\(written.value)`", at: written.range,
                        hint: "\(hint)statuses: \(names.map { "`\($0)`" }.joined(separator: ", "))"))
            }
        }
        if let outcomePair = body["outcome"] {
            let value = outcomePair.value
            if value.sequence != nil {
                expectation.outcomes = words(value, "`outcome`")
                expectation.outcomeIsList = true
            } else {
                expectation.outcomes = text(value, "`outcome`").map { [$0] }
            }
            expectation.outcomeRange = value.range
        }
        if let duePair = body["due"], let written = text(duePair.value, "`due`") {
            if let due = Timestamp(rfc3339: written.value) {
                expectation.due = Located(due, at: written.range)
            } else {
                diagnostics.report(
                    .error("test.bad-due", "`due` `\(written.value)` is not a date-time", at: written.range,
                        hint: "write an RFC 3339 date-time with its offset in quotes, e.g. `\"2026-11-27T23:59:59-08:00\"`"))
            }
        }
        switch (body["rule"], body["rules"]) {
        case (let one?, nil):
            expectation.rules = text(one.value, "`rule`").map { [$0] }
        case (nil, let many?):
            expectation.rules = words(many.value, "`rules`")
        case (let one?, .some):
            diagnostics.report(
                .error("test.conflict", "\(what) has both `rule` and `rules`", at: one.key.range,
                    hint: "`rule: id` for one rule, `rules: [a, b]` for the rules of a `hit: all` decision"))
        case (nil, nil):
            break
        }
        expectation.missing = body["missing"].flatMap { words($0.value, "`missing`") }
        expectation.possible = body["possible"].flatMap { words($0.value, "`possible`") }
        let answerKeys = ["outcome", "due", "rule", "rules"].filter { body[$0] != nil }
        let openKeys = ["missing", "possible"].filter { body[$0] != nil }
        if body["status"] == nil, !openKeys.isEmpty {
            expectation.status = .needsInformation
        }
        if let first = answerKeys.first, let open = openKeys.first {
            diagnostics.report(
                .error(
                    "test.conflict", "\(what) has both `\(first)` and `\(open)`", at: body[open]!.key.range,
                    hint: "a decision is either decided (`outcome`, `due`, `rule`) or needs information (`missing`, `possible`)"))
        } else if body["status"] != nil {
            let allowed: [String]
            switch expectation.status {
            case .decided: allowed = ["outcome", "due", "rule", "rules"]
            case .needsInformation: allowed = ["missing", "possible"]
            case .notApplicable, .noMatch: allowed = []
            }
            for key in answerKeys + openKeys where !allowed.contains(key) {
                diagnostics.report(
                    .error(
                        "test.conflict", "`\(key)` cannot go with status `\(expectation.status.rawValue)`", at: body[key]!.key.range,
                        hint: allowed.isEmpty
                            ? "a decision that is `\(expectation.status.rawValue)` has no answer: remove `\(key)`"
                            : "with status `\(expectation.status.rawValue)` give only \(allowed.map { "`\($0)`" }.joined(separator: ", "))"))
            }
        }
        return diagnostics.all.count == before ? expectation : nil
    }
}

/// Converts an inline YAML case to case JSON with the YAML 1.2 core schema: plain `true`/`false`
/// are booleans, plain numbers are numbers, plain `null`/`~`/empty are null, and everything else,
/// including every quoted scalar, is text.
///
/// The core schema (not YAML 1.1) so that `no`, `on` and `2026-06-01` stay text, as they do in
/// policy files, and the case means what the same JSON would.
enum YAMLCaseJSON {
    /// The case JSON bytes, or the problems that stop the conversion.
    static func convert(_ node: YAMLNode) -> Result<[UInt8], CaseErrors> {
        var writer = JSONWriter(style: .compact, capacity: 1024)
        var problems: [Diagnostic] = []
        write(node, to: &writer, problems: &problems)
        return problems.isEmpty ? .success(writer.bytes) : .failure(CaseErrors(problems))
    }

    private static let str = "tag:yaml.org,2002:str"
    private static let int = "tag:yaml.org,2002:int"
    private static let float = "tag:yaml.org,2002:float"
    private static let bool = "tag:yaml.org,2002:bool"
    private static let null = "tag:yaml.org,2002:null"

    private static func write(_ node: YAMLNode, to writer: inout JSONWriter, problems: inout [Diagnostic]) {
        switch node.content {
        case .mapping(let pairs):
            writer.beginObject()
            for pair in pairs {
                writer.key(pair.key.scalar ?? "")
                write(pair.value, to: &writer, problems: &problems)
            }
            writer.endObject()
        case .sequence(let items):
            writer.beginArray()
            for item in items { write(item, to: &writer, problems: &problems) }
            writer.endArray()
        case .scalar(let text, let style):
            // A `!` tag or any quoting makes a scalar text; only plain or core-tagged scalars resolve.
            if node.tag == str || node.tag == "!" || (style != .plain && node.tag == nil) {
                writer.string(text)
                return
            }
            let resolved = resolve(text)
            let wanted: String? = node.tag
            switch (resolved, wanted) {
            case (.null, nil), (.null, null?): writer.null()
            case (.bool(let value), nil), (.bool(let value), bool?): writer.bool(value)
            case (.number(let value), nil), (.number(let value), int?), (.number(let value), float?):
                if value.isFinite {
                    writer.number(value)
                } else {
                    problems.append(
                        .error("test.case-value", "`\(text)` is not a number a case can hold", at: node.range,
                            hint: "JSON has no infinity or NaN; quote it to send text"))
                    writer.null()
                }
            case (.string, nil): writer.string(text)
            default:
                problems.append(
                    .error("test.case-value", "`\(text)` is not a valid `\(wanted.map(shortTag) ?? "")`", at: node.range,
                        hint: "remove the tag, or write a value of that kind"))
                writer.null()
            }
        }
    }

    private static func shortTag(_ tag: String) -> String {
        tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
    }

    private enum Scalar {
        case null
        case bool(Bool)
        case number(Double)
        case string
    }

    /// The core schema's resolution of a plain scalar (YAML 1.2.2, section 10.3.2).
    private static func resolve(_ text: String) -> Scalar {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .number(-.infinity)
        case ".nan", ".NaN", ".NAN": return .number(.nan)
        default: break
        }
        if text.hasPrefix("0o"), text.count > 2, let value = Int(text.dropFirst(2), radix: 8) { return .number(Double(value)) }
        if text.hasPrefix("0x"), text.count > 2, let value = Int(text.dropFirst(2), radix: 16) { return .number(Double(value)) }
        if isDecimal(text), let value = Double(text) { return .number(value) }
        return .string
    }

    /// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`, the core schema's
    /// integers and floats; checked by hand because `Double(_:)` also reads `inf`, `nan` and hex.
    private static func isDecimal(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let whole = digits()
        var fraction = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = digits()
            if whole == 0 && fraction == 0 { return false }
        } else if whole == 0 {
            return false
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }
}
