/// A pull reader over UTF-8 JSON bytes: the caller walks the document, reads the values it wants,
/// and everything it does not read is skipped (and still validated).
///
/// The reader borrows its input: the buffer must outlive the reader and every byte view it hands out.
/// `JSONReader.withReader(_:limits:_:)` reads a `[UInt8]` with that lifetime guaranteed.
///
/// Typical use, reading one field and skipping the rest:
///
///     try JSONReader.withReader(bytes) { r in
///         try r.beginObject()
///         while try r.nextKey() {
///             if r.keyEquals("case_id") { id = try r.readString() }
///             // an unread member value is skipped by the next `nextKey()`
///         }
///         try r.finish()
///     }
///
/// Nothing here recurses: nesting costs one bit per level, bounded by `JSONLimits.maxDepth`.
package struct JSONReader {
    /// The whole document; all indices below are offsets into it.
    let text: JSONText
    /// Byte offset of the next unread byte.
    var position: Int = 0
    /// The limits this reader enforces.
    package let limits: JSONLimits
    /// Open arrays and objects, counting the ones `skipValue()` is inside.
    var depth: Int = 0
    /// Bit `i` set means nesting level `i + 1` is an object; one word covers the default depth without allocating.
    var objectBits: UInt64 = 0
    /// Levels past 64, only allocated for documents allowed to nest that deep.
    var deepObjectBits: [UInt64] = []
    /// A member or element (or the top-level value) has been announced but not read yet.
    var valuePending: Bool = true
    /// The innermost container was just opened, so its first member needs no comma.
    var justOpened: Bool = false
    /// The current key's bytes between its quotes, as written (escapes not decoded).
    var keyStart: Int = 0
    /// End (exclusive) of the current key's raw bytes.
    var keyEnd: Int = 0
    /// Whether the current key contains escapes, in which case `keyScratch` holds it decoded.
    var keyHasEscapes: Bool = false
    /// Decoded form of an escaped key; reused so escaped keys allocate at most once per reader.
    var keyScratch: [UInt8] = []
    /// Decoded form of an escaped string value, reused for the same reason.
    var stringScratch: [UInt8] = []

    /// Creates a reader over `input`, which must stay valid while the reader is used.
    package init(_ input: UnsafeBufferPointer<UInt8>, limits: JSONLimits = .default) {
        self.text = JSONText(input)
        self.limits = limits
    }

    /// Runs `body` with a reader over `bytes`, which stay valid for exactly as long as `body` runs.
    package static func withReader<R, E: Error>(
        _ bytes: [UInt8], limits: JSONLimits = .default,
        _ body: (inout JSONReader) throws(E) -> R
    ) throws(E) -> R {
        try bytes.withUnsafeBufferPointer { (buffer) throws(E) -> R in
            var reader = JSONReader(buffer, limits: limits)
            return try body(&reader)
        }
    }

    /// Byte offset of the next unread byte; after `peekKind()` it is where the next value starts.
    package var offset: Int { position }

    /// Open arrays and objects around the reading position.
    package var currentDepth: Int { depth }

    // MARK: - Looking ahead

    /// The kind of the next value, from its first byte; whitespace before it is consumed.
    package mutating func peekKind() -> JSONKind {
        skipWhitespace()
        guard position < text.count else { return .end }
        switch text[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"): return .true
        case UInt8(ascii: "f"): return .false
        case UInt8(ascii: "n"): return .null
        default: return .invalid
        }
    }

    // MARK: - Objects

    /// Consumes `{`; then call `nextKey()` until it returns false.
    package mutating func beginObject() throws(JSONReadError) {
        try expectValueStart(UInt8(ascii: "{"), "an object")
        try push(object: true)
        position += 1
        valuePending = false
        justOpened = true
    }

    /// Moves to the next member of the innermost object: true with the key read and `:` consumed,
    /// false when `}` closed the object. An unread value of the previous member is skipped first.
    package mutating func nextKey() throws(JSONReadError) -> Bool {
        assert(depth > 0 && topIsObject, "nextKey() outside an object")
        if valuePending { try skipValue() }
        skipWhitespace()
        guard position < text.count else { throw text.endError() }
        let c = text[position]
        if justOpened {
            justOpened = false
            if c == UInt8(ascii: "}") {
                position += 1
                depth -= 1
                return false
            }
        } else if c == UInt8(ascii: ",") {
            position += 1
            skipWhitespace()
        } else if c == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return false
        } else {
            throw text.error(.unexpectedCharacter, "expected `,` or `}` after an object member", at: position)
        }
        try readMemberKey()
        valuePending = true
        return true
    }

    /// Reads `"key"` and `:` at the reading position, remembering where the key is.
    mutating func readMemberKey() throws(JSONReadError) {
        guard position < text.count else { throw text.endError() }
        guard text[position] == UInt8(ascii: "\"") else {
            throw text.unexpected(at: position, expected: "a string key", typed: false)
        }
        let scanned = try scanString()
        keyStart = scanned.start
        keyEnd = scanned.end
        keyHasEscapes = scanned.hasEscapes
        if scanned.hasEscapes {
            // Decoding now keeps the key accessors non-mutating; escaped keys are rare.
            keyScratch.removeAll(keepingCapacity: true)
            text.decodeEscapes(from: scanned.start, to: scanned.end, into: &keyScratch)
        }
        skipWhitespace()
        guard position < text.count else { throw text.endError() }
        guard text[position] == UInt8(ascii: ":") else {
            throw text.error(.unexpectedCharacter, "expected `:` after an object key", at: position)
        }
        position += 1
    }

    /// Calls `body` with the current key's decoded UTF-8 bytes; no allocation when the key has no escapes.
    /// The bytes are only valid inside `body`.
    package func withKeyBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        if keyHasEscapes {
            return try keyScratch.withUnsafeBufferPointer { (b) throws(E) -> R in try body(b) }
        }
        return try body(UnsafeBufferPointer(rebasing: text.bytes[keyStart..<keyEnd]))
    }

    /// Whether the current key equals `other` (UTF-8 bytes), without allocating.
    package func keyEquals(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        withKeyBytes { key in JSONText.bytesEqual(key, other) }
    }

    /// Whether the current key equals `other` (UTF-8 bytes), without allocating.
    package func keyEquals(_ other: [UInt8]) -> Bool {
        other.withUnsafeBufferPointer { keyEquals($0) }
    }

    /// Whether the current key equals a literal, e.g. `r.keyEquals("case_id")`, without allocating.
    package func keyEquals(_ other: StaticString) -> Bool {
        other.withUTF8Buffer { keyEquals($0) }
    }

    /// The current key as a `String` (allocates only when it does not fit in a small string).
    package func keyString() -> String {
        withKeyBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Byte offsets of the current key as written, quotes included, so that a reader of its own
    /// can point a diagnostic at a key (the manifest's unknown or repeated keys).
    package var keyOffsets: Range<Int> { (keyStart - 1)..<(keyEnd + 1) }

    // MARK: - Arrays

    /// Consumes `[`; then call `nextElement()` until it returns false.
    package mutating func beginArray() throws(JSONReadError) {
        try expectValueStart(UInt8(ascii: "["), "an array")
        try push(object: false)
        position += 1
        valuePending = false
        justOpened = true
    }

    /// Moves to the next element of the innermost array: true when one follows (read or skip it),
    /// false when `]` closed the array. An unread previous element is skipped first.
    package mutating func nextElement() throws(JSONReadError) -> Bool {
        assert(depth > 0 && !topIsObject, "nextElement() outside an array")
        if valuePending { try skipValue() }
        skipWhitespace()
        guard position < text.count else { throw text.endError() }
        let c = text[position]
        if justOpened {
            justOpened = false
            if c == UInt8(ascii: "]") {
                position += 1
                depth -= 1
                return false
            }
        } else if c == UInt8(ascii: ",") {
            position += 1
        } else if c == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return false
        } else {
            throw text.error(.unexpectedCharacter, "expected `,` or `]` after an array element", at: position)
        }
        valuePending = true
        return true
    }

    // MARK: - Scalars

    /// Reads a string, decoding escapes.
    package mutating func readString() throws(JSONReadError) -> String {
        try readStringBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Reads a string and calls `body` with its decoded UTF-8 bytes (valid only inside `body`).
    /// Without escapes the bytes are the input's own and nothing is allocated; with escapes they are
    /// decoded into a buffer the reader reuses. Meant for matching enum values and parsing dates.
    package mutating func readStringBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) throws(JSONReadError) -> R {
        try expectValueStart(UInt8(ascii: "\""), "a string")
        let scanned = try scanString()
        valuePending = false
        if !scanned.hasEscapes {
            return body(UnsafeBufferPointer(rebasing: text.bytes[scanned.start..<scanned.end]))
        }
        stringScratch.removeAll(keepingCapacity: true)
        text.decodeEscapes(from: scanned.start, to: scanned.end, into: &stringScratch)
        return stringScratch.withUnsafeBufferPointer { body($0) }
    }

    /// Reads a number as a `Double`; magnitudes beyond `Double` are an error, not infinity.
    package mutating func readNumber() throws(JSONReadError) -> Double {
        skipWhitespace()
        guard position < text.count else { throw text.endError() }
        let c = text[position]
        guard c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) else {
            throw text.unexpected(at: position, expected: "a number")
        }
        let scanned = try scanNumber()
        valuePending = false
        return try text.convert(scanned)
    }

    /// Reads `true` or `false`.
    package mutating func readBool() throws(JSONReadError) -> Bool {
        skipWhitespace()
        if matchLiteral("true") {
            valuePending = false
            return true
        }
        if matchLiteral("false") {
            valuePending = false
            return false
        }
        throw text.unexpected(at: position, expected: "a boolean")
    }

    /// Reads `null`.
    package mutating func readNull() throws(JSONReadError) {
        skipWhitespace()
        guard matchLiteral("null") else { throw text.unexpected(at: position, expected: "`null`") }
        valuePending = false
    }

    // MARK: - Skipping and finishing

    /// Skips the next value of any kind, validating it completely (strings, escapes, UTF-8, number
    /// syntax, nesting) without recursion. Number magnitudes are only checked when a number is read.
    package mutating func skipValue() throws(JSONReadError) {
        valuePending = false
        let baseDepth = depth
        value: while true {
            skipWhitespace()
            guard position < text.count else { throw text.endError() }
            switch text[position] {
            case UInt8(ascii: "{"):
                try push(object: true)
                position += 1
                skipWhitespace()
                if position < text.count && text[position] == UInt8(ascii: "}") {
                    position += 1
                    depth -= 1
                } else {
                    try readMemberKey()
                    continue value
                }
            case UInt8(ascii: "["):
                try push(object: false)
                position += 1
                skipWhitespace()
                if position < text.count && text[position] == UInt8(ascii: "]") {
                    position += 1
                    depth -= 1
                } else {
                    continue value
                }
            case UInt8(ascii: "\""):
                _ = try scanString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                _ = try scanNumber()
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                guard matchLiteral("true") || matchLiteral("false") || matchLiteral("null") else {
                    throw text.unexpected(at: position, expected: "a value", typed: false)
                }
            default:
                throw text.unexpected(at: position, expected: "a value", typed: false)
            }
            // A value just ended: close containers until one continues or the skipped value is done.
            while depth > baseDepth {
                skipWhitespace()
                guard position < text.count else { throw text.endError() }
                let c = text[position]
                if topIsObject {
                    if c == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        try readMemberKey()
                        continue value
                    }
                    guard c == UInt8(ascii: "}") else {
                        throw text.error(.unexpectedCharacter, "expected `,` or `}` after an object member", at: position)
                    }
                } else {
                    if c == UInt8(ascii: ",") {
                        position += 1
                        continue value
                    }
                    guard c == UInt8(ascii: "]") else {
                        throw text.error(.unexpectedCharacter, "expected `,` or `]` after an array element", at: position)
                    }
                }
                position += 1
                depth -= 1
            }
            return
        }
    }

    /// Ends reading: skips (and validates) whatever is still unread, including the rest of any open
    /// containers, then requires that only whitespace remains.
    package mutating func finish() throws(JSONReadError) {
        if valuePending { try skipValue() }
        while depth > 0 {
            if topIsObject {
                while try nextKey() {}
            } else {
                while try nextElement() {}
            }
        }
        skipWhitespace()
        if position < text.count {
            let what = text.token(at: position).map { "unexpected `\($0)`" } ?? "unexpected input"
            throw text.error(.trailingContent, "\(what) after the top-level value", at: position)
        }
    }

    // MARK: - Shared machinery

    /// Scans the string at the reading position and moves past its closing quote.
    mutating func scanString() throws(JSONReadError) -> JSONText.ScannedString {
        let scanned = try text.scanString(quote: position, maxLength: limits.maxStringBytes)
        position = scanned.end + 1
        return scanned
    }

    /// Scans the number at the reading position and moves past it.
    mutating func scanNumber() throws(JSONReadError) -> JSONText.ScannedNumber {
        let scanned = try text.scanNumber(at: position)
        position = scanned.end
        return scanned
    }

    /// One-based line and column (in Unicode scalars) of a byte offset, for callers' own diagnostics.
    package func lineAndColumn(at offset: Int) -> (line: Int, column: Int) {
        text.lineAndColumn(at: offset)
    }

    /// Skips JSON whitespace (space, tab, line feed, carriage return).
    mutating func skipWhitespace() {
        var i = position
        let n = text.count
        while i < n {
            let c = text[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { break }
            i += 1
        }
        position = i
    }

    /// Skips whitespace and checks that the next value starts with `byte`, else explains what is there.
    mutating func expectValueStart(_ byte: UInt8, _ what: String) throws(JSONReadError) {
        skipWhitespace()
        guard position < text.count else { throw text.endError() }
        guard text[position] == byte else { throw text.unexpected(at: position, expected: what) }
    }

    /// Opens a nesting level, enforcing the depth limit before any work is done inside it.
    mutating func push(object: Bool) throws(JSONReadError) {
        guard depth < limits.maxDepth else {
            throw text.error(.tooDeep, "nesting deeper than \(limits.maxDepth) levels", at: position)
        }
        if depth < 64 {
            let bit: UInt64 = 1 << UInt64(depth)
            if object { objectBits |= bit } else { objectBits &= ~bit }
        } else {
            let level = depth - 64
            let word = level >> 6
            let bit: UInt64 = 1 << UInt64(level & 63)
            if deepObjectBits.count <= word { deepObjectBits.append(0) }
            if object { deepObjectBits[word] |= bit } else { deepObjectBits[word] &= ~bit }
        }
        depth += 1
    }

    /// Whether the innermost open container is an object.
    var topIsObject: Bool {
        let level = depth - 1
        if level < 64 { return objectBits & (1 << UInt64(level)) != 0 }
        let deep = level - 64
        return deepObjectBits[deep >> 6] & (1 << UInt64(deep & 63)) != 0
    }

    /// Consumes `literal` if the input has it here, not followed by more letters or digits.
    mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard position + n <= text.count else { return false }
        let p = literal.utf8Start
        for k in 0..<n where text[position + k] != p[k] { return false }
        if position + n < text.count && JSONText.isTokenByte(text[position + n]) { return false }
        position += n
        return true
    }
}

extension JSONText {
    /// Byte-wise equality of two buffers.
    static func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        // memcmp is not reachable without Glibc; a word loop is enough for keys of a few bytes.
        let n = a.count
        let pa = UnsafeRawPointer(a.baseAddress.unsafelyUnwrapped)
        let pb = UnsafeRawPointer(b.baseAddress.unsafelyUnwrapped)
        var i = 0
        while i + 8 <= n {
            if pa.loadUnaligned(fromByteOffset: i, as: UInt64.self) != pb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// Bytes that continue a bare token (number, literal): seeing one right after a token means the token is malformed.
    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return c >= 0x80
        }
    }
}
