/// A diagram atom in a specialized form for the shapes policies use most, so the hot path tests
/// it with a few loads and compares instead of walking an expression tree.
///
/// Every form answers exactly as `ExpressionEvaluator` does on the same expression (three-valued:
/// `nil` is unknown); the property tests compare the two.
enum FastAtom: Sendable {
    /// `has(input)`.
    case has(slot: Int)
    /// `len(input) op constant`, for text, lists and sets.
    case lengthOfInput(slot: Int, op: BinaryOperator, constant: Double)
    /// `len(decision) op constant`, for a decision with hit policy `all`.
    case lengthOfDecision(decision: Int, op: BinaryOperator, constant: Double)
    /// `any(input, it in set)` or `all(input, it in set)`, possibly with `not in`.
    case quantifiedCodeSet(slot: Int, set: Int, isAny: Bool, negated: Bool)
    /// `input in set` for a single code.
    case inCodeSet(slot: Int, set: Int)
    /// `constant in input` for a list or set of text (the constant by index in `FastAtoms.texts`).
    case containsText(slot: Int, text: Int)
    /// `input op input (± duration)`, for numbers, dates and datetimes.
    case compareInputs(op: BinaryOperator, left: Int, right: Int, shift: ClockDuration?, sign: Int)
    /// `input ± duration op constant` (the constant by index in `FastAtoms.constants`).
    case compareShifted(op: BinaryOperator, slot: Int, shift: ClockDuration, sign: Int, constant: Int)
    /// Anything else, through the general evaluator (by index in `FastAtoms.general`).
    case general(Int)

    /// The specialized form of an atom expression; payloads that need reference counting go into
    /// `table`, so the atom itself is plain data that costs nothing to copy.
    init(_ expression: CheckedExpr, table: inout FastAtoms) {
        switch expression {
        case .has(let slot):
            self = .has(slot: slot)
        case .compare(let op, .length(.input(let slot)), .constant(.number(let n))):
            self = .lengthOfInput(slot: slot, op: op, constant: n)
        case .compare(let op, .length(.decision(let d)), .constant(.number(let n))):
            self = .lengthOfDecision(decision: d, op: op, constant: n)
        case .any(.input(let slot), .inCodeSet(.element, let set)):
            self = .quantifiedCodeSet(slot: slot, set: set, isAny: true, negated: false)
        case .any(.input(let slot), .not(.inCodeSet(.element, let set))):
            self = .quantifiedCodeSet(slot: slot, set: set, isAny: true, negated: true)
        case .all(.input(let slot), .inCodeSet(.element, let set)):
            self = .quantifiedCodeSet(slot: slot, set: set, isAny: false, negated: false)
        case .all(.input(let slot), .not(.inCodeSet(.element, let set))):
            self = .quantifiedCodeSet(slot: slot, set: set, isAny: false, negated: true)
        case .inCodeSet(.input(let slot), let set):
            self = .inCodeSet(slot: slot, set: set)
        case .contains(.input(let slot), .constant(.string(let text))):
            table.texts.append(.string(text))
            self = .containsText(slot: slot, text: table.texts.count - 1)
        case .compare(let op, .input(let left), .input(let right)):
            self = .compareInputs(op: op, left: left, right: right, shift: nil, sign: 1)
        case .compare(let op, .input(let left), .shift(.input(let right), let duration, let sign)):
            self = .compareInputs(op: op, left: left, right: right, shift: duration, sign: sign)
        case .compare(let op, .shift(.input(let slot), let duration, let sign), .constant(let constant)):
            table.constants.append(constant)
            self = .compareShifted(op: op, slot: slot, shift: duration, sign: sign, constant: table.constants.count - 1)
        default:
            table.general.append(expression)
            self = .general(table.general.count - 1)
        }
    }

    /// The atom's truth for a case during a walk; `nil` when unknown. Each form reads the case as
    /// `ExpressionEvaluator.truth` does and decides with its primitives (`compare`, `shifted`,
    /// `contains`, `quantify`, `length(of:)`); the property tests compare the two on every atom.
    func truth(_ state: WalkState, _ evaluator: Evaluator) -> Bool? {
        let values = state.values
        let table = evaluator.fastAtomTable
        switch self {
        case .has(let slot):
            return state.present[slot]
        case .lengthOfInput(let slot, let op, let constant):
            switch values[slot] {
            case .string(let text)?: return Self.compareLength(of: text, op, constant)
            case .list(let items)?: return ExpressionEvaluator.compare(op, Double(items.count), constant)
            default: return nil
            }
        case .lengthOfDecision(let d, let op, let constant):
            guard let length = evaluator.decisionLength(d, state) else { return nil }
            return ExpressionEvaluator.compare(op, length, constant)
        case .quantifiedCodeSet(let slot, let set, let isAny, let negated):
            guard case .list(let items)? = values[slot] else { return nil }
            let codes = table.matchers[set]
            return ExpressionEvaluator.quantify(items, isAny: isAny) { item in
                guard case .string(let code) = item else { return nil }
                return codes.contains(code) != negated
            }
        case .inCodeSet(let slot, let set):
            guard case .string(let code)? = values[slot] else { return nil }
            return table.matchers[set].contains(code)
        case .containsText(let slot, let text):
            guard case .list(let items)? = values[slot] else { return nil }
            return ExpressionEvaluator.contains(items, table.texts[text])
        case .compareInputs(let op, let left, let right, let shift, let sign):
            guard let a = values[left], var b = values[right] else { return nil }
            if let shift {
                guard let moved = ExpressionEvaluator.shifted(b, shift, sign: sign) else { return nil }
                b = moved
            }
            return ExpressionEvaluator.compare(op, a, b)
        case .compareShifted(let op, let slot, let shift, let sign, let constant):
            guard let value = values[slot], let moved = ExpressionEvaluator.shifted(value, shift, sign: sign) else {
                return nil
            }
            return ExpressionEvaluator.compare(op, moved, table.constants[constant])
        case .general(let index):
            return ExpressionEvaluator(policy: evaluator.compiled.checked, facts: state.facts, decisions: evaluator.decisionValues(state))
                .truth(table.general[index])
        }
    }

    /// `len(text) op constant`, counting Unicode scalars only when the UTF-8 length leaves the
    /// answer open (a scalar is 1 to 4 bytes).
    static func compareLength(of text: String, _ op: BinaryOperator, _ constant: Double) -> Bool {
        let bytes = text.utf8.count
        let fewest = Double((bytes + 3) / 4)
        let most = Double(bytes)
        switch op {
        case .less where most < constant, .lessOrEqual where most <= constant: return true
        case .less where fewest >= constant, .lessOrEqual where fewest > constant: return false
        case .greater where fewest > constant, .greaterOrEqual where fewest >= constant: return true
        case .greater where most <= constant, .greaterOrEqual where most < constant: return false
        case .equal where constant < fewest || constant > most: return false
        case .notEqual where constant < fewest || constant > most: return true
        default: return ExpressionEvaluator.compare(op, Double(ExpressionEvaluator.scalarCount(text)), constant)
        }
    }
}

/// The reference-counted payloads of a policy's fast atoms, kept apart so atoms stay plain data.
struct FastAtoms: Sendable {
    /// The policy's code sets, by index, as shared matchers.
    var matchers: [CodeMatcher] = []
    /// Text constants of `containsText`.
    var texts: [Value] = []
    /// Constants of `compareShifted`.
    var constants: [Value] = []
    /// Expressions of `general` atoms.
    var general: [CheckedExpr] = []
}
