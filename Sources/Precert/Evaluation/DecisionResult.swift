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
    public internal(set) var id: String
    /// Why, from the policy.
    public internal(set) var because: String?
    /// The documents the rule encodes, as the policy cites them.
    public internal(set) var sources: [String] = []
    /// Where the rule is written.
    public internal(set) var location: SourceLocation
}

/// One step of the path taken through a decision diagram, for `--explain`.
public struct TraceStep: Sendable, Hashable {
    /// What was tested, in the policy's words (`provider.network`, `len(clinical_notes) < 50`).
    public internal(set) var test: String
    /// The value the case gave it, as text (`out_of_network`, `true`, `unknown`).
    public internal(set) var value: String
    /// The same value with its JSON type, as the decision JSON writes it.
    public internal(set) var typedValue: TraceValue = .unknown
}

/// A value on an `--explain` path, typed as the decision JSON writes it.
public enum TraceValue: Sendable, Hashable {
    /// A condition's truth, or a true/false input.
    case bool(Bool)
    /// A number input.
    case number(Double)
    /// An enum word, a date or a date-time, as text.
    case text(String)
    /// The case does not give it.
    case unknown
}

/// The answer to one decision for one case.
public struct DecisionResult: Sendable, Hashable {
    /// The decision's name.
    public internal(set) var name: String
    /// Whether it was answered.
    public internal(set) var status: DecisionStatus
    /// The outcome words: one for hit policies `first` and `unique`, any number for `all`; the
    /// duration's text for a duration decision.
    public internal(set) var outcomes: [String]
    /// Whether the decision gives a list (hit policy `all`).
    public internal(set) var isList: Bool
    /// The rules that decided.
    public internal(set) var rules: [RuleCitation]
    /// For a duration decision, the duration.
    public internal(set) var duration: ClockDuration?
    /// For a duration decision, when the clock runs out, in the policy's time zone.
    public internal(set) var due: Timestamp?
    /// For `needs_information`, the inputs that would settle it.
    public internal(set) var missing: [String]
    /// For `needs_information`, the outcomes still possible.
    public internal(set) var possible: [String]
    /// Each outcome in plain words: its `label` in the policy, or the outcome word itself.
    public internal(set) var outcomeLabels: [String] = []
    /// The decision in plain words (`Who starts the request`), when the policy labels it.
    public internal(set) var label: String? = nil
    /// The policy's messages for the outcomes given (e.g. the fix for a denial reason).
    public internal(set) var messages: [(outcome: String, message: String)]
    /// The path taken through the diagram, when asked for.
    public internal(set) var trace: [TraceStep]
    /// For the authorization turnaround of a case whose plan, state and request kind are known,
    /// each governing regulation's limit and when it runs out, by regulation id.
    public internal(set) var regulatory: [RegulatoryDue] = []
    /// Whether `rules` are candidates of which some applies (unknown inputs left several paths to
    /// the same outcome with no rule in common), so none of their next steps is given.
    package internal(set) var rulesAreAlternatives = false

    /// Compares every field.
    public static func == (lhs: DecisionResult, rhs: DecisionResult) -> Bool {
        lhs.name == rhs.name && lhs.status == rhs.status && lhs.outcomes == rhs.outcomes && lhs.isList == rhs.isList
            && lhs.outcomeLabels == rhs.outcomeLabels && lhs.label == rhs.label && lhs.rules == rhs.rules && lhs.duration == rhs.duration && lhs.due == rhs.due && lhs.regulatory == rhs.regulatory
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
    public internal(set) var caseID: String?
    /// The policy id.
    public internal(set) var policyID: String
    /// The payer id.
    public internal(set) var payer: String
    /// The policy version's effective date.
    public internal(set) var effective: CivilDate
    /// The sha256 of the policy file's bytes.
    public internal(set) var digest: String
    /// Every decision, in the order the policy declares them.
    public internal(set) var decisions: [DecisionResult]
    /// Ordered instructions from the rules that decided, placeholders filled.
    public internal(set) var nextSteps: [String]
    /// What shaped the answer besides the case: the files, the date the version was chosen by.
    public internal(set) var provenance: Provenance
    /// The policy's title, for people.
    public internal(set) var title: String = ""

    /// The result of the decision named `name`, if the policy has one.
    public subscript(name: String) -> DecisionResult? { decisions.first { $0.name == name } }
}

extension DecisionResult {
    /// The single outcome of a decided `first` or `unique` decision (or a duration's text); `nil`
    /// when the decision is not decided or gives a list.
    public var outcome: String? { status == .decided && !isList ? outcomes.first : nil }
}

/// Everything besides the case that shaped a decision, so that an answer can be traced to the exact
/// files and data that produced it, and the same case gives the same bytes wherever it is evaluated.
public struct Provenance: Sendable, Hashable {
    /// How the date that chose the policy version was found.
    public enum DateSource: String, Sendable, Hashable {
        /// The local date of the case's `request.received_at`.
        case receivedAt = "received_at"
        /// The caller's `asOf` (`--as-of`).
        case asOf = "as_of"
        /// Neither was given: the date of evaluation.
        case today
    }

    /// `sha256:` over the policy file, its holiday calendar file, the time-zone data version and
    /// the files of the regulations that govern it: the one value that changes whenever anything
    /// that shaped the answer does.
    public internal(set) var digest: String
    /// The policy file, relative to the policies root it was loaded from.
    public internal(set) var policyFile: String
    /// The holiday calendar's name.
    public internal(set) var calendar: String
    /// The sha256 of the calendar file's bytes, `sha256:` and lowercase hex.
    public internal(set) var calendarDigest: String
    /// The regulations that govern the policy version, by id, with the sha256 of each file.
    public internal(set) var regulations: [RegulationFile] = []

    /// A regulation file an answer's regulatory due dates came from.
    public struct RegulationFile: Sendable, Hashable {
        /// The regulation's id (`cms-0057-f`).
        public internal(set) var id: String
        /// The sha256 of its file's bytes, lowercase hex.
        public internal(set) var digest: String
    }
    /// The policy's time zone.
    public internal(set) var timeZone: String
    /// The version of the time-zone data the due dates were computed with (such as `2025b`).
    public internal(set) var timeZoneData: String
    /// The date the policy version was chosen by.
    public internal(set) var versionDate: CivilDate
    /// Where `versionDate` came from.
    public internal(set) var versionDateSource: DateSource
}
