/// What an inner node of a decision diagram tests.
package enum DiagramVariable: Sendable, Hashable {
    /// An enum input: one branch per enum value.
    case enumSlot(Int, count: Int)
    /// A boolean input: branches false, true.
    case boolSlot(Int)
    /// A number, date or datetime input against the constants the policy compares it with.
    ///
    /// With thresholds t0 < t1 < ... the branches are: below t0, equal to t0, between t0 and t1,
    /// equal to t1, ..., above the last (2k + 1 branches).
    case intervalSlot(Int, thresholds: [Double])
    /// Any other test, evaluated as an expression: branches false, true.
    case atom(CheckedExpr)

    /// How many branches a node on this variable has.
    package var domainSize: Int {
        switch self {
        case .enumSlot(_, let count): count
        case .boolSlot, .atom: 2
        case .intervalSlot(_, let thresholds): 2 * thresholds.count + 1
        }
    }

    /// The input slot tested directly, if any.
    package var slot: Int? {
        switch self {
        case .enumSlot(let s, _), .boolSlot(let s), .intervalSlot(let s, _): s
        case .atom: nil
        }
    }

    /// What a variable tests, as plain data the evaluator's hot path switches on.
    enum Kind: UInt8, Sendable {
        /// `enumSlot`: one branch per enum value.
        case enumeration
        /// `boolSlot`: false, true.
        case boolean
        /// `intervalSlot`: the regions between and at its thresholds.
        case interval
        /// `atom`: false, true, by the expression's truth.
        case atom
    }

    /// The kind of test.
    var kind: Kind {
        switch self {
        case .enumSlot: .enumeration
        case .boolSlot: .boolean
        case .intervalSlot: .interval
        case .atom: .atom
        }
    }

    /// The thresholds of an interval variable (empty for others).
    var thresholds: [Double] {
        if case .intervalSlot(_, let thresholds) = self { return thresholds }
        return []
    }

    /// The branch a known value takes.
    func branch(for value: Value) -> Int? {
        thresholds.withUnsafeBufferPointer { Self.branch(kind, of: value, thresholds: $0) }
    }

    /// The branch a value takes on a variable of `kind` (with `thresholds` for an interval): the
    /// one definition every walk of a diagram uses, from plain data so the evaluator's hot path
    /// can call it without copying the variable or the value. `nil` for an unknown value or one
    /// of another type, and always for an atom, whose branch is its truth.
    @inline(__always)
    static func branch(_ kind: Kind, of value: Value?, thresholds: UnsafeBufferPointer<Double>) -> Int? {
        switch kind {
        case .enumeration:
            if case .enumValue(let index)? = value { return index }
            return nil
        case .boolean:
            if case .bool(let b)? = value { return b ? 1 : 0 }
            return nil
        case .interval:
            guard let key = value.flatMap(ExpressionEvaluator.orderKey) else { return nil }
            return region(of: key, in: thresholds)
        case .atom:
            return nil
        }
    }

    /// The branch this variable takes for a case, or `nil` when unknown: an atom by its truth
    /// (three-valued), an input by its value.
    func branch(_ evaluator: ExpressionEvaluator) -> Int? {
        if case .atom(let expression) = self { return evaluator.truth(expression).map { $0 ? 1 : 0 } }
        return slot.flatMap { evaluator.facts.values[$0] }.flatMap(branch(for:))
    }

    /// A value in region `region` of an interval variable on an input of `type`: a threshold
    /// itself (odd regions), one unit beside it at the ends, or between two thresholds (their
    /// middle for a number, one unit above the lower for a date or datetime). What the analysis's
    /// counterexamples and `precert cases` put in a case; a key beyond the dates a case can hold
    /// is clamped, never trapped on.
    static func representative(region: Int, thresholds: [Double], type: ValueType) -> Value? {
        let key: Double
        if region % 2 == 1 {
            key = thresholds[region / 2]
        } else if region == 0 {
            key = thresholds[0] - 1
        } else if region / 2 == thresholds.count {
            key = thresholds[thresholds.count - 1] + 1
        } else {
            let low = thresholds[region / 2 - 1]
            let high = thresholds[region / 2]
            key = type == .number ? (low + high) / 2 : low + 1
        }
        switch type {
        case .number: return .number(key)
        case .date: return .date(CivilDate(dayNumber: Int32(clamping: Int64(key.clamped(to: -9.0e15...9.0e15)))))
        case .datetime: return .datetime(Timestamp(epochSeconds: Int64(key.clamped(to: -9.0e15...9.0e15))))
        default: return nil
        }
    }

    /// The interval branch of `key`: 2i for values strictly between thresholds i-1 and i, 2i+1 for
    /// a value equal to threshold i.
    static func region(of key: Double, in thresholds: [Double]) -> Int {
        thresholds.withUnsafeBufferPointer { region(of: key, in: $0) }
    }

    /// `region(of:in:)` over a buffer, for the evaluation hot path.
    static func region(of key: Double, in thresholds: UnsafeBufferPointer<Double>) -> Int {
        var low = 0
        var high = thresholds.count
        while low < high {
            let mid = (low + high) / 2
            if thresholds[mid] < key { low = mid + 1 } else { high = mid }
        }
        if low < thresholds.count, thresholds[low] == key { return 2 * low + 1 }
        return 2 * low
    }
}

extension Double {
    /// The value within `range`.
    fileprivate func clamped(to range: ClosedRange<Double>) -> Double { Swift.min(Swift.max(self, range.lowerBound), range.upperBound) }
}
