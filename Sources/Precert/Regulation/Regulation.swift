// Regulations as data (Policies/regulations/*.yaml): the legal limits on a payer's authorization
// turnaround, per request kind, for the plans and states they govern.

/// One regulation's limits on a pre-service authorization decision (`precert-regulation: 1`).
package struct Regulation: Sendable {
    /// The id policies' diagnostics and answers name it by (`cms-0057-f`).
    package var id: String
    /// Its title for people.
    package var title: String
    /// Where a reader looks it up (`42 CFR 422.568(b)(1)`).
    package var citation: String
    /// The documents it is read from.
    package var sources: [String]
    /// The first day in force; `nil` when in force since before any policy.
    package var effective: CivilDate?
    /// The first day no longer in force; `nil` while in force.
    package var expires: CivilDate?
    /// The `member.plan` values it governs.
    package var plans: [String]
    /// The two-letter states it governs; `nil` for every state.
    package var states: [String]?
    /// The longest a decision may take, per request kind.
    package var limits: [RequestKind: ClockDuration]
    /// The holiday calendar of business-day limits, by name.
    package var calendarName: String?
    /// That calendar, once the catalog has resolved it.
    package var calendar: HolidayCalendar?
    /// The time zone its days are counted in (a state's law counts the state's days); `nil`
    /// counts them in the policy's zone.
    package var timeZone: PolicyTimeZone?
    /// Readings a reviewer should confirm.
    package var uncertain: [String]
    /// The file, as given.
    package var file: String
    /// The sha256 of the file's bytes, lowercase hex (set by the catalog).
    package var digest: String = ""
    /// Where each limit is written, for notes that point at it.
    package var limitRanges: [RequestKind: SourceRange]
    /// Where the id is written.
    package var range: SourceRange

    /// The states both it and a policy govern: `nil` for every state, empty when none.
    package func states(overlapping policyStates: [String]?) -> [String]? {
        switch (states, policyStates) {
        case (nil, nil): nil
        case (let mine?, nil): mine
        case (nil, let theirs?): theirs
        case (let mine?, let theirs?): mine.filter(theirs.contains)
        }
    }

    /// The plans both it and a policy govern, in the regulation's order.
    package func plans(overlapping policyPlans: [String]) -> [String] { plans.filter(policyPlans.contains) }

    /// Whether it governs a policy version: plans, states and effective windows overlap.
    package func governs(_ policy: CheckedPolicy) -> Bool {
        guard !plans(overlapping: policy.scope.plans).isEmpty else { return false }
        if let states = states(overlapping: policy.scope.states), states.isEmpty { return false }
        return window(with: policy) != nil
    }

    /// The receipt dates in both its window and a policy version's, as a half-open range; an end
    /// neither gives is `horizonDays` after the start.
    package func window(with policy: CheckedPolicy, horizonDays: Int = 731) -> Range<CivilDate>? {
        let start = max(policy.effective, effective ?? policy.effective)
        let ends = [policy.expires, expires].compactMap { $0 }
        let end = ends.min() ?? start.adding(days: horizonDays)
        return start < end ? start..<end : nil
    }
}

/// A regulation's limit for one request against the payer's clock, as an answer shows it.
public struct RegulatoryDue: Sendable, Hashable {
    /// The regulation's id (`cms-0057-f`).
    public internal(set) var regulation: String
    /// Where a reader looks it up.
    public internal(set) var citation: String
    /// The limit for this request's kind (`7 calendar days`).
    public internal(set) var limit: ClockDuration
    /// When the limit runs out for this request.
    public internal(set) var due: Timestamp
    /// Whether this limit ends before the payer's own clock and every other regulation's, so it is
    /// the deadline that binds (a tie with the payer's clock leaves the payer's binding).
    public internal(set) var binding: Bool
}
