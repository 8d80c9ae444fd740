/// The shared case document as data: every field a case may carry, its type, its values and what
/// it means. One file (`precert-case-format: 1`, `Policies/case-format.yaml`) holds it; the check
/// of every policy's inputs, `precert schema case` and the case format's documentation derive from it.
public struct CaseFormat: Sendable, Hashable {
    /// One field of the case document.
    public struct Field: Sendable, Hashable {
        /// The dotted path (`service.date` is `{"service": {"date": …}}`).
        public let path: String
        /// The type as written in the file and in policies (`date`, `list<code>`, `enum`).
        public var typeName: String {
            if case .enumeration = type { return "enum" }
            return type.description
        }
        /// For an enum, its values in order; empty otherwise.
        public let values: [String]
        /// For an enum, what each value means (the same order as `values`; `nil` where the file says nothing).
        public let meanings: [String?]
        /// What the field holds, for people.
        public let description: String
        /// Whether the field holds health information or a person's identity (names, free text):
        /// a policy template that prints it shows it in answers.
        public let isSensitive: Bool
        /// A regular expression the text (or each item's text) matches, when the format gives one.
        public let pattern: String?
        /// The field's type.
        package let type: ValueType
        /// Where the field is declared.
        package let range: SourceRange
    }

    /// The document's title.
    public let title: String
    /// What the case document is, for people.
    public let description: String
    /// The documents the format is read from.
    public let sources: [String]
    /// Every field, in the order of the file.
    public let fields: [Field]
    /// What the objects that hold fields are (`member`: the health-plan member), by path.
    public let groups: [(path: String, description: String)]
    /// The file it was read from.
    package let file: String

    /// The field at `path`, if the format has one.
    public func field(_ path: String) -> Field? { fields.first { $0.path == path } }

    /// Compares every field and group.
    public static func == (lhs: CaseFormat, rhs: CaseFormat) -> Bool {
        lhs.title == rhs.title && lhs.description == rhs.description && lhs.sources == rhs.sources && lhs.fields == rhs.fields
            && lhs.groups.map(\.path) == rhs.groups.map(\.path) && lhs.groups.map(\.description) == rhs.groups.map(\.description)
            && lhs.file == rhs.file
    }

    /// Hashes the fields.
    public func hash(into hasher: inout Hasher) { hasher.combine(fields) }
}

/// Reads a case format file (`precert-case-format: 1`), reporting every problem at its place.
package struct CaseFormatLoader {
    static let topKeys = ["precert-case-format", "title", "description", "sources", "groups", "fields"]
    static let requiredTopKeys = ["precert-case-format", "title", "description", "sources", "fields"]
    static let fieldKeys = ["type", "enum", "description", "sensitive", "pattern"]

    private var diagnostics = DiagnosticBag()

    /// The format in `root`, read from `file`, or `nil` with the errors that keep it out.
    package static func load(_ root: YAMLNode, file: String) -> (CaseFormat?, [Diagnostic]) {
        var loader = CaseFormatLoader()
        let format = loader.read(root, file: file)
        return (loader.diagnostics.hasErrors ? nil : format, loader.diagnostics.all)
    }

    private mutating func error(_ id: DiagnosticID, _ message: String, at range: SourceRange, hint: String? = nil) {
        diagnostics.report(.error(id, message, at: range, hint: hint))
    }

    private mutating func fields(_ node: YAMLNode, of what: String, allowed: [String], required: [String]) -> [String: YAMLNode.Pair]? {
        MappingFields.read(
            node, of: what, allowed: allowed, required: required,
            codes: .init(wrongKind: "case-format.wrong-kind", unknownKey: "case-format.unknown-key", missingKey: "case-format.missing-key"),
            into: &diagnostics)
    }

    private mutating func text(_ node: YAMLNode, _ what: String) -> Located<String>? {
        MappingFields.text(node, what, wrongKind: "case-format.wrong-kind", into: &diagnostics)
    }

    private mutating func read(_ root: YAMLNode, file: String) -> CaseFormat? {
        guard let top = fields(root, of: "the case format", allowed: Self.topKeys, required: Self.requiredTopKeys) else { return nil }
        if let node = top["precert-case-format"]?.value, !(node.scalar == "1" && node.scalarStyle == .plain) {
            error("case-format.format", "unsupported case format version `\(node.scalar ?? node.kindDescription)`", at: node.range,
                hint: "this version of Precert reads `precert-case-format: 1`")
        }
        let title = top["title"].flatMap { text($0.value, "`title`") }?.value ?? ""
        let description = top["description"].flatMap { text($0.value, "`description`") }?.value ?? ""
        var sources: [String] = []
        if let node = top["sources"]?.value {
            if let items = node.sequence {
                sources = items.compactMap { text($0, "an item of `sources`")?.value }
            } else {
                error("case-format.wrong-kind", "`sources` must be a list, not \(node.kindDescription)", at: node.range)
            }
        }
        var read: [CaseFormat.Field] = []
        if let pair = top["fields"] {
            guard let pairs = pair.value.mapping else {
                error("case-format.wrong-kind", "`fields` must be a mapping of dotted paths, not \(pair.value.kindDescription)", at: pair.value.range)
                return nil
            }
            for entry in pairs {
                guard let path = entry.key.scalar else { continue }
                if let field = readField(Located(path, at: entry.key.range), entry.value, known: read) { read.append(field) }
            }
        }
        var groups: [(path: String, description: String)] = []
        if let node = top["groups"]?.value {
            if let pairs = node.mapping {
                for pair in pairs {
                    guard let path = pair.key.scalar, let words = text(pair.value, "the description of `\(path)`") else { continue }
                    if !read.contains(where: { $0.path.hasPrefix(path + ".") }) {
                        error("case-format.unknown-group", "`\(path)` holds no field", at: pair.key.range,
                            hint: "a group describes the object that holds fields such as `\(path).id`")
                    }
                    groups.append((path, words.value))
                }
            } else {
                error("case-format.wrong-kind", "`groups` must be a mapping, not \(node.kindDescription)", at: node.range)
            }
        }
        return CaseFormat(title: title, description: description, sources: sources, fields: read, groups: groups, file: file)
    }

    private mutating func readField(_ path: Located<String>, _ node: YAMLNode, known: [CaseFormat.Field]) -> CaseFormat.Field? {
        let what = "field `\(path.value)`"
        let segments = path.value.split(separator: ".", omittingEmptySubsequences: false)
        let wellFormed = segments.allSatisfy { segment in
            guard let first = segment.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
            return segment.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") }
        }
        guard wellFormed else {
            error("case-format.bad-path", "`\(path.value)` is not a dotted path of lowercase names", at: path.range,
                hint: "write the path as a policy reads it, such as `service.date`")
            return nil
        }
        // A field cannot also hold fields: `member` and `member.id` cannot both be fields.
        if let clash = known.first(where: { path.value.hasPrefix($0.path + ".") || $0.path.hasPrefix(path.value + ".") }) {
            error("case-format.path-clash", "\(what) and field `\(clash.path)` cannot both be fields: one would hold the other", at: path.range)
            return nil
        }
        guard let body = fields(node, of: what, allowed: Self.fieldKeys, required: ["description"]) else { return nil }
        var type: ValueType?
        var values: [String] = []
        var meanings: [String?] = []
        switch (body["type"], body["enum"]) {
        case (let written?, nil):
            guard let name = text(written.value, "the type of \(what)") else { return nil }
            type = PolicyDecoder.parseType(name.value)
            if type == nil || type == .duration || type == .valueSet {
                error("case-format.unknown-type", "`\(name.value)` is not a type a case field can have", at: name.range,
                    hint: "types: bool, number, string, code, date, datetime, list<T>, set<T>, or `enum:` with the values")
                return nil
            }
        case (nil, let written?):
            // `enum: [a, b]`, or `enum: {a: what a means, …}`.
            if let items = written.value.sequence {
                values = items.compactMap { text($0, "a value of \(what)")?.value }
                meanings = values.map { _ in nil }
            } else if let pairs = written.value.mapping {
                for pair in pairs {
                    guard let value = pair.key.scalar else { continue }
                    values.append(value)
                    meanings.append(pair.value.isNull ? nil : text(pair.value, "the meaning of `\(value)`")?.value)
                }
            } else {
                error("case-format.wrong-kind", "the values of \(what) must be a list or a mapping, not \(written.value.kindDescription)",
                    at: written.value.range)
                return nil
            }
            if values.isEmpty { error("case-format.empty-enum", "\(what) lists no values", at: written.value.range) }
            type = .enumeration(values)
        case (.some, .some):
            error("case-format.type-and-enum", "\(what) has both `type` and `enum`", at: path.range)
            return nil
        case (nil, nil):
            error("case-format.missing-key", "\(what) needs a `type` or an `enum`", at: path.range)
            return nil
        }
        guard let type else { return nil }
        var sensitive = false
        if let written = body["sensitive"]?.value {
            switch written.scalar {
            case "true" where written.scalarStyle == .plain: sensitive = true
            case "false" where written.scalarStyle == .plain: sensitive = false
            default: error("case-format.wrong-kind", "`sensitive` must be `true` or `false`", at: written.range)
            }
        }
        return CaseFormat.Field(
            path: path.value, values: values, meanings: meanings,
            description: body["description"].flatMap { text($0.value, "the description of \(what)") }?.value ?? "",
            isSensitive: sensitive, pattern: body["pattern"].flatMap { text($0.value, "the pattern of \(what)") }?.value,
            type: type, range: path.range)
    }
}

extension CaseFormat {
    /// The fields as a Markdown table (field, type, values and meaning), for the case format's
    /// documentation: `docs/CASE.md` holds it, and a test keeps it current.
    public var markdownTable: String {
        var lines = ["| field | type | meaning |", "|---|---|---|"]
        func cell(_ text: String) -> String {
            var escaped = ""
            for character in text {
                switch character {
                case "|": escaped += "\\|"
                case "\n": escaped += " "
                default: escaped.append(character)
                }
            }
            return escaped
        }
        for field in fields {
            var meaning = field.description
            if !field.values.isEmpty {
                let values = zip(field.values, field.meanings).map { value, words in words.map { "`\(value)` (\($0))" } ?? "`\(value)`" }
                meaning += " Values: " + values.joined(separator: ", ") + "."
            }
            if let pattern = field.pattern { meaning += " Matches `\(pattern)`." }
            if field.isSensitive { meaning += " Health information or identity: never printed unless a policy's step asks for it." }
            let type = field.typeName == "enum" ? "enum" : "`\(field.typeName)`"
            lines.append("| `\(field.path)` | \(type) | \(cell(meaning)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
