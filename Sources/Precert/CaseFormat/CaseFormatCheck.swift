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

extension CaseFormat {
    /// Warns about a code set member that no case code can match: the set is tested against a
    /// field whose codes the case format writes with a `pattern` (`service.icd10`, with the dot),
    /// and the member (or, for `F33*`, every code it starts) is written another way (`F331`).
    /// Codes are compared exactly, dot included, so such a member matches nothing.
    package func checkCodes(_ policy: CheckedPolicy, syntax: PolicySyntax) -> [Diagnostic] {
        // Which inputs each set is tested against.
        var tested: [Int: Set<Int>] = [:]
        func visit(_ e: CheckedExpr, collection: Int?, depth: Int) {
            guard depth < 64 else { return }
            switch e {
            case .inCodeSet(.input(let slot), let set): tested[set, default: []].insert(slot)
            case .inCodeSet(.element, let set): if let collection { tested[set, default: []].insert(collection) }
            case .any(.input(let slot), let predicate), .all(.input(let slot), let predicate):
                visit(predicate, collection: slot, depth: depth + 1)
            case .not(let a), .length(let a), .shift(let a, _, _), .inValues(let a, _), .inCodeSet(let a, _):
                visit(a, collection: collection, depth: depth + 1)
            case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .contains(let a, let b), .any(let a, let b), .all(let a, let b):
                visit(a, collection: collection, depth: depth + 1)
                visit(b, collection: collection, depth: depth + 1)
            case .constant, .input, .element, .condition, .decision, .has: break
            }
        }
        for condition in policy.conditions { visit(condition.expression, collection: nil, depth: 0) }
        for decision in policy.decisions {
            for expression in decision.rules.map(\.when) + [decision.appliesWhen].compactMap({ $0 }) {
                visit(expression, collection: nil, depth: 0)
            }
        }
        var found: [Diagnostic] = []
        for (set, slots) in tested.sorted(by: { $0.key < $1.key }) {
            let name = policy.codeSets[set].name
            guard let declaration = syntax.sets.first(where: { $0.name.value == name }) else { continue }
            for slot in slots.sorted() {
                let path = policy.inputs[slot].path
                guard let pattern = field(path)?.pattern, let regex = try? Regex(pattern) else { continue }
                func matches(_ code: String) -> Bool { (try? regex.wholeMatch(in: code)) != nil }
                for member in declaration.members {
                    let text = member.value
                    let isPrefix = text.hasSuffix("*")
                    let stem = isPrefix ? String(text.dropLast()) : text
                    // A prefix can match when some code the pattern allows starts with it; these
                    // completions cover codes of letters and digits with an optional dot.
                    let tries = isPrefix ? [stem, stem + "0", stem + "A", stem + ".0", stem + "0.0", stem + "00", stem + "00.0"] : [stem]
                    guard !tries.contains(where: matches) else { continue }
                    var fix = ""
                    if stem.count > 3, !stem.contains("."), matches(String(stem.prefix(3)) + "." + stem.dropFirst(3)) {
                        fix = ": write `\(stem.prefix(3)).\(stem.dropFirst(3))\(isPrefix ? "*" : "")`"
                    }
                    found.append(.warning(
                        "policy.code-format", "`\(text)` in set `\(name)` can never match `\(path)`, whose codes are written like `\(pattern)`",
                        at: member.range,
                        hint: "codes are compared exactly, dot included\(fix.isEmpty ? "; write the member as the case format writes the field" : fix)"))
                }
            }
        }
        return found
    }
}
