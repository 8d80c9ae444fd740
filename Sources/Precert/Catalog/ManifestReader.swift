/// Reads `precert.manifest.json` strictly, through the library's JSON reader: every problem is
/// `manifest.invalid`, at its line and column, with the JSON path of the value (`$.files[2].sha256`).
/// Syntax errors stop the reading; problems of shape (unknown or repeated keys, wrong types,
/// repeated paths, an unsupported version) are all reported at once.
package enum ManifestReader {
    /// The id of every problem with the manifest itself.
    package static let invalid: DiagnosticID = "manifest.invalid"

    /// A manifest as read, with where each file is listed, for the diagnostics of verification.
    package struct Listing: Sendable {
        /// The manifest.
        package var manifest: PolicyManifest
        /// Each listed file with the place of its `path` value, in the order written.
        package var entries: [(entry: PolicyManifest.Entry, range: SourceRange, jsonPath: String)]
    }

    /// A manifest is a few kilobytes: a document nested deeper than this, or with a string longer
    /// than this, is not one.
    static let limits = JSONLimits(maxDepth: 8, maxStringBytes: 4_096)

    /// Reads a manifest's bytes, named `file` in diagnostics; the listing is `nil` when there is
    /// any problem (a manifest that cannot be read exactly verifies nothing).
    package static func read(_ bytes: [UInt8], file: String) -> (Listing?, [Diagnostic]) {
        let positions = TextPositions(bytes, file: file)
        let root: LocatedJSON
        switch LocatedJSON.parse(bytes, limits: limits) {
        case .failure(let failure):
            let location = SourceLocation(file: file, line: failure.error.line, column: failure.error.column)
            return (nil, [.error(
                invalid, "invalid JSON: \(failure.error.message)", at: SourceRange(location),
                hint: "`precert check --write-manifest DIR` writes a manifest; write it again rather than by hand",
                facts: DiagnosticFacts(jsonPath: failure.path))])
        case .success(let value):
            root = value
        }
        var shape = ShapeReader(positions: positions)
        let listing = shape.listing(root)
        return (shape.problems.isEmpty ? listing : nil, shape.problems)
    }
}

/// Checks the shape of a parsed manifest, collecting every problem.
private struct ShapeReader {
    let positions: TextPositions
    var problems: [Diagnostic] = []

    mutating func listing(_ root: LocatedJSON) -> ManifestReader.Listing? {
        guard let fields = object(
            root, at: "$", what: "the manifest", allowed: ["precert-manifest", "revision", "digest", "files"],
            required: ["precert-manifest", "digest", "files"])
        else { return nil }
        if let format = fields["precert-manifest"] { checkVersion(format) }
        var revision: String?
        if let value = fields["revision"], let text = string(value, at: "$.revision", expected: "a string") {
            if let problem = PolicyManifest.problem(withRevision: text) {
                report("$.revision: \(problem)", at: value, path: "$.revision", hint: "name the set by a git revision or a release name, or leave `revision` out")
            } else {
                revision = text
            }
        }
        var declaredDigest: (text: String, value: LocatedJSON)?
        if let value = fields["digest"], let text = string(value, at: "$.digest", expected: "`sha256:` and 64 lowercase hex digits") {
            if text.hasPrefix("sha256:"), PolicyManifest.isSHA256(String(text.dropFirst(7))) {
                declaredDigest = (text, value)
            } else {
                report(
                    "$.digest: expected `sha256:` and 64 lowercase hex digits", at: value, path: "$.digest",
                    facts: DiagnosticFacts(jsonPath: "$.digest", expected: "`sha256:` and 64 lowercase hex digits", found: "string"))
            }
        }
        var entries: [(entry: PolicyManifest.Entry, range: SourceRange, jsonPath: String)] = []
        if let value = fields["files"] { entries = files(value) }
        let manifest = PolicyManifest(files: entries.map(\.entry), revision: revision)
        // Checked last, and only when every line was read: a `digest` over lines that are wrong
        // anyway would only repeat their problems.
        if problems.isEmpty, let declaredDigest, declaredDigest.text != manifest.digest {
            report(
                "`digest` is not the digest of the files listed", at: declaredDigest.value, path: "$.digest",
                hint: "a file's line was changed and `digest` was not: write the manifest again with `precert check --write-manifest DIR`",
                facts: DiagnosticFacts(jsonPath: "$.digest", expected: manifest.digest, found: declaredDigest.text))
        }
        return ManifestReader.Listing(manifest: manifest, entries: entries)
    }

    /// `"precert-manifest": 1`, written as the plain number.
    mutating func checkVersion(_ value: LocatedJSON) {
        let path = LocatedJSON.memberPath("$", "precert-manifest")
        guard case .number(_, let text) = value.value else {
            wrongType(value, at: path, expected: "the number \(PolicyManifest.format)")
            return
        }
        if text != String(PolicyManifest.format) {
            report(
                "unsupported manifest version `\(text)`", at: value, path: path,
                hint: "this precert reads `\"precert-manifest\": \(PolicyManifest.format)`; a newer format needs a newer precert",
                facts: DiagnosticFacts(jsonPath: path, expected: String(PolicyManifest.format)))
        }
    }

    /// The `files` array: each entry an object of `path` and `sha256`, no path twice.
    mutating func files(_ value: LocatedJSON) -> [(entry: PolicyManifest.Entry, range: SourceRange, jsonPath: String)] {
        guard case .array(let items) = value.value else {
            wrongType(value, at: "$.files", expected: "an array of files")
            return []
        }
        var entries: [(entry: PolicyManifest.Entry, range: SourceRange, jsonPath: String)] = []
        var firstListed: [String: SourceRange] = [:]
        for (index, item) in items.enumerated() {
            let at = "$.files[\(index)]"
            guard let fields = object(item, at: at, what: "a file entry", allowed: ["path", "sha256"], required: ["path", "sha256"]),
                let pathValue = fields["path"], let shaValue = fields["sha256"]
            else { continue }
            let path = string(pathValue, at: "\(at).path", expected: "a file's path")
            let sha = string(shaValue, at: "\(at).sha256", expected: "64 lowercase hex digits")
            guard let path, let sha else { continue }
            let range = positions.range(pathValue.offsets)
            var valid = true
            if !PolicyManifest.isFilePath(path) {
                valid = false
                report(
                    "`\(path)` is not the path of a policy or calendar file in the folder", at: pathValue, path: "\(at).path",
                    hint: "write it relative to the folder that holds the manifest, with `/` between folders, ending in `.yaml` or `.yml`: `kaiser-norcal/behavioral-health.yaml`")
            }
            if !PolicyManifest.isSHA256(sha) {
                valid = false
                report(
                    "\(at).sha256: expected 64 lowercase hex digits", at: shaValue, path: "\(at).sha256",
                    facts: DiagnosticFacts(jsonPath: "\(at).sha256", expected: "64 lowercase hex digits", found: "string"))
            }
            if let first = firstListed[path] {
                valid = false
                problems.append(.error(
                    ManifestReader.invalid, "`\(path)` is listed twice", at: range, hint: "list each file once",
                    notes: [DiagnosticNote("first listed here", at: first)], facts: DiagnosticFacts(jsonPath: "\(at).path")))
            } else {
                firstListed[path] = range
            }
            if valid { entries.append((PolicyManifest.Entry(path: path, sha256: sha), range, at)) }
        }
        return entries
    }

    /// The members of an object by key, reporting unknown, repeated and missing keys; `nil` when
    /// `value` is not an object.
    mutating func object(
        _ value: LocatedJSON, at path: String, what: String, allowed: [String], required: [String]
    ) -> [String: LocatedJSON]? {
        guard case .object(let members) = value.value else {
            wrongType(value, at: path, expected: "an object")
            return nil
        }
        var fields: [String: LocatedJSON] = [:]
        var keyRanges: [String: SourceRange] = [:]
        for member in members {
            let memberPath = LocatedJSON.memberPath(path, member.key)
            let keyRange = positions.range(member.keyOffsets)
            guard allowed.contains(member.key) else {
                let suggestion = Suggestion.closest(to: member.key, in: allowed)
                let didYouMean = Suggestion.hint(suggestion).map { "\($0) " } ?? ""
                problems.append(.error(
                    ManifestReader.invalid, "unknown key `\(member.key)` in \(what)", at: keyRange,
                    hint: "\(didYouMean)allowed keys: \(allowed.map { "`\($0)`" }.joined(separator: ", "))",
                    facts: DiagnosticFacts(jsonPath: memberPath, suggestion: suggestion)))
                continue
            }
            if let first = keyRanges[member.key] {
                // JSON readers disagree on which of two copies counts, so neither may.
                problems.append(.error(
                    ManifestReader.invalid, "`\(member.key)` appears twice in \(what)", at: keyRange, hint: "keep one",
                    notes: [DiagnosticNote("the first `\(member.key)`", at: first)], facts: DiagnosticFacts(jsonPath: memberPath)))
                continue
            }
            keyRanges[member.key] = keyRange
            fields[member.key] = member.value
        }
        for key in required where fields[key] == nil {
            problems.append(.error(
                ManifestReader.invalid, "\(what) is missing the required key `\(key)`",
                at: SourceRange(positions.location(value.offsets.lowerBound)), facts: DiagnosticFacts(jsonPath: path)))
        }
        return fields
    }

    /// The text of a string value, or `nil` (reported) when it is another type.
    mutating func string(_ value: LocatedJSON, at path: String, expected: String) -> String? {
        guard case .string(let text) = value.value else {
            wrongType(value, at: path, expected: expected)
            return nil
        }
        return text
    }

    mutating func wrongType(_ value: LocatedJSON, at path: String, expected: String) {
        report(
            "\(path): expected \(expected), got \(value.typeName)", at: value, path: path,
            facts: DiagnosticFacts(jsonPath: path, expected: expected, found: value.typeName))
    }

    mutating func report(_ message: String, at value: LocatedJSON, path: String, hint: String? = nil, facts: DiagnosticFacts? = nil) {
        problems.append(.error(
            ManifestReader.invalid, message, at: positions.range(value.offsets), hint: hint,
            facts: facts ?? DiagnosticFacts(jsonPath: path)))
    }
}

/// A JSON value with the byte offsets it was written at, for a file whose every problem must
/// point at its place (`JSONValue` drops places; the case decoder reads without building a tree).
struct LocatedJSON: Sendable {
    enum Value: Sendable {
        case object([Member])
        case array([LocatedJSON])
        case string(String)
        /// A number, with its text as written (`1`, `1.0`), which a format version is compared by.
        case number(Double, text: String)
        case bool(Bool)
        case null
    }

    /// One `"key": value` member of an object.
    struct Member: Sendable {
        var key: String
        /// The key as written, quotes included.
        var keyOffsets: Range<Int>
        var value: LocatedJSON
    }

    var value: Value
    /// Where the value was written, from its first byte to just past its last.
    var offsets: Range<Int>

    /// The JSON type's name, as error documents' `found` says it.
    var typeName: String {
        switch value {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }

    /// A syntax error and the JSON path of the value being read when it was found.
    struct Failure: Error {
        var error: JSONReadError
        var path: String
    }

    /// Parses a whole document; only whitespace may follow the value.
    static func parse(_ bytes: [UInt8], limits: JSONLimits) -> Result<LocatedJSON, Failure> {
        var path = ["$"]
        do throws(JSONReadError) {
            let value = try JSONReader.withReader(bytes, limits: limits) { (reader) throws(JSONReadError) -> LocatedJSON in
                let value = try readValue(&reader, bytes: bytes, path: &path)
                path = ["$"]
                try reader.finish()
                return value
            }
            return .success(value)
        } catch {
            return .failure(Failure(error: error, path: path.joined()))
        }
    }

    /// Reads one value; recursion is bounded by `limits.maxDepth`, which the reader enforces.
    private static func readValue(_ reader: inout JSONReader, bytes: [UInt8], path: inout [String]) throws(JSONReadError) -> LocatedJSON {
        let kind = reader.peekKind()
        let start = reader.offset
        let value: Value
        switch kind {
        case .object:
            try reader.beginObject()
            var members: [Member] = []
            while try reader.nextKey() {
                let key = reader.keyString()
                let keyOffsets = reader.keyOffsets
                path.append(memberPath("", key))
                let member = try readValue(&reader, bytes: bytes, path: &path)
                path.removeLast()
                members.append(Member(key: key, keyOffsets: keyOffsets, value: member))
            }
            value = .object(members)
        case .array:
            try reader.beginArray()
            var items: [LocatedJSON] = []
            while try reader.nextElement() {
                path.append("[\(items.count)]")
                items.append(try readValue(&reader, bytes: bytes, path: &path))
                path.removeLast()
            }
            value = .array(items)
        case .string:
            value = .string(try reader.readString())
        case .number:
            let number = try reader.readNumber()
            value = .number(number, text: String(decoding: bytes[start..<reader.offset], as: UTF8.self))
        case .true, .false:
            value = .bool(try reader.readBool())
        case .null:
            try reader.readNull()
            value = .null
        case .end, .invalid:
            // Skipping reports exactly what is wrong here (the end of the input, a bad byte).
            try reader.skipValue()
            let (line, column) = reader.lineAndColumn(at: start)
            throw JSONReadError(kind: .unexpectedCharacter, message: "expected a value", offset: start, line: line, column: column)
        }
        return LocatedJSON(value: value, offsets: start..<reader.offset)
    }

    /// The JSON path of member `key` of the value at `base`: `$.files`, or `$["precert-manifest"]`
    /// for a key that is not a plain name.
    static func memberPath(_ base: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0)) }
            && !("0"..."9").contains(key.unicodeScalars.first!)
        return plain ? "\(base).\(key)" : "\(base)[\(PolicyManifest.quoted(key))]"
    }
}

/// Lines and columns of byte offsets in one text, found by a binary search over its line starts:
/// the JSON reader's own `lineAndColumn` scans from the start, fine for one error but quadratic
/// over every entry of a long manifest. Columns count Unicode scalars, as the reader's do.
struct TextPositions: Sendable {
    let bytes: [UInt8]
    let file: String
    /// The offset each line starts at; line 1 at 0.
    let lineStarts: [Int]

    init(_ bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        lineStarts = starts
    }

    func location(_ offset: Int) -> SourceLocation {
        let offset = min(max(offset, 0), bytes.count)
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        // Continuation bytes belong to the scalar already counted.
        let column = 1 + bytes[lineStarts[low]..<offset].reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) }
        return SourceLocation(file: file, line: low + 1, column: column)
    }

    func range(_ offsets: Range<Int>) -> SourceRange {
        SourceRange(start: location(offsets.lowerBound), end: location(offsets.upperBound))
    }
}
