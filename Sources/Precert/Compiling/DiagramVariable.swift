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

    /// The branch a known value takes.
    func branch(for value: Value) -> Int? {
        switch (self, value) {
        case (.enumSlot, .enumValue(let index)): return index
        case (.boolSlot, .bool(let b)): return b ? 1 : 0
        case (.intervalSlot(_, let thresholds), _):
            guard let key = ExpressionEvaluator.orderKey(value) else { return nil }
            return Self.region(of: key, in: thresholds)
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
