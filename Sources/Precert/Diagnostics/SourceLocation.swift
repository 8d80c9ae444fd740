/// A position in a source file: 1-based line and column, where the column counts Unicode scalars.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The file the position is in, as the user named it (or a label such as `<stdin>`).
    public var file: String
    /// The 1-based line.
    public var line: Int
    /// The 1-based column, in Unicode scalars from the start of the line.
    public var column: Int

    /// Creates a location.
    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`, the form editors and terminals turn into links.
    public var description: String { "\(file):\(line):\(column)" }

    /// `file:line`, the form decisions cite a rule with.
    package var fileAndLine: String { "\(file):\(line)" }

    /// Orders by file, then line, then column.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }

    /// This location moved `columns` scalars to the right on the same line.
    package func advanced(byColumns columns: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column + columns)
    }
}

/// A range in a source file, from `start` up to (not including) `end`.
public struct SourceRange: Hashable, Sendable {
    /// The first position.
    public var start: SourceLocation
    /// The position just past the last character.
    public var end: SourceLocation

    /// Creates a range.
    package init(start: SourceLocation, end: SourceLocation) {
        self.start = start
        self.end = end
    }

    /// A range that covers a single position.
    package init(_ location: SourceLocation) {
        self.start = location
        self.end = location
    }
}

/// Wraps a value with a location that takes no part in equality or hashing.
///
/// AST nodes carry where they were written so that diagnostics and decisions can point at them,
/// but two policies that say the same thing in different places are equal.
package struct Located<Value>: CustomStringConvertible {
    /// The value.
    package var value: Value
    /// Where it was written.
    package var range: SourceRange

    /// Creates a located value.
    package init(_ value: Value, at range: SourceRange) {
        self.value = value
        self.range = range
    }

    /// The start of the range.
    package var location: SourceLocation { range.start }

    /// The value's own description.
    public var description: String { "\(value)" }
}

extension Located: Sendable where Value: Sendable {}

extension Located: Equatable where Value: Equatable {
    /// Compares values only.
    package static func == (lhs: Located, rhs: Located) -> Bool { lhs.value == rhs.value }
}

extension Located: Hashable where Value: Hashable {
    /// Hashes the value only.
    package func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
