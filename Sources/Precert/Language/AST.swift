/// A type of value a policy input, expression or decision can have.
public indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
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
    public var description: String {
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
    public var withArticle: String {
        switch self {
        case .enumeration: "an \(self)"
        default: "a \(self)"
        }
    }

    /// The element type of a list or set.
    public var elementType: ValueType? {
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
public enum HitPolicy: String, Sendable, Hashable, CaseIterable {
    /// The first matching rule decides.
    case first
    /// Every matching rule contributes its outcome.
    case all
    /// At most one rule may match; two matching is a policy error.
    case unique
}

/// A declared case input: a dotted path into the case JSON and its type.
public struct InputDeclaration: Sendable, Hashable {
    /// The dotted path, e.g. `service.date`.
    public var path: Located<String>
    /// The declared type.
    public var type: Located<ValueType>
    /// The value used when the case leaves the field out or sets it to `null`.
    public var defaultValue: Located<YAMLValue>?
    /// What the field means, for people.
    public var description: String?
}

/// A plain YAML value kept for later typing (an input default is typed by its input's type).
public indirect enum YAMLValue: Sendable, Hashable {
    /// A scalar's text and whether it was quoted.
    case scalar(String, quoted: Bool)
    /// A list.
    case list([YAMLValue])
}

/// A named set of codes; members ending in `*` match by prefix.
public struct SetDeclaration: Sendable, Hashable {
    /// The set's name.
    public var name: Located<String>
    /// The members as written.
    public var members: [Located<String>]
}

/// A named boolean condition, reusable in rules.
public struct ConditionDeclaration: Sendable, Hashable {
    /// The condition's name.
    public var name: Located<String>
    /// Its expression.
    public var expression: Expr
}

/// One outcome a decision may give, with an optional message (e.g. the fix for a denial reason).
public struct OutcomeDeclaration: Sendable, Hashable {
    /// The outcome word.
    public var name: Located<String>
    /// The message shown with it.
    public var message: String?
}

/// One rule of a decision.
public struct RuleDeclaration: Sendable, Hashable {
    /// The rule's id, unique in the policy.
    public var id: Located<String>
    /// When it applies; `nil` means always.
    public var when: Expr?
    /// What it decides: an outcome word or, for a duration decision, a duration.
    public var then: Located<String>
    /// Why, in words for people.
    public var because: String?
    /// The documents it encodes.
    public var sources: [String]
    /// An instruction for the provider or member, with `{input.path}` placeholders.
    public var nextStep: Located<String>?
    /// Where the rule starts.
    public var location: SourceLocation
}

/// What a decision answers when no rule matches.
public struct DefaultDeclaration: Sendable, Hashable {
    /// The outcome or duration.
    public var then: Located<String>
    /// Why.
    public var because: String?
    /// The documents it encodes.
    public var sources: [String]
    /// An instruction for the provider or member.
    public var nextStep: Located<String>?
    /// Where the default is written.
    public var location: SourceLocation
}

/// One decision of a policy.
public struct DecisionDeclaration: Sendable, Hashable {
    /// The decision's name, e.g. `authorization`.
    public var name: Located<String>
    /// The outcomes it may give (empty for a duration decision).
    public var outcomes: [OutcomeDeclaration]
    /// `true` for a decision whose outcomes are durations (`type: duration`).
    public var isDuration: Bool
    /// For a duration decision, the datetime input the clock starts from.
    public var dueFrom: Located<String>?
    /// How matching rules combine.
    public var hit: Located<HitPolicy>
    /// When the decision applies at all; otherwise its status is `not_applicable`.
    public var appliesWhen: Expr?
    /// The rules, in order.
    public var rules: [RuleDeclaration]
    /// The answer when no rule matches.
    public var defaultOutcome: DefaultDeclaration?
    /// A description for people.
    public var description: String?
}

/// A policy file as written (format 1), before checking.
public struct PolicySyntax: Sendable, Hashable {
    /// The file the policy was read from.
    public var file: String
    /// The format version (`precert: 1`).
    public var format: Located<Int>
    /// The policy id, e.g. `kaiser-norcal/behavioral-health`.
    public var id: Located<String>
    /// The payer id cases name.
    public var payer: Located<String>
    /// A title for people.
    public var title: String
    /// The first day this version is in force.
    public var effective: Located<String>
    /// The day after the last day this version is in force, if it ends.
    public var expires: Located<String>?
    /// The documents the policy encodes.
    public var sources: [String]
    /// The payer's IANA time zone.
    public var timezone: Located<String>
    /// The holiday calendar's name.
    public var calendar: Located<String>
    /// Declared case inputs.
    public var inputs: [InputDeclaration]
    /// Named code sets.
    public var sets: [SetDeclaration]
    /// Named conditions.
    public var conditions: [ConditionDeclaration]
    /// Decisions, in the order written.
    public var decisions: [DecisionDeclaration]
}
