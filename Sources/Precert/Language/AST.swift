/// A type of value a policy input, expression or decision can have.
package indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
    /// `true` or `false`.
    case bool
    /// A number.
    case number
    /// Free text.
    case string
    /// A code such as a CPT or ICD-10 code; matches value sets by prefix pattern.
    case code
    /// A calendar date.
    case date
    /// An instant with a UTC offset.
    case datetime
    /// A clock duration such as `72 hours`.
    case duration
    /// One of a closed list of words.
    case enumeration([String])
    /// An ordered list.
    case list(ValueType)
    /// An unordered collection without repeats.
    case set(ValueType)
    /// A named set of codes (a policy's `sets:` entry).
    case valueSet

    /// The type as written in a policy (`list<code>`, `enum(a, b)`).
    package var description: String {
        switch self {
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .code: "code"
        case .date: "date"
        case .datetime: "datetime"
        case .duration: "duration"
        case .enumeration(let values): "enum(\(values.joined(separator: ", ")))"
        case .list(let element): "list<\(element)>"
        case .set(let element): "set<\(element)>"
        case .valueSet: "value set"
        }
    }

    /// The type with "a" or "an" before it, for messages.
    package var withArticle: String {
        switch self {
        case .enumeration: "an \(self)"
        default: "a \(self)"
        }
    }

    /// The element type of a list or set.
    package var elementType: ValueType? {
        switch self {
        case .list(let element), .set(let element): element
        default: nil
        }
    }

    /// Whether values of the two types may be compared with `==`: equal types, or text and code.
    func isComparable(with other: ValueType) -> Bool {
        if self == other { return true }
        switch (self, other) {
        case (.string, .code), (.code, .string): return true
        default: return false
        }
    }
}

/// How a decision combines the rules that match.
package enum HitPolicy: String, Sendable, Hashable, CaseIterable {
    /// The first matching rule decides.
    case first
    /// Every matching rule contributes its outcome.
    case all
    /// At most one rule may match; two matching is a policy error.
    case unique
}

/// A declared case input: a dotted path into the case JSON and its type.
package struct InputDeclaration: Sendable, Hashable {
    /// The dotted path, e.g. `service.date`.
    package var path: Located<String>
    /// The declared type.
    package var type: Located<ValueType>
    /// The value used when the case leaves the field out or sets it to `null`.
    package var defaultValue: Located<YAMLValue>?
    /// What the field means, for people.
    package var description: String?
    /// Why the policy reads a field the shared case format does not have (`extension:`), when it
    /// declares one.
    package var extensionReason: Located<String>? = nil
}

/// A plain YAML value kept for later typing (an input default is typed by its input's type).
package indirect enum YAMLValue: Sendable, Hashable {
    /// A scalar's text and whether it was quoted.
    case scalar(String, quoted: Bool)
    /// A list.
    case list([YAMLValue])
}

/// A named set of codes; members ending in `*` match by prefix.
package struct SetDeclaration: Sendable, Hashable {
    /// The set's name.
    package var name: Located<String>
    /// The members as written.
    package var members: [Located<String>]
}

/// A named boolean condition, reusable in rules.
package struct ConditionDeclaration: Sendable, Hashable {
    /// The condition's name.
    package var name: Located<String>
    /// Its expression.
    package var expression: Expr
}

/// One outcome a decision may give, with an optional message (e.g. the fix for a denial reason).
package struct OutcomeDeclaration: Sendable, Hashable {
    /// The outcome word.
    package var name: Located<String>
    /// The message shown with it.
    package var message: String?
    /// Plain words for people (`Not covered`), shown where the outcome word is not; the JSON keeps
    /// the word.
    package var label: String? = nil
}

/// One rule of a decision.
package struct RuleDeclaration: Sendable, Hashable {
    /// The rule's id, unique in the policy.
    package var id: Located<String>
    /// When it applies; `nil` means always.
    package var when: Expr?
    /// What it decides: an outcome word or, for a duration decision, a duration.
    package var then: Located<String>
    /// Why, in words for people.
    package var because: String?
    /// The documents it encodes.
    package var sources: [String]
    /// An instruction for the provider or member, with `{input.path}` placeholders.
    package var nextStep: Located<String>?
    /// Where the rule starts.
    package var location: SourceLocation
}

/// What a decision answers when no rule matches.
package struct DefaultDeclaration: Sendable, Hashable {
    /// The outcome or duration.
    package var then: Located<String>
    /// Why.
    package var because: String?
    /// The documents it encodes.
    package var sources: [String]
    /// An instruction for the provider or member.
    package var nextStep: Located<String>?
    /// Where the default is written.
    package var location: SourceLocation
}

/// One decision of a policy.
package struct DecisionDeclaration: Sendable, Hashable {
    /// The decision's name, e.g. `authorization`.
    package var name: Located<String>
    /// The outcomes it may give (empty for a duration decision).
    package var outcomes: [OutcomeDeclaration]
    /// `true` for a decision whose outcomes are durations (`type: duration`).
    package var isDuration: Bool
    /// For a duration decision, the datetime input the clock starts from.
    package var dueFrom: Located<String>?
    /// How matching rules combine.
    package var hit: Located<HitPolicy>
    /// When the decision applies at all; otherwise its status is `not_applicable`.
    package var appliesWhen: Expr?
    /// The rules, in order.
    package var rules: [RuleDeclaration]
    /// The answer when no rule matches.
    package var defaultOutcome: DefaultDeclaration?
    /// A description for people.
    package var description: String?
    /// Plain words naming the decision for people (`Who starts the request`); a policy's labelled
    /// decisions are the ones a text answer shows at a glance.
    package var label: String? = nil
}

/// `governs:`: the plans and states a policy applies to, and which of its decisions and inputs are
/// the authorization turnaround and the request's urgency, for the proof against regulations.
package struct GovernsDeclaration: Sendable, Hashable {
    /// `member.plan` values (`commercial`, `medicare_advantage`, …).
    package var plans: [Located<String>]
    /// Two-letter states; `nil` for every state.
    package var states: [Located<String>]?
    /// The duration decision that is the authorization turnaround, when named.
    package var turnaround: Located<String>?
    /// The enum input whose values tell a standard request from an urgent one, when named.
    package var urgency: Located<String>?
    /// Where `governs:` is written.
    package var range: SourceRange
}

/// A policy file as written (format 1), before checking.
package struct PolicySyntax: Sendable, Hashable {
    /// The file the policy was read from.
    package var file: String
    /// The format version (`precert: 1`).
    package var format: Located<Int>
    /// The policy id, e.g. `kaiser-norcal/behavioral-health`.
    package var id: Located<String>
    /// The payer id cases name.
    package var payer: Located<String>
    /// A title for people.
    package var title: String
    /// The first day this version is in force.
    package var effective: Located<String>
    /// The day after the last day this version is in force, if it ends.
    package var expires: Located<String>?
    /// The documents the policy encodes.
    package var sources: [String]
    /// The payer's IANA time zone.
    package var timezone: Located<String>
    /// The holiday calendar's name.
    package var calendar: Located<String>
    /// Declared case inputs.
    package var inputs: [InputDeclaration]
    /// Named code sets.
    package var sets: [SetDeclaration]
    /// Named conditions.
    package var conditions: [ConditionDeclaration]
    /// Decisions, in the order written.
    package var decisions: [DecisionDeclaration]
    /// What the policy governs, if it says.
    package var governs: GovernsDeclaration? = nil
    /// A longer description for people, if any.
    package var description: String? = nil
}
