extension Schemas {
    /// The schema of a case document, derived from the case format (`case-format.yaml`): one
    /// property per field, nested by its dotted path, with its description, type, values and
    /// pattern.
    ///
    /// Open at every level (`additionalProperties: true`): a policy may read an extension the
    /// format does not have. Every field may be `null`, which Precert treats as absent.
    public static func `case`(_ format: CaseFormat) -> String {
        var root = SchemaNode()
        for field in format.fields {
            root.insert(field.path.split(separator: ".").map(String.init), field)
        }
        let groups = Dictionary(format.groups.map { ($0.path, $0.description) }, uniquingKeysWith: { first, _ in first })
        let document: SchemaJSON = .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string("https://precert.dev/schema/case-1.json")),
            ("title", .string(format.title)),
            ("description", .string(format.description)),
            ("type", .string("object")),
            ("additionalProperties", .raw("true")),
            ("properties", root.properties(prefix: "", groups: groups)),
            ("$defs", .object([
                ("date", .object([
                    ("description", .string("A calendar date, YYYY-MM-DD.")),
                    ("type", .array([.string("string"), .string("null")])),
                    ("format", .string("date")),
                    ("pattern", .string(#"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"#)),
                ])),
                ("datetime", .object([
                    ("description", .string("An RFC 3339 date-time with a UTC offset or Z, e.g. 2026-11-23T10:15:00-08:00.")),
                    ("type", .array([.string("string"), .string("null")])),
                    ("format", .string("date-time")),
                    ("pattern", .string(#"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"#)),
                ])),
            ])),
        ])
        var text = ""
        document.write(into: &text, indent: "")
        return text
    }
}

/// The fields under one object of the case, in the order the format first names them.
private struct SchemaNode {
    var children: [(name: String, node: SchemaNode)] = []
    var field: CaseFormat.Field?

    mutating func insert(_ segments: [String], _ field: CaseFormat.Field) {
        guard let first = segments.first else {
            self.field = field
            return
        }
        if let index = children.firstIndex(where: { $0.name == first }) {
            children[index].node.insert(Array(segments.dropFirst()), field)
        } else {
            var node = SchemaNode()
            node.insert(Array(segments.dropFirst()), field)
            children.append((first, node))
        }
    }

    func properties(prefix: String, groups: [String: String]) -> SchemaJSON {
        .object(children.map { child in
            let path = prefix.isEmpty ? child.name : prefix + "." + child.name
            if let field = child.node.field { return (child.name, Self.schema(of: field)) }
            var members: [(String, SchemaJSON)] = []
            if let description = groups[path] { members.append(("description", .string(description))) }
            members += [
                ("type", .array([.string("object"), .string("null")])),
                ("additionalProperties", .raw("true")),
                ("properties", child.node.properties(prefix: path, groups: groups)),
            ]
            return (child.name, .object(members))
        })
    }

    static func schema(of field: CaseFormat.Field) -> SchemaJSON {
        var description = field.description
        if field.meanings.contains(where: { $0 != nil }) {
            let words = zip(field.values, field.meanings).map { value, meaning in meaning.map { "`\(value)` (\($0))" } ?? "`\(value)`" }
            description += " Values: " + words.joined(separator: ", ") + "."
        }
        var members: [(String, SchemaJSON)] = [("description", .string(description))]
        members += typeMembers(field.type, pattern: field.pattern)
        return .object(members)
    }

    static func typeMembers(_ type: ValueType, pattern: String?, nullable: Bool = true) -> [(String, SchemaJSON)] {
        func typed(_ name: String) -> SchemaJSON { nullable ? .array([.string(name), .string("null")]) : .string(name) }
        switch type {
        case .date: return nullable ? [("$ref", .string("#/$defs/date"))] : [("type", .string("string")), ("format", .string("date"))]
        case .datetime: return nullable ? [("$ref", .string("#/$defs/datetime"))] : [("type", .string("string")), ("format", .string("date-time"))]
        case .bool: return [("type", typed("boolean"))]
        case .number: return [("type", typed("number"))]
        case .enumeration(let values):
            return [("type", typed("string")), ("enum", .array(values.map(SchemaJSON.string) + (nullable ? [.raw("null")] : [])))]
        case .list(let element), .set(let element):
            return [("type", typed("array")), ("items", .object(typeMembers(element, pattern: pattern, nullable: false)))]
        case .string, .code, .duration, .valueSet:
            return [("type", typed("string"))] + (pattern.map { [("pattern", SchemaJSON.string($0))] } ?? [])
        }
    }
}

/// A JSON value written the way the other schemas are: two-space indents, short arrays inline.
private indirect enum SchemaJSON {
    case string(String)
    case raw(String)
    case array([SchemaJSON])
    case object([(String, SchemaJSON)])

    func write(into text: inout String, indent: String) {
        switch self {
        case .string(let value): text += "\"" + String(decoding: JSONWriter.escaped(value), as: UTF8.self) + "\""
        case .raw(let value): text += value
        case .array(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += ", " }
                item.write(into: &text, indent: indent)
            }
            text += "]"
        case .object(let members):
            if members.isEmpty {
                text += "{}"
                return
            }
            text += "{\n"
            let inner = indent + "  "
            for (index, (key, value)) in members.enumerated() {
                text += inner + "\"" + String(decoding: JSONWriter.escaped(key), as: UTF8.self) + "\": "
                value.write(into: &text, indent: inner)
                text += index == members.count - 1 ? "\n" : ",\n"
            }
            text += indent + "}"
        }
    }
}
