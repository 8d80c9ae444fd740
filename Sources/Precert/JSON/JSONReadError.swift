/// Bounds on what a JSON document may contain, so hostile input costs bounded time and memory.
package struct JSONLimits: Sendable, Equatable {
    /// The deepest allowed nesting of arrays and objects; a value at depth `maxDepth + 1` is an error.
    package var maxDepth: Int
    /// The longest allowed string, in bytes of its JSON text between the quotes (escapes counted as written).
    package var maxStringBytes: Int

    /// Creates limits; the defaults suit case documents and policy test files.
    package init(maxDepth: Int = 64, maxStringBytes: Int = 1_048_576) {
        // A non-positive depth would reject every container; clamping keeps the reader's invariants simple.
        self.maxDepth = max(1, maxDepth)
        self.maxStringBytes = max(0, maxStringBytes)
    }

    /// The default limits: depth 64, strings up to 1 MiB.
    package static let `default` = JSONLimits()
}

/// What the next value in the input is, judged from its first byte.
package enum JSONKind: Sendable, Equatable, Hashable {
    /// `{`
    case object
    /// `[`
    case array
    /// `"`
    case string
    /// `-` or a digit
    case number
    /// `t`
    case `true`
    /// `f`
    case `false`
    /// `n`
    case null
    /// Only whitespace remains.
    case end
    /// A byte that cannot start a JSON value; reading it throws the precise error.
    case invalid
}

/// A malformed or over-limit JSON document: what went wrong and where.
package struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of problem, stable for programs; `message` is for people.
    package enum Kind: Sendable, Equatable, Hashable {
        /// The input ended where more was required.
        case unexpectedEnd
        /// A byte that cannot appear at this point of the grammar.
        case unexpectedCharacter
        /// A well-formed value of another type than the one asked for (e.g. `readString()` on a number).
        case unexpectedType
        /// Something other than whitespace after the top-level value.
        case trailingContent
        /// A string whose closing quote never comes.
        case unterminatedString
        /// A backslash escape that JSON does not define, or a `\u` escape without four hex digits.
        case invalidEscape
        /// A `\u` escape of a UTF-16 surrogate without its other half.
        case unpairedSurrogate
        /// A raw byte below 0x20 inside a string.
        case controlCharacter
        /// Bytes that are not well-formed UTF-8.
        case invalidUTF8
        /// Text that starts like a number but breaks JSON's number grammar.
        case invalidNumber
        /// A number whose magnitude does not fit in a `Double`.
        case numberOutOfRange
        /// Arrays and objects nested deeper than `JSONLimits.maxDepth`.
        case tooDeep
        /// A string longer than `JSONLimits.maxStringBytes`.
        case stringTooLong
    }

    /// The class of problem.
    package var kind: Kind
    /// A lowercase message without a final period, offending input in backticks.
    package var message: String
    /// Zero-based byte offset of the problem in the input.
    package var offset: Int
    /// One-based line (lines end at `\n`).
    package var line: Int
    /// One-based column, counted in Unicode scalars.
    package var column: Int

    /// Creates an error; the reader computes `line` and `column` from `offset` when it throws.
    package init(kind: Kind, message: String, offset: Int, line: Int, column: Int) {
        self.kind = kind
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// `line:column: message`, the form diagnostics print after a file name.
    package var description: String { "\(line):\(column): \(message)" }
}
