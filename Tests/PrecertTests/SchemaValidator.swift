import Foundation

@testable import Precert

/// A JSON Schema validator for exactly the keywords Precert's schemas use, over `JSONValue`.
///
/// A keyword it does not know is reported as an error instead of being skipped, so a schema that
/// grows past this subset fails its tests rather than being checked only in part.
struct SchemaValidator {
    /// Keywords that only annotate; they never make a document invalid.
    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "default", "examples", "format", "$comment"]
    /// The other keywords it understands; `lint()` reports any keyword in neither set.
    static let assertions: Set<String> = [
        "$defs", "$ref", "type", "enum", "const", "pattern", "properties", "patternProperties", "additionalProperties",
        "required", "items", "minItems", "uniqueItems", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    ]

    let root: JSONValue

    init(_ root: JSONValue) { self.root = root }

    init(text: String) throws { root = try JSONValue.parse(text) }

    /// Every way `instance` breaks the schema, as `json-pointer: message`; empty when it is valid.
    func validate(_ instance: JSONValue) -> [String] {
        var errors: [String] = []
        check(root, instance, at: "", into: &errors)
        return errors
    }

    /// Problems with the schema itself: unknown keywords, `$ref`s that do not resolve, patterns
    /// that do not compile, and properties an editor could not explain on hover (no `description`).
    func lint() -> [String] {
        var problems: [String] = []
        lint(root, at: "#", hovered: true, into: &problems)
        return problems
    }

    // MARK: Validation

    private func check(_ schema: JSONValue, _ value: JSONValue, at path: String, into errors: inout [String]) {
        switch schema {
        case .bool(true): return
        case .bool(false):
            errors.append("\(path): no value is allowed here")
            return
        case .object: break
        default:
            errors.append("\(path): the schema is not an object or boolean")
            return
        }
        guard case .object(let members) = schema else { return }
        for member in members where !Self.annotations.contains(member.key) {
            let keyword = member.value
            switch member.key {
            case "$defs", "then", "else":
                break  // read through `$ref` and `if`
            case "$ref":
                guard case .string(let reference) = keyword, let target = resolve(reference) else {
                    errors.append("\(path): unresolved $ref \(keyword)")
                    continue
                }
                check(target, value, at: path, into: &errors)
            case "type":
                let names: [String]
                switch keyword {
                case .string(let name): names = [name]
                case .array(let items): names = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
                default: names = []
                }
                if !names.contains(where: { Self.hasType(value, $0) }) {
                    errors.append("\(path): expected \(names.joined(separator: " or ")), got \(Self.describe(value))")
                }
            case "enum":
                guard case .array(let allowed) = keyword else { continue }
                if !allowed.contains(where: { Self.equal($0, value) }) {
                    errors.append("\(path): \(Self.describe(value)) is not one of \(allowed.map(Self.describe).joined(separator: ", "))")
                }
            case "const":
                if !Self.equal(keyword, value) {
                    errors.append("\(path): expected \(Self.describe(keyword)), got \(Self.describe(value))")
                }
            case "pattern":
                guard case .string(let text) = value, case .string(let pattern) = keyword else { continue }
                guard let regex = try? Regex(pattern) else {
                    errors.append("\(path): the pattern \(pattern) does not compile")
                    continue
                }
                if (try? regex.firstMatch(in: text)) == nil {
                    errors.append("\(path): \(Self.describe(value)) does not match \(pattern)")
                }
            case "properties", "patternProperties", "additionalProperties":
                // The three are checked together once, at whichever of them comes up first.
                let owner = ["properties", "patternProperties", "additionalProperties"].first { schema[$0] != nil }
                if member.key == owner { checkMembers(schema, value, at: path, into: &errors) }
            case "required":
                guard case .object(let fields) = value, case .array(let names) = keyword else { continue }
                for case .string(let name) in names where !fields.contains(where: { $0.key == name }) {
                    errors.append("\(path): missing required `\(name)`")
                }
            case "items":
                guard case .array(let items) = value else { continue }
                for (index, item) in items.enumerated() {
                    check(keyword, item, at: "\(path)/\(index)", into: &errors)
                }
            case "minItems":
                guard case .array(let items) = value, case .number(let minimum) = keyword else { continue }
                if Double(items.count) < minimum {
                    errors.append("\(path): \(items.count) items, fewer than \(Int(minimum))")
                }
            case "uniqueItems":
                guard case .array(let items) = value, keyword == .bool(true) else { continue }
                for (index, item) in items.enumerated() where items[..<index].contains(where: { Self.equal($0, item) }) {
                    errors.append("\(path)/\(index): \(Self.describe(item)) repeats an earlier item")
                }
            case "allOf":
                guard case .array(let schemas) = keyword else { continue }
                for subschema in schemas { check(subschema, value, at: path, into: &errors) }
            case "anyOf", "oneOf":
                guard case .array(let schemas) = keyword else { continue }
                var failures: [[String]] = []
                for subschema in schemas {
                    var branch: [String] = []
                    check(subschema, value, at: path, into: &branch)
                    failures.append(branch)
                }
                let passed = failures.filter(\.isEmpty).count
                if passed == 0 {
                    let reasons = failures.map { $0.joined(separator: "; ") }.joined(separator: " | ")
                    errors.append("\(path): matches none of \(member.key) (\(reasons))")
                } else if member.key == "oneOf", passed > 1 {
                    errors.append("\(path): matches \(passed) branches of oneOf, not exactly one")
                }
            case "not":
                var branch: [String] = []
                check(keyword, value, at: path, into: &branch)
                if branch.isEmpty { errors.append("\(path): matches a schema it must not match") }
            case "if":
                var condition: [String] = []
                check(keyword, value, at: path, into: &condition)
                if let branch = condition.isEmpty ? schema["then"] : schema["else"] {
                    check(branch, value, at: path, into: &errors)
                }
            default:
                errors.append("\(path): the validator does not support the keyword `\(member.key)`")
            }
        }
    }

    /// `properties`, `patternProperties` and `additionalProperties` together, since which
    /// members count as additional depends on the other two.
    private func checkMembers(_ schema: JSONValue, _ value: JSONValue, at path: String, into errors: inout [String]) {
        guard case .object(let fields) = value else { return }
        var patterns: [(Regex<AnyRegexOutput>, JSONValue)] = []
        if case .object(let entries)? = schema["patternProperties"] {
            for entry in entries {
                guard let regex = try? Regex(entry.key) else {
                    errors.append("\(path): the pattern \(entry.key) does not compile")
                    return
                }
                patterns.append((regex, entry.value))
            }
        }
        for field in fields {
            let childPath = "\(path)/\(Self.escape(field.key))"
            var matched = false
            if let subschema = schema["properties"]?[field.key] {
                matched = true
                check(subschema, field.value, at: childPath, into: &errors)
            }
            for (regex, subschema) in patterns where (try? regex.firstMatch(in: field.key)) != nil {
                matched = true
                check(subschema, field.value, at: childPath, into: &errors)
            }
            if !matched, let additional = schema["additionalProperties"] {
                if additional == .bool(false) {
                    errors.append("\(path): unknown key `\(field.key)`")
                } else {
                    check(additional, field.value, at: childPath, into: &errors)
                }
            }
        }
    }

    /// Resolves `#/a/b` within the root document.
    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = root
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = node[key] else { return nil }
            node = next
        }
        return node
    }

    // MARK: Linting

    /// `hovered` is false inside `if`/`then`/`else`/`not`: those only add constraints to
    /// properties declared (and described) elsewhere.
    private func lint(_ schema: JSONValue, at path: String, hovered: Bool, into problems: inout [String]) {
        guard case .object(let members) = schema else {
            if case .bool = schema { return }
            problems.append("\(path): not a schema")
            return
        }
        for member in members {
            let here = "\(path)/\(Self.escape(member.key))"
            switch member.key {
            case _ where Self.annotations.contains(member.key):
                break
            case "$ref":
                if case .string(let reference) = member.value, resolve(reference) != nil { break }
                problems.append("\(here): does not resolve")
            case "pattern":
                if case .string(let pattern) = member.value, (try? Regex(pattern)) != nil { break }
                problems.append("\(here): does not compile")
            case "$defs", "properties", "patternProperties":
                guard case .object(let entries) = member.value else {
                    problems.append("\(here): not an object")
                    continue
                }
                for entry in entries {
                    if member.key == "patternProperties", (try? Regex(entry.key)) == nil {
                        problems.append("\(here): the pattern \(entry.key) does not compile")
                    }
                    if hovered, member.key != "$defs", !explains(entry.value) {
                        problems.append("\(here)/\(Self.escape(entry.key)): no description for an editor to show")
                    }
                    lint(entry.value, at: "\(here)/\(Self.escape(entry.key))", hovered: hovered, into: &problems)
                }
            case "additionalProperties", "items":
                lint(member.value, at: here, hovered: hovered, into: &problems)
            case "not", "if", "then", "else":
                lint(member.value, at: here, hovered: false, into: &problems)
            case "allOf", "anyOf", "oneOf":
                guard case .array(let schemas) = member.value else {
                    problems.append("\(here): not a list")
                    continue
                }
                for (index, subschema) in schemas.enumerated() {
                    lint(subschema, at: "\(here)/\(index)", hovered: hovered, into: &problems)
                }
            case _ where Self.assertions.contains(member.key):
                break
            default:
                problems.append("\(here): the validator does not support this keyword")
            }
        }
    }

    /// Whether hovering over this property would show text: its own description or its `$ref`'s.
    private func explains(_ schema: JSONValue) -> Bool {
        if case .string(let text)? = schema["description"], !text.isEmpty { return true }
        if case .string(let reference)? = schema["$ref"], let target = resolve(reference) { return explains(target) }
        return false
    }

    // MARK: Values

    private static func hasType(_ value: JSONValue, _ name: String) -> Bool {
        switch (name, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("number", .number), ("boolean", .bool),
            ("null", .null):
            return true
        case ("integer", .number(let number)):
            return number.rounded() == number
        default:
            return false
        }
    }

    /// JSON equality: objects compare as sets of members, numbers by value.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { member in y.contains { $0.key == member.key && equal($0.value, member.value) } }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        default:
            return a == b
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .object: "an object"
        case .array: "a list"
        case .string(let text): "\"\(text)\""
        case .number(let number): number.rounded() == number && number.magnitude < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): String(flag)
        case .null: "null"
        }
    }

    private static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

/// Turns a located YAML tree into JSON the way a YAML 1.2 editor (core schema) sees it, so the
/// tests validate policies exactly as the YAML language server would.
///
/// Precert itself never resolves scalar types; this is only for checking the schema.
enum YAMLCoreJSON {
    static func convert(_ node: YAMLNode) -> JSONValue {
        switch node.content {
        case .mapping(let pairs):
            return .object(pairs.map { JSONValue.Member($0.key.scalar ?? "", convert($0.value)) })
        case .sequence(let items):
            return .array(items.map(convert))
        case .scalar(let text, let style):
            if let tag = node.tag {
                return tag.hasSuffix(":str") ? .string(text) : resolvePlain(text)
            }
            return style == .plain ? resolvePlain(text) : .string(text)
        }
    }

    /// The YAML 1.2 core schema's resolution of a plain scalar: null, bool, int, float, else string.
    static func resolvePlain(_ text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".nan", ".NaN", ".NAN": return .number(.nan)
        default: break
        }
        if text.wholeMatch(of: #/[-+]?\.(inf|Inf|INF)/#) != nil {
            return .number(text.hasPrefix("-") ? -.infinity : .infinity)
        }
        if text.wholeMatch(of: #/0o[0-7]+/#) != nil, let value = Int(text.dropFirst(2), radix: 8) {
            return .number(Double(value))
        }
        if text.wholeMatch(of: #/0x[0-9a-fA-F]+/#) != nil, let value = Int(text.dropFirst(2), radix: 16) {
            return .number(Double(value))
        }
        if text.wholeMatch(of: #/[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?/#) != nil {
            // Swift's parser does not take a trailing `.` (`1.`), which YAML does.
            let normalized = text.hasSuffix(".") ? text + "0" : text.replacingOccurrences(of: ".e", with: ".0e").replacingOccurrences(of: ".E", with: ".0E")
            if let value = Double(normalized) { return .number(value) }
        }
        return .string(text)
    }
}
