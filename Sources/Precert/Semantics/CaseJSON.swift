/// Writes case facts back in the shape of the case JSON, for counterexamples and test output.
enum CaseJSON {
    /// Compact JSON holding the known facts at their dotted paths, in slot order; with
    /// `onlyPresent`, only the facts the case itself gave (not defaults).
    static func sketch(_ facts: CaseFacts, policy: CheckedPolicy, onlyPresent: Bool = false) -> String {
        let entries = policy.inputs.enumerated().compactMap { slot, input -> (Input, Value)? in
            guard let value = facts.values[slot], !onlyPresent || facts.present[slot] else { return nil }
            return (input, value)
        }
        return sketch(entries, printer: ExpressionPrinter(policy: policy))
    }

    /// Compact JSON holding each value at its input's dotted path, in the order given; enum values
    /// are written by name (an enum value may also be given as its name, as a string).
    static func sketch(_ entries: [(input: Input, value: Value)], printer: ExpressionPrinter) -> String {
        final class Object {
            var keys: [String] = []
            var values: [String: Any] = [:]
        }
        let root = Object()
        for (input, value) in entries {
            var object = root
            for component in input.components.dropLast() {
                if let next = object.values[component] as? Object {
                    object = next
                } else {
                    let next = Object()
                    object.keys.append(component)
                    object.values[component] = next
                    object = next
                }
            }
            let last = input.components.last!
            object.keys.append(last)
            object.values[last] = json(value, type: input.type, printer: printer)
        }
        func render(_ object: Object) -> String {
            "{" + object.keys.map { key in
                let value = object.values[key]!
                let text = (value as? Object).map(render) ?? (value as! String)
                return "\(quote(key)): \(text)"
            }.joined(separator: ", ") + "}"
        }
        return render(root)
    }

    /// One value as JSON text.
    static func json(_ value: Value, type: ValueType, printer: ExpressionPrinter) -> String {
        switch value {
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return ExpressionPrinter.number(n)
        case .string(let s): return quote(s)
        case .list(let items): return "[" + items.map { json($0, type: type.elementType ?? type, printer: printer) }.joined(separator: ", ") + "]"
        default: return quote(printer.value(value, type: type))
        }
    }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
