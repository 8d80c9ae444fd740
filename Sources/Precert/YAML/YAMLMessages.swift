/// The diagnostics the YAML front end emits, catalogued in one place.
enum YAMLMessages {
    static func fileTooLarge(_ size: Int, limit: Int, at range: SourceRange) -> Diagnostic {
        .error(
            "yaml.file-too-large", "file is \(size) bytes, over the limit of \(limit) bytes", at: range,
            hint: "policy files are small; split the policy, or raise the limit (`YAMLLimits.maxBytes`)")
    }

    static func invalidUTF8(at range: SourceRange) -> Diagnostic {
        .error(
            "yaml.invalid-utf8", "the file is not valid UTF-8", at: range,
            hint: "save the file as UTF-8 (this byte sequence is not)")
    }

    static func parserUnavailable(at range: SourceRange) -> Diagnostic {
        .error("yaml.parser-unavailable", "libyaml could not start a parser", at: range)
    }

    static func multipleDocuments(at range: SourceRange) -> Diagnostic {
        .error(
            "yaml.multiple-documents", "a policy file holds one YAML document, but a second one starts here",
            at: range, hint: "remove this `---` line, or put the second document in a file of its own")
    }

    static func unsupportedTag(_ tag: String, at range: SourceRange) -> Diagnostic {
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst(18) : Substring(tag)
        return .error(
            "yaml.unsupported-tag", "unsupported tag `\(shown)`", at: range,
            hint: "only the core schema's tags (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq`, `!!map`) are allowed; the policy schema decides types")
    }

    static func anchor(_ name: String, at range: SourceRange) -> Diagnostic {
        .error(
            "yaml.anchor", "anchor `&\(name)` is not allowed: Precert does not read YAML anchors", at: range,
            hint: "write the value out; to start text with `&`, quote the whole value: `\"&\(name)...\"`")
    }

    static func alias(_ name: String, at range: SourceRange) -> Diagnostic {
        .error(
            "yaml.alias", "alias `*\(name)` is not allowed: Precert does not read YAML aliases", at: range,
            hint: "write the value out, or use a named condition or set; to start text with `*`, quote the whole value")
    }

    static func mergeKey(at range: SourceRange) -> Diagnostic {
        .error(
            "yaml.merge-key", "merge key `<<` is not allowed: Precert does not read YAML merge keys", at: range,
            hint: "write every key out in the mapping")
    }

    static func tooDeep(_ limit: Int, at range: SourceRange) -> Diagnostic {
        .error(
            "yaml.too-deep", "nesting is deeper than the limit of \(limit) levels", at: range,
            hint: "policy files never need this much nesting; check for unbalanced brackets")
    }

    static func complexKey(at range: SourceRange) -> Diagnostic {
        .error("yaml.complex-key", "a mapping key must be a plain value, not a list or mapping", at: range)
    }

    static func duplicateKey(_ key: String, at range: SourceRange, first: SourceRange) -> Diagnostic {
        .error(
            "yaml.duplicate-key", "duplicate key `\(key)`", at: range,
            hint: "a key may appear once in a mapping; remove or rename one of them",
            notes: [DiagnosticNote("`\(key)` first appears here", at: first)])
    }

    /// Turns libyaml's scanner and parser messages into plain words.
    static func syntax(
        problem: String, context: String?, character: Unicode.Scalar?, at range: SourceRange,
        contextAt contextRange: SourceRange
    ) -> Diagnostic {
        let context = context ?? ""
        // Some problems are found far from their cause; libyaml's context mark points at the cause.
        if problem == "found unexpected end of stream", context.contains("quoted scalar") {
            return .error(
                "yaml.syntax", "unclosed quote: this string is never closed", at: contextRange,
                hint: "add the closing quote", notes: [DiagnosticNote("the file ends here", at: range)])
        }
        if problem == "could not find expected ':'" {
            return .error("yaml.syntax", "missing `:` after a key", at: contextRange, hint: "write `key: value`")
        }
        let (message, hint): (String, String?) =
            switch problem {
            case "found character that cannot start any token" where character == "\t":
                ("tab character in indentation", "YAML indents with spaces only; replace the tab with spaces")
            case "found character that cannot start any token":
                ("a value cannot start with `\(character.map(String.init) ?? "?")`", "put the value in quotes")
            case "found unexpected end of stream":
                ("the file ends in the middle of a value", nil)
            case "mapping values are not allowed in this context":
                ("unexpected `:` here", "quote a value that contains `: `, or check the indentation of this line")
            case "did not find expected key":
                ("bad indentation: this line does not line up with the keys above it", "indent keys of one mapping by the same number of spaces")
            case "did not find expected '-' indicator":
                ("bad indentation: this line does not line up with the list items above it", "indent items of one list by the same number of spaces")
            case "did not find expected node content":
                ("a value is missing here", nil)
            case "found undefined tag handle":
                ("unknown tag", nil)
            case "control characters are not allowed":
                ("control character in the file", "remove the invisible control character")
            case "found unknown escape character":
                ("unknown escape sequence in a double-quoted string", "write `\\\\` for a backslash, or use single quotes")
            case "did not find expected ',' or ']'":
                ("missing `,` or `]` in a list written with brackets", nil)
            case "did not find expected ',' or '}'":
                ("missing `,` or `}` in a mapping written with braces", nil)
            case "found a tab character that violates indentation", "found a tab character where an indentation space is expected":
                ("tab character in indentation", "YAML indents with spaces only; replace the tab with spaces")
            default:
                (problem, context.isEmpty ? nil : "libyaml says: \(context)")
            }
        return .error("yaml.syntax", message, at: range, hint: hint)
    }
}
