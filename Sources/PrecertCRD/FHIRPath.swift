import Precert

/// A path into the FHIR resources of a CDS Hooks request, in the mapping file's small path
/// language (not FHIRPath): a root, then steps.
///
/// ```text
/// path   := root ('.' step)*
/// root   := order | coverage | context | now() | today() | ResourceType
/// step   := name | where(name('.' name)* = 'text') | resolve() | ofType(ResourceType) | first() | all()
/// ```
///
/// `order` is the order (or appointment) being answered; `coverage` the Coverage the answer is
/// about; `context` the hook's context object; a resource type (`Practitioner`) every resource of
/// that type in the prefetch and the context. A field step flattens arrays, as FHIRPath does.
package struct FHIRPath: Sendable, Hashable, CustomStringConvertible {
    /// Where a path starts.
    package enum Root: Sendable, Hashable {
        /// `order`, `coverage`, `context`, `now()`, `today()`.
        case order, coverage, context, now, today
        /// Every resource of a type.
        case resourceType(String)
    }

    /// One step after the root.
    package enum Step: Sendable, Hashable {
        /// A field; arrays are flattened.
        case field(String)
        /// `where(a.b = 'text')`.
        case whereEquals([String], String)
        /// `resolve()`.
        case resolve
        /// `ofType(Type)`.
        case ofType(String)
        /// `first()`.
        case first
        /// `all()`.
        case all
    }

    /// The root.
    package var root: Root
    /// The steps, in order.
    package var steps: [Step]
    /// The path as written.
    package var description: String

    /// A problem in a path: what is wrong and at which character (0-based) of the text.
    package struct ParseError: Error, Sendable {
        /// What is wrong, lowercase.
        package var message: String
        /// The offset of the character in the path's text.
        package var offset: Int
    }

    /// Parses `text`.
    package static func parse(_ text: String) throws(ParseError) -> FHIRPath {
        var parser = Parser(chars: Array(text), text: text)
        return try parser.parse()
    }

    private struct Parser {
        var chars: [Character]
        var text: String
        var index = 0

        mutating func parse() throws(ParseError) -> FHIRPath {
            guard !chars.isEmpty else { throw ParseError(message: "the path is empty", offset: 0) }
            let rootStart = index
            let rootName = name()
            guard !rootName.isEmpty else { throw ParseError(message: "a path starts with a name such as `order` or `Coverage`", offset: index) }
            let root: Root
            switch rootName {
            case "order": root = .order
            case "coverage": root = .coverage
            case "context": root = .context
            case "now", "today":
                guard consume("()") else { throw ParseError(message: "write `\(rootName)()`", offset: index) }
                root = rootName == "now" ? .now : .today
            default:
                guard let first = rootName.first, first.isUppercase else {
                    throw ParseError(
                        message: "unknown root `\(rootName)`: a path starts with `order`, `coverage`, `context`, `now()`, `today()` or a resource type",
                        offset: rootStart)
                }
                root = .resourceType(rootName)
            }
            var steps: [Step] = []
            while index < chars.count {
                guard consume(".") else { throw ParseError(message: "expected `.` before the next step", offset: index) }
                let stepStart = index
                let word = name()
                guard !word.isEmpty else { throw ParseError(message: "expected a field name or a function after `.`", offset: index) }
                if index < chars.count, chars[index] == "(" {
                    index += 1
                    switch word {
                    case "resolve", "first", "all":
                        guard consume(")") else { throw ParseError(message: "`\(word)()` takes nothing between its parentheses", offset: index) }
                        steps.append(word == "resolve" ? .resolve : word == "first" ? .first : .all)
                    case "ofType":
                        let type = name()
                        guard let letter = type.first, letter.isUppercase else {
                            throw ParseError(message: "`ofType` takes a resource type such as `Practitioner`", offset: index)
                        }
                        guard consume(")") else { throw ParseError(message: "expected `)` after the resource type", offset: index) }
                        steps.append(.ofType(type))
                    case "where":
                        var chain: [String] = []
                        repeat {
                            skipSpaces()
                            let part = name()
                            guard !part.isEmpty else { throw ParseError(message: "`where` compares a field, as in `where(system = 'http://loinc.org')`", offset: index) }
                            chain.append(part)
                        } while consume(".")
                        skipSpaces()
                        guard consume("=") else { throw ParseError(message: "expected `=` in `where`; it only compares for equality", offset: index) }
                        skipSpaces()
                        guard consume("'") else { throw ParseError(message: "the value in `where` must be quoted with `'`", offset: index) }
                        var value = ""
                        while index < chars.count, chars[index] != "'" {
                            value.append(chars[index])
                            index += 1
                        }
                        guard consume("'") else { throw ParseError(message: "the quoted value in `where` is not closed", offset: index) }
                        skipSpaces()
                        guard consume(")") else { throw ParseError(message: "expected `)` to close `where`", offset: index) }
                        steps.append(.whereEquals(chain, value))
                    default:
                        throw ParseError(
                            message: "unknown function `\(word)()`: the path language has `where`, `resolve`, `ofType`, `first` and `all`",
                            offset: stepStart)
                    }
                } else {
                    steps.append(.field(word))
                }
            }
            return FHIRPath(root: root, steps: steps, description: text)
        }

        mutating func name() -> String {
            var out = ""
            while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" || chars[index] == "-" {
                out.append(chars[index])
                index += 1
            }
            return out
        }

        mutating func consume(_ token: String) -> Bool {
            let tokenChars = Array(token)
            guard index + tokenChars.count <= chars.count, Array(chars[index..<index + tokenChars.count]) == tokenChars else { return false }
            index += tokenChars.count
            return true
        }

        mutating func skipSpaces() {
            while index < chars.count, chars[index] == " " { index += 1 }
        }
    }
}

/// The resources of one request a path reads, and the order it is about.
package struct FHIRScope: Sendable {
    /// The order (or appointment) being answered.
    package var order: JSONValue
    /// The Coverage the answer is about, when there is one.
    package var coverage: JSONValue?
    /// The hook's context object.
    package var context: JSONValue
    /// Every resource of the prefetch and of the context's bundles.
    package var resources: [JSONValue]
    /// The instant the service answers.
    package var now: Timestamp
    /// The date the service answers on.
    package var today: CivilDate

    /// The values `path` reaches, in document order.
    package func evaluate(_ path: FHIRPath) -> [JSONValue] {
        var values: [JSONValue]
        switch path.root {
        case .order: values = [order]
        case .coverage: values = coverage.map { [$0] } ?? []
        case .context: values = [context]
        case .now: values = [.string(now.rfc3339)]
        case .today: values = [.string(today.description)]
        case .resourceType(let type): values = resources.filter { $0["resourceType"] == .string(type) }
        }
        for step in path.steps {
            switch step {
            case .field(let name):
                values = values.flatMap { Self.children($0, name) }
            case .whereEquals(let chain, let expected):
                values = values.filter { item in
                    var reached = [item]
                    for name in chain { reached = reached.flatMap { Self.children($0, name) } }
                    return reached.contains { Self.text($0) == expected }
                }
            case .resolve:
                values = values.compactMap(resolve)
            case .ofType(let type):
                values = values.filter { $0["resourceType"] == .string(type) }
            case .first:
                values = values.first.map { [$0] } ?? []
            case .all:
                break
            }
        }
        return values
    }

    /// The values of member `name` of `value`, an array's items one by one.
    static func children(_ value: JSONValue, _ name: String) -> [JSONValue] {
        guard let child = value[name] else { return [] }
        if case .array(let items) = child { return items }
        if case .null = child { return [] }
        return [child]
    }

    /// A scalar's text (`true`, `12`), or `nil` for objects, arrays and null.
    package static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        default: return nil
        }
    }

    /// The resource a reference (a `Reference` object, or a `Type/id` string) points to among the
    /// request's resources, or `nil`.
    package func resolve(_ reference: JSONValue) -> JSONValue? {
        let written: String?
        if case .string(let s) = reference { written = s } else { written = reference["reference"].flatMap(Self.text) }
        guard let written, !written.isEmpty else { return nil }
        let parts = written.split(separator: "/")
        guard parts.count >= 2 else { return nil }
        let type = String(parts[parts.count - 2])
        let id = String(parts[parts.count - 1])
        return resources.first { $0["resourceType"] == .string(type) && $0["id"] == .string(id) }
    }
}
