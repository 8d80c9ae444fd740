/// Bounds on one case document.
package struct CaseLimits: Sendable, Equatable {
    /// The largest case document accepted, in bytes.
    package var maxBytes: Int
    /// JSON nesting depth and string length.
    package var json: JSONLimits
    /// The most items a list or set input may hold.
    package var maxListLength: Int

    /// Creates limits; the defaults leave a wide margin over real cases (about 1 KB).
    package init(maxBytes: Int = 1 << 20, json: JSONLimits = JSONLimits(maxDepth: 64, maxStringBytes: 256 << 10), maxListLength: Int = 10_000) {
        self.maxBytes = maxBytes
        self.json = json
        self.maxListLength = maxListLength
    }
}

/// A case decoded against one policy: its id and the facts in the policy's slots.
package struct DecodedCase: Sendable, Hashable {
    /// An empty case with no slots, for `CaseDecoder.decode(_:file:into:)` to fill.
    package init() {
        facts = CaseFacts(slotCount: 0)
    }

    /// A case with the given parts.
    package init(caseID: String?, payer: String?, receivedAt: Timestamp?, facts: CaseFacts) {
        self.caseID = caseID
        self.payer = payer
        self.receivedAt = receivedAt
        self.facts = facts
    }

    /// The caller's `case_id`, if given.
    package var caseID: String?
    /// The case's `payer`, which picks the policy.
    package var payer: String?
    /// The case's `request.received_at`, which picks the policy version.
    package var receivedAt: Timestamp?
    /// The facts.
    package var facts: CaseFacts
}

/// Decodes case JSON straight into a policy's input slots, reading only the declared paths.
///
/// Schema-directed: a trie of the declared paths steers the reader; every other value is skipped
/// (still validated) without building dictionaries or strings.
package final class CaseDecoder: Sendable {
    private struct TrieNode: Sendable {
        var keys: [[UInt8]] = []
        var targets: [Int] = []  // >= 0: a slot; < 0: -(child node index + 1)
        var paths: [String] = []  // the JSON path of each key, for messages

        mutating func append(_ key: [UInt8], path: String, target: Int) {
            keys.append(key)
            paths.append(path)
            targets.append(target)
        }

        /// The index of `key` among the keys, if it is one.
        func index(of key: UnsafeBufferPointer<UInt8>) -> Int? {
            for index in keys.indices where keys[index].count == key.count {
                if keys[index].withUnsafeBufferPointer({ JSONText.bytesEqual($0, key) }) { return index }
            }
            return nil
        }
    }

    /// What a slot holds, as plain data so that reading a value retains nothing.
    private struct SlotShape: Sendable {
        /// The kind of the value, or of each element of a list or set.
        let scalar: ScalarKind
        let isList: Bool
        let isSet: Bool
    }

    private enum ScalarKind: UInt8, Sendable {
        case bool, number, text, date, datetime, duration, enumeration, collection
    }

    /// The policy whose inputs are read.
    package let policy: CheckedPolicy
    /// The limits enforced.
    package let limits: CaseLimits
    private let nodes: [TrieNode]
    private let shapes: [SlotShape]
    private let enumBytes: [[[UInt8]]]
    private static let caseIDSlot = Int.max
    private static let payerSlot = Int.max - 1
    private static let receivedSlot = Int.max - 2
    /// The first instant a case's date-time may not reach, 9990-01-01T00:00:00Z: a clock runs at
    /// most ten years (longer durations are refused in policies), so every due date counted from
    /// an earlier start stays within the years a date-time can be written in.
    static let latestClockStart = Int64(CivilMath.daysFromCivil(year: 9990, month: 1, day: 1)) * 86_400

    /// The slot of `request.received_at` when the policy declares it as a datetime input.
    private let receivedInput: Int?

    /// Creates a decoder for `policy`'s declared inputs.
    package init(policy: CheckedPolicy, limits: CaseLimits = CaseLimits()) {
        self.policy = policy
        self.limits = limits
        enumBytes = policy.inputs.map { input in
            var type = input.type
            if let element = type.elementType { type = element }
            if case .enumeration(let names) = type { return names.map { Array($0.utf8) } }
            return []
        }
        shapes = policy.inputs.map { input in
            let type = input.type.elementType ?? input.type
            let scalar: ScalarKind =
                switch type {
                case .bool: .bool
                case .number: .number
                case .string, .code: .text
                case .date: .date
                case .datetime: .datetime
                case .duration: .duration
                case .enumeration: .enumeration
                case .list, .set, .valueSet: .collection
                }
            if case .set = input.type { return SlotShape(scalar: scalar, isList: true, isSet: true) }
            return SlotShape(scalar: scalar, isList: input.type.elementType != nil, isSet: false)
        }
        let received = policy.inputs.firstIndex { $0.path == "request.received_at" && $0.type == .datetime }
        receivedInput = received
        var nodes = [TrieNode()]
        for (slot, input) in policy.inputs.enumerated() { Self.insert(input.components, slot: slot, into: &nodes) }
        // Routing fields are read in the same pass, so a case is read once whichever policy it needs.
        if nodes[0].keys.firstIndex(of: Array("case_id".utf8)) == nil { Self.insert(["case_id"], slot: Self.caseIDSlot, into: &nodes) }
        if nodes[0].keys.firstIndex(of: Array("payer".utf8)) == nil { Self.insert(["payer"], slot: Self.payerSlot, into: &nodes) }
        if received == nil, policy.slot(of: "request.received_at") == nil, policy.inputs.allSatisfy({ $0.path != "request" }) {
            Self.insert(["request", "received_at"], slot: Self.receivedSlot, into: &nodes)
        }
        self.nodes = nodes
    }

    private static func insert(_ components: [String], slot: Int, into nodes: inout [TrieNode]) {
        var node = 0
        for (depth, component) in components.enumerated() {
            let key = Array(component.utf8)
            let isLast = depth == components.count - 1
            let path = "$." + components[...depth].joined(separator: ".")
            if let index = nodes[node].keys.firstIndex(of: key) {
                let target = nodes[node].targets[index]
                if isLast || target >= 0 { return }  // the checker forbids overlapping paths
                node = -target - 1
                continue
            }
            if isLast {
                nodes[node].append(key, path: path, target: slot)
            } else {
                nodes.append(TrieNode())
                nodes[node].append(key, path: path, target: -(nodes.count - 1) - 1)
                node = nodes.count - 1
            }
        }
    }

    /// Decodes one case document; `file` names it in diagnostics.
    package func decode(_ bytes: [UInt8], file: String = "<case>") -> Result<DecodedCase, CaseErrors> {
        var decoded = DecodedCase()
        if let errors = decode(bytes, file: file, into: &decoded) { return .failure(errors) }
        return .success(decoded)
    }

    /// Decodes one case document into `decoded`, reusing its storage (lists included) so that a
    /// loop over many cases does not allocate and free the facts for each; returns the problems
    /// that stopped it, leaving `decoded` unspecified.
    package func decode(_ bytes: [UInt8], file: String = "<case>", into decoded: inout DecodedCase) -> CaseErrors? {
        bytes.withUnsafeBufferPointer { decode($0, file: file, into: &decoded) }
    }

    /// `decode(_:file:into:)` on bytes the caller holds, such as one line of a larger buffer.
    package func decode(_ bytes: UnsafeBufferPointer<UInt8>, file: String = "<case>", into decoded: inout DecodedCase) -> CaseErrors? {
        if let tooLarge = sizeError(bytes.count, file: file) { return tooLarge }
        var run = Run(decoder: self, reader: JSONReader(bytes, limits: limits.json), file: file)
        swap(&run.decoded, &decoded)
        defer { swap(&run.decoded, &decoded) }
        return run.decode()
    }

    /// The problems of `bytes` as a JSON document, whatever the policy: its size, that it is an
    /// object, and its syntax; `nil` when it has none. Reads no field.
    package func documentErrors(_ bytes: UnsafeBufferPointer<UInt8>, file: String = "<case>") -> CaseErrors? {
        if let tooLarge = sizeError(bytes.count, file: file) { return tooLarge }
        var run = Run(decoder: self, reader: JSONReader(bytes, limits: limits.json), file: file)
        run.readsFields = false
        return run.decode()
    }

    private func sizeError(_ count: Int, file: String) -> CaseErrors? {
        guard count > limits.maxBytes else { return nil }
        return CaseErrors([
            .error("limit.case-size", "the case is \(count) bytes, over the limit of \(limits.maxBytes) bytes",
                at: SourceRange(SourceLocation(file: file, line: 1, column: 1)), facts: DiagnosticFacts(limit: limits.maxBytes))
        ])
    }

    /// One decoding pass.
    private struct Run {
        let decoder: CaseDecoder
        var reader: JSONReader
        let file: String
        var decoded = DecodedCase()
        var problems: [Diagnostic] = []
        /// False to check the document only: every field is skipped (still validated).
        var readsFields = true

        init(decoder: CaseDecoder, reader: JSONReader, file: String) {
            self.decoder = decoder
            self.reader = reader
            self.file = file
        }

        mutating func decode() -> CaseErrors? {
            let slotCount = decoder.policy.inputs.count
            if decoded.facts.values.count != slotCount {
                decoded.facts = CaseFacts(slotCount: slotCount)
            } else {
                // Values stay until the end, where slots the case did not give are reset: a list
                // read again reuses the old list's storage.
                decoded.facts.present.withUnsafeMutableBufferPointer { $0.update(repeating: false) }
            }
            decoded.caseID = nil
            decoded.payer = nil
            decoded.receivedAt = nil
            do {
                if reader.text.startsWithByteOrderMark {
                    return CaseErrors([
                        .error("case.byte-order-mark", "the case starts with a byte-order mark", at: range(1, 1),
                            hint: "save the case as UTF-8 without a byte-order mark; JSON does not allow one")
                    ])
                }
                guard reader.peekKind() == .object else {
                    let (line, column) = reader.text.lineAndColumn(at: reader.offset)
                    return CaseErrors([
                        .error("case.not-object", "a case must be a JSON object", at: range(line, column),
                            hint: "write the case as `{ \"payer\": ..., \"service\": {...} }`")
                    ])
                }
                if readsFields { try readObject(node: 0) } else { try reader.skipValue() }
                try reader.finish()
            } catch {
                problems.append(
                    .error(CaseDecoder.documentErrorID(error.kind), CaseDecoder.redacted(error.message), at: range(error.line, error.column)))
                return CaseErrors(problems)
            }
            if !problems.isEmpty { return CaseErrors(problems) }
            if !readsFields { return nil }
            for (slot, input) in decoder.policy.inputs.enumerated() where !decoded.facts.present[slot] {
                decoded.facts.values[slot] = input.defaultValue
            }
            if let slot = decoder.receivedInput, case .datetime(let instant)? = decoded.facts.values[slot] {
                decoded.receivedAt = instant
            }
            return nil
        }

        private func range(_ line: Int, _ column: Int) -> SourceRange {
            SourceRange(SourceLocation(file: file, line: line, column: column))
        }

        private mutating func readObject(node: Int) throws(JSONReadError) {
            try reader.beginObject()
            // Keys this object has given already: a declared key given twice is an error, not "the last
            // one wins" (other JSON readers keep the first, and two copies of an object merged field by
            // field here).
            var seen: UInt64 = 0
            var seenBeyond64: Set<Int> = []
            let decoder = decoder
            while try reader.nextKey() {
                guard let found = reader.withKeyBytes({ decoder.nodes[node].index(of: $0) }) else {
                    try reader.skipValue()
                    continue
                }
                let repeated = found < 64 ? seen & (1 << UInt64(found)) != 0 : !seenBeyond64.insert(found).inserted
                if found < 64 { seen |= 1 << UInt64(found) }
                if repeated {
                    let (line, column) = reader.text.lineAndColumn(at: reader.offset)
                    problems.append(
                        .error("case.duplicate-key", "\(decoder.nodes[node].paths[found]) is given twice", at: range(line, column),
                            hint: "give each field once; JSON readers disagree on which of two copies counts",
                            facts: DiagnosticFacts(jsonPath: decoder.nodes[node].paths[found])))
                    try reader.skipValue()
                    continue
                }
                let target = decoder.nodes[node].targets[found]
                if reader.peekKind() == .null {
                    try reader.readNull()
                    continue
                }
                switch target {
                case CaseDecoder.caseIDSlot, CaseDecoder.payerSlot:
                    guard reader.peekKind() == .string else {
                        try mismatch(decoder.nodes[node].paths[found], "text", typed: false)
                        continue
                    }
                    let text = try reader.readString()
                    if target == CaseDecoder.caseIDSlot { decoded.caseID = text } else { decoded.payer = text }
                case CaseDecoder.receivedSlot:
                    // Only routing reads it; a malformed value simply leaves the date to `--as-of` or today.
                    if reader.peekKind() == .string {
                        decoded.receivedAt = try reader.readStringBytes { Timestamp(utf8: $0) }
                    }
                case 0...:
                    try readSlot(target, path: decoder.nodes[node].paths[found])
                default:
                    if reader.peekKind() == .object {
                        try readObject(node: -target - 1)
                    } else {
                        try mismatch(decoder.nodes[node].paths[found], "an object", typed: false)
                    }
                }
            }
        }

        /// Records a type error for the value at the reading position and skips it.
        private mutating func mismatch(_ path: String, _ expected: String, typed: Bool, shown: String? = nil) throws(JSONReadError) {
            let start = reader.offset
            let kind = reader.peekKind()
            let (line, column) = reader.text.lineAndColumn(at: start)
            var got: String
            switch kind {
            case .object: got = "an object"
            case .array: got = "a list"
            case .string: got = "text"
            case .number: got = "a number"
            case .true, .false: got = "a boolean"
            case .null: got = "null"
            default: got = "something else"
            }
            // Only short values of typed fields are echoed: free text may hold health information.
            if typed, let token = reader.text.token(at: start), token.utf8.count <= 64 { got = token }
            if let shown { got = shown }
            let found: String
            switch kind {
            case .object: found = "object"
            case .array: found = "array"
            case .string: found = "string"
            case .number: found = "number"
            case .true, .false: found = "boolean"
            case .null: found = "null"
            default: found = "other"
            }
            problems.append(
                .error(
                    "case.type", "\(path): expected \(expected), got \(got)", at: range(line, column),
                    facts: DiagnosticFacts(jsonPath: path, expected: expected, found: found)))
            try reader.skipValue()
        }

        /// Reads the value of `slot`; `path` is only looked at for a message.
        private mutating func readSlot(_ slot: Int, path: @autoclosure () -> String) throws(JSONReadError) {
            let shape = decoder.shapes[slot]
            if shape.isList {
                guard reader.peekKind() == .array else {
                    try mismatch(path(), "a list", typed: false)
                    return
                }
                try reader.beginArray()
                var items: [Value] = []
                if case .list(let earlier)? = decoded.facts.values[slot] {
                    // The previous case's list: emptied, its storage is this one's.
                    decoded.facts.values[slot] = nil
                    items = earlier
                    items.removeAll(keepingCapacity: true)
                }
                // Sets drop repeats: a scan for the few items cases have, a hash set past that.
                var seen: Set<Value> = []
                var index = 0
                while try reader.nextElement() {
                    if index == decoder.limits.maxListLength {
                        let (line, column) = reader.text.lineAndColumn(at: reader.offset)
                        problems.append(
                            .error("limit.list-length", "\(path()): more than \(decoder.limits.maxListLength) items",
                                at: range(line, column), facts: DiagnosticFacts(jsonPath: path(), limit: decoder.limits.maxListLength)))
                        try reader.skipValue()
                        while try reader.nextElement() { try reader.skipValue() }
                        return
                    }
                    if let value = try readScalar(shape.scalar, slot: slot, path: "\(path())[\(index)]") {
                        if !shape.isSet {
                            items.append(value)
                        } else if items.count < 16 {
                            if !items.contains(value) { items.append(value) }
                        } else {
                            if seen.isEmpty { seen = Set(items) }
                            if seen.insert(value).inserted { items.append(value) }
                        }
                    }
                    index += 1
                }
                decoded.facts.values[slot] = .list(items)
                decoded.facts.present[slot] = true
                return
            }
            if let value = try readScalar(shape.scalar, slot: slot, path: path()) {
                decoded.facts.values[slot] = value
                decoded.facts.present[slot] = true
            }
        }

        /// Reads one value of `kind` for `slot`; `path` is only looked at for a message.
        private mutating func readScalar(_ kind: ScalarKind, slot: Int, path: @autoclosure () -> String) throws(JSONReadError) -> Value? {
            let found = reader.peekKind()
            switch kind {
            case .bool:
                guard found == .true || found == .false else { try mismatch(path(), "true or false", typed: true); return nil }
                return .bool(try reader.readBool())
            case .number:
                guard found == .number else { try mismatch(path(), "a number", typed: true); return nil }
                return .number(try reader.readNumber())
            case .text:
                guard found == .string else { try mismatch(path(), "text", typed: false); return nil }
                return .string(try reader.readString())
            case .date, .datetime, .duration, .enumeration:
                guard found == .string else { try mismatch(path(), Self.expectation(slot, decoder), typed: true); return nil }
                let start = reader.offset
                let decoder = decoder
                var tooLate = false
                let (parsed, written): (Value?, String?) = try reader.readStringBytes { bytes in
                    let value: Value?
                    switch kind {
                    case .date: value = CivilDate(utf8: bytes).map(Value.date)
                    case .datetime:
                        let instant = Timestamp(utf8: bytes)
                        tooLate = instant.map { $0.epochSeconds >= CaseDecoder.latestClockStart } ?? false
                        value = tooLate ? nil : instant.map(Value.datetime)
                    case .duration: value = ClockDuration(text: String(decoding: bytes, as: UTF8.self)).map(Value.duration)
                    default: value = decoder.enumBytes[slot].firstIndex { $0.elementsEqual(bytes) }.map(Value.enumValue)
                    }
                    if value != nil { return (value, nil) }
                    // Only short values of typed fields are echoed: free text may hold health information.
                    return (nil, bytes.count <= 64 ? "\"\(String(decoding: bytes, as: UTF8.self))\"" : "text")
                }
                if parsed == nil, tooLate {
                    let (line, column) = reader.text.lineAndColumn(at: start)
                    problems.append(
                        .error("case.out-of-range", "\(path()): \(written ?? "the time") is too late: a due date counted from it would pass the year 9999",
                            at: range(line, column), hint: "a date-time in a case runs to the end of 9989",
                            facts: DiagnosticFacts(jsonPath: path(), expected: "a date-time before 9990-01-01", found: "string")))
                } else if parsed == nil {
                    let (line, column) = reader.text.lineAndColumn(at: start)
                    problems.append(
                        .error("case.type", "\(path()): expected \(Self.expectation(slot, decoder)), got \(written ?? "text")",
                            at: range(line, column),
                            facts: DiagnosticFacts(jsonPath: path(), expected: Self.expectation(slot, decoder), found: "string")))
                }
                return parsed
            case .collection:
                try mismatch(path(), "a single value", typed: false)
                return nil
            }
        }

        /// What a value of `slot` (an element, for lists and sets) must look like, for messages.
        static func expectation(_ slot: Int, _ decoder: CaseDecoder) -> String {
            let input = decoder.policy.inputs[slot].type
            return expectation(input.elementType ?? input)
        }

        static func expectation(_ type: ValueType) -> String {
            switch type {
            case .date: "a date YYYY-MM-DD"
            case .datetime: "an RFC 3339 date-time with an offset, like 2026-11-23T10:15:00-08:00"
            case .duration: "a duration like `72 hours`"
            case .enumeration(let names): "one of \(names.joined(separator: ", "))"
            default: "\(type)"
            }
        }
    }
}

extension CaseDecoder {
    /// The ids of problems with a case as a document, whatever the policy: size, shape, syntax and
    /// the JSON limits.
    package static let documentErrorIDs: Set<DiagnosticID> = [
        "case.json", "case.not-object", "case.byte-order-mark", "limit.case-size", "limit.json-depth", "limit.string-length",
    ]

    /// The diagnostic id of a JSON reading error: the two limits have their own, so a service can
    /// tell "too deep" or "too long" from a typo without reading the message.
    static func documentErrorID(_ kind: JSONReadError.Kind) -> DiagnosticID {
        switch kind {
        case .tooDeep: "limit.json-depth"
        case .stringTooLong: "limit.string-length"
        default: "case.json"
        }
    }

    /// A JSON syntax message without the case's own words: the reader quotes the token it stopped
    /// at, which in a case may be a name or a note. Quoted punctuation (`,`, `}`) and JSON's own
    /// words (`null`, `true`, `false`) stay.
    static func redacted(_ message: String) -> String {
        var out = ""
        var rest = Substring(message)
        while let open = rest.firstIndex(of: "`") {
            guard let close = rest[rest.index(after: open)...].firstIndex(of: "`") else { break }
            let quoted = rest[rest.index(after: open)..<close]
            out += rest[..<open]
            if !quoted.isEmpty, quoted.allSatisfy({ "{}[],:\"".contains($0) }) || ["null", "true", "false"].contains(quoted) {
                out += "`\(quoted)`"
            } else {
                out += "other input"
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

/// The problems that stopped a case from being evaluated.
public struct CaseErrors: Error, Sendable, Hashable {
    /// Whose problem it is, so that a caller can tell a case to fix from a deployment to fix.
    public enum Fault: String, Sendable, Hashable {
        /// The case (or the caller's choice of policy or date): fix the request (HTTP 4xx, exit 1).
        case caseDocument = "case"
        /// The deployment: no policies loaded, the payer's policy did not load, or its policies have
        /// no version in force (HTTP 5xx/404, exit 3).
        case deployment
    }

    /// Every problem found.
    public internal(set) var diagnostics: [Diagnostic]
    /// The case's `case_id`, when it could be read.
    public internal(set) var caseID: String?

    /// Wraps diagnostics.
    package init(_ diagnostics: [Diagnostic], caseID: String? = nil) {
        self.diagnostics = diagnostics
        self.caseID = caseID
    }

    /// The ids of problems that are the deployment's, not the case's.
    package static let deploymentIDs: Set<DiagnosticID> = [
        "catalog.empty", "catalog.not-in-force", "catalog.policy-not-loaded",
        // The decision service's own: no policy set loaded, too many requests, a failure of its own.
        "service.not-ready", "service.overloaded", "service.internal",
    ]

    /// Whose problem it is: the deployment's when any diagnostic is.
    public var fault: Fault {
        diagnostics.contains { Self.deploymentIDs.contains($0.id) } ? .deployment : .caseDocument
    }
}
