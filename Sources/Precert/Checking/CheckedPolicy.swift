/// A typed value of a case input, a constant, or an intermediate result.
package enum Value: Sendable, Hashable {
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// Text or a code.
    case string(String)
    /// A calendar date.
    case date(CivilDate)
    /// An instant.
    case datetime(Timestamp)
    /// A duration.
    case duration(ClockDuration)
    /// An enum value, as its index in the enum's value list.
    case enumValue(Int)
    /// A list or set.
    case list([Value])
}

/// A checked expression: names resolved to slots and indexes, types verified.
///
/// Nothing here refers to a string by name, so evaluating it needs no dictionary look-ups.
package indirect enum CheckedExpr: Sendable, Hashable {
    /// A constant.
    case constant(Value)
    /// The value of the case input in slot `n`.
    case input(Int)
    /// The current element inside `any` or `all`.
    case element
    /// The named condition with index `n`.
    case condition(Int)
    /// The outcome of decision `n` (an enum value; a list of them for hit policy `all`).
    case decision(Int)
    /// Negation.
    case not(CheckedExpr)
    /// Conjunction.
    case and(CheckedExpr, CheckedExpr)
    /// Disjunction.
    case or(CheckedExpr, CheckedExpr)
    /// A comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`).
    case compare(BinaryOperator, CheckedExpr, CheckedExpr)
    /// Membership in a list of constants.
    case inValues(CheckedExpr, [Value])
    /// Membership of a code in the policy's code set `n` (prefix patterns included).
    case inCodeSet(CheckedExpr, Int)
    /// Whether a list or set contains an element.
    case contains(collection: CheckedExpr, element: CheckedExpr)
    /// Whether some element satisfies the predicate.
    case any(CheckedExpr, CheckedExpr)
    /// Whether every element satisfies the predicate.
    case all(CheckedExpr, CheckedExpr)
    /// The length of text, a list or a set.
    case length(CheckedExpr)
    /// A date or datetime moved by a duration (`sign` is 1 or -1).
    case shift(CheckedExpr, ClockDuration, sign: Int)
    /// Whether the input in slot `n` is present in the case (never unknown).
    case has(Int)
}

/// One declared case input, in its slot.
package struct Input: Sendable, Hashable {
    /// The dotted path into the case JSON.
    package var path: String
    /// The path split at dots.
    package var components: [String]
    /// The declared type.
    package var type: ValueType
    /// The value used when the case does not give one.
    package var defaultValue: Value?
    /// Where it is declared.
    package var location: SourceLocation
}

/// A named set of codes with prefix patterns.
package struct CodeSet: Sendable, Hashable {
    /// The set's name.
    package var name: String
    /// Members matched exactly.
    package var exact: Set<String> { didSet { matcher = CodeMatcher(exact: exact, prefixes: prefixes) } }
    /// Prefixes of members written with a trailing `*`.
    package var prefixes: [String] { didSet { matcher = CodeMatcher(exact: exact, prefixes: prefixes) } }
    /// Where it is declared.
    package var location: SourceLocation
    /// The members as bytes, shared by reference so the evaluator's hot path copies nothing.
    private(set) var matcher: CodeMatcher

    /// Creates a code set.
    package init(name: String, exact: Set<String>, prefixes: [String], location: SourceLocation) {
        self.name = name
        self.exact = exact
        self.prefixes = prefixes
        self.location = location
        self.matcher = CodeMatcher(exact: exact, prefixes: prefixes)
    }

    /// Whether `code` is in the set: equal to a member, or starting with a `*` member's prefix.
    package func contains(_ code: String) -> Bool { matcher.contains(code) }

    /// Compares name, members and prefixes.
    package static func == (lhs: CodeSet, rhs: CodeSet) -> Bool {
        lhs.name == rhs.name && lhs.exact == rhs.exact && lhs.prefixes == rhs.prefixes
    }

    /// Hashes name, members and prefixes.
    package func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(exact)
        hasher.combine(prefixes)
    }
}

/// A code set's members as UTF-8 bytes: code sets are small, so comparing bytes beats hashing.
final class CodeMatcher: Sendable {
    private let exactBytes: [[UInt8]]
    private let prefixBytes: [[UInt8]]

    init(exact: Set<String>, prefixes: [String]) {
        exactBytes = exact.sorted().map { Array($0.utf8) }
        prefixBytes = prefixes.map { Array($0.utf8) }
    }

    /// Whether `code` equals a member or starts with a prefix.
    func contains(_ code: String) -> Bool {
        // Native strings are contiguous UTF-8; only bridged ones need a copy.
        if let found = code.utf8.withContiguousStorageIfAvailable(containsBytes) { return found }
        return Array(code.utf8).withUnsafeBufferPointer(containsBytes)
    }

    private func containsBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for member in exactBytes where member.count == bytes.count && Self.startsWith(bytes, member) { return true }
        for prefix in prefixBytes where prefix.count <= bytes.count && Self.startsWith(bytes, prefix) { return true }
        return false
    }

    /// Whether `bytes` starts with `prefix` (a plain loop: codes are a few bytes long).
    private static func startsWith(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: [UInt8]) -> Bool {
        prefix.withUnsafeBufferPointer { prefix in
            for i in 0..<prefix.count where prefix[i] != bytes[i] { return false }
            return true
        }
    }
}

/// A named condition.
package struct Condition: Sendable, Hashable {
    /// Its name.
    package var name: String
    /// Its checked expression.
    package var expression: CheckedExpr
    /// Where it is declared.
    package var location: SourceLocation
}

/// A piece of a `next_step` template.
package enum TemplatePart: Sendable, Hashable {
    /// Literal text.
    case text(String)
    /// The value of the input in this slot.
    case input(Int)
    /// What the decision at this index answered, in words: its outcomes' messages, else their
    /// labels or words (`{missing_requirements}` lists what the case lacks).
    case decision(Int)
}

/// One rule (or a decision's default), checked.
package struct Rule: Sendable, Hashable {
    /// The rule's id (`default` for a decision's default).
    package var id: String
    /// When it matches.
    package var when: CheckedExpr
    /// The outcome index, for a decision with outcomes.
    package var outcome: Int
    /// The duration, for a duration decision.
    package var duration: ClockDuration?
    /// Why.
    package var because: String?
    /// The documents it encodes.
    package var sources: [String]
    /// An instruction for the provider or member.
    package var nextStep: [TemplatePart]?
    /// Where it is written.
    package var location: SourceLocation
    /// Whether this is the decision's default rather than a written rule.
    package var isDefault: Bool
}

/// One checked decision.
package struct Decision: Sendable, Hashable {
    /// Its name.
    package var name: String
    /// Its outcome words (empty for a duration decision).
    package var outcomes: [String]
    /// Messages per outcome, by outcome index.
    package var messages: [Int: String]
    /// Plain-words labels per outcome, by outcome index (`not_covered` → `Not covered`).
    package var labels: [Int: String] = [:]
    /// Plain words naming the decision (`Who starts the request`), when the policy gives them.
    package var label: String? = nil
    /// For a duration decision, the slot of the datetime input its clock starts from.
    package var dueFromSlot: Int?
    /// How matching rules combine.
    package var hit: HitPolicy
    /// When the decision applies at all.
    package var appliesWhen: CheckedExpr?
    /// The written rules, in order.
    package var rules: [Rule]
    /// The default, if any.
    package var defaultRule: Rule?
    /// Where it is declared.
    package var location: SourceLocation

    /// Whether outcomes are durations.
    package var isDuration: Bool { dueFromSlot != nil }
}

/// A policy whose names, types and dependencies have been checked: the input of the compiler.
///
/// A class, so that the evaluator's hot path shares one instance instead of copying dozens of
/// arrays; it is immutable and therefore `Sendable`.
package final class CheckedPolicy: Sendable {
    /// The syntax it was checked from.
    package let syntax: PolicySyntax
    /// The policy id.
    package let id: String
    /// The payer id.
    package let payer: String
    /// The first day in force.
    package let effective: CivilDate
    /// The first day no longer in force, if any.
    package let expires: CivilDate?
    /// The payer's time zone.
    package let timeZone: PolicyTimeZone
    /// The holiday calendar's name.
    package let calendarName: String
    /// Inputs; an input's index is its slot.
    package let inputs: [Input]
    /// Code sets.
    package let codeSets: [CodeSet]
    /// Conditions.
    package let conditions: [Condition]
    /// Decisions in the order written.
    package let decisions: [Decision]
    /// Decision indexes in an order where each comes after the decisions it reads.
    package let evaluationOrder: [Int]
    /// What it governs and where its turnaround is.
    package let scope: PolicyScope

    /// Creates a checked policy.
    package init(
        syntax: PolicySyntax, id: String, payer: String, effective: CivilDate, expires: CivilDate?,
        timeZone: PolicyTimeZone, calendarName: String, inputs: [Input], codeSets: [CodeSet],
        conditions: [Condition], decisions: [Decision], evaluationOrder: [Int], scope: PolicyScope
    ) {
        self.scope = scope
        self.syntax = syntax
        self.id = id
        self.payer = payer
        self.effective = effective
        self.expires = expires
        self.timeZone = timeZone
        self.calendarName = calendarName
        self.inputs = inputs
        self.codeSets = codeSets
        self.conditions = conditions
        self.decisions = decisions
        self.evaluationOrder = evaluationOrder
    }

    /// The slot of an input path, if declared.
    package func slot(of path: String) -> Int? { inputs.firstIndex { $0.path == path } }

    /// The index of a decision by name.
    package func decisionIndex(named name: String) -> Int? { decisions.firstIndex { $0.name == name } }
}

/// The kinds of request a turnaround clock distinguishes, and that regulations set limits for.
public enum RequestKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// A standard (non-urgent) pre-service request.
    case standard
    /// An urgent (expedited) pre-service request.
    case urgent

    /// Standard before urgent.
    public static func < (lhs: RequestKind, rhs: RequestKind) -> Bool { lhs == .standard && rhs == .urgent }

    /// The kind an urgency value names: `standard`, or `urgent` / `expedited`; nil for any other word.
    package init?(word: String) {
        switch word {
        case "standard": self = .standard
        case "urgent", "expedited": self = .urgent
        default: return nil
        }
    }
}

/// The plan types the shared case format's `member.plan` names.
package enum PlanTypes {
    /// Every value `member.plan` may take, in the case format's order.
    package static let all = ["commercial", "medicare_advantage", "medicaid", "medicare", "exchange"]

    /// Whether `text` is a two-letter state as the case format writes `member.state` (`CA`).
    package static func isState(_ text: String) -> Bool {
        text.utf8.count == 2 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    /// The error for a `governs.plans` word that is no plan type (`policy.unknown-plan`,
    /// `regulation.unknown-plan`, by the file's kind), with a "did you mean"; nil for a plan type.
    package static func unknownPlan(_ plan: Located<String>, in kind: String) -> Diagnostic? {
        guard !all.contains(plan.value) else { return nil }
        let suggestion = Suggestion.closest(to: plan.value, in: all)
        return .error(
            DiagnosticID("\(kind).unknown-plan"), "unknown plan type `\(plan.value)`", at: plan.range,
            hint: Suggestion.hint(suggestion) ?? "plan types are the case format's `member.plan` values: \(all.map { "`\($0)`" }.joined(separator: ", "))",
            facts: DiagnosticFacts(suggestion: suggestion))
    }

    /// The error for a `governs.states` entry that is not a two-letter state (`policy.bad-state`,
    /// `regulation.bad-state`); nil for a state.
    package static func badState(_ state: Located<String>, in kind: String) -> Diagnostic? {
        guard !isState(state.value) else { return nil }
        return .error(
            DiagnosticID("\(kind).bad-state"), "`\(state.value)` is not a two-letter state", at: state.range,
            hint: "write states as the case format's `member.state` does, such as `CA`")
    }
}

/// What a policy governs (`governs:`), and where its turnaround clock and the request's urgency
/// are, checked: what the regulatory proof and regulatory due dates read.
package struct PolicyScope: Sendable, Hashable {
    /// `member.plan` values the policy applies to; empty when the policy does not say.
    package var plans: [String]
    /// Two-letter states it applies to; `nil` for every state (or when the policy does not say).
    package var states: [String]?
    /// Whether the policy wrote `governs:` at all.
    package var isDeclared: Bool
    /// The authorization turnaround: a duration decision's index.
    package var turnaround: Int?
    /// The input whose enum values tell the request kind, and the kind of each value.
    package var urgencySlot: Int?
    /// Per enum value of the urgency input, the request kind it names.
    package var urgencyKinds: [RequestKind]
    /// The slot of `member.plan`, when declared (an enum of `PlanTypes.all` values, or a string).
    package var planSlot: Int?
    /// The slot of `member.state`, when declared.
    package var stateSlot: Int?
}
