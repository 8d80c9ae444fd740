/// The regulations that govern one policy version, ready to give a case's regulatory due dates
/// next to the payer's: what the evaluator holds for its turnaround decision.
package struct RegulatoryClocks: Sendable {
    /// The governing regulations, by id.
    let regulations: [Regulation]
    let policy: CheckedPolicy
    let calendar: HolidayCalendar

    /// The clocks of the regulations in `all` that govern `policy`; `nil` when none does or the
    /// policy has no turnaround decision.
    package init?(policy: CheckedPolicy, calendar: HolidayCalendar, regulations all: [Regulation]) {
        guard policy.scope.turnaround != nil else { return nil }
        let governing = all.filter { $0.governs(policy) }.sorted { $0.id < $1.id }
        guard !governing.isEmpty else { return nil }
        regulations = governing
        self.policy = policy
        self.calendar = calendar
    }

    /// The regulations' due instants for a request received at `receivedAt` whose payer's clock
    /// runs out at `payerDue`: for each regulation that governs the case's plan and state and is
    /// in force on the receipt date, when the case's request kind is known; empty otherwise.
    package func dues(_ values: UnsafeBufferPointer<Value?>, receivedAt: Timestamp, payerDue: Timestamp) -> [RegulatoryDue] {
        let scope = policy.scope
        guard let kind = requestKind(values) else { return [] }
        let plan = word(values, scope.planSlot) ?? (scope.planSlot == nil && scope.plans.count == 1 ? scope.plans[0] : nil)
        guard let plan else { return [] }
        let state = word(values, scope.stateSlot) ?? (scope.stateSlot == nil && scope.states?.count == 1 ? scope.states![0] : nil)
        var dues: [RegulatoryDue] = []
        for regulation in regulations where regulation.plans.contains(plan)
            && regulation.isInForce(on: (regulation.timeZone ?? policy.timeZone).localDate(of: receivedAt))
        {
            if let states = regulation.states, !(state.map(states.contains) ?? false) { continue }
            guard let limit = regulation.limits[kind] else { continue }
            let due = dueDate(
                receivedAt: receivedAt, duration: limit, zone: regulation.timeZone ?? policy.timeZone, calendar: regulation.calendar ?? calendar)
            dues.append(RegulatoryDue(regulation: regulation.id, citation: regulation.citation, limit: limit, due: due, binding: false))
        }
        if let earliest = dues.indices.min(by: { dues[$0].due.epochSeconds < dues[$1].due.epochSeconds }),
            dues[earliest].due.epochSeconds < payerDue.epochSeconds
        {
            dues[earliest].binding = true
        }
        return dues
    }

    /// The request kind a case's urgency value names, or `nil` when unknown or the policy has none.
    private func requestKind(_ values: UnsafeBufferPointer<Value?>) -> RequestKind? {
        guard let slot = policy.scope.urgencySlot, case .enumValue(let index)? = values[slot],
            policy.scope.urgencyKinds.indices.contains(index)
        else { return nil }
        return policy.scope.urgencyKinds[index]
    }

    /// The word an enum or text input holds, or `nil`.
    private func word(_ values: UnsafeBufferPointer<Value?>, _ slot: Int?) -> String? {
        guard let slot else { return nil }
        switch values[slot] {
        case .enumValue(let index)?:
            if case .enumeration(let words) = policy.inputs[slot].type, words.indices.contains(index) { return words[index] }
            return nil
        case .string(let text)?: return text
        default: return nil
        }
    }
}
