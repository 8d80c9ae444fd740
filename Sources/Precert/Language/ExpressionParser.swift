/// Parses the expression language of `when`, `conditions` and `applies_when`.
///
/// A hand-written recursive-descent parser with a depth limit; it builds syntax and never runs
/// anything. Grammar, loosest first:
///
///     or      = and ("or" and)*
///     and     = not ("and" not)*
///     not     = "not" not | compare
///     compare = sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") sum)?
///     sum     = primary (("+" | "-") primary)*
///     primary = literal | name | "[" list "]" | "(" or ")" | name "(" arguments ")"
package struct ExpressionParser {
    /// Bounds on one expression.
    package struct Limits: Sendable, Hashable {
        /// The longest expression text accepted, in characters.
        package var maxLength: Int
        /// The deepest nesting of parentheses, lists, calls and `not`.
        package var maxDepth: Int

        /// Creates limits.
        package init(maxLength: Int = 4096, maxDepth: Int = 32) {
            self.maxLength = maxLength
            self.maxDepth = maxDepth
        }
    }

    private enum TokenKind: Equatable {
        case word(String)
        case number(Double, text: String)
        case string(String)
        case date(String)
        case symbol(String)
        case end
    }

    private struct Token {
        var kind: TokenKind
        var start: Int
        var end: Int
    }

    private let scalars: [Unicode.Scalar]
    private let locate: (Int) -> SourceLocation
    private let limits: Limits
    private var tokens: [Token] = []
    private var index = 0
    private var depth = 0

    /// Parses `text`; `locate` maps a scalar offset in `text` to its place in the file.
    package static func parse(
        _ text: String, limits: Limits = Limits(), locate: @escaping (Int) -> SourceLocation
    ) -> Result<Expr, Diagnostic> {
        var parser = ExpressionParser(text: text, limits: limits, locate: locate)
        return parser.run()
    }

    private init(text: String, limits: Limits, locate: @escaping (Int) -> SourceLocation) {
        self.scalars = Array(text.unicodeScalars)
        self.locate = locate
        self.limits = limits
    }

    private func range(_ start: Int, _ end: Int) -> SourceRange {
        SourceRange(start: locate(start), end: locate(max(end, start)))
    }

    private func error(_ message: String, _ start: Int, _ end: Int, hint: String? = nil) -> Diagnostic {
        .error("expr.syntax", message, at: range(start, end), hint: hint)
    }

    private mutating func run() -> Result<Expr, Diagnostic> {
        if scalars.count > limits.maxLength {
            return .failure(
                .error(
                    "limit.expression-length",
                    "expression is \(scalars.count) characters, over the limit of \(limits.maxLength)",
                    at: range(0, 0), hint: "split it into named conditions"))
        }
        do {
            tokens = try tokenize()
            if tokens.first?.kind == .end {
                return .failure(error("empty expression", 0, 0))
            }
            let expression = try parseOr()
            let next = tokens[index]
            if next.kind != .end {
                throw error("unexpected \(describe(next)) after a complete expression", next.start, next.end,
                    hint: "join conditions with `and` or `or`")
            }
            return .success(expression)
        } catch let diagnostic as Diagnostic {
            return .failure(diagnostic)
        } catch {
            return .failure(self.error("cannot parse expression", 0, 0))
        }
    }

    // MARK: Tokens

    private static func isWordStart(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return ("a"..."z").contains(s) || ("A"..."Z").contains(s) || s == "_" }
        return s.properties.isAlphabetic
    }

    private static func isWordPart(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return ("a"..."z").contains(s) || ("A"..."Z").contains(s) || s == "_" || ("0"..."9").contains(s) }
        return s.properties.isAlphabetic
    }

    private static func isDigit(_ s: Unicode.Scalar) -> Bool { ("0"..."9").contains(s) }

    private func tokenize() throws -> [Token] {
        var result: [Token] = []
        var i = 0
        let n = scalars.count
        while i < n {
            let c = scalars[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
                continue
            }
            let start = i
            if Self.isWordStart(c) {
                // A dotted path is one word: `service.date`.
                while i < n, Self.isWordPart(scalars[i]) || (scalars[i] == "." && i + 1 < n && Self.isWordStart(scalars[i + 1])) {
                    i += 1
                }
                result.append(Token(kind: .word(String(String.UnicodeScalarView(scalars[start..<i]))), start: start, end: i))
            } else if Self.isDigit(c) {
                while i < n, Self.isDigit(scalars[i]) { i += 1 }
                // A date: 2026-05-20.
                if i - start == 4, i + 5 < n, scalars[i] == "-", Self.isDigit(scalars[i + 1]), Self.isDigit(scalars[i + 2]), scalars[i + 3] == "-",
                    Self.isDigit(scalars[i + 4]), Self.isDigit(scalars[i + 5])
                {
                    i += 6
                    let text = String(String.UnicodeScalarView(scalars[start..<i]))
                    result.append(Token(kind: .date(text), start: start, end: i))
                    continue
                }
                if i < n, scalars[i] == ".", i + 1 < n, Self.isDigit(scalars[i + 1]) {
                    i += 1
                    while i < n, Self.isDigit(scalars[i]) { i += 1 }
                }
                let text = String(String.UnicodeScalarView(scalars[start..<i]))
                guard let value = Double(text), value.isFinite else {
                    throw error("number `\(text)` is out of range", start, i)
                }
                result.append(Token(kind: .number(value, text: text), start: start, end: i))
            } else if c == "\"" || c == "'" {
                i += 1
                var text = String.UnicodeScalarView()
                var closed = false
                while i < n {
                    let s = scalars[i]
                    if s == c {
                        closed = true
                        i += 1
                        break
                    }
                    if s == "\\", i + 1 < n, scalars[i + 1] == c || scalars[i + 1] == "\\" {
                        text.append(scalars[i + 1])
                        i += 2
                        continue
                    }
                    text.append(s)
                    i += 1
                }
                if !closed {
                    throw error("unclosed string: add the closing `\(c)`", start, start + 1)
                }
                result.append(Token(kind: .string(String(text)), start: start, end: i))
            } else {
                let two = i + 1 < n ? String(String.UnicodeScalarView([c, scalars[i + 1]])) : ""
                if ["==", "!=", "<=", ">="].contains(two) {
                    i += 2
                    result.append(Token(kind: .symbol(two), start: start, end: i))
                } else if "<>()[],+-".unicodeScalars.contains(c) {
                    i += 1
                    result.append(Token(kind: .symbol(String(c)), start: start, end: i))
                } else if c == "=" {
                    throw error("`=` is not an operator", start, start + 1, hint: "write `==` to compare")
                } else if c == "&" || c == "|" || c == "!" {
                    let word = c == "&" ? "and" : c == "|" ? "or" : "not"
                    throw error("`\(c)` is not an operator", start, start + 1, hint: "write `\(word)`")
                } else {
                    throw error("unexpected character `\(c)`", start, start + 1)
                }
            }
        }
        result.append(Token(kind: .end, start: n, end: n))
        return result
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .word(let w): "`\(w)`"
        case .number(_, let text): "`\(text)`"
        case .string(let s): "\"\(s)\""
        case .date(let d): "`\(d)`"
        case .symbol(let s): "`\(s)`"
        case .end: "end of expression"
        }
    }

    // MARK: Grammar

    private var current: Token { tokens[index] }

    private func isWord(_ word: String, at offset: Int = 0) -> Bool {
        guard index + offset < tokens.count else { return false }
        return tokens[index + offset].kind == .word(word)
    }

    private func isSymbol(_ symbol: String) -> Bool { current.kind == .symbol(symbol) }

    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func enter(_ token: Token) throws {
        depth += 1
        if depth > limits.maxDepth {
            throw Diagnostic.error(
                "limit.expression-depth", "expression nests deeper than the limit of \(limits.maxDepth) levels",
                at: range(token.start, token.end), hint: "split it into named conditions")
        }
    }

    private func join(_ a: Expr, _ b: Expr, _ syntax: ExpressionSyntax) -> Expr {
        Expr(syntax, at: SourceRange(start: a.range.start, end: b.range.end))
    }

    private mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while isWord("or") {
            _ = advance()
            let right = try parseAnd()
            left = join(left, right, .binary(.or, left, right))
        }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while isWord("and") {
            _ = advance()
            let right = try parseNot()
            left = join(left, right, .binary(.and, left, right))
        }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        if isWord("not"), !isWord("in", at: 1) {
            let token = advance()
            try enter(token)
            defer { depth -= 1 }
            let operand = try parseNot()
            return Expr(.not(operand), at: SourceRange(start: locate(token.start), end: operand.range.end))
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> Expr {
        let left = try parseSum()
        var op: BinaryOperator?
        if case .symbol(let s) = current.kind, let found = BinaryOperator(rawValue: s),
            [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(found)
        {
            op = found
            _ = advance()
        } else if isWord("in") {
            op = .in
            _ = advance()
        } else if isWord("not"), isWord("in", at: 1) {
            op = .notIn
            _ = advance()
            _ = advance()
        }
        guard let op else { return left }
        let right = try parseSum()
        if case .symbol(let s) = current.kind, ["==", "!=", "<", "<=", ">", ">="].contains(s) {
            throw error("comparisons cannot be chained", current.start, current.end,
                hint: "write `a < b and b < c`")
        }
        return join(left, right, .binary(op, left, right))
    }

    private mutating func parseSum() throws -> Expr {
        var left = try parsePrimary()
        while isSymbol("+") || isSymbol("-") {
            let op: BinaryOperator = advance().kind == .symbol("+") ? .plus : .minus
            let right = try parsePrimary()
            left = join(left, right, .binary(op, left, right))
        }
        return left
    }

    private static let keywords: Set<String> = ["and", "or", "not", "in"]

    private mutating func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .number(let value, let text):
            _ = advance()
            if let duration = try parseDurationUnit(amount: value, amountText: text, start: token.start) {
                return duration
            }
            return Expr(.literal(.number(value)), at: range(token.start, token.end))
        case .string(let text):
            _ = advance()
            return Expr(.literal(.string(text)), at: range(token.start, token.end))
        case .date(let text):
            _ = advance()
            let date: CivilDate
            switch CivilDate.policyDate(text) {
            case .success(let written): date = written
            case .failure(let problem):
                throw error(problem.reason, token.start, token.end, hint: "write a real date YYYY-MM-DD, such as `2026-05-20`")
            }
            return Expr(.literal(.date(date)), at: range(token.start, token.end))
        case .symbol("("):
            _ = advance()
            try enter(token)
            defer { depth -= 1 }
            let inner = try parseOr()
            guard isSymbol(")") else {
                throw error("expected `)` to close the `(`", current.start, current.end,
                    hint: "the `(` is at column \(locate(token.start).column)")
            }
            let close = advance()
            return Expr(inner.syntax, at: range(token.start, close.end))
        case .symbol("["):
            _ = advance()
            try enter(token)
            defer { depth -= 1 }
            var items: [Expr] = []
            if !isSymbol("]") {
                items.append(try parseOr())
                while isSymbol(",") {
                    _ = advance()
                    items.append(try parseOr())
                }
            }
            guard isSymbol("]") else {
                throw error("expected `,` or `]` in a list", current.start, current.end)
            }
            let close = advance()
            return Expr(.list(items), at: range(token.start, close.end))
        case .word(let word) where word == "true" || word == "false":
            _ = advance()
            return Expr(.literal(.bool(word == "true")), at: range(token.start, token.end))
        case .word(let word) where !Self.keywords.contains(word):
            _ = advance()
            guard isSymbol("(") else {
                return Expr(.name(word), at: range(token.start, token.end))
            }
            _ = advance()
            try enter(token)
            defer { depth -= 1 }
            var arguments: [Expr] = []
            if !isSymbol(")") {
                arguments.append(try parseOr())
                while isSymbol(",") {
                    _ = advance()
                    arguments.append(try parseOr())
                }
            }
            guard isSymbol(")") else {
                throw error("expected `,` or `)` in the arguments of `\(word)`", current.start, current.end)
            }
            let close = advance()
            return Expr(.call(word, arguments), at: range(token.start, close.end))
        case .end:
            throw error("the expression ends where a value is expected", token.start, token.end)
        default:
            throw error("expected a value, found \(describe(token))", token.start, token.end)
        }
    }

    /// Reads the unit after a number, if one follows: `72 hours`, `3 business days`, `1 year`.
    private mutating func parseDurationUnit(amount: Double, amountText: String, start: Int) throws -> Expr? {
        guard case .word(let first) = current.kind else { return nil }
        var words = [first]
        var end = current.end
        var consumed = 1
        if first == "business" || first == "calendar", index + 1 < tokens.count,
            case .word(let second) = tokens[index + 1].kind
        {
            words.append(second)
            end = tokens[index + 1].end
            consumed = 2
        }
        let text = "\(amountText) \(words.joined(separator: " "))"
        guard let duration = ClockDuration(text: text) else {
            if ClockDuration.unitWords.contains(first) {
                let problem = ClockDuration.clockProblem(text)
                throw error("`\(text)` is not a duration", start, end,
                    hint: problem?.suggestion.map { "did you mean `\($0)`?" }
                        ?? "durations are whole numbers of hours, calendar days, business days, months or years")
            }
            // A misspelled unit (`5 dyas`, `3 bussiness days`) would otherwise read as a number
            // followed by an unexpected word.
            if first.count >= 4, !["and", "not", "true", "false"].contains(first),
                let problem = ClockDuration.clockProblem(text), let fixed = problem.suggestion
            {
                throw error("`\(text)` is not a duration", start, end, hint: "did you mean `\(fixed)`?")
            }
            return nil
        }
        if ClockDuration.isTooLong(duration) {
            throw error("`\(text)` is longer than ten years", start, end,
                hint: "no policy date moves that far: at most `3653 calendar days`, `120 months` or `10 years`")
        }
        for _ in 0..<consumed { _ = advance() }
        return Expr(.literal(.duration(duration)), at: range(start, end))
    }
}
