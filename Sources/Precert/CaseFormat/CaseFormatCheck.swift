extension CaseFormat {
    /// Checks a policy's inputs against the case format: an input it does not have is an error with
    /// a "did you mean" (`service.icd1O`), unless the policy declares it an `extension:`; an input
    /// whose type the format's field cannot hold is an error, as is an enum value the field does not
    /// have. A policy may read a field more narrowly (an enum of some of its values, a code or a
    /// closed list of words for text), never differently.
    package func check(_ policy: PolicySyntax) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let paths = fields.map(\.path)
        for input in policy.inputs {
            let path = input.path.value
            let field = self.field(path)
            if let reason = input.extensionReason {
                if field != nil {
                    found.append(.warning(
                        "case.extension-known", "`\(path)` is a field of the case format, not an extension", at: reason.range,
                        hint: "remove `extension:`; the field's type and values are the case format's"))
                } else if let holder = paths.first(where: { $0.hasPrefix(path + ".") || path.hasPrefix($0 + ".") }) {
                    found.append(.error(
                        "case.extension-clash", "the extension `\(path)` and the case format's field `\(holder)` cannot both be fields",
                        at: input.path.range, hint: "choose a path that neither holds nor sits inside a field of the case format"))
                }
                continue
            }
            guard let field else {
                let suggestion = Suggestion.closest(to: path, in: paths)
                let hint = Suggestion.hint(suggestion).map { "\($0) " } ?? ""
                found.append(.error(
                    "case.unknown-field", "`\(path)` is not a field of the case format", at: input.path.range,
                    hint: "\(hint)a policy reads the fields of `\(file)`; one that needs a new field says so with `extension: <why>` on the input",
                    facts: DiagnosticFacts(suggestion: suggestion)))
                continue
            }
            if case .enumeration(let written) = input.type.value, case .enumeration(let known) = field.type {
                for value in written where !known.contains(value) {
                    let suggestion = Suggestion.closest(to: value, in: known)
                    let hint = Suggestion.hint(suggestion).map { "\($0) " } ?? ""
                    found.append(.error(
                        "case.unknown-value", "`\(value)` is not a value of the case format's `\(path)`", at: input.type.range,
                        hint: "\(hint)its values: \(known.map { "`\($0)`" }.joined(separator: ", "))",
                        facts: DiagnosticFacts(suggestion: suggestion)))
                }
            } else if !Self.canRead(field.type, as: input.type.value) {
                found.append(.error(
                    "case.type-mismatch", "the case format's `\(path)` is \(field.type.withArticle), not \(input.type.value.withArticle)",
                    at: input.type.range, hint: "declare it as `\(field.typeName == "enum" ? "enum: [\(field.values.joined(separator: ", "))]" : "type: \(field.typeName)")`"))
            }
        }
        return found
    }

    /// Whether a policy may read a field of type `field` as `declared`: the same type, text as a
    /// code or a closed list of words (and the other way round), lists and sets of such elements.
    static func canRead(_ field: ValueType, as declared: ValueType) -> Bool {
        switch (field, declared) {
        case _ where field == declared: return true
        case (.string, .code), (.code, .string), (.string, .enumeration), (.enumeration, .string), (.code, .enumeration): return true
        case (.list(let a), .list(let b)), (.set(let a), .set(let b)), (.list(let a), .set(let b)), (.set(let a), .list(let b)):
            return canRead(a, as: b)
        default: return false
        }
    }
}
