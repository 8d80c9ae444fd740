/// A condition in plain words, for people who do not read the policy language (a medical
/// director, a lawyer): `provider.network == out_of_network and "pcp_referral" not in documents`
/// reads "provider.network is out_of_network and documents does not include "pcp_referral"".
///
/// Conditions made of several parts keep their shape, so that a reader can set them out as lists
/// ("all of these hold", "at least one of these holds") instead of counting parentheses.
package indirect enum Phrase: Sendable, Hashable {
    /// One statement, read in order.
    case words([WordPart])
    /// Every part holds.
    case all([Phrase])
    /// At least one part holds.
    case any([Phrase])
    /// The part does not hold.
    case not(Phrase)

    /// Whether the phrase is one statement rather than a group of them.
    package var isStatement: Bool {
        if case .words = self { return true }
        return false
    }
}

/// A piece of a statement: plain words, or a name a reader may want to look up.
package enum WordPart: Sendable, Hashable {
    /// Plain words.
    case text(String)
    /// A case field, by its path (`provider.network`).
    case input(String)
    /// A value as a policy writes it (`out_of_network`, `"pcp_referral"`, `2026-01-01`, `72 hours`).
    case value(String)
    /// A named condition of the policy.
    case condition(String)
    /// A named code set of the policy.
    case codeSet(String)
    /// Another decision of the policy, whose answer is read.
    case decision(String)

    /// The text as it reads.
    package var text: String {
        switch self {
        case .text(let s), .input(let s), .value(let s), .condition(let s), .codeSet(let s), .decision(let s): s
        }
    }
}

extension ExpressionPrinter {
    /// A checked expression in plain words.
    package func phrase(_ expression: CheckedExpr) -> Phrase {
        phrase(expression, element: [.text("it")])
    }

    /// A checked expression in plain words, on one line: a group inside another is put in
    /// parentheses.
    package func words(_ expression: CheckedExpr) -> String {
        Self.flatten(phrase(expression)).map(\.text).joined()
    }

    /// A phrase as one statement: groups inside groups in parentheses.
    package static func flatten(_ phrase: Phrase) -> [WordPart] {
        func inner(_ phrase: Phrase) -> [WordPart] {
            phrase.isStatement ? flatten(phrase) : [.text("(")] + flatten(phrase) + [.text(")")]
        }
        switch phrase {
        case .words(let parts): return parts
        case .all(let parts): return joined(parts.map(inner), with: " and ")
        case .any(let parts): return joined(parts.map(inner), with: " or ")
        case .not(let part): return [.text("not ")] + inner(part)
        }
    }

    private static func joined(_ pieces: [[WordPart]], with separator: String) -> [WordPart] {
        var out: [WordPart] = []
        for (index, piece) in pieces.enumerated() {
            if index > 0 { out.append(.text(separator)) }
            out += piece
        }
        return out
    }

    /// `expression` in words, with `element` standing for the current item inside `any`/`all`.
    private func phrase(_ expression: CheckedExpr, element: [WordPart]) -> Phrase {
        switch expression {
        case .and:
            return .all(conjuncts(expression).map { phrase($0, element: element) })
        case .or:
            return .any(disjuncts(expression).map { phrase($0, element: element) })
        case .not(let inner):
            return negated(inner, element: element)
        case .constant(.bool(let value)):
            return .words([.text(value ? "always" : "never")])
        case .condition(let index):
            return .words([.condition(policy.conditions[index].name)])
        case .input(let slot) where policy.inputs[slot].type == .bool:
            return .words([.input(policy.inputs[slot].path), .text(" is "), .value("true")])
        case .compare(let op, let a, let b):
            return .words(compare(op, a, b, element: element))
        case .inValues(let a, let values):
            return .words(noun(a, element: element) + oneOf(values, type: type(of: a), negated: false))
        case .inCodeSet(let a, let set):
            return .words(noun(a, element: element) + [.text(" is in the code set "), .codeSet(policy.codeSets[set].name)])
        case .contains(let collection, let item):
            return .words(noun(collection, element: element) + [.text(" includes ")] + member(item, of: collection, element: element))
        case .any(let collection, let predicate):
            return quantified(collection, predicate, every: false, element: element)
        case .all(let collection, let predicate):
            return quantified(collection, predicate, every: true, element: element)
        case .has(let slot):
            return .words([.input(policy.inputs[slot].path), .text(" is given")])
        default:
            // Not a condition by itself (a value, a length, a date moved by a duration).
            return .words(noun(expression, element: element))
        }
    }

    /// `not inner` in words, said the natural way round where there is one.
    private func negated(_ inner: CheckedExpr, element: [WordPart]) -> Phrase {
        switch inner {
        case .not(let twice):
            return phrase(twice, element: element)
        case .has(let slot):
            return .words([.input(policy.inputs[slot].path), .text(" is not given")])
        case .condition(let index):
            return .words([.text("not "), .condition(policy.conditions[index].name)])
        case .input(let slot) where policy.inputs[slot].type == .bool:
            return .words([.input(policy.inputs[slot].path), .text(" is "), .value("false")])
        case .compare(let op, let a, let b):
            let opposite: BinaryOperator? =
                switch op {
                case .equal: .notEqual
                case .notEqual: .equal
                case .less: .greaterOrEqual
                case .lessOrEqual: .greater
                case .greater: .lessOrEqual
                case .greaterOrEqual: .less
                default: nil
                }
            if let opposite { return .words(compare(opposite, a, b, element: element)) }
            return .not(phrase(inner, element: element))
        case .inValues(let a, let values):
            return .words(noun(a, element: element) + oneOf(values, type: type(of: a), negated: true))
        case .inCodeSet(let a, let set):
            return .words(noun(a, element: element) + [.text(" is not in the code set "), .codeSet(policy.codeSets[set].name)])
        case .contains(let collection, let item):
            return .words(
                noun(collection, element: element) + [.text(" does not include ")] + member(item, of: collection, element: element))
        default:
            return .not(phrase(inner, element: element))
        }
    }

    /// `a op b` in words: `service.date is on or before referral.valid_until`.
    private func compare(_ op: BinaryOperator, _ a: CheckedExpr, _ b: CheckedExpr, element: [WordPart]) -> [WordPart] {
        let valueType = type(of: a) ?? type(of: b)
        // `len(x) == 0` and `len(x) > 0` read best as emptiness.
        if case .length(let inner) = a, case .constant(.number(0)) = b {
            switch op {
            case .equal, .lessOrEqual: return noun(inner, element: element) + [.text(" is empty")]
            case .notEqual, .greater: return noun(inner, element: element) + [.text(" is not empty")]
            default: break
            }
        }
        let isTime: Bool
        switch (timeType(a), timeType(b)) {
        case (true, _), (_, true): isTime = true
        default: isTime = false
        }
        let verb: String =
            switch op {
            case .equal: "is"
            case .notEqual: "is not"
            case .less: isTime ? "is before" : "is less than"
            case .lessOrEqual: isTime ? "is on or before" : "is at most"
            case .greater: isTime ? "is after" : "is more than"
            case .greaterOrEqual: isTime ? "is on or after" : "is at least"
            default: op.rawValue
            }
        return operand(a, type: valueType, element: element) + [.text(" \(verb) ")] + operand(b, type: valueType, element: element)
    }

    /// Whether an operand is a date or an instant, so that `<` reads "before".
    private func timeType(_ expression: CheckedExpr) -> Bool {
        switch expression {
        case .constant(.date), .constant(.datetime): return true
        case .shift: return true
        case .input(let slot):
            switch policy.inputs[slot].type {
            case .date, .datetime: return true
            default: return false
            }
        default: return false
        }
    }

    /// An operand of a comparison: a constant is written in the other side's type (enum words).
    private func operand(_ expression: CheckedExpr, type valueType: ValueType?, element: [WordPart]) -> [WordPart] {
        if case .constant(let constant) = expression { return [.value(value(constant, type: valueType))] }
        return noun(expression, element: element)
    }

    /// The item of `item in collection`, a constant in the collection's element type.
    private func member(_ item: CheckedExpr, of collection: CheckedExpr, element: [WordPart]) -> [WordPart] {
        if case .constant(let constant) = item, let elementType = type(of: collection)?.elementType {
            return [.value(value(constant, type: elementType))]
        }
        return operand(item, type: nil, element: element)
    }

    /// ` is X`, ` is X or Y`, ` is one of X, Y or Z` (or their negations).
    private func oneOf(_ values: [Value], type valueType: ValueType?, negated: Bool) -> [WordPart] {
        let shown = values.map { WordPart.value(value($0, type: valueType)) }
        var parts: [WordPart] = []
        switch shown.count {
        case 0: return [.text(negated ? " is anything" : " is nothing (never)")]
        case 1: return [.text(negated ? " is not " : " is "), shown[0]]
        case 2: parts = [.text(negated ? " is neither " : " is "), shown[0], .text(negated ? " nor " : " or "), shown[1]]
        default:
            parts = [.text(negated ? " is none of " : " is one of ")]
            for (index, word) in shown.enumerated() {
                if index > 0 { parts.append(.text(index == shown.count - 1 ? (negated ? " nor " : " or ") : ", ")) }
                parts.append(word)
            }
        }
        return parts
    }

    /// `any(list, predicate)` / `all(list, predicate)` in words: "at least one of service.cpt is
    /// not in the code set covered_psychotherapy" when the item is the predicate's subject.
    private func quantified(_ collection: CheckedExpr, _ predicate: CheckedExpr, every: Bool, element: [WordPart]) -> Phrase {
        let list = noun(collection, element: element)
        let inner = phrase(predicate, element: [.text("it")])
        if Self.elementCount(predicate) == 1, case .words(let parts) = inner, parts.first == .text("it") {
            let subject: [WordPart] = [.text(every ? "every one of " : "at least one of ")] + list
            return .words(subject + parts.dropFirst())
        }
        let lead: [WordPart] = [.text(every ? "every item of " : "at least one item of ")] + list + [.text(" is such that ")]
        return .words(lead + Self.flatten(inner))
    }

    /// How many times the current item appears in `expression` (not counting nested `any`/`all`).
    private static func elementCount(_ expression: CheckedExpr) -> Int {
        switch expression {
        case .element: 1
        case .constant, .input, .condition, .decision, .has, .any, .all: 0
        case .not(let a), .length(let a), .shift(let a, _, _), .inValues(let a, _), .inCodeSet(let a, _): elementCount(a)
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b): elementCount(a) + elementCount(b)
        case .contains(let a, let b): elementCount(a) + elementCount(b)
        }
    }

    /// A value-producing expression as a noun: a field, the length of something, a date moved.
    private func noun(_ expression: CheckedExpr, element: [WordPart]) -> [WordPart] {
        switch expression {
        case .constant(let constant): return [.value(value(constant, type: nil))]
        case .input(let slot): return [.input(policy.inputs[slot].path)]
        case .element: return element
        case .decision(let index): return [.decision(policy.decisions[index].name)]
        case .condition(let index): return [.condition(policy.conditions[index].name)]
        case .length(let inner):
            let counted: String =
                switch type(of: inner) ?? inputType(inner) {
                case .string?, .code?: "the number of characters in "
                default: "the number of items in "
                }
            return [.text(counted)] + noun(inner, element: element)
        case .shift(let inner, let duration, let sign):
            return [.value(duration.description), .text(sign > 0 ? " after " : " before ")] + noun(inner, element: element)
        default:
            return Self.flatten(phrase(expression, element: element))
        }
    }

    /// The declared type of an input, for a length.
    private func inputType(_ expression: CheckedExpr) -> ValueType? {
        if case .input(let slot) = expression { return policy.inputs[slot].type }
        return nil
    }

    /// `a and b and c` as its parts.
    private func conjuncts(_ expression: CheckedExpr) -> [CheckedExpr] {
        if case .and(let a, let b) = expression { return conjuncts(a) + conjuncts(b) }
        return [expression]
    }

    /// `a or b or c` as its parts.
    private func disjuncts(_ expression: CheckedExpr) -> [CheckedExpr] {
        if case .or(let a, let b) = expression { return disjuncts(a) + disjuncts(b) }
        return [expression]
    }
}
