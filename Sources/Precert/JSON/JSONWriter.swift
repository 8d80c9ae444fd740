/// Writes JSON text straight into a byte array, inserting commas (and, when pretty, newlines and
/// indentation) itself. Compact output depends only on the calls made, so equal inputs give
/// byte-identical documents.
///
/// The writer trusts its caller to nest calls properly (a key before each object member, matching
/// ends); misuse is caught by assertions in debug builds.
package struct JSONWriter {
    /// Layout of the output.
    package enum Style: Sendable, Equatable {
        /// No whitespace at all: the stable wire form.
        case compact
        /// One member or element per line, 2-space indent, `": "` after keys; for people.
        case pretty
    }

    /// The JSON written so far.
    package var bytes: [UInt8]
    /// The layout this writer produces.
    package let style: Style
    /// Open arrays and objects.
    var depth = 0
    /// The innermost container has no member or element yet (so no comma is due).
    var first = true
    /// A key was just written, so the next value follows it directly.
    var afterKey = false

    /// Creates a writer; `capacity` reserves output space up front to avoid regrowth.
    package init(style: Style = .compact, capacity: Int = 0) {
        self.style = style
        self.bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the output (keeping its storage) so the writer can be reused for the next document.
    package mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        depth = 0
        first = true
        afterKey = false
    }

    // MARK: - Containers

    /// Opens an object.
    package mutating func beginObject() {
        beforeValue()
        bytes.append(UInt8(ascii: "{"))
        depth += 1
        first = true
    }

    /// Closes the innermost object.
    package mutating func endObject() {
        close(UInt8(ascii: "}"))
    }

    /// Opens an array.
    package mutating func beginArray() {
        beforeValue()
        bytes.append(UInt8(ascii: "["))
        depth += 1
        first = true
    }

    /// Closes the innermost array.
    package mutating func endArray() {
        close(UInt8(ascii: "]"))
    }

    /// Writes an object member's key; the next call writes its value.
    package mutating func key(_ key: String) {
        beforeKey()
        var key = key
        key.withUTF8 { writeQuoted($0) }
        afterKeySeparator()
    }

    /// Writes a key given as its already-escaped UTF-8 content (no quotes), e.g. precomputed once with
    /// `JSONWriter.escaped(_:)`; the writer adds the quotes and the separator for its style.
    package mutating func rawKey(bytes escaped: [UInt8]) {
        beforeKey()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: escaped)
        bytes.append(UInt8(ascii: "\""))
        afterKeySeparator()
    }

    // MARK: - Scalars

    /// Writes a string, escaping `"`, `\`, control characters, U+2028 and U+2029; other text is
    /// written as UTF-8 unchanged.
    package mutating func string(_ value: String) {
        beforeValue()
        var value = value
        value.withUTF8 { writeQuoted($0) }
    }

    /// Writes a string given as UTF-8 bytes (which must be well-formed, e.g. from `JSONReader.readStringBytes`).
    package mutating func string(utf8 value: UnsafeBufferPointer<UInt8>) {
        beforeValue()
        writeQuoted(value)
    }

    /// Writes a string value given as its already-escaped UTF-8 content (no quotes), without
    /// re-escaping; for constant strings such as enum names, precomputed with `JSONWriter.escaped(_:)`.
    package mutating func rawString(bytes escaped: [UInt8]) {
        beforeValue()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: escaped)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes an integer.
    package mutating func number(_ value: Int) {
        beforeValue()
        writeInteger(value)
    }

    /// Writes a double as the shortest text that reads back as the same value; integral values
    /// without `.0`. JSON has no NaN or infinity, so a non-finite value is written as `null`.
    package mutating func number(_ value: Double) {
        beforeValue()
        guard value.isFinite else {
            appendLiteral("null")
            return
        }
        if value == 0 {
            // Keep the sign so -0 reads back as -0.
            if value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
            bytes.append(UInt8(ascii: "0"))
        } else if value.magnitude < 9_007_199_254_740_992, Double(Int(value)) == value {
            // Int(value) truncates and cannot trap below 2^53; comparing back avoids a libm call.
            writeInteger(Int(value))
        } else {
            // Swift's description is the shortest round-trip form, and its exponent form (`1e+20`,
            // `5e-324`) is valid JSON; only large integers need their `.0` dropped.
            let text = value.description.utf8
            if text.count > 2, text.last == UInt8(ascii: "0"), text.dropLast().last == UInt8(ascii: ".") {
                bytes.append(contentsOf: text.dropLast(2))
            } else {
                bytes.append(contentsOf: text)
            }
        }
    }

    /// Writes `true` or `false`.
    package mutating func bool(_ value: Bool) {
        beforeValue()
        appendLiteral(value ? "true" : "false")
    }

    /// Writes `null`.
    package mutating func null() {
        beforeValue()
        appendLiteral("null")
    }

    /// The escaped UTF-8 content of `text` (without quotes), for `rawKey(bytes:)` and `rawString(bytes:)`.
    package static func escaped(_ text: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.string(text)
        return Array(writer.bytes.dropFirst().dropLast())
    }

    // MARK: - Layout

    /// Emits the comma and line break that precede a value, unless it follows its key.
    mutating func beforeValue() {
        if afterKey {
            afterKey = false
            return
        }
        separate()
    }

    /// Emits the comma and line break that precede a key.
    mutating func beforeKey() {
        assert(depth > 0 && !afterKey, "key(_:) outside an object or right after another key")
        separate()
    }

    /// Comma between siblings and, when pretty, a new line indented to the current depth. Top-level
    /// values get no separator, so JSON Lines output is the caller's `\n` between documents.
    mutating func separate() {
        guard depth > 0 else { return }
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        if style == .pretty { newline(indent: depth) }
    }

    /// `:` or `": "` after a key.
    mutating func afterKeySeparator() {
        bytes.append(UInt8(ascii: ":"))
        if style == .pretty { bytes.append(UInt8(ascii: " ")) }
        afterKey = true
    }

    /// Closes a container; an empty one stays on one line (`{}`, `[]`).
    mutating func close(_ bracket: UInt8) {
        assert(depth > 0 && !afterKey, "unbalanced end of container")
        guard depth > 0 else { return }
        depth -= 1
        if style == .pretty && !first { newline(indent: depth) }
        bytes.append(bracket)
        first = false
    }

    /// A line feed and `level` two-space indents.
    mutating func newline(indent level: Int) {
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<(level * 2) { bytes.append(UInt8(ascii: " ")) }
    }

    /// Appends an ASCII literal.
    mutating func appendLiteral(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends decimal digits without going through `String`.
    mutating func writeInteger(_ value: Int) {
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // 20 digits hold UInt64.max; digits are produced backwards into a fixed buffer.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var i = 24
            repeat {
                i -= 1
                buffer[i] = UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0")
                magnitude /= 10
            } while magnitude != 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[i...]))
        }
    }

    /// Writes `"…"` with JSON escapes, copying unescaped runs in bulk.
    mutating func writeQuoted(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        let n = text.count
        var run = 0
        var i = 0
        while i < n {
            let c = text[i]
            if c >= 0x20 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") && c != 0xE2 {
                i += 1
                continue
            }
            if c == 0xE2 {
                // U+2028 and U+2029 (E2 80 A8/A9) end lines in JavaScript; escaping keeps output safe to embed.
                guard i + 2 < n, text[i + 1] == 0x80, text[i + 2] == 0xA8 || text[i + 2] == 0xA9 else {
                    i += 1
                    continue
                }
                if run < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<i])) }
                appendLiteral(text[i + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                i += 3
                run = i
                continue
            }
            if run < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<i])) }
            switch c {
            case UInt8(ascii: "\""): appendLiteral("\\\"")
            case UInt8(ascii: "\\"): appendLiteral("\\\\")
            case 0x0A: appendLiteral("\\n")
            case 0x09: appendLiteral("\\t")
            case 0x0D: appendLiteral("\\r")
            case 0x08: appendLiteral("\\b")
            case 0x0C: appendLiteral("\\f")
            default:
                appendLiteral("\\u00")
                bytes.append(JSONWriter.hexDigit(c >> 4))
                bytes.append(JSONWriter.hexDigit(c & 0x0F))
            }
            i += 1
            run = i
        }
        if run < n { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[run..<n])) }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension JSONWriter {
    /// Lowercase hex digit for a nibble.
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
