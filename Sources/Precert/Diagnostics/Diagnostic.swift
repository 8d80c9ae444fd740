/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Comparable {
    /// The input cannot be used.
    case error
    /// The input works but probably does not say what its author meant.
    case warning
    /// Extra context attached to another diagnostic.
    case note

    private var rank: Int {
        switch self {
        case .error: 2
        case .warning: 1
        case .note: 0
        }
    }

    /// Orders by seriousness: note < warning < error.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A stable identifier of a class of diagnostic, such as `yaml.duplicate-key`.
///
/// Tools and tests match on the id, never on the message text, which may be reworded.
public struct DiagnosticID: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The dotted code.
    public let code: String

    /// Creates an id from its code.
    public init(_ code: String) { self.code = code }

    /// Creates an id from a string literal.
    public init(stringLiteral value: String) { self.code = value }

    /// The code.
    public var description: String { code }
}

/// A message that belongs to a diagnostic and points somewhere else, e.g. at a first definition.
public struct DiagnosticNote: Hashable, Sendable {
    /// What the note says, lowercase and without a final period.
    public var message: String
    /// Where it points, if anywhere.
    public var range: SourceRange?

    /// Creates a note.
    package init(_ message: String, at range: SourceRange? = nil) {
        self.message = message
        self.range = range
    }
}

/// What a diagnostic is about, as data: tools read these instead of parsing the message, which
/// may be reworded.
public struct DiagnosticFacts: Hashable, Sendable {
    /// For a problem in a case document, the JSON path of the value (`$.service.date`).
    public var jsonPath: String?
    /// What was expected there, in words (`a date YYYY-MM-DD`, `string`).
    public var expected: String?
    /// What was found instead: a JSON type (`number`), never a case's own text.
    public var found: String?
    /// The name the user probably meant, for "did you mean".
    public var suggestion: String?
    /// For a limit that was hit, the limit's value.
    public var limit: Int?
    /// For a turnaround clock proved against a regulation, the proof's figures.
    public var clock: Clock?

    /// A turnaround clock against a regulation's limit, at the receipt instant where it comes
    /// closest to (or goes past) the limit.
    public struct Clock: Hashable, Sendable {
        /// The regulation's id (`cms-0057-f`).
        public var regulation: String
        /// `standard` or `urgent`.
        public var requestKind: String
        /// The regulation's limit (`7 calendar days`).
        public var limit: String
        /// The policy's clock (`10 business days`).
        public var clock: String
        /// The receipt instant, RFC 3339 in the policy's zone.
        public var receivedAt: String
        /// When the policy's clock runs out for that receipt.
        public var due: String
        /// When the regulation's limit runs out for that receipt.
        public var regulationDue: String
        /// Seconds from `due` to `regulationDue`: negative when the clock ends after the limit.
        public var marginSeconds: Int

        /// Creates the figures.
        public init(
            regulation: String, requestKind: String, limit: String, clock: String, receivedAt: String, due: String,
            regulationDue: String, marginSeconds: Int
        ) {
            self.regulation = regulation
            self.requestKind = requestKind
            self.limit = limit
            self.clock = clock
            self.receivedAt = receivedAt
            self.due = due
            self.regulationDue = regulationDue
            self.marginSeconds = marginSeconds
        }
    }

    /// Creates facts; every fact is optional.
    public init(
        jsonPath: String? = nil, expected: String? = nil, found: String? = nil, suggestion: String? = nil, limit: Int? = nil,
        clock: Clock? = nil
    ) {
        self.jsonPath = jsonPath
        self.expected = expected
        self.found = found
        self.suggestion = suggestion
        self.limit = limit
        self.clock = clock
    }

    /// Whether no fact is set.
    package var isEmpty: Bool { self == DiagnosticFacts() }
}

/// One problem found in an input, with where it is and how to fix it.
///
/// Every stage of Precert reports problems as values of this type, so the CLI, tests and
/// services render and match them the same way.
public struct Diagnostic: Hashable, Sendable, Error, CustomStringConvertible {
    /// The stable class of the problem.
    public var id: DiagnosticID
    /// How serious it is.
    public var severity: Severity
    /// What is wrong: lowercase, no final period, user input in backticks.
    public var message: String
    /// Where it is; `nil` for problems with no place (e.g. an unreadable directory).
    public var range: SourceRange?
    /// Longer advice on how to fix it.
    public var hint: String?
    /// Related places.
    public var notes: [DiagnosticNote]
    /// What it is about, as data.
    public var facts: DiagnosticFacts

    /// Creates a diagnostic.
    public init(
        _ id: DiagnosticID, _ severity: Severity, _ message: String, at range: SourceRange?,
        hint: String? = nil, notes: [DiagnosticNote] = [], facts: DiagnosticFacts = DiagnosticFacts()
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.range = range
        self.hint = hint
        self.notes = notes
        self.facts = facts
    }

    /// Creates an error.
    package static func error(
        _ id: DiagnosticID, _ message: String, at range: SourceRange?, hint: String? = nil,
        notes: [DiagnosticNote] = [], facts: DiagnosticFacts = DiagnosticFacts()
    ) -> Diagnostic {
        Diagnostic(id, .error, message, at: range, hint: hint, notes: notes, facts: facts)
    }

    /// Creates a warning.
    package static func warning(
        _ id: DiagnosticID, _ message: String, at range: SourceRange?, hint: String? = nil,
        notes: [DiagnosticNote] = [], facts: DiagnosticFacts = DiagnosticFacts()
    ) -> Diagnostic {
        Diagnostic(id, .warning, message, at: range, hint: hint, notes: notes, facts: facts)
    }

    /// The start of the range, if any.
    public var location: SourceLocation? { range?.start }

    /// `file:line:col: severity: message`, without the source excerpt.
    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        return "\(place)\(severity.rawValue): \(message)"
    }
}

/// Collects diagnostics while a stage runs, so that all problems of a file are reported at once.
package struct DiagnosticBag: Sendable {
    /// Everything collected so far, in the order reported.
    package private(set) var all: [Diagnostic] = []

    /// Creates an empty bag.
    package init() {}

    /// Adds one diagnostic.
    package mutating func report(_ diagnostic: Diagnostic) { all.append(diagnostic) }

    /// Adds several diagnostics.
    package mutating func report(contentsOf diagnostics: some Sequence<Diagnostic>) {
        all.append(contentsOf: diagnostics)
    }

    /// Whether any error has been reported.
    package var hasErrors: Bool { all.contains { $0.severity == .error } }
}

extension Sequence where Element == Diagnostic {
    /// Whether any of these is an error.
    public var containsErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file, line and column; diagnostics without a place come first, in their order.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            switch (a.element.location, b.element.location) {
            case (nil, nil): return a.offset < b.offset
            case (nil, _): return true
            case (_, nil): return false
            case (let l?, let r?): return l == r ? a.offset < b.offset : l < r
            }
        }.map(\.element)
    }
}
