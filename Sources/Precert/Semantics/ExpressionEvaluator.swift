/// The facts of one case as the evaluator sees them: a value per input slot, or unknown.
package struct CaseFacts: Sendable, Hashable {
    /// The value of each slot after defaults; `nil` is unknown.
    package var values: [Value?]
    /// Whether the case itself gave each slot (what `has()` answers).
    package var present: [Bool]

    /// Creates facts for `slotCount` slots, all unknown.
    package init(slotCount: Int) {
        values = Array(repeating: nil, count: slotCount)
        present = Array(repeating: false, count: slotCount)
    }

    /// Creates facts from values (present where non-nil).
    package init(values: [Value?]) {
        self.values = values
        self.present = values.map { $0 != nil }
    }
}

/// The value a decision gives other expressions that read it.
enum DecisionValue: Sendable, Hashable {
    /// Decided: an enum value, or a list of them for hit policy `all`.
    case value(Value)
    /// Not applicable, or no rule matched: comparisons with it are false.
    case none
    /// Needs information: expressions that read it are unknown.
    case unknown

    /// What an expression reading the decision sees: its outcome, or `nil` (unknown) when it has
    /// none (comparisons with `none` are settled before, in `ExpressionEvaluator.truth`).
    var read: Value? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// Evaluates checked expressions over a case with three-valued logic.
///
/// Unknown inputs make a result unknown unless the other operand settles it: `false and unknown`
/// is false, `true or unknown` is true (Kleene's logic).
struct ExpressionEvaluator {
    let policy: CheckedPolicy
    let facts: CaseFacts
    /// Results of decisions already evaluated, by decision index.
    var decisions: [DecisionValue?]

    /// Truth of a boolean expression; `nil` when unknown.
    func truth(_ expression: CheckedExpr, element: Value? = nil) -> Bool? {
        switch expression {
        case .constant(.bool(let b)): return b
        case .not(let inner): return truth(inner, element: element).map { !$0 }
        case .and(let a, let b):
            let left = truth(a, element: element)
            if left == false { return false }
            let right = truth(b, element: element)
            if right == false { return false }
            return left == true && right == true ? true : nil
        case .or(let a, let b):
            let left = truth(a, element: element)
            if left == true { return true }
            let right = truth(b, element: element)
            if right == true { return true }
            return left == false && right == false ? false : nil
        case .condition(let index):
            return truth(policy.conditions[index].expression, element: element)
        case .has(let slot):
            return facts.present[slot]
        case .compare(let op, let a, let b):
            if case .decision(let d) = a, let settled = decisionNone(d) { return settled ? (op == .notEqual) : nil }
            if case .decision(let d) = b, let settled = decisionNone(d) { return settled ? (op == .notEqual) : nil }
            guard let left = value(a, element: element), let right = value(b, element: element) else { return nil }
            return Self.compare(op, left, right)
        case .inValues(let a, let values):
            if case .decision(let d) = a, let settled = decisionNone(d) { return settled ? false : nil }
            guard let left = value(a, element: element) else { return nil }
            return values.contains { Self.compare(.equal, left, $0) }
        case .inCodeSet(let a, let set):
            guard case .string(let code)? = value(a, element: element) else { return nil }
            return policy.codeSets[set].contains(code)
        case .contains(let collection, let item):
            if case .decision(let d) = collection, let settled = decisionNone(d) { return settled ? false : nil }
            guard case .list(let items)? = value(collection, element: element),
                let needle = value(item, element: element)
            else { return nil }
            return Self.contains(items, needle)
        case .any(let collection, let predicate), .all(let collection, let predicate):
            guard case .list(let items)? = value(collection, element: element) else { return nil }
            let isAny: Bool
            if case .any = expression { isAny = true } else { isAny = false }
            return Self.quantify(items, isAny: isAny) { truth(predicate, element: $0) }
        default:
            if case .bool(let b)? = value(expression, element: element) { return b }
            return nil
        }
    }

    /// `true` when decision `d` has no value (comparisons are settled), `false` never, `nil` when it
    /// has a value or is unknown and the caller must look further.
    private func decisionNone(_ d: Int) -> Bool? {
        if case .none? = decisions[d] { return true }
        return nil
    }

    /// The value of an expression; `nil` when unknown.
    func value(_ expression: CheckedExpr, element: Value? = nil) -> Value? {
        switch expression {
        case .constant(let v): return v
        case .input(let slot): return facts.values[slot]
        case .element: return element
        case .decision(let d):
            return decisions[d]?.read
        case .length(let inner):
            return value(inner, element: element).flatMap(Self.length(of:)).map(Value.number)
        case .shift(let inner, let duration, let sign):
            return value(inner, element: element).flatMap { Self.shifted($0, duration, sign: sign) }
        default:
            return truth(expression, element: element).map(Value.bool)
        }
    }

    /// `len(value)`: the characters of text, the elements of a list or set; `nil` for anything else.
    static func length(of value: Value) -> Double? {
        switch value {
        case .string(let s): Double(scalarCount(s))
        case .list(let items): Double(items.count)
        default: nil
        }
    }

    /// Whether a list or set holds `needle`.
    @inline(__always)
    static func contains(_ items: [Value], _ needle: Value) -> Bool {
        if case .string(let text) = needle {
            // Text equals only text: compare the strings without building values.
            return items.contains { item in
                if case .string(let other) = item { return other == text }
                return false
            }
        }
        return items.contains { compare(.equal, $0, needle) }
    }

    /// `any` (or, with `isAny` false, `all`) over `items` with three-valued `holds`: `any` is true
    /// when some element holds, false when none does and none is unknown, and otherwise unknown;
    /// `all` is the mirror image.
    @inline(__always)
    static func quantify(_ items: [Value], isAny: Bool, _ holds: (Value) -> Bool?) -> Bool? {
        var sawUnknown = false
        for item in items {
            switch holds(item) {
            case true? where isAny: return true
            case false? where !isAny: return false
            case nil: sawUnknown = true
            default: break
            }
        }
        return sawUnknown ? nil : !isAny
    }

    /// A date or datetime moved by a duration; `nil` for other values or units that do not apply.
    static func shifted(_ value: Value, _ duration: ClockDuration, sign: Int) -> Value? {
        let amount = duration.amount * sign
        switch value {
        case .date(let date):
            switch duration.unit {
            case .calendarDays: return .date(date.adding(days: amount))
            case .months: return .date(date.adding(months: amount))
            case .years: return .date(date.adding(years: amount))
            default: return nil
            }
        case .datetime(let instant):
            guard duration.unit == .hours else { return nil }
            return .datetime(instant.adding(seconds: Int64(amount) * 3600))
        default:
            return nil
        }
    }

    /// The number of Unicode scalars in `text`, counted from its UTF-8 bytes (every byte that is
    /// not a continuation byte starts a scalar), which is much faster than walking its scalars.
    static func scalarCount(_ text: String) -> Int {
        // Native strings are contiguous UTF-8; counting lead bytes there needs no copy.
        let counted = text.utf8.withContiguousStorageIfAvailable { bytes in
            var count = 0
            for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
            return count
        }
        return counted ?? text.unicodeScalars.count
    }

    /// Compares two values of comparable types.
    static func compare(_ op: BinaryOperator, _ a: Value, _ b: Value) -> Bool {
        if case .number(let x) = a, case .number(let y) = b { return compare(op, x, y) }
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        default: break
        }
        guard let order = ordering(a, b) else { return false }
        switch op {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        default: return false
        }
    }

    /// Compares two numbers, as `compare(_:_:_:)` compares two number values (the specialized
    /// atoms compare lengths with it without building values).
    @inline(__always)
    static func compare(_ op: BinaryOperator, _ x: Double, _ y: Double) -> Bool {
        switch op {
        case .equal: return x == y
        case .notEqual: return x != y
        default: break
        }
        let order = x < y ? -1 : x > y ? 1 : 0
        switch op {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        default: return false
        }
    }

    /// -1, 0 or 1, for ordered values of one type.
    static func ordering(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.date(let x), .date(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.datetime(let x), .datetime(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.duration(let x), .duration(let y)) where x.unit == y.unit:
            return x.amount < y.amount ? -1 : x.amount > y.amount ? 1 : 0
        default: return nil
        }
    }

    /// A number that orders values of a type the way `ordering` does (for interval variables).
    static func orderKey(_ value: Value) -> Double? {
        switch value {
        case .number(let x): return x
        case .date(let d): return Double(d.dayNumber)
        case .datetime(let t): return Double(t.epochSeconds)
        default: return nil
        }
    }
}

/// The slots a checked expression reads, to name what is missing.
func inputsRead(by expression: CheckedExpr, policy: CheckedPolicy, into slots: inout Set<Int>) {
    switch expression {
    case .constant, .element, .has, .decision: break
    case .input(let slot): slots.insert(slot)
    case .condition(let index): inputsRead(by: policy.conditions[index].expression, policy: policy, into: &slots)
    case .not(let a), .length(let a), .shift(let a, _, _), .inValues(let a, _), .inCodeSet(let a, _):
        inputsRead(by: a, policy: policy, into: &slots)
    case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .contains(let a, let b),
        .any(let a, let b), .all(let a, let b):
        inputsRead(by: a, policy: policy, into: &slots)
        inputsRead(by: b, policy: policy, into: &slots)
    }
}

/// The decisions a checked expression reads.
func decisionsRead(by expression: CheckedExpr, policy: CheckedPolicy, into decisions: inout Set<Int>) {
    switch expression {
    case .constant, .element, .has, .input: break
    case .decision(let d): decisions.insert(d)
    case .condition(let index): decisionsRead(by: policy.conditions[index].expression, policy: policy, into: &decisions)
    case .not(let a), .length(let a), .shift(let a, _, _), .inValues(let a, _), .inCodeSet(let a, _):
        decisionsRead(by: a, policy: policy, into: &decisions)
    case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .contains(let a, let b),
        .any(let a, let b), .all(let a, let b):
        decisionsRead(by: a, policy: policy, into: &decisions)
        decisionsRead(by: b, policy: policy, into: &decisions)
    }
}
