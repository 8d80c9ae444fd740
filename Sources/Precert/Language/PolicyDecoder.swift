/// Turns a located YAML tree into `PolicySyntax`, reporting every shape problem it finds.
///
/// It checks the shape only (keys, kinds of node, expression syntax); names and types are the
/// checker's job.
package struct PolicyDecoder {
    /// The keys a policy file may have at its top level.
    static let topKeys = [
        "precert", "policy", "payer", "title", "description", "effective", "expires", "sources",
        "timezone", "calendar", "governs", "inputs", "sets", "conditions", "decisions",
    ]
    static let governsKeys = ["plans", "states", "turnaround", "urgency"]
    static let requiredTopKeys = [
        "precert", "policy", "payer", "title", "effective", "sources", "timezone", "calendar", "decisions",
    ]
    static let inputKeys = ["type", "enum", "default", "description", "extension"]
    static let decisionKeys = [
        "description", "label", "outcomes", "type", "due_from", "hit", "applies_when", "rules", "default",
    ]
    static let ruleKeys = ["id", "when", "then", "because", "sources", "next_step"]
    static let outcomeKeys = ["label", "message"]
    static let defaultKeys = ["then", "because", "sources", "next_step"]

    private let source: SourceText
    private let expressionLimits: ExpressionParser.Limits
    private let maxRules: Int
    private(set) var diagnostics = DiagnosticBag()

    /// Decodes the policy in `root`, read from `source`.
    package static func decode(
        _ root: YAMLNode, source: SourceText,
        expressionLimits: ExpressionParser.Limits = .init(), maxRules: Int = 5_000
    ) -> (PolicySyntax?, [Diagnostic]) {
        var decoder = PolicyDecoder(source: source, expressionLimits: expressionLimits, maxRules: maxRules)
        let policy = decoder.decodePolicy(root)
        return (policy, decoder.diagnostics.all)
    }

    private init(source: SourceText, expressionLimits: ExpressionParser.Limits, maxRules: Int) {
        self.source = source
        self.expressionLimits = expressionLimits
        self.maxRules = maxRules
    }

    // MARK: Shapes

    /// The pairs of a mapping by key, after reporting unknown and missing keys.
    private mutating func fields(
        _ node: YAMLNode, of what: String, allowed: [String], required: [String] = []
    ) -> [String: YAMLNode.Pair]? {
        MappingFields.read(
            node, of: what, allowed: allowed, required: required,
            codes: .init(wrongKind: "policy.wrong-kind", unknownKey: "policy.unknown-key", missingKey: "policy.missing-key"),
            into: &diagnostics)
    }

    private mutating func text(_ node: YAMLNode, _ what: String) -> Located<String>? {
        MappingFields.text(node, what, wrongKind: "policy.wrong-kind", emptyAllowed: true, into: &diagnostics)
    }

    private mutating func textList(_ node: YAMLNode, _ what: String) -> [Located<String>] {
        if node.scalar != nil, !node.isNull { return text(node, what).map { [$0] } ?? [] }
        guard let items = node.sequence else {
            diagnostics.report(.error("policy.wrong-kind", "\(what) must be a list, not \(node.kindDescription)", at: node.range))
            return []
        }
        return items.compactMap { text($0, "an item of \(what)") }
    }

    /// Maps a scalar offset inside a scalar node to its place in the file.
    private func locator(for node: YAMLNode) -> (Int) -> SourceLocation {
        let start = node.location
        switch node.scalarStyle {
        case .literal, .folded:
            // The text starts on the line after the `|` or `>`, at the block's indentation.
            let firstLine = start.line + 1
            let indent = source.line(firstLine).map { $0.prefix { $0 == " " }.count } ?? 0
            let text = Array((node.scalar ?? "").unicodeScalars)
            return { offset in
                var line = firstLine
                var column = indent + 1
                for scalar in text.prefix(offset) {
                    if scalar == "\n" {
                        line += 1
                        column = indent + 1
                    } else {
                        column += 1
                    }
                }
                return SourceLocation(file: start.file, line: line, column: column)
            }
        case .singleQuoted, .doubleQuoted:
            return { start.advanced(byColumns: 1 + $0) }
        default:
            return { start.advanced(byColumns: $0) }
        }
    }

    private mutating func expression(_ node: YAMLNode, _ what: String) -> Expr? {
        guard let text = text(node, what) else { return nil }
        switch ExpressionParser.parse(text.value, limits: expressionLimits, locate: locator(for: node)) {
        case .success(let expression):
            return expression
        case .failure(let diagnostic):
            diagnostics.report(diagnostic)
            return nil
        }
    }

    private mutating func yamlValue(_ node: YAMLNode) -> YAMLValue? {
        switch node.content {
        case .scalar(let text, let style):
            return .scalar(text, quoted: style != .plain)
        case .sequence(let items):
            return .list(items.compactMap { yamlValue($0) })
        case .mapping:
            diagnostics.report(.error("policy.wrong-kind", "a default value cannot be a mapping", at: node.range))
            return nil
        }
    }

    // MARK: Sections

    private mutating func decodePolicy(_ root: YAMLNode) -> PolicySyntax? {
        guard let top = fields(root, of: "the policy", allowed: Self.topKeys, required: Self.requiredTopKeys)
        else { return nil }
        var format = Located(1, at: SourceRange(root.location))
        if let node = top["precert"]?.value {
            if node.scalar == "1", node.scalarStyle == .plain {
                format = Located(1, at: node.range)
            } else {
                diagnostics.report(
                    .error(
                        "policy.format", "unsupported policy format `\(node.scalar ?? node.kindDescription)`",
                        at: node.range, hint: "this version of Precert reads `precert: 1`"))
            }
        }
        func required(_ key: String) -> Located<String> {
            Located("", at: SourceRange(root.location))
        }
        let id = top["policy"].flatMap { text($0.value, "`policy`") } ?? required("policy")
        let payer = top["payer"].flatMap { text($0.value, "`payer`") } ?? required("payer")
        let title = top["title"].flatMap { text($0.value, "`title`") }?.value ?? ""
        let description = top["description"].flatMap { text($0.value, "`description`") }?.value
        let effective = top["effective"].flatMap { text($0.value, "`effective`") } ?? required("effective")
        let expires = top["expires"].flatMap { text($0.value, "`expires`") }
        let sources = top["sources"].map { textList($0.value, "`sources`").map(\.value) } ?? []
        let timezone = top["timezone"].flatMap { text($0.value, "`timezone`") } ?? required("timezone")
        let calendar = top["calendar"].flatMap { text($0.value, "`calendar`") } ?? required("calendar")

        var governs: GovernsDeclaration?
        if let pair = top["governs"], let keys = fields(pair.value, of: "`governs`", allowed: Self.governsKeys, required: ["plans"]) {
            governs = GovernsDeclaration(
                plans: keys["plans"].map { textList($0.value, "`governs.plans`") } ?? [],
                states: keys["states"].map { textList($0.value, "`governs.states`") },
                turnaround: keys["turnaround"].flatMap { text($0.value, "`governs.turnaround`") },
                urgency: keys["urgency"].flatMap { text($0.value, "`governs.urgency`") },
                range: pair.key.range)
        }
        var inputs: [InputDeclaration] = []
        if let node = top["inputs"]?.value, !node.isNull {
            if let pairs = mappingPairs(node, "`inputs`") {
                inputs = pairs.compactMap { decodeInput($0) }
            }
        }
        var sets: [SetDeclaration] = []
        if let node = top["sets"]?.value, !node.isNull, let pairs = mappingPairs(node, "`sets`") {
            sets = pairs.map { pair in
                SetDeclaration(
                    name: Located(pair.key.scalar ?? "", at: pair.key.range),
                    members: textList(pair.value, "set `\(pair.key.scalar ?? "")`"))
            }
        }
        var conditions: [ConditionDeclaration] = []
        if let node = top["conditions"]?.value, !node.isNull, let pairs = mappingPairs(node, "`conditions`") {
            conditions = pairs.compactMap { pair in
                let name = pair.key.scalar ?? ""
                guard let expression = expression(pair.value, "condition `\(name)`") else { return nil }
                return ConditionDeclaration(name: Located(name, at: pair.key.range), expression: expression)
            }
        }
        var decisions: [DecisionDeclaration] = []
        if let node = top["decisions"]?.value, let pairs = mappingPairs(node, "`decisions`") {
            let ruleCount = pairs.reduce(0) { $0 + ($1.value["rules"]?.sequence?.count ?? 0) + ($1.value["default"] == nil ? 0 : 1) }
            if ruleCount > maxRules {
                diagnostics.report(
                    .error(
                        "limit.rule-count", "the policy has \(ruleCount) rules, over the limit of \(maxRules)",
                        at: top["decisions"]!.key.range,
                        hint: "split the policy, or raise the limit (`LoadLimits.maxRules`)"))
                return nil
            }
            decisions = pairs.compactMap { decodeDecision($0) }
        }
        return PolicySyntax(
            file: source.file, format: format, id: id, payer: payer, title: title, effective: effective,
            expires: expires, sources: sources, timezone: timezone, calendar: calendar, inputs: inputs,
            sets: sets, conditions: conditions, decisions: decisions, governs: governs, description: description)
    }

    private mutating func mappingPairs(_ node: YAMLNode, _ what: String) -> [YAMLNode.Pair]? {
        guard let pairs = node.mapping else {
            diagnostics.report(
                .error("policy.wrong-kind", "\(what) must be a mapping, not \(node.kindDescription)", at: node.range))
            return nil
        }
        return pairs
    }

    private mutating func decodeInput(_ pair: YAMLNode.Pair) -> InputDeclaration? {
        let path = Located(pair.key.scalar ?? "", at: pair.key.range)
        let what = "input `\(path.value)`"
        guard let body = fields(pair.value, of: what, allowed: Self.inputKeys) else { return nil }
        var type: Located<ValueType>?
        switch (body["type"], body["enum"]) {
        case (let typeNode?, nil):
            if let written = text(typeNode.value, "the type of \(what)") {
                if let parsed = Self.parseType(written.value) {
                    type = Located(parsed, at: written.range)
                } else {
                    let names = ["bool", "number", "string", "code", "date", "datetime", "duration", "list<code>", "set<string>"]
                    let suggestion = Suggestion.closest(to: written.value, in: names)
                    let hint = Suggestion.hint(suggestion).map { "\($0) " } ?? ""
                    diagnostics.report(
                        .error(
                            "policy.unknown-type", "unknown type `\(written.value)`", at: written.range,
                            hint: "\(hint)types: bool, number, string, code, date, datetime, duration, list<T>, set<T>, or `enum: [...]`",
                            facts: DiagnosticFacts(suggestion: suggestion)))
                }
            }
        case (nil, let enumNode?):
            let values = textList(enumNode.value, "the values of \(what)")
            if values.isEmpty {
                diagnostics.report(.error("policy.empty-enum", "\(what) lists no enum values", at: enumNode.value.range))
            }
            var seen: Set<String> = []
            for value in values where !seen.insert(value.value).inserted {
                diagnostics.report(.error("policy.duplicate-enum-value", "enum value `\(value.value)` appears twice", at: value.range))
            }
            type = Located(.enumeration(values.map(\.value)), at: enumNode.value.range)
        case (.some, .some):
            diagnostics.report(
                .error("policy.type-and-enum", "\(what) has both `type` and `enum`", at: pair.key.range,
                    hint: "an enum input needs only `enum: [...]`"))
        case (nil, nil):
            diagnostics.report(
                .error("policy.missing-key", "\(what) needs a `type` or an `enum`", at: pair.key.range))
        }
        guard let type else { return nil }
        if let written = body["default"]?.value, written.isNull {
            diagnostics.report(
                .error("policy.bad-default", "an empty default gives no value", at: written.range,
                    hint: "remove `default` to leave the input unknown when the case omits it, or write `\"\"` for empty text"))
        }
        let defaultValue = body["default"].flatMap { pair in
            pair.value.isNull ? nil : yamlValue(pair.value).map { Located($0, at: pair.value.range) }
        }
        let description = body["description"].flatMap { text($0.value, "a description") }?.value
        let extensionReason = body["extension"].flatMap { text($0.value, "the `extension` of \(what)") }
        return InputDeclaration(
            path: path, type: type, defaultValue: defaultValue, description: description, extensionReason: extensionReason)
    }

    /// Parses a written type such as `date` or `list<code>`.
    static func parseType(_ text: String) -> ValueType? {
        // Spaces may stand around the brackets (`list< code >`), not inside a name.
        var trimmed = text.trimmingSpaces
        for bracket in ["<", ">"] {
            trimmed = trimmed.split(separator: Character(bracket), omittingEmptySubsequences: false)
                .map { $0.trimmingSpaces }.joined(separator: bracket)
        }
        switch trimmed {
        case "bool", "boolean": return .bool
        case "number": return .number
        case "string", "text": return .string
        case "code": return .code
        case "date": return .date
        case "datetime": return .datetime
        case "duration": return .duration
        default: break
        }
        for (prefix, make) in [("list<", ValueType.list), ("set<", ValueType.set)] where trimmed.hasPrefix(prefix) && trimmed.hasSuffix(">") {
            let inner = String(trimmed.dropFirst(prefix.count).dropLast())
            guard let element = parseType(inner), element.elementType == nil else { return nil }
            return make(element)
        }
        return nil
    }

    private mutating func decodeDecision(_ pair: YAMLNode.Pair) -> DecisionDeclaration? {
        let name = Located(pair.key.scalar ?? "", at: pair.key.range)
        let what = "decision `\(name.value)`"
        guard let body = fields(pair.value, of: what, allowed: Self.decisionKeys, required: ["rules"]) else {
            return nil
        }
        var isDuration = false
        if let typeNode = body["type"]?.value, let written = text(typeNode, "the type of \(what)") {
            if written.value == "duration" {
                isDuration = true
            } else {
                diagnostics.report(
                    .error("policy.decision-type", "a decision's `type` can only be `duration`", at: written.range,
                        hint: "a decision with outcome words lists them under `outcomes`"))
            }
        }
        var outcomes: [OutcomeDeclaration] = []
        if let node = body["outcomes"]?.value {
            if let pairs = node.mapping {
                outcomes = pairs.map { pair in
                    let name = Located(pair.key.scalar ?? "", at: pair.key.range)
                    // `word: message`, or `word: {label: …, message: …}`.
                    if pair.value.mapping != nil {
                        let keys = fields(pair.value, of: "outcome `\(name.value)`", allowed: Self.outcomeKeys)
                        return OutcomeDeclaration(
                            name: name, message: keys?["message"].flatMap { text($0.value, "the message of outcome `\(name.value)`") }?.value,
                            label: keys?["label"].flatMap { text($0.value, "the label of outcome `\(name.value)`") }?.value)
                    }
                    return OutcomeDeclaration(
                        name: name,
                        message: pair.value.isNull ? nil : text(pair.value, "the message of outcome `\(name.value)`")?.value)
                }
            } else {
                outcomes = textList(node, "the outcomes of \(what)").map { OutcomeDeclaration(name: $0, message: nil) }
            }
            var seen: Set<String> = []
            for outcome in outcomes where !seen.insert(outcome.name.value).inserted {
                diagnostics.report(
                    .error("policy.duplicate-outcome", "outcome `\(outcome.name.value)` appears twice", at: outcome.name.range))
            }
        }
        if isDuration, let node = body["outcomes"]?.value {
            diagnostics.report(
                .error("policy.duration-outcomes", "a duration decision has no `outcomes`", at: node.range,
                    hint: "its rules give durations such as `72 hours`"))
        }
        if !isDuration, body["outcomes"] == nil {
            diagnostics.report(
                .error("policy.missing-key", "\(what) needs `outcomes` (or `type: duration`)", at: name.range))
        }
        let dueFrom = body["due_from"].flatMap { text($0.value, "`due_from`") }
        if isDuration, dueFrom == nil {
            diagnostics.report(
                .error("policy.missing-key", "duration \(what) needs `due_from`, the datetime its clock starts from",
                    at: name.range))
        }
        if !isDuration, let dueFrom {
            diagnostics.report(
                .error("policy.due-from", "`due_from` belongs to a duration decision", at: dueFrom.range))
        }
        var hit = Located(HitPolicy.first, at: name.range)
        if let node = body["hit"]?.value, let written = text(node, "`hit`") {
            if let policy = HitPolicy(rawValue: written.value) {
                hit = Located(policy, at: written.range)
            } else {
                diagnostics.report(
                    .error("policy.hit", "unknown hit policy `\(written.value)`", at: written.range,
                        hint: "hit policies: `first`, `all`, `unique`"))
            }
        }
        let appliesWhen = body["applies_when"].flatMap { expression($0.value, "`applies_when`") }
        var rules: [RuleDeclaration] = []
        if let node = body["rules"]?.value {
            if let items = node.sequence {
                rules = items.compactMap { decodeRule($0, in: name.value) }
            } else if !node.isNull {
                diagnostics.report(
                    .error("policy.wrong-kind", "the rules of \(what) must be a list, not \(node.kindDescription)", at: node.range))
            }
        }
        var defaultOutcome: DefaultDeclaration?
        if let pair = body["default"] {
            if pair.value.mapping != nil {
                if let fields = fields(pair.value, of: "the default of \(what)", allowed: Self.defaultKeys, required: ["then"]),
                    let then = fields["then"].flatMap({ text($0.value, "`then`") })
                {
                    defaultOutcome = DefaultDeclaration(
                        then: then, because: fields["because"].flatMap { text($0.value, "`because`") }?.value,
                        sources: fields["sources"].map { textList($0.value, "`sources`").map(\.value) } ?? [],
                        nextStep: fields["next_step"].flatMap { text($0.value, "`next_step`") },
                        location: pair.key.location)
                }
            } else if let then = text(pair.value, "the default of \(what)") {
                defaultOutcome = DefaultDeclaration(
                    then: then, because: nil, sources: [], nextStep: nil, location: pair.key.location)
            }
        }
        let description = body["description"].flatMap { text($0.value, "a description") }?.value
        let label = body["label"].flatMap { text($0.value, "the label of \(what)") }?.value
        return DecisionDeclaration(
            name: name, outcomes: outcomes, isDuration: isDuration, dueFrom: dueFrom, hit: hit,
            appliesWhen: appliesWhen, rules: rules, defaultOutcome: defaultOutcome, description: description,
            label: label)
    }

    private mutating func decodeRule(_ node: YAMLNode, in decision: String) -> RuleDeclaration? {
        guard let body = fields(node, of: "a rule of `\(decision)`", allowed: Self.ruleKeys, required: ["id", "then"]) else {
            return nil
        }
        guard let id = body["id"].flatMap({ text($0.value, "a rule's `id`") }) else { return nil }
        let when = body["when"].flatMap { expression($0.value, "`when`") }
        if body["when"] != nil, when == nil { return nil }
        guard let then = body["then"].flatMap({ text($0.value, "`then`") }) else { return nil }
        return RuleDeclaration(
            id: id, when: when, then: then,
            because: body["because"].flatMap { text($0.value, "`because`") }?.value,
            sources: body["sources"].map { textList($0.value, "`sources`").map(\.value) } ?? [],
            nextStep: body["next_step"].flatMap { text($0.value, "`next_step`") },
            location: node.location)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces.
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
