internal import CYAML

/// Bounds that keep a hostile or broken YAML file from using unbounded time or memory.
package struct YAMLLimits: Sendable, Hashable {
    /// The largest file accepted, in bytes.
    package var maxBytes: Int
    /// The deepest nesting of lists and mappings accepted.
    package var maxDepth: Int

    /// Creates limits; the defaults suit hand-written policy files with a wide margin. There is
    /// no alias budget: anchors and aliases are refused, so nothing is ever copied.
    package init(maxBytes: Int = 16 << 20, maxDepth: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    /// The defaults.
    package static let `default` = YAMLLimits()
}

/// The outcome of loading one YAML file: the root node when the file could be read, and every
/// problem found.
package struct YAMLLoadResult: Sendable {
    /// The document's root, or `nil` when the file could not be read to the end or was empty.
    package var root: YAMLNode?
    /// Everything found, in order.
    package var diagnostics: [Diagnostic]
}

/// Loads YAML text into located nodes with Precert's strictness rules.
package enum YAMLLoader {
    /// Loads `bytes` (a whole file) reported under the name `file`.
    package static func load(
        _ bytes: [UInt8], file: String, limits: YAMLLimits = .default
    ) -> YAMLLoadResult {
        let at = { (line: Int, column: Int) in
            SourceRange(SourceLocation(file: file, line: line, column: column))
        }
        if bytes.count > limits.maxBytes {
            return YAMLLoadResult(
                root: nil,
                diagnostics: [YAMLMessages.fileTooLarge(bytes.count, limit: limits.maxBytes, at: at(1, 1))])
        }
        if let bad = UTF8Validation.firstInvalidOffset(in: bytes) {
            let (line, column) = UTF8Validation.lineAndColumn(ofByteOffset: bad, in: bytes)
            return YAMLLoadResult(root: nil, diagnostics: [YAMLMessages.invalidUTF8(at: at(line, column))])
        }
        guard let parser = LibYAMLParser(bytes: bytes) else {
            return YAMLLoadResult(root: nil, diagnostics: [YAMLMessages.parserUnavailable(at: at(1, 1))])
        }
        var builder = YAMLTreeBuilder(file: file, limits: limits, bytes: bytes)
        builder.run(parser)
        return YAMLLoadResult(root: builder.root, diagnostics: builder.diagnostics)
    }

    /// Loads YAML given as a string.
    package static func load(
        _ text: String, file: String, limits: YAMLLimits = .default
    ) -> YAMLLoadResult {
        load(Array(text.utf8), file: file, limits: limits)
    }
}

/// One libyaml event, copied out of C memory.
struct YAMLEvent {
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd
        case scalar(String, YAMLScalarStyle)
        case sequenceStart, sequenceEnd, mappingStart, mappingEnd
        case alias(String)
    }

    var kind: Kind
    var anchor: String?
    var tag: String?
    var start: (line: Int, column: Int)
    var end: (line: Int, column: Int)
}

/// A syntax error reported by libyaml, with its position.
struct LibYAMLError: Error {
    var problem: String
    var context: String?
    var line: Int
    var column: Int
    var byteOffset: Int?
    var contextLine: Int = 0
    var contextColumn: Int = 0
}

/// Owns one libyaml parser and the input it reads; frees both when released.
final class LibYAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>

    init?(bytes: [UInt8]) {
        parser = .allocate(capacity: 1)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        guard yaml_parser_initialize(parser) == 1 else {
            parser.deallocate()
            input.deallocate()
            return nil
        }
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    /// The next event, or the error that stopped libyaml.
    func next() -> Result<YAMLEvent, LibYAMLError> {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            let p = parser.pointee
            let isReaderError = p.error == YAML_READER_ERROR
            return .failure(
                LibYAMLError(
                    problem: p.problem.map { String(cString: $0) } ?? "unknown error",
                    context: p.context.map { String(cString: $0) },
                    line: Int(p.problem_mark.line) + 1,
                    column: Int(p.problem_mark.column) + 1,
                    byteOffset: isReaderError ? Int(p.problem_offset) : nil,
                    contextLine: Int(p.context_mark.line) + 1,
                    contextColumn: Int(p.context_mark.column) + 1))
        }
        defer { yaml_event_delete(&event) }
        let start = (Int(event.start_mark.line) + 1, Int(event.start_mark.column) + 1)
        let end = (Int(event.end_mark.line) + 1, Int(event.end_mark.column) + 1)
        func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return .success(YAMLEvent(kind: .streamStart, start: start, end: end))
        case YAML_STREAM_END_EVENT:
            return .success(YAMLEvent(kind: .streamEnd, start: start, end: end))
        case YAML_DOCUMENT_START_EVENT:
            return .success(YAMLEvent(kind: .documentStart, start: start, end: end))
        case YAML_DOCUMENT_END_EVENT:
            return .success(YAMLEvent(kind: .documentEnd, start: start, end: end))
        case YAML_ALIAS_EVENT:
            return .success(
                YAMLEvent(kind: .alias(text(event.data.alias.anchor) ?? ""), start: start, end: end))
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value =
                scalar.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: Int(scalar.length)), as: UTF8.self)
                } ?? ""
            let style: YAMLScalarStyle =
                switch scalar.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: .literal
                case YAML_FOLDED_SCALAR_STYLE: .folded
                default: .plain
                }
            return .success(
                YAMLEvent(
                    kind: .scalar(value, style), anchor: text(scalar.anchor), tag: text(scalar.tag),
                    start: start, end: end))
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            return .success(
                YAMLEvent(
                    kind: .sequenceStart, anchor: text(data.anchor), tag: text(data.tag), start: start,
                    end: end))
        case YAML_SEQUENCE_END_EVENT:
            return .success(YAMLEvent(kind: .sequenceEnd, start: start, end: end))
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            return .success(
                YAMLEvent(
                    kind: .mappingStart, anchor: text(data.anchor), tag: text(data.tag), start: start,
                    end: end))
        case YAML_MAPPING_END_EVENT:
            return .success(YAMLEvent(kind: .mappingEnd, start: start, end: end))
        default:
            return .failure(
                LibYAMLError(problem: "unexpected event", context: nil, line: start.0, column: start.1))
        }
    }
}

/// Turns libyaml events into a `YAMLNode` tree, enforcing the limits and strictness rules.
struct YAMLTreeBuilder {
    private struct Frame {
        var isMapping: Bool
        var items: [YAMLNode] = []
        var pairs: [YAMLNode.Pair] = []
        var pendingKey: YAMLNode?
        var firstKeyRange: [String: SourceRange] = [:]
        var start: SourceLocation
        var tag: String?
        var nodeCount = 1
    }

    private static let coreTags: Set<String> = [
        "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:seq",
        "tag:yaml.org,2002:map",
    ]

    let file: String
    let limits: YAMLLimits
    let bytes: [UInt8]
    private(set) var root: YAMLNode?
    private(set) var diagnostics: [Diagnostic] = []
    private var stack: [Frame] = []
    private var documents = 0

    init(file: String, limits: YAMLLimits, bytes: [UInt8]) {
        self.file = file
        self.limits = limits
        self.bytes = bytes
    }

    private func location(_ position: (line: Int, column: Int)) -> SourceLocation {
        SourceLocation(file: file, line: position.line, column: position.column)
    }

    private func range(_ event: YAMLEvent) -> SourceRange {
        SourceRange(start: location(event.start), end: location(event.end))
    }

    /// Reads events until the end of the stream or the first error that stops reading.
    mutating func run(_ parser: LibYAMLParser) {
        while true {
            switch parser.next() {
            case .failure(let error):
                diagnostics.append(libyamlDiagnostic(error))
                root = nil
                return
            case .success(let event):
                if !handle(event) {
                    root = nil
                    return
                }
                if case .streamEnd = event.kind { return }
            }
        }
    }

    /// Handles one event; returns `false` when reading must stop.
    private mutating func handle(_ event: YAMLEvent) -> Bool {
        if let tag = event.tag, !Self.coreTags.contains(tag) {
            diagnostics.append(YAMLMessages.unsupportedTag(tag, at: range(event)))
        }
        // Anchors, aliases and merge keys are YAML features no policy needs, and they let text
        // mean something other than what it shows (`because: &an:chor Members` read as
        // `:chor Members`): they are refused where they are written, and reading stops.
        if let anchor = event.anchor {
            diagnostics.append(YAMLMessages.anchor(anchor, at: range(event)))
            return false
        }
        switch event.kind {
        case .streamStart, .streamEnd, .documentEnd:
            return true
        case .documentStart:
            documents += 1
            if documents > 1 {
                diagnostics.append(YAMLMessages.multipleDocuments(at: range(event)))
                return false
            }
            return true
        case .scalar(let text, let style):
            if text == "<<", style == .plain, let frame = stack.last, frame.isMapping, frame.pendingKey == nil {
                diagnostics.append(YAMLMessages.mergeKey(at: range(event)))
                return false
            }
            let node = YAMLNode(.scalar(text, style), range: range(event), tag: event.tag)
            return complete(node, count: 1)
        case .alias(let name):
            diagnostics.append(YAMLMessages.alias(name, at: range(event)))
            return false
        case .sequenceStart, .mappingStart:
            if stack.count >= limits.maxDepth {
                diagnostics.append(YAMLMessages.tooDeep(limits.maxDepth, at: range(event)))
                return false
            }
            var isMapping = false
            if case .mappingStart = event.kind { isMapping = true }
            stack.append(Frame(isMapping: isMapping, start: location(event.start), tag: event.tag))
            return true
        case .sequenceEnd, .mappingEnd:
            guard let frame = stack.popLast() else { return false }
            let content: YAMLNode.Content = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
            let node = YAMLNode(
                content, range: SourceRange(start: frame.start, end: location(event.end)), tag: frame.tag)
            return complete(node, count: frame.nodeCount)
        }
    }

    /// Attaches a finished node to its parent (or makes it the root).
    private mutating func complete(_ node: YAMLNode, count: Int) -> Bool {
        guard !stack.isEmpty else {
            root = node
            return true
        }
        stack[stack.count - 1].nodeCount += count
        if !stack[stack.count - 1].isMapping {
            stack[stack.count - 1].items.append(node)
            return true
        }
        guard let key = stack[stack.count - 1].pendingKey else {
            guard let text = node.scalar else {
                diagnostics.append(YAMLMessages.complexKey(at: node.range))
                return false
            }
            if let first = stack[stack.count - 1].firstKeyRange[text] {
                diagnostics.append(YAMLMessages.duplicateKey(text, at: node.range, first: first))
            } else {
                stack[stack.count - 1].firstKeyRange[text] = node.range
            }
            stack[stack.count - 1].pendingKey = node
            return true
        }
        stack[stack.count - 1].pairs.append(YAMLNode.Pair(key: key, value: node))
        stack[stack.count - 1].pendingKey = nil
        return true
    }

    /// The text from `column` of `line` up to the next space, `#` or end of line.
    private func wordAt(line: Int, column: Int) -> String? {
        var current = 1
        var start = 0
        while current < line, start < bytes.count {
            if bytes[start] == UInt8(ascii: "\n") { current += 1 }
            start += 1
        }
        guard current == line else { return nil }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        let characters = Array(text)
        guard column >= 1, column <= characters.count else { return nil }
        let word = characters[(column - 1)...].prefix { $0 != " " && $0 != "#" && $0 != "\t" }
        return word.isEmpty ? nil : String(word)
    }

    private func libyamlDiagnostic(_ error: LibYAMLError) -> Diagnostic {
        var line = error.line
        var column = error.column
        if let offset = error.byteOffset {
            (line, column) = UTF8Validation.lineAndColumn(ofByteOffset: offset, in: bytes)
        }
        let character = UTF8Validation.character(atLine: line, column: column, in: bytes)
        if error.problem == "could not find expected ':'", let word = wordAt(line: error.contextLine, column: error.contextColumn),
            let colon = word.firstIndex(of: ":"), colon != word.startIndex, word.index(after: colon) != word.endIndex
        {
            // `then:required`: YAML needs a space after a key's colon, and without it reads one word.
            let fixed = "\(word[..<colon]): \(word[word.index(after: colon)...])"
            return .error(
                "yaml.syntax", "a space is missing after the colon in `\(word)`",
                at: SourceRange(SourceLocation(file: file, line: error.contextLine, column: error.contextColumn)),
                hint: "write `\(fixed)`", facts: DiagnosticFacts(suggestion: fixed))
        }
        return YAMLMessages.syntax(
            problem: error.problem, context: error.context, character: character,
            at: SourceRange(SourceLocation(file: file, line: line, column: column)),
            contextAt: SourceRange(
                SourceLocation(file: file, line: error.contextLine, column: error.contextColumn)))
    }
}
