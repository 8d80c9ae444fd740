/// Reads the keys of a YAML mapping against the keys a file format allows, so that every Precert
/// file format reports unknown and missing keys the same way.
package struct MappingFields {
    /// The diagnostic ids a format uses for wrong kinds, unknown keys and missing keys.
    package struct Codes {
        package var wrongKind: DiagnosticID
        package var unknownKey: DiagnosticID
        package var missingKey: DiagnosticID

        /// Creates the codes.
        package init(wrongKind: DiagnosticID, unknownKey: DiagnosticID, missingKey: DiagnosticID) {
            self.wrongKind = wrongKind
            self.unknownKey = unknownKey
            self.missingKey = missingKey
        }
    }

    /// A scalar as located text, or `wrongKind` ("… must be text, not a list") at the node; an empty
    /// scalar is refused too unless `emptyAllowed`. Every Precert file format reads text this way.
    package static func text(
        _ node: YAMLNode, _ what: String, wrongKind: DiagnosticID, emptyAllowed: Bool = false, into diagnostics: inout DiagnosticBag
    ) -> Located<String>? {
        guard let value = node.scalar, !node.isNull, emptyAllowed || !value.isEmpty else {
            let kind = node.isNull || node.scalar == "" ? "empty" : node.kindDescription
            diagnostics.report(.error(wrongKind, "\(what) must be text, not \(kind)", at: node.range))
            return nil
        }
        return Located(value, at: node.range)
    }

    /// The pairs of `node` by key; unknown keys (with a "did you mean" and the allowed keys) and
    /// missing required keys are appended to `diagnostics`. `nil` when `node` is not a mapping.
    package static func read(
        _ node: YAMLNode, of what: String, allowed: [String], required: [String], codes: Codes,
        into diagnostics: inout DiagnosticBag
    ) -> [String: YAMLNode.Pair]? {
        guard let pairs = node.mapping else {
            let kind = node.isNull ? "empty" : node.kindDescription
            diagnostics.report(.error(codes.wrongKind, "\(what) must be a mapping, not \(kind)", at: node.range))
            return nil
        }
        var result: [String: YAMLNode.Pair] = [:]
        // Keys recovered from a misspelling: the error is reported once, at the misspelling, and
        // the value is read under the key meant, so that nothing downstream (a missing key, every
        // name of a misspelled `inputs`) is reported again.
        var recovered: [(key: String, pair: YAMLNode.Pair)] = []
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            if allowed.contains(key) {
                result[key] = pair
            } else if let colon = key.firstIndex(of: ":"), allowed.contains(String(key[..<colon])), pair.value.isNull {
                // `then:required`: without a space after the colon, YAML reads one word.
                let name = String(key[..<colon])
                let value = String(key[key.index(after: colon)...])
                diagnostics.report(
                    .error(
                        codes.unknownKey, "`\(key)` needs a space after the colon", at: pair.key.range,
                        hint: "write `\(name): \(value)`; without the space YAML reads `\(key)` as one word",
                        facts: DiagnosticFacts(suggestion: "\(name): \(value)")))
                let offset = name.count + 1
                let start = pair.key.range.start.advanced(byColumns: offset)
                let keyNode = YAMLNode(.scalar(name, .plain), range: SourceRange(start: pair.key.range.start, end: start))
                let valueNode = YAMLNode(.scalar(value, .plain), range: SourceRange(start: start, end: pair.key.range.end))
                recovered.append((name, YAMLNode.Pair(key: keyNode, value: valueNode)))
            } else {
                let suggestion = Suggestion.closest(to: key, in: allowed)
                let hint = Suggestion.hint(suggestion).map { "\($0) " } ?? ""
                diagnostics.report(
                    .error(
                        codes.unknownKey, "unknown key `\(key)` in \(what)", at: pair.key.range,
                        hint: "\(hint)allowed keys: \(allowed.map { "`\($0)`" }.joined(separator: ", "))",
                        facts: DiagnosticFacts(suggestion: suggestion)))
                if let suggestion { recovered.append((suggestion, pair)) }
            }
        }
        for (key, pair) in recovered where result[key] == nil { result[key] = pair }
        for key in required where result[key] == nil {
            diagnostics.report(
                .error(codes.missingKey, "\(what) is missing the required key `\(key)`", at: SourceRange(node.location)))
        }
        return result
    }
}
