/// A whole JSON document as a tree, for places where speed does not matter (policy test files, the
/// CLI, tests). Hot paths use `JSONReader` directly.
package enum JSONValue: Sendable, Equatable {
    /// An object, members in document order (duplicate keys are kept as written).
    case object([Member])
    /// An array.
    case array([JSONValue])
    /// A string.
    case string(String)
    /// A number.
    case number(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// One `"key": value` member of an object.
    package struct Member: Sendable, Equatable {
        /// The member's name.
        package var key: String
        /// The member's value.
        package var value: JSONValue

        /// Creates a member.
        package init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Parses a complete document (only whitespace may follow the value).
    package static func parse(bytes: [UInt8], limits: JSONLimits = .default) throws(JSONReadError) -> JSONValue {
        try JSONReader.withReader(bytes, limits: limits) { (reader) throws(JSONReadError) -> JSONValue in
            let value = try reader.readValue()
            try reader.finish()
            return value
        }
    }

    /// Parses a complete document from text.
    package static func parse(_ text: String, limits: JSONLimits = .default) throws(JSONReadError) -> JSONValue {
        try parse(bytes: Array(text.utf8), limits: limits)
    }

    /// The value of the first member named `key`, when this is an object that has one.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Writes this value with `writer`, iteratively so that deep trees cannot exhaust the stack.
    package func write(to writer: inout JSONWriter) {
        /// A container being written and the index of its next child.
        enum Frame {
            case array([JSONValue], Int)
            case object([Member], Int)
        }
        var stack: [Frame] = []
        var next: JSONValue? = self
        while true {
            if let value = next {
                next = nil
                switch value {
                case .object(let members):
                    writer.beginObject()
                    stack.append(.object(members, 0))
                case .array(let items):
                    writer.beginArray()
                    stack.append(.array(items, 0))
                case .string(let s): writer.string(s)
                case .number(let d): writer.number(d)
                case .bool(let b): writer.bool(b)
                case .null: writer.null()
                }
            }
            guard let top = stack.popLast() else { return }
            switch top {
            case .array(let items, let index):
                if index < items.count {
                    stack.append(.array(items, index + 1))
                    next = items[index]
                } else {
                    writer.endArray()
                }
            case .object(let members, let index):
                if index < members.count {
                    stack.append(.object(members, index + 1))
                    writer.key(members[index].key)
                    next = members[index].value
                } else {
                    writer.endObject()
                }
            }
        }
    }

    /// This value as JSON text in the given style.
    package func jsonBytes(style: JSONWriter.Style = .compact) -> [UInt8] {
        var writer = JSONWriter(style: style)
        write(to: &writer)
        return writer.bytes
    }
}

extension JSONReader {
    /// Reads the next value, whole, as a tree; iterative, bounded by `limits.maxDepth`.
    package mutating func readValue() throws(JSONReadError) -> JSONValue {
        /// A container under construction (the innermost is last on the stack).
        enum Frame {
            case array([JSONValue])
            case object([JSONValue.Member], key: String)
        }
        var stack: [Frame] = []
        descend: while true {
            var current: JSONValue
            switch peekKind() {
            case .object:
                try beginObject()
                if try nextKey() {
                    stack.append(.object([], key: keyString()))
                    continue descend
                }
                current = .object([])
            case .array:
                try beginArray()
                if try nextElement() {
                    stack.append(.array([]))
                    continue descend
                }
                current = .array([])
            case .string:
                current = .string(try readString())
            case .number:
                current = .number(try readNumber())
            case .true, .false, .null:
                // Matched here rather than via readBool/readNull so a misspelling reads as a bad value, not a type error.
                if matchLiteral("true") {
                    current = .bool(true)
                } else if matchLiteral("false") {
                    current = .bool(false)
                } else if matchLiteral("null") {
                    current = .null
                } else {
                    throw text.unexpected(at: position, expected: "a value", typed: false)
                }
                valuePending = false
            case .end, .invalid:
                // skipValue reports exactly what is wrong here (end of input, bad byte, bad UTF-8).
                try skipValue()
                throw text.error(.unexpectedCharacter, "expected a value", at: position)
            }
            // Attach the finished value to its parent, closing parents that are complete.
            while let parent = stack.popLast() {
                switch parent {
                case .array(var items):
                    items.append(current)
                    if try nextElement() {
                        stack.append(.array(items))
                        continue descend
                    }
                    current = .array(items)
                case .object(var members, let key):
                    members.append(JSONValue.Member(key, current))
                    if try nextKey() {
                        stack.append(.object(members, key: keyString()))
                        continue descend
                    }
                    current = .object(members)
                }
            }
            return current
        }
    }
}
