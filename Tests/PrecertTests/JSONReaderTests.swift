import Foundation
import Testing
@testable import Precert

/// The example case document from `shared/domain/CASE.md`.
private let exampleCase = Fixtures.caseMDExample

/// Parses `bytes` as a whole document and returns the error, or nil if it is valid.
private func parseError(_ bytes: [UInt8], limits: JSONLimits = .default) -> JSONReadError? {
    do {
        _ = try JSONValue.parse(bytes: bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// A small deterministic generator (SplitMix64), so randomized tests repeat exactly.
private struct JSONTestRandom: RandomNumberGenerator {
    /// The generator's state.
    var state: UInt64
    /// Next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The pull reader, the tree built on it, and every error class with its position and wording.
@Suite struct JSONReaderTests {
    // MARK: - Round trips

    /// Documents read into a tree and written compactly come back byte for byte.
    @Test(arguments: [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":[],"g":{}}"#,
        #"[1,-2.5,1e+20,0.001,"x\ny",{"k":[[]]}]"#,
        #""just a string""#,
        "-0",
        "42",
        "null",
        #"{"dup":1,"dup":2}"#,
        #"{"\u2028":"\u2029 é 😀 \\ \" \/"}"#.replacingOccurrences(of: #"\/"#, with: "/"),
    ])
    func compactRoundTrip(text: String) throws {
        let value = try JSONValue.parse(text)
        #expect(String(decoding: value.jsonBytes(), as: UTF8.self) == text)
        #expect(try JSONValue.parse(bytes: value.jsonBytes()) == value)
    }

    /// The example case parses, and writing then reading it (compact and pretty) gives the same tree.
    @Test func caseDocumentRoundTrip() throws {
        let value = try JSONValue.parse(exampleCase)
        #expect(value["case_id"] == .string("c-000123"))
        #expect(value["service"]?["visits_this_year"] == .number(3))
        #expect(value["provider"]?["in_directory"] == .bool(true))
        for style in [JSONWriter.Style.compact, .pretty] {
            #expect(try JSONValue.parse(bytes: value.jsonBytes(style: style)) == value)
        }
        // The example is written in the same 2-space style as the pretty writer for its first lines.
        let pretty = String(decoding: value.jsonBytes(style: .pretty), as: UTF8.self)
        #expect(pretty.hasPrefix("{\n  \"case_id\": \"c-000123\",\n  \"payer\": \"kaiser-norcal\",\n  \"request\": {\n    \"received_at\""))
    }

    // MARK: - Errors

    /// One malformed input per error class, with kind, message and 1-based line:column asserted.
    @Test(arguments: [
        ("", JSONReadError.Kind.unexpectedEnd, "unexpected end of input", 1, 1),
        ("   \n  ", .unexpectedEnd, "unexpected end of input", 2, 3),
        (#"{"a": 1"#, .unexpectedEnd, "unexpected end of input", 1, 8),
        ("nul", .unexpectedEnd, "unexpected end of input", 1, 4),
        (#"{"a": 1 "b": 2}"#, .unexpectedCharacter, "expected `,` or `}` after an object member", 1, 9),
        ("[1 2]", .unexpectedCharacter, "expected `,` or `]` after an array element", 1, 4),
        (#"{"a" 1}"#, .unexpectedCharacter, "expected `:` after an object key", 1, 6),
        ("{a: 1}", .unexpectedCharacter, "expected a string key but found `a`", 1, 2),
        (#"{"a":1,}"#, .unexpectedCharacter, "expected a string key but found `}`", 1, 8),
        ("[1,]", .unexpectedCharacter, "expected a value but found `]`", 1, 4),
        ("[\n  tru\n]", .unexpectedCharacter, "expected a value but found `tru`", 2, 3),
        ("+1", .unexpectedCharacter, "expected a value but found `+1`", 1, 1),
        ("NaN", .unexpectedCharacter, "expected a value but found `NaN`", 1, 1),
        ("[Infinity]", .unexpectedCharacter, "expected a value but found `Infinity`", 1, 2),
        ("[é]", .unexpectedCharacter, "expected a value but found `é`", 1, 2),
        ("[\u{01}]", .unexpectedCharacter, "expected a value but found U+0001", 1, 2),
        ("{\n  \"a\": 1,\n  \"b\": [1, 2,, 3]\n}", .unexpectedCharacter, "expected a value but found `,`", 3, 14),
        ("[1] x", .trailingContent, "unexpected `x` after the top-level value", 1, 5),
        ("{} {}", .trailingContent, "unexpected `{` after the top-level value", 1, 4),
        (#"[1] "x""#, .trailingContent, #"unexpected `"x"` after the top-level value"#, 1, 5),
        (#""abc"#, .unterminatedString, "unterminated string", 1, 1),
        (#"["ok", "abc\"#, .unterminatedString, "unterminated string", 1, 8),
        (#"{"k": "a\qb"}"#, .invalidEscape, "invalid escape `\\q`", 1, 9),
        (#""\u12G4""#, .invalidEscape, "invalid escape `\\u12G4`", 1, 2),
        (#"["\u12"]"#, .invalidEscape, "invalid escape `\\u12`", 1, 3),
        (#""\uD800""#, .unpairedSurrogate, "unpaired surrogate `\\uD800`", 1, 2),
        (#""\uDC00x""#, .unpairedSurrogate, "unpaired surrogate `\\uDC00`", 1, 2),
        (#""x\uD800\u0041""#, .unpairedSurrogate, "unpaired surrogate `\\uD800`", 1, 3),
        ("\"a\tb\"", .controlCharacter, "unescaped control character U+0009 in a string", 1, 3),
        ("\"é\u{01}\"", .controlCharacter, "unescaped control character U+0001 in a string", 1, 3),
        ("01", .invalidNumber, "leading zero in number `01`", 1, 1),
        ("[-01]", .invalidNumber, "leading zero in number `-01`", 1, 2),
        ("[-]", .invalidNumber, "invalid number `-`", 1, 2),
        ("[1.]", .invalidNumber, "invalid number `1.`", 1, 2),
        ("[1e]", .invalidNumber, "invalid number `1e`", 1, 2),
        ("[1.5.2]", .invalidNumber, "invalid number `1.5.2`", 1, 2),
        ("1.", .unexpectedEnd, "unexpected end of input", 1, 3),
        ("[0, 1e999]", .numberOutOfRange, "number out of range", 1, 5),
        ("-1e999", .numberOutOfRange, "number out of range", 1, 1),
    ])
    func errorClasses(input: String, kind: JSONReadError.Kind, message: String, line: Int, column: Int) {
        let error = parseError(Array(input.utf8))
        #expect(error?.kind == kind)
        #expect(error?.message == message)
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.description == "\(line):\(column): \(message)")
    }

    /// Invalid UTF-8 in strings (stray continuation, overlong, encoded surrogate, beyond U+10FFFF,
    /// truncated) and outside them is rejected at the offending byte.
    @Test(arguments: [
        ([0x22, 0x61, 0xFF, 0x22] as [UInt8], 1, 3),
        ([0x5B, 0x22, 0x6F, 0x6B, 0x22, 0x2C, 0x22, 0x80, 0x22, 0x5D], 1, 8),
        ([0x22, 0xC0, 0x80, 0x22], 1, 2),
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 1, 2),
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, 2),
        ([0x22, 0xE2, 0x82], 1, 2),
        ([0x22, 0xC3, 0xA9, 0x0A], 1, 3),
        ([0x5B, 0xFF, 0x5D], 1, 2),
    ])
    func invalidUTF8(bytes: [UInt8], line: Int, column: Int) {
        let error = parseError(bytes)
        if bytes == [0x22, 0xC3, 0xA9, 0x0A] {
            // Valid é followed by a raw newline: the column counts é as one scalar.
            #expect(error?.kind == .controlCharacter)
        } else {
            #expect(error?.kind == .invalidUTF8)
            #expect(error?.message == "invalid UTF-8")
        }
        #expect(error?.line == line)
        #expect(error?.column == column)
    }

    /// Over-long strings are rejected at their opening quote, with the limit in the message.
    @Test func stringLengthLimit() {
        let small = parseError(Array(#"["abcd", "abcde"]"#.utf8), limits: JSONLimits(maxStringBytes: 4))
        #expect(small?.kind == .stringTooLong)
        #expect(small?.message == "string longer than 4 bytes")
        #expect(small?.column == 10)

        var big: [UInt8] = [UInt8(ascii: "\"")]
        big.append(contentsOf: repeatElement(UInt8(ascii: "a"), count: 1_048_577))
        big.append(UInt8(ascii: "\""))
        let error = parseError(big)
        #expect(error?.kind == .stringTooLong)
        #expect(error?.message == "string longer than 1048576 bytes")
        #expect(error?.line == 1 && error?.column == 1)
        big.removeLast(2)
        big.append(UInt8(ascii: "\""))
        #expect(parseError(big) == nil)
    }

    /// 100,000 unclosed `[` fail fast at level 65 through every entry point, without recursion.
    @Test func deepNestingRejected() throws {
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        let error = parseError(deep)
        #expect(error?.kind == .tooDeep)
        #expect(error?.message == "nesting deeper than 64 levels")
        #expect(error?.offset == 64 && error?.line == 1 && error?.column == 65)

        let objects = [UInt8](String(repeating: #"{"a":"#, count: 100_000).utf8)
        #expect(parseError(objects)?.kind == .tooDeep)

        #expect(throws: JSONReadError.self) {
            try JSONReader.withReader(deep) { r throws(JSONReadError) in try r.skipValue() }
        }
        #expect(throws: JSONReadError.self) {
            try JSONReader.withReader(deep) { r throws(JSONReadError) in try r.finish() }
        }
        // Exactly 64 levels are allowed.
        let ok = [UInt8](String(repeating: "[", count: 64).utf8) + [UInt8](String(repeating: "]", count: 64).utf8)
        #expect(parseError(ok) == nil)
        let limited = parseError(Array("[[[]]]".utf8), limits: JSONLimits(maxDepth: 2))
        #expect(limited?.message == "nesting deeper than 2 levels")
    }

    /// With a raised limit, skipping 100,000 balanced levels works: the skip keeps one bit per level,
    /// not a stack frame.
    @Test func deepSkipWithRaisedLimit() throws {
        let n = 100_000
        var text = [UInt8](repeating: UInt8(ascii: "["), count: n)
        text.append(contentsOf: Array(#"{"k":"v"}"#.utf8))
        text.append(contentsOf: repeatElement(UInt8(ascii: "]"), count: n))
        try JSONReader.withReader(text, limits: JSONLimits(maxDepth: n + 1)) { r throws(JSONReadError) in
            try r.skipValue()
            try r.finish()
        }
        // A mismatched closer deep inside is still found.
        text[n + 9] = UInt8(ascii: "}")
        #expect(throws: JSONReadError.self) {
            try JSONReader.withReader(text, limits: JSONLimits(maxDepth: n + 1)) { r throws(JSONReadError) in
                try r.skipValue()
            }
        }
    }

    // MARK: - Strings

    /// Every JSON escape decodes to the right scalar(s).
    @Test(arguments: [
        (#""\"""#, "\""),
        (#""\\""#, "\\"),
        (#""\/""#, "/"),
        (#""\b""#, "\u{08}"),
        (#""\f""#, "\u{0C}"),
        (#""\n""#, "\n"),
        (#""\r""#, "\r"),
        (#""\t""#, "\t"),
        (#""\u0041""#, "A"),
        (#""\u00e9""#, "é"),
        (#""\u20AC""#, "€"),
        (#""\uD83D\uDE00""#, "😀"),
        (#""\u0000""#, "\u{0}"),
        (#""a\u2028b\nc""#, "a\u{2028}b\nc"),
        (#""plain é 😀""#, "plain é 😀"),
    ])
    func escapes(json: String, expected: String) throws {
        #expect(try JSONValue.parse(json) == .string(expected))
    }

    /// Strings without escapes are handed out as the input's own bytes; escaped ones decoded.
    @Test func stringBytesWithoutCopying() throws {
        let bytes = Array(#"["2026-12-01", "a\tb"]"#.utf8)
        try bytes.withUnsafeBufferPointer { buffer throws(JSONReadError) in
            var r = JSONReader(buffer)
            try r.beginArray()
            #expect(try r.nextElement())
            let inInput = try r.readStringBytes { date in
                date.baseAddress == buffer.baseAddress! + 2 && Array(date) == Array("2026-12-01".utf8)
            }
            #expect(inInput)
            #expect(try r.nextElement())
            let decoded = try r.readStringBytes { Array($0) }
            #expect(decoded == Array("a\tb".utf8))
            #expect(try !r.nextElement())
            try r.finish()
        }
    }

    // MARK: - Numbers

    /// The numbers named in the brief plus rounding-sensitive ones, compared bit for bit.
    @Test(arguments: [
        ("0", 0.0),
        ("-0", -0.0),
        ("1e10", 1e10),
        ("1.5e-3", 1.5e-3),
        ("123456789012345678901234567890", 123456789012345678901234567890.0),
        ("-1.25E+2", -125.0),
        ("0.1", 0.1),
        ("0.30000000000000004", 0.30000000000000004),
        ("9007199254740993", 9007199254740992.0),
        ("2.2250738585072014e-308", 2.2250738585072014e-308),
        ("4.9e-324", 4.9e-324),
        ("1e-400", 0.0),
        ("1.7976931348623157e308", 1.7976931348623157e308),
        ("0.000000000000000000000000000001", 1e-30),
        ("100000000000000000000000", 1e23),
    ])
    func numbers(text: String, expected: Double) throws {
        let value = try JSONReader.withReader(Array(text.utf8)) { r throws(JSONReadError) in
            let v = try r.readNumber()
            try r.finish()
            return v
        }
        #expect(value.bitPattern == expected.bitPattern, "\(text) read as \(value)")
    }

    /// Random decimal texts convert exactly like the standard library's correctly rounded parser,
    /// covering both the fast path and the fallback.
    @Test func numbersMatchStandardLibrary() throws {
        var rng = JSONTestRandom(state: 7)
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...22, using: &rng)
            var text = Bool.random(using: &rng) ? "-" : ""
            text += String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<digits { text += String(Int.random(in: 0...9, using: &rng)) }
            if Bool.random(using: &rng) {
                let point = Int.random(in: 1...text.count, using: &rng)
                let index = text.index(text.startIndex, offsetBy: point)
                if text[text.index(before: index)] != "-" && index != text.endIndex { text.insert(".", at: index) }
            }
            if Bool.random(using: &rng) { text += "e\(Int.random(in: -330...310, using: &rng))" }
            let expected = Double(text)!
            let bytes = Array(text.utf8)
            if expected.isFinite {
                let value = try JSONReader.withReader(bytes) { r throws(JSONReadError) in try r.readNumber() }
                #expect(value.bitPattern == expected.bitPattern, "\(text)")
            } else {
                #expect(parseError(bytes)?.kind == .numberOutOfRange, "\(text)")
            }
        }
    }

    // MARK: - Pull API

    /// Reading ten fields of the case document and skipping everything else.
    @Test func skimCaseDocument() throws {
        /// The fields a policy might declare.
        struct Skim: Equatable {
            var caseID = "", received = "", urgency = "", network = "", serviceDate = ""
            var status = "", validUntil = "", method = ""
            var inDirectory = false
            var cpt: [String] = []
        }
        let skim = try JSONReader.withReader(Array(exampleCase.utf8)) { r throws(JSONReadError) -> Skim in
            var s = Skim()
            try r.beginObject()
            while try r.nextKey() {
                if r.keyEquals("case_id") {
                    s.caseID = try r.readString()
                } else if r.keyEquals("request") {
                    try r.beginObject()
                    while try r.nextKey() {
                        if r.keyEquals("received_at") { s.received = try r.readString() }
                        else if r.keyEquals("urgency") { s.urgency = try r.readString() }
                    }
                } else if r.keyEquals("provider") {
                    try r.beginObject()
                    while try r.nextKey() {
                        if r.keyEquals("network") { s.network = try r.readString() }
                        else if r.keyEquals("in_directory") { s.inDirectory = try r.readBool() }
                    }
                } else if r.keyEquals("service") {
                    try r.beginObject()
                    while try r.nextKey() {
                        if r.keyEquals("cpt") {
                            try r.beginArray()
                            while try r.nextElement() { s.cpt.append(try r.readString()) }
                        } else if r.keyEquals("date") {
                            s.serviceDate = try r.readString()
                        }
                    }
                } else if r.keyEquals("referral") {
                    try r.beginObject()
                    while try r.nextKey() {
                        if r.keyEquals("status") { s.status = try r.readString() }
                        else if r.keyEquals("valid_until") { s.validUntil = try r.readString() }
                    }
                } else if r.keyEquals(Array("payment".utf8)) {
                    try r.beginObject()
                    while try r.nextKey() {
                        if r.keyString() == "method" { s.method = try r.readString() }
                    }
                }
            }
            try r.finish()
            return s
        }
        #expect(skim == Skim(
            caseID: "c-000123", received: "2026-11-23T10:15:00-08:00", urgency: "standard",
            network: "contracted_platform", serviceDate: "2026-12-01", status: "authorized",
            validUntil: "2027-01-10", method: "insurance", inDirectory: true, cpt: ["90837"]))
    }

    /// Skipping still validates: a defect in a part nobody reads is reported, by `skipValue()` and by `finish()`.
    @Test func skippedPartsAreValidated() {
        let bad = exampleCase.replacingOccurrences(of: #""payer_sessions_completed": 4"#, with: #""payer_sessions_completed": 04"#)
        #expect(throws: JSONReadError.self) {
            try JSONReader.withReader(Array(bad.utf8)) { r throws(JSONReadError) in
                try r.beginObject()
                while try r.nextKey() {
                    if r.keyEquals("case_id") { _ = try r.readString() }
                }
            }
        }
        do {
            try JSONReader.withReader(Array(bad.utf8)) { r throws(JSONReadError) in
                try r.beginObject()
                _ = try r.nextKey()
                _ = try r.readString()
                try r.finish()
            }
            Issue.record("finish() accepted a malformed document")
        } catch {
            #expect(error.message == "leading zero in number `04`")
            #expect(error.line == 29)
        }
    }

    /// Keys with escapes compare by their decoded text; `peekKind` names each kind.
    @Test func keysAndKinds() throws {
        let text = #"{"case\u005fid": "x", "n": 1, "t": true, "f": false, "z": null, "o": {}, "a": []}"#
        var kinds: [JSONKind] = []
        try JSONReader.withReader(Array(text.utf8)) { r throws(JSONReadError) in
            #expect(r.peekKind() == .object)
            try r.beginObject()
            #expect(try r.nextKey())
            #expect(r.keyEquals("case_id"))
            #expect(!r.keyEquals("case_i"))
            #expect(r.keyString() == "case_id")
            while true {
                kinds.append(r.peekKind())
                guard try r.nextKey() else { break }
            }
            #expect(r.peekKind() == .end)
            try r.finish()
        }
        #expect(kinds == [.string, .number, .true, .false, .null, .object, .array])
        try JSONReader.withReader(Array(" ] ".utf8)) { r throws(JSONReadError) in #expect(r.peekKind() == .invalid) }
    }

    /// Asking for one type and finding another is a type error naming both.
    @Test func typeMismatch() {
        /// Runs one read on `text` and returns the error it throws.
        func attempt(_ text: String, _ read: (inout JSONReader) throws(JSONReadError) -> Void) -> JSONReadError? {
            do {
                try JSONReader.withReader(Array(text.utf8)) { r throws(JSONReadError) in try read(&r) }
                return nil
            } catch { return error }
        }
        let e1 = attempt(" 123") { r throws(JSONReadError) in _ = try r.readString() }
        #expect(e1?.kind == .unexpectedType && e1?.message == "expected a string but found a number" && e1?.column == 2)
        let e2 = attempt("\"x\"") { r throws(JSONReadError) in _ = try r.readNumber() }
        #expect(e2?.message == "expected a number but found a string")
        let e3 = attempt("null") { r throws(JSONReadError) in _ = try r.readBool() }
        #expect(e3?.message == "expected a boolean but found `null`")
        let e4 = attempt("[]") { r throws(JSONReadError) in try r.beginObject() }
        #expect(e4?.message == "expected an object but found an array")
        let e5 = attempt("{}") { r throws(JSONReadError) in try r.readNull() }
        #expect(e5?.message == "expected `null` but found an object")
        let e6 = attempt("true") { r throws(JSONReadError) in try r.beginArray() }
        #expect(e6?.message == "expected an array but found a boolean")
    }

    /// Truncating or corrupting a real document anywhere gives an error or a value, never a crash.
    @Test func corruptedInputNeverCrashes() throws {
        let original = Array(exampleCase.utf8)
        for length in 0..<original.count {
            #expect(parseError(Array(original[..<length])) != nil, "prefix \(length)")
        }
        var rng = JSONTestRandom(state: 42)
        let interesting: [UInt8] = Array(#"{}[],:"\ u0123456789eE+-.tfn"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xE2, 0xED, 0xF4, 0xFF]
        for _ in 0..<3_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[index] = interesting.randomElement(using: &rng)!
            }
            if let value = try? JSONValue.parse(bytes: bytes) {
                #expect(try JSONValue.parse(bytes: value.jsonBytes()) == value)
            }
        }
    }

    // MARK: - Writer

    /// Escaping: quotes, backslashes, named and numeric control escapes, line/paragraph separators;
    /// other text (including `/` and non-ASCII) as it is.
    @Test func writerEscaping() {
        var w = JSONWriter()
        w.string("q\" b\\ / \n\t\r\u{08}\u{0C} \u{0} \u{1F} \u{7F} é \u{2028}\u{2029} 😀")
        #expect(String(decoding: w.bytes, as: UTF8.self)
            == #""q\" b\\ / \n\t\r\b\f \u0000 \u001f \#u{7F} é \u2028\u2029 😀""#)
        #expect(JSONWriter.escaped("a\"b") == Array(#"a\"b"#.utf8))
    }

    /// Numbers: integers without `.0`, shortest round-trip text, `-0` kept, non-finite as `null`.
    @Test func writerNumbers() {
        var w = JSONWriter()
        w.beginArray()
        for d in [1.0, -3.0, 0.1, 1e20, 1.5e-3, -0.0, 0.0, 5e-324, 1e15, 9007199254740993, Double.nan, -Double.infinity, 123.456] {
            w.number(d)
        }
        w.number(Int.min)
        w.number(0)
        w.endArray()
        #expect(String(decoding: w.bytes, as: UTF8.self)
            == "[1,-3,0.1,1e+20,0.0015,-0,0,5e-324,1000000000000000,9007199254740992,null,null,123.456,-9223372036854775808,0]")
    }

    /// Compact and pretty layout, automatic commas, raw keys and strings.
    @Test func writerLayout() {
        let precomputedKey = JSONWriter.escaped("outcome")
        /// The same sequence of writer calls for both styles.
        func write(_ w: inout JSONWriter) {
            w.beginObject()
            w.key("a")
            w.number(1)
            w.rawKey(bytes: precomputedKey)
            w.rawString(bytes: Array("required".utf8))
            w.key("list")
            w.beginArray()
            w.bool(true)
            w.null()
            w.beginObject()
            w.endObject()
            w.beginArray()
            w.endArray()
            w.endArray()
            w.key("empty")
            w.beginObject()
            w.endObject()
            w.endObject()
        }
        var compact = JSONWriter()
        write(&compact)
        #expect(String(decoding: compact.bytes, as: UTF8.self)
            == #"{"a":1,"outcome":"required","list":[true,null,{},[]],"empty":{}}"#)
        var pretty = JSONWriter(style: .pretty)
        write(&pretty)
        #expect(String(decoding: pretty.bytes, as: UTF8.self) == """
            {
              "a": 1,
              "outcome": "required",
              "list": [
                true,
                null,
                {},
                []
              ],
              "empty": {}
            }
            """)
        // Reuse after reset gives the same bytes again.
        compact.reset()
        write(&compact)
        #expect(String(decoding: compact.bytes, as: UTF8.self)
            == #"{"a":1,"outcome":"required","list":[true,null,{},[]],"empty":{}}"#)
    }

    /// Random trees written by the writer read back equal, the same tree always gives the same
    /// bytes, and Foundation's parser accepts the output.
    @Test func randomizedWriteRead() throws {
        var rng = JSONTestRandom(state: 2026)
        for round in 0..<400 {
            let value = randomValue(depth: 0, rng: &rng)
            for style in [JSONWriter.Style.compact, .pretty] {
                let bytes = value.jsonBytes(style: style)
                #expect(try JSONValue.parse(bytes: bytes) == value, "round \(round)")
                #expect(value.jsonBytes(style: style) == bytes)
                let foundation = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
                if case .array(let items) = value { #expect((foundation as? [Any])?.count == items.count) }
                if case .string(let s) = value { #expect(foundation as? String == s) }
            }
        }
    }

    /// A random JSON tree; strings mix ASCII, escapes-needing characters and multi-byte scalars.
    private func randomValue(depth: Int, rng: inout JSONTestRandom) -> JSONValue {
        let pick = Int.random(in: 0..<(depth >= 5 ? 4 : 6), using: &rng)
        switch pick {
        case 0: return .string(randomString(rng: &rng))
        case 1:
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return .number(Double(Int.random(in: -1_000_000...1_000_000, using: &rng)))
            case 1: return .number(Double(Int.random(in: -99_999...99_999, using: &rng)) / 1000)
            case 2:
                // Any finite double, including subnormals and the extremes.
                var d: Double
                repeat { d = Double(bitPattern: rng.next()) } while !d.isFinite
                return .number(d)
            default: return .number(Double.random(in: -1e6...1e6, using: &rng))
            }
        case 2: return .bool(Bool.random(using: &rng))
        case 3: return .null
        case 4:
            return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(depth: depth + 1, rng: &rng) })
        default:
            return .object((0..<Int.random(in: 0...4, using: &rng)).map { _ in
                JSONValue.Member(randomString(rng: &rng), randomValue(depth: depth + 1, rng: &rng))
            })
        }
    }

    /// A random string of up to 12 scalars drawn to exercise every escaping rule.
    private func randomString(rng: inout JSONTestRandom) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}",
                                      "é", "€", "\u{2028}", "\u{2029}", "\u{FFFF}", "😀", "\u{10FFFF}"]
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &rng) { s.append(pool.randomElement(using: &rng)!) }
        return String(s)
    }
}
