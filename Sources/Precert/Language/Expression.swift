/// A binary operator of the expression language.
package enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case `in` = "in"
    case notIn = "not in"
    case and = "and"
    case or = "or"
    case plus = "+"
    case minus = "-"
}

/// A literal written in an expression.
package enum Literal: Sendable, Hashable {
    /// `true` or `false`.
    case bool(Bool)
    /// A number such as `50` or `2.5`.
    case number(Double)
    /// Quoted text.
    case string(String)
    /// A date such as `2026-05-20`.
    case date(CivilDate)
    /// A duration such as `72 hours` or `1 year`.
    case duration(ClockDuration)
}

/// An expression as written, before names are resolved.
///
/// Parsed by a hand-written parser; nothing in a policy is ever run as code.
package indirect enum ExpressionSyntax: Sendable, Hashable {
    /// A literal.
    case literal(Literal)
    /// A bare word or dotted path: an input, condition, set, decision, enum value, or `it`.
    case name(String)
    /// `[a, b, c]`.
    case list([Expr])
    /// `not x`.
    case not(Expr)
    /// `a op b`.
    case binary(BinaryOperator, Expr, Expr)
    /// `f(a, b)`: `any`, `all`, `len`, `has`.
    case call(String, [Expr])
}

/// An expression with where it was written; the place takes no part in equality.
package struct Expr: Sendable, Hashable {
    /// What the expression says.
    package var syntax: ExpressionSyntax
    /// Where it was written.
    package var range: SourceRange

    /// Creates an expression.
    package init(_ syntax: ExpressionSyntax, at range: SourceRange) {
        self.syntax = syntax
        self.range = range
    }

    /// Compares syntax only.
    package static func == (lhs: Expr, rhs: Expr) -> Bool { lhs.syntax == rhs.syntax }

    /// Hashes syntax only.
    package func hash(into hasher: inout Hasher) { hasher.combine(syntax) }
}
