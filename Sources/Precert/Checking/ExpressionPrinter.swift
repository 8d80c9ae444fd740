/// Prints checked expressions and values back in the policy language, for explanations and findings.
package struct ExpressionPrinter: Sendable {
    /// The policy that gives slots and indexes their names.
    package let policy: CheckedPolicy

    /// Creates a printer.
    package init(policy: CheckedPolicy) { self.policy = policy }

    /// A value as a policy would write it, given its type where enums need names.
    package func value(_ value: Value, type: ValueType?) -> String {
        switch value {
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return Self.number(n)
        case .string(let s): return "\"\(s)\""
        case .date(let d): return d.description
        case .datetime(let t): return t.rfc3339
        case .duration(let d): return d.description
        case .enumValue(let i):
            if case .enumeration(let names)? = type, names.indices.contains(i) { return names[i] }
            if case .set(.enumeration(let names))? = type, names.indices.contains(i) { return names[i] }
            return "#\(i)"
        case .list(let items):
            return "[" + items.map { self.value($0, type: type?.elementType ?? type) }.joined(separator: ", ") + "]"
        }
    }

    /// A number without a needless `.0`.
    static func number(_ n: Double) -> String {
        if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        return String(n)
    }

    /// The type an expression has, where the printer needs it to name enum values.
    func type(of expression: CheckedExpr) -> ValueType? {
        switch expression {
        case .input(let slot): return policy.inputs[slot].type
        case .decision(let d):
            let decision = policy.decisions[d]
            return decision.hit == .all ? .set(.enumeration(decision.outcomes)) : .enumeration(decision.outcomes)
        default: return nil
        }
    }

    /// An expression as text.
    package func expression(_ e: CheckedExpr, element: String = "it") -> String {
        func wrap(_ inner: CheckedExpr) -> String {
            switch inner {
            case .and, .or: return "(\(expression(inner)))"
            default: return expression(inner)
            }
        }
        switch e {
        case .constant(let v): return value(v, type: nil)
        case .input(let slot): return policy.inputs[slot].path
        case .element: return element
        case .condition(let i): return policy.conditions[i].name
        case .decision(let d): return policy.decisions[d].name
        case .not(.inValues(let a, let values)):
            return "\(expression(a)) not in [\(values.map { value($0, type: type(of: a)) }.joined(separator: ", "))]"
        case .not(.inCodeSet(let a, let set)): return "\(expression(a)) not in \(policy.codeSets[set].name)"
        case .not(.contains(let c, let item)): return "\(expression(item)) not in \(expression(c))"
        case .not(let a): return "not \(wrap(a))"
        case .and(let a, let b): return "\(wrap(a)) and \(wrap(b))"
        case .or(let a, let b): return "\(expression(a)) or \(expression(b))"
        case .compare(let op, let a, let b):
            let t = type(of: a) ?? type(of: b)
            let left: String = if case .constant(let v) = a { value(v, type: t) } else { expression(a) }
            let right: String = if case .constant(let v) = b { value(v, type: t) } else { expression(b) }
            return "\(left) \(op.rawValue) \(right)"
        case .inValues(let a, let values):
            return "\(expression(a)) in [\(values.map { value($0, type: type(of: a)) }.joined(separator: ", "))]"
        case .inCodeSet(let a, let set): return "\(expression(a)) in \(policy.codeSets[set].name)"
        case .contains(let c, let item):
            let itemText: String = if case .constant(let v) = item, let t = type(of: c)?.elementType { value(v, type: t) } else { expression(item) }
            return "\(itemText) in \(expression(c))"
        case .any(let c, let p): return "any(\(expression(c)), \(expression(p)))"
        case .all(let c, let p): return "all(\(expression(c)), \(expression(p)))"
        case .length(let a): return "len(\(expression(a)))"
        case .shift(let a, let d, let sign): return "\(expression(a)) \(sign > 0 ? "+" : "-") \(d)"
        case .has(let slot): return "has(\(policy.inputs[slot].path))"
        }
    }
}
