/// Whether a decision could be answered for a case.
public enum DecisionStatus: String, Sendable, Hashable, CaseIterable {
    /// Answered.
    case decided
    /// An unknown input could change the answer; `missing` names the inputs that would settle it.
    case needsInformation = "needs_information"
    /// The decision's `applies_when` is false for this case.
    case notApplicable = "not_applicable"
    /// No rule matched and the decision has no default (a gap the checker warns about).
    case noMatch = "no_match"
}

/// The rule (or default) that produced an answer, and where it is written.
public struct RuleCitation: Sendable, Hashable {
    /// The rule's id, or `default`.
    public var id: String
    /// Why, from the policy.
    public var because: String?
    /// Where the rule is written.
    public var location: SourceLocation
}

/// One step of the path taken through a decision diagram, for `--explain`.
public struct TraceStep: Sendable, Hashable {
    /// What was tested, in the policy's words (`provider.network`, `len(clinical_notes) < 50`).
    public var test: String
    /// The value the case gave it (`out_of_network`, `true`, `unknown`).
    public var value: String
}

/// The answer to one decision for one case.
public struct DecisionResult: Sendable, Hashable {
    /// The decision's name.
    public var name: String
    /// Whether it was answered.
    public var status: DecisionStatus
    /// The outcome words: one for hit policies `first` and `unique`, any number for `all`; the
    /// duration's text for a duration decision.
    public var outcomes: [String]
    /// Whether the decision gives a list (hit policy `all`).
    public var isList: Bool
    /// The rules that decided.
    public var rules: [RuleCitation]
    /// For a duration decision, the duration.
    public var duration: ClockDuration?
    /// For a duration decision, when the clock runs out, in the policy's time zone.
    public var due: Timestamp?
    /// For `needs_information`, the inputs that would settle it.
    public var missing: [String]
    /// For `needs_information`, the outcomes still possible.
    public var possible: [String]
    /// The policy's messages for the outcomes given (e.g. the fix for a denial reason).
    public var messages: [(outcome: String, message: String)]
    /// The path taken through the diagram, when asked for.
    public var trace: [TraceStep]
    /// Whether `rules` are candidates of which some applies (unknown inputs left several paths to
    /// the same outcome with no rule in common), so none of their next steps is given.
    public var rulesAreAlternatives = false

    /// Compares every field.
    public static func == (lhs: DecisionResult, rhs: DecisionResult) -> Bool {
        lhs.name == rhs.name && lhs.status == rhs.status && lhs.outcomes == rhs.outcomes && lhs.isList == rhs.isList
            && lhs.rules == rhs.rules && lhs.duration == rhs.duration && lhs.due == rhs.due
            && lhs.missing == rhs.missing && lhs.possible == rhs.possible
            && lhs.messages.map(\.outcome) == rhs.messages.map(\.outcome)
            && lhs.messages.map(\.message) == rhs.messages.map(\.message) && lhs.trace == rhs.trace
    }

    /// Hashes the answer.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(status)
        hasher.combine(outcomes)
    }
}

/// Everything Precert answers for one case against one policy.
public struct CaseDecision: Sendable, Hashable {
    /// The caller's case id, echoed.
    public var caseID: String?
    /// The policy id.
    public var policyID: String
    /// The payer id.
    public var payer: String
    /// The policy version's effective date.
    public var effective: CivilDate
    /// The sha256 of the policy file's bytes.
    public var digest: String
    /// Every decision, in the order the policy declares them.
    public var decisions: [DecisionResult]
    /// Ordered instructions from the rules that decided, placeholders filled.
    public var nextSteps: [String]
}
