// Token scanners and error construction for JSONReader. These are the hot loops: they work on
// offsets into the borrowed input and only allocate when building an error or decoding escapes.

/// The borrowed input with its scanners and error builders. Kept apart from `JSONReader` so the hot
/// scanners and the cold error paths only touch these 16 bytes, never a copy of the whole reader.
struct JSONText {
    /// The whole document.
    let bytes: UnsafeBufferPointer<UInt8>

    /// Wraps a document.
    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Number of bytes in the document.
    var count: Int { bytes.count }

    /// Whether the document starts with a UTF-8 byte-order mark, which JSON does not allow.
    var startsWithByteOrderMark: Bool { count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF }

    /// The byte at `i` (unchecked in release builds; every caller bounds-checks first).
    subscript(i: Int) -> UInt8 { bytes[i] }

    /// Where a scanned string's content lies in the input.
    struct ScannedString {
        /// First byte after the opening quote.
        var start: Int
        /// Offset of the closing quote.
        var end: Int
        /// Whether the content contains backslash escapes (and so needs decoding).
        var hasEscapes: Bool
    }

    /// What a number scan learned, enough to convert it without rescanning in the common case.
    struct ScannedNumber {
        /// Offset of the first byte (`-` or digit).
        var start: Int
        /// Offset just past the last byte.
        var end: Int
        /// Up to 19 significant decimal digits.
        var mantissa: UInt64
        /// Power of ten to apply to `mantissa`.
        var exponent: Int
        /// More significant digits than `mantissa` holds, so the fast conversion would be inexact.
        var truncated: Bool
        /// Leading `-`.
        var negative: Bool
    }

    // MARK: - Strings

    /// Scans the string whose opening quote is at `quote`, validating escapes, UTF-8, control
    /// characters and length (at most `maxLength` bytes between the quotes).
    func scanString(quote: Int, maxLength: Int) throws(JSONReadError) -> ScannedString {
        let n = bytes.count
        var i = quote + 1
        var hasEscapes = false
        scan: while true {
            // Eight bytes at a time until one may be a quote, backslash, control or non-ASCII byte.
            // The lowest flagged byte is exact (borrows only flag bytes above a real hit).
            if i + 8 <= n {
                let base = UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped)
                repeat {
                    let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    let hits = (w
                        | (w &- 0x2020_2020_2020_2020)
                        | ((w ^ 0x2222_2222_2222_2222) &- 0x0101_0101_0101_0101)
                        | ((w ^ 0x5C5C_5C5C_5C5C_5C5C) &- 0x0101_0101_0101_0101)) & 0x8080_8080_8080_8080
                    if hits != 0 {
                        i += hits.trailingZeroBitCount >> 3
                        break
                    }
                    i += 8
                } while i + 8 <= n
            }
            while i < n {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { break scan }
                if c == UInt8(ascii: "\\") {
                    i = try scanEscape(at: i, quote: quote)
                    hasEscapes = true
                    continue scan
                }
                if c < 0x20 {
                    throw error(.controlCharacter, "unescaped control character \(JSONText.scalarName(UInt32(c))) in a string", at: i)
                }
                if c >= 0x80 {
                    let length = utf8SequenceLength(at: i)
                    guard length > 0 else { throw error(.invalidUTF8, "invalid UTF-8", at: i) }
                    i += length
                    continue scan
                }
                // Only reached in the last few bytes, where the word loop cannot load a whole word.
                i += 1
            }
            throw error(.unterminatedString, "unterminated string", at: quote)
        }
        let length = i - quote - 1
        guard length <= maxLength else {
            throw error(.stringTooLong, "string longer than \(maxLength) bytes", at: quote)
        }
        return ScannedString(start: quote + 1, end: i, hasEscapes: hasEscapes)
    }

    /// Validates the escape whose backslash is at `i` and returns the offset after it.
    func scanEscape(at i: Int, quote: Int) throws(JSONReadError) -> Int {
        let n = bytes.count
        guard i + 1 < n else { throw error(.unterminatedString, "unterminated string", at: quote) }
        switch bytes[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return i + 2
        case UInt8(ascii: "u"):
            let unit = try hex4(at: i, quote: quote)
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw error(.unpairedSurrogate, "unpaired surrogate `\(snippet(at: i, length: 6))`", at: i)
            }
            guard unit >= 0xD800 && unit <= 0xDBFF else { return i + 6 }
            // A high surrogate is only meaningful with a low one right after it.
            guard i + 7 < n, bytes[i + 6] == UInt8(ascii: "\\"), bytes[i + 7] == UInt8(ascii: "u") else {
                throw error(.unpairedSurrogate, "unpaired surrogate `\(snippet(at: i, length: 6))`", at: i)
            }
            let low = try hex4(at: i + 6, quote: quote)
            guard low >= 0xDC00 && low <= 0xDFFF else {
                throw error(.unpairedSurrogate, "unpaired surrogate `\(snippet(at: i, length: 6))`", at: i)
            }
            return i + 12
        default:
            let shown = snippet(at: i, length: 2)
            throw error(.invalidEscape, shown.count == 2 ? "invalid escape `\(shown)`" : "invalid escape", at: i)
        }
    }

    /// The code unit of the `\uXXXX` escape whose backslash is at `i`.
    func hex4(at i: Int, quote: Int) throws(JSONReadError) -> UInt32 {
        var value: UInt32 = 0
        for k in 2..<6 {
            guard i + k < bytes.count else { throw error(.unterminatedString, "unterminated string", at: quote) }
            guard let digit = JSONText.hexValue(bytes[i + k]) else {
                let shown = snippet(at: i, length: 6)
                throw error(.invalidEscape, "invalid escape `\(shown)`", at: i)
            }
            value = value << 4 | digit
        }
        return value
    }

    /// Length of the well-formed UTF-8 sequence at `i`, or 0 (overlongs, surrogates, > U+10FFFF, truncation).
    func utf8SequenceLength(at i: Int) -> Int {
        let n = bytes.count
        let b0 = bytes[i]
        /// Whether byte `i + k` exists and is a continuation byte.
        @inline(__always) func cont(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xC0 == 0x80 }
        /// Whether byte `i + k` exists and lies in `lo...hi` (the restricted second bytes).
        @inline(__always) func inRange(_ k: Int, _ lo: UInt8, _ hi: UInt8) -> Bool {
            i + k < n && bytes[i + k] >= lo && bytes[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF:
            return cont(1) ? 2 : 0
        case 0xE0:
            return inRange(1, 0xA0, 0xBF) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return cont(1) && cont(2) ? 3 : 0
        case 0xED:
            return inRange(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0:
            return inRange(1, 0x90, 0xBF) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3:
            return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4:
            return inRange(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default:
            return 0
        }
    }

    /// Appends the decoded UTF-8 of already-validated string content `start..<end` to `out`.
    func decodeEscapes(from start: Int, to end: Int, into out: inout [UInt8]) {
        out.reserveCapacity(end - start)
        var i = start
        var run = start
        while i < end {
            guard bytes[i] == UInt8(ascii: "\\") else {
                i += 1
                continue
            }
            if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
            let e = bytes[i + 1]
            switch e {
            case UInt8(ascii: "b"): out.append(0x08); i += 2
            case UInt8(ascii: "f"): out.append(0x0C); i += 2
            case UInt8(ascii: "n"): out.append(0x0A); i += 2
            case UInt8(ascii: "r"): out.append(0x0D); i += 2
            case UInt8(ascii: "t"): out.append(0x09); i += 2
            case UInt8(ascii: "u"):
                var scalar = hex4Unchecked(at: i)
                i += 6
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = hex4Unchecked(at: i)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                JSONText.appendUTF8(scalar, to: &out)
            default:
                // `"`, `\` and `/` stand for themselves.
                out.append(e)
                i += 2
            }
            run = i
        }
        if run < end { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<end])) }
    }

    /// The code unit of a `\uXXXX` escape that `scanString` already validated.
    func hex4Unchecked(at i: Int) -> UInt32 {
        var value: UInt32 = 0
        for k in 2..<6 { value = value << 4 | (JSONText.hexValue(bytes[i + k]) ?? 0) }
        return value
    }

    // MARK: - Numbers

    /// Scans the number starting at `start` (a `-` or digit) against JSON's grammar: no leading
    /// zeros, no `+`, digits required after `.` and `e`.
    func scanNumber(at start: Int) throws(JSONReadError) -> ScannedNumber {
        let n = bytes.count
        var i = start
        var result = ScannedNumber(start: start, end: start, mantissa: 0, exponent: 0, truncated: false, negative: false)
        var significant = 0

        /// Whether byte `k` exists and is an ASCII digit.
        @inline(__always) func isDigit(_ k: Int) -> Bool {
            k < n && bytes[k] &- UInt8(ascii: "0") < 10
        }
        /// Accumulates one digit into the mantissa, or into the exponent once 19 digits are held.
        @inline(__always) func add(_ digit: UInt8, fraction: Bool) {
            if significant < 19 {
                result.mantissa = result.mantissa &* 10 &+ UInt64(digit)
                if result.mantissa != 0 { significant += 1 }
                if fraction { result.exponent -= 1 }
            } else {
                if !fraction { result.exponent += 1 }
                if digit != 0 { result.truncated = true }
            }
        }

        if bytes[i] == UInt8(ascii: "-") {
            result.negative = true
            i += 1
        }
        guard isDigit(i) else { throw invalidNumber(from: start, to: i) }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) {
                throw error(.invalidNumber, "leading zero in number `\(tokenText(from: start))`", at: start)
            }
        } else {
            while isDigit(i) {
                add(bytes[i] &- UInt8(ascii: "0"), fraction: false)
                i += 1
            }
        }
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { throw invalidNumber(from: start, to: i) }
            while isDigit(i) {
                add(bytes[i] &- UInt8(ascii: "0"), fraction: true)
                i += 1
            }
        }
        if i < n && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            var negativeExponent = false
            if i < n && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
                negativeExponent = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard isDigit(i) else { throw invalidNumber(from: start, to: i) }
            var exponent = 0
            while isDigit(i) {
                // Saturating: anything this large is out of range (or zero) either way.
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            result.exponent += negativeExponent ? -exponent : exponent
        }
        if i < n && JSONText.isTokenByte(bytes[i]) { throw invalidNumber(from: start, to: i) }
        result.end = i
        return result
    }

    /// The error for a malformed number, quoting the whole token.
    func invalidNumber(from start: Int, to i: Int) -> JSONReadError {
        if i >= bytes.count && tokenText(from: start).utf8.count == bytes.count - start {
            return endError()
        }
        return error(.invalidNumber, "invalid number `\(tokenText(from: start))`", at: start)
    }

    /// Converts a scanned number, exactly: Clinger's fast path when the digits and the power of ten
    /// are both exact doubles, the standard library's correctly rounded parser otherwise.
    func convert(_ number: ScannedNumber) throws(JSONReadError) -> Double {
        if number.mantissa == 0 && !number.truncated { return number.negative ? -0.0 : 0.0 }
        if !number.truncated && number.mantissa <= 1 << 53 && number.exponent >= -22 && number.exponent <= 22 {
            var value = Double(number.mantissa)
            if number.exponent >= 0 {
                value *= JSONText.exactPowersOfTen[number.exponent]
            } else {
                value /= JSONText.exactPowersOfTen[-number.exponent]
            }
            return number.negative ? -value : value
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[number.start..<number.end]), as: UTF8.self)
        guard let value = Double(text) else {
            throw error(.invalidNumber, "invalid number `\(text)`", at: number.start)
        }
        guard value.isFinite else { throw error(.numberOutOfRange, "number out of range", at: number.start) }
        return value
    }

    // MARK: - Errors

    /// Builds an error at `offset`, computing its line and column (only ever done on failure).
    func error(_ kind: JSONReadError.Kind, _ message: String, at offset: Int) -> JSONReadError {
        let (line, column) = lineAndColumn(at: offset)
        return JSONReadError(kind: kind, message: message, offset: offset, line: line, column: column)
    }

    /// The error for input that stops where more is required.
    func endError() -> JSONReadError {
        error(.unexpectedEnd, "unexpected end of input", at: bytes.count)
    }

    /// One-based line and column (in Unicode scalars) of a byte offset, for error messages.
    func lineAndColumn(at offset: Int) -> (line: Int, column: Int) {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var column = 1
        var i = 0
        while i < end {
            let c = bytes[i]
            if c == 0x0A {
                line += 1
                column = 1
            } else if c & 0xC0 != 0x80 {
                // Continuation bytes belong to the scalar already counted.
                column += 1
            }
            i += 1
        }
        return (line, column)
    }

    /// The error for a byte that cannot start the value the caller asked for; with `typed`, a
    /// well-formed value of another kind is reported as a type mismatch rather than a syntax error.
    func unexpected(at offset: Int, expected: String, typed: Bool = true) -> JSONReadError {
        guard offset < bytes.count else { return endError() }
        let c = bytes[offset]
        if typed {
            var kind: String?
            switch c {
            case UInt8(ascii: "{"): kind = "an object"
            case UInt8(ascii: "["): kind = "an array"
            case UInt8(ascii: "\""): kind = "a string"
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): kind = "a number"
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                let word = tokenText(from: offset)
                if word == "true" || word == "false" { kind = "a boolean" } else if word == "null" { kind = "`null`" }
            default: break
            }
            if let kind {
                return error(.unexpectedType, "expected \(expected) but found \(kind)", at: offset)
            }
        }
        if c >= 0x80 && utf8SequenceLength(at: offset) == 0 {
            return error(.invalidUTF8, "invalid UTF-8", at: offset)
        }
        if c < 0x20 {
            return error(.unexpectedCharacter, "expected \(expected) but found \(JSONText.scalarName(UInt32(c)))", at: offset)
        }
        // A document cut short inside `true`, `false` or `null` is truncated, not misspelled.
        let rest = tokenText(from: offset)
        if offset + rest.utf8.count == bytes.count, !rest.isEmpty,
           "true".hasPrefix(rest) || "false".hasPrefix(rest) || "null".hasPrefix(rest) {
            return endError()
        }
        if let shown = token(at: offset) {
            return error(.unexpectedCharacter, "expected \(expected) but found `\(shown)`", at: offset)
        }
        return error(.unexpectedCharacter, "expected \(expected)", at: offset)
    }

    /// The offending token at `offset` for a message: one structural character, a short string with
    /// its quotes (at most 40 bytes, no escapes), or a bare word of at most 24 bytes; nil when it is
    /// too long or not printable, so messages stay short.
    func token(at offset: Int) -> String? {
        guard offset < bytes.count else { return nil }
        let c = bytes[offset]
        switch c {
        case UInt8(ascii: "\""):
            return quotedString(at: offset) ?? "\""
        case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: ","), UInt8(ascii: ":"):
            return String(UnicodeScalar(c))
        default:
            break
        }
        let text = tokenText(from: offset)
        guard !text.isEmpty, text.utf8.count <= 24 else { return nil }
        return text
    }

    /// The string starting at the quote at `offset`, quotes included, when it is at most 40 bytes of
    /// well-formed text without escapes or control characters.
    func quotedString(at offset: Int) -> String? {
        var i = offset + 1
        while i < bytes.count && i - offset < 40 {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[offset...i]), as: UTF8.self)
            }
            if c < 0x20 || c == UInt8(ascii: "\\") { return nil }
            if c >= 0x80 {
                let length = utf8SequenceLength(at: i)
                if length == 0 { return nil }
                i += length
            } else {
                i += 1
            }
        }
        return nil
    }

    /// The bare word starting at `offset` (up to whitespace, punctuation or an unprintable byte),
    /// at most 25 bytes and only if it is valid UTF-8.
    func tokenText(from offset: Int) -> String {
        var i = offset
        while i < bytes.count && i - offset <= 24 {
            let c = bytes[i]
            if c <= 0x20 || c == 0x7F { break }
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
                 UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "\""):
                break
            default:
                if c >= 0x80 {
                    let length = utf8SequenceLength(at: i)
                    if length == 0 { break }
                    i += length
                } else {
                    i += 1
                }
                continue
            }
            break
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<i]), as: UTF8.self)
    }

    /// Up to `length` printable ASCII bytes from `offset`, to quote an escape sequence; stops at a
    /// quote so the snippet never runs past the end of the string.
    func snippet(at offset: Int, length: Int) -> String {
        var i = offset
        while i < bytes.count && i - offset < length && bytes[i] > 0x20 && bytes[i] < 0x7F
            && (i == offset || bytes[i] != UInt8(ascii: "\"")) { i += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<i]), as: UTF8.self)
    }
}

extension JSONText {
    /// Powers of ten exactly representable as `Double`, for the exact fast path of number conversion.
    static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of an ASCII hex digit.
    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// Appends the UTF-8 encoding of a scalar value (the caller guarantees it is not a surrogate).
    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// `U+000A`-style name of a scalar, for characters that cannot be shown in backticks.
    static func scalarName(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
