/// How a scalar was written; a later stage uses it, e.g. to tell `"yes"` (text) from `yes`.
package enum YAMLScalarStyle: String, Sendable, Hashable {
    /// Unquoted.
    case plain
    /// In single quotes.
    case singleQuoted
    /// In double quotes.
    case doubleQuoted
    /// A `|` block.
    case literal
    /// A `>` block.
    case folded
}

/// A node of a YAML document with where it was written.
///
/// Scalars keep their text: Precert never guesses types from YAML (`yes` stays the word "yes");
/// the policy decoder decides types from the policy schema.
package struct YAMLNode: Sendable {
    /// A key and its value in a mapping.
    package struct Pair: Sendable {
        /// The key node (always a scalar: the parser rejects other keys).
        package var key: YAMLNode
        /// The value node.
        package var value: YAMLNode
    }

    /// What the node holds.
    package enum Content: Sendable {
        /// Text, with the style it was written in.
        case scalar(String, YAMLScalarStyle)
        /// An ordered list.
        case sequence([YAMLNode])
        /// Key-value pairs in the order written.
        case mapping([Pair])
    }

    /// What the node holds.
    package var content: Content
    /// From the node's first character to just past its last.
    package var range: SourceRange
    /// The explicit core-schema tag, if one was written (e.g. `tag:yaml.org,2002:str`).
    package var tag: String?

    /// Creates a node.
    package init(_ content: Content, range: SourceRange, tag: String? = nil) {
        self.content = content
        self.range = range
        self.tag = tag
    }

    /// Where the node starts.
    package var location: SourceLocation { range.start }

    /// The text of a scalar, or `nil`.
    package var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// The style of a scalar, or `nil`.
    package var scalarStyle: YAMLScalarStyle? {
        if case .scalar(_, let style) = content { return style }
        return nil
    }

    /// The items of a sequence, or `nil`.
    package var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The pairs of a mapping, or `nil`.
    package var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// Whether this is YAML's null: an unquoted empty scalar, `~` or `null`.
    package var isNull: Bool {
        guard case .scalar(let text, .plain) = content, tag == nil else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// The value for `key` in a mapping, or `nil`.
    package subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar == key }?.value
    }

    /// A word for the node's kind, for messages ("a mapping", "a list", "text").
    package var kindDescription: String {
        switch content {
        case .scalar: "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}
