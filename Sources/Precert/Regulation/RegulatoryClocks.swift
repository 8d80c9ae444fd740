/// The regulations that govern one policy version, ready to give a case's regulatory due dates
/// next to the payer's: what the evaluator holds for its turnaround decision.
///
/// The hot path (`appendJSON`) allocates nothing: what matches a case is read from tables built
/// here (plans by the plan input's enum index, limits by request kind), and each limit's JSON is
/// written once, so a case adds its due instants and the bytes around them.
package final class RegulatoryClocks: Sendable {
    /// One governing regulation, in the forms the hot path reads: a class, so that reading one
    /// per case is a reference, not a copy of its arrays and strings.
    final class Entry: Sendable {
        let regulation: Regulation
        /// Whether it governs each value of the policy's `member.plan` enum (empty when the input
        /// is text or absent).
        let governsPlanValue: [Bool]
        /// The limit per request kind (standard, urgent).
        let limits: [ClockDuration?]
        /// `{"regulation":…,"citation":…,"limit":…,"due":"` per request kind.
        let openings: [[UInt8]]
        let zone: PolicyTimeZone
        let calendar: HolidayCalendar
        /// The regulation's fields the hot path reads, out of the struct so that reading them
        /// copies nothing.
        let plans: [String]
        let states: [String]?
        let effective: CivilDate
        let expires: CivilDate

        init(
            regulation: Regulation, governsPlanValue: [Bool], limits: [ClockDuration?], openings: [[UInt8]], zone: PolicyTimeZone,
            calendar: HolidayCalendar
        ) {
            self.regulation = regulation
            self.governsPlanValue = governsPlanValue
            self.limits = limits
            self.openings = openings
            self.zone = zone
            self.calendar = calendar
            plans = regulation.plans
            states = regulation.states
            effective = regulation.effective ?? .min
            expires = regulation.expires ?? .max
        }
    }

    let entries: [Entry]

    /// The governing regulations, by id.
    package var regulations: [Regulation] { entries.map(\.regulation) }

    /// Where the case's request kind, plan and state are (`PolicyScope`), and what a policy that
    /// does not read a plan or state serves: read per case, so kept as plain values.
    let urgencySlot: Int
    let urgencyKinds: [Int]
    let planSlot: Int?
    let stateSlot: Int?
    let onlyPlan: String?
    let onlyState: String?

    /// The clocks of the regulations in `all` that govern `policy`; `nil` when none does or the
    /// policy has no turnaround decision.
    package init?(policy: CheckedPolicy, calendar: HolidayCalendar, regulations all: [Regulation]) {
        guard policy.scope.turnaround != nil else { return nil }
        let governing = all.filter { $0.governs(policy) }.sorted { $0.id < $1.id }
        guard !governing.isEmpty else { return nil }
        var planWords: [String] = []
        if let slot = policy.scope.planSlot, case .enumeration(let words) = policy.inputs[slot].type { planWords = words }
        entries = governing.map { regulation in
            let limits = RequestKind.allCases.map { regulation.limits[$0] }
            let openings = limits.map { limit -> [UInt8] in
                guard let limit else { return [] }
                var writer = JSONWriter(style: .compact)
                Self.writeOpening(regulation: regulation.id, citation: regulation.citation, limit: limit, to: &writer)
                return writer.bytes + [UInt8(ascii: "\"")]
            }
            return Entry(
                regulation: regulation, governsPlanValue: planWords.map(regulation.plans.contains), limits: limits,
                openings: openings, zone: regulation.timeZone ?? policy.timeZone, calendar: regulation.calendar ?? calendar)
        }
        let scope = policy.scope
        urgencySlot = scope.urgencySlot ?? -1
        urgencyKinds = scope.urgencyKinds.map { $0 == .standard ? 0 : 1 }
        planSlot = scope.planSlot
        stateSlot = scope.stateSlot
        onlyPlan = scope.plans.count == 1 ? scope.plans[0] : nil
        onlyState = scope.states?.count == 1 ? scope.states![0] : nil
    }

    /// `{"regulation", "citation", "limit", "due":` of one regulatory due date, up to its `due`
    /// value: the one place its members are named, for the encoder and for the pre-written bytes.
    package static func writeOpening(regulation: String, citation: String, limit: ClockDuration, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("regulation")
        writer.string(regulation)
        writer.key("citation")
        writer.string(citation)
        writer.key("limit")
        writer.string(limit.description)
        writer.key("due")
    }

    /// The regulations' due instants for a request received at `receivedAt` whose payer's clock
    /// runs out at `payerDue`: for each regulation that governs the case's plan and state and is
    /// in force on the receipt date, when the case's request kind is known; empty otherwise.
    package func dues(_ values: UnsafeBufferPointer<Value?>, receivedAt: Timestamp, payerDue: Timestamp) -> [RegulatoryDue] {
        var dues: [RegulatoryDue] = []
        forEachDue(values, receivedAt: receivedAt, payerDue: payerDue) { entry, limit, due, binding in
            dues.append(RegulatoryDue(regulation: entry.regulation.id, citation: entry.regulation.citation, limit: limit.duration, due: due, binding: binding))
        }
        return dues
    }

    /// Appends `,"regulatory":[…]` (the bytes `DecisionEncoder.writeRegulatory` gives in compact
    /// JSON after a member) when any regulation's due date applies to the case.
    package func appendJSON(_ values: UnsafeBufferPointer<Value?>, receivedAt: Timestamp, payerDue: Timestamp, to bytes: inout [UInt8]) {
        var first = true
        forEachDue(values, receivedAt: receivedAt, payerDue: payerDue) { entry, limit, due, binding in
            if first {
                bytes.append(contentsOf: Self.listOpening)
                first = false
            } else {
                bytes.append(UInt8(ascii: ","))
            }
            bytes.append(contentsOf: entry.openings[limit.kindIndex])
            due.appendRFC3339(to: &bytes)
            bytes.append(contentsOf: binding ? Self.bindingClosing : Self.notBindingClosing)
        }
        if !first { bytes.append(UInt8(ascii: "]")) }
    }

    private static let listOpening = Array(#","regulatory":["#.utf8)
    private static let bindingClosing = Array(#"","binding":true}"#.utf8)
    private static let notBindingClosing = Array(#"","binding":false}"#.utf8)

    /// Calls `body` for each regulation whose due date applies to the case, in id order, with its
    /// limit, due instant and whether it binds (ends first, before the payer's clock).
    private func forEachDue(
        _ values: UnsafeBufferPointer<Value?>, receivedAt: Timestamp, payerDue: Timestamp,
        _ body: (Entry, DueLimit, Timestamp, Bool) -> Void
    ) {
        guard urgencySlot >= 0, case .enumValue(let urgency)? = values[urgencySlot], urgencyKinds.indices.contains(urgency) else { return }
        let kind = urgencyKinds[urgency]
        // The plan as an enum index, or as text when the input is text or the policy serves one plan.
        var planIndex = -1
        var planText: String?
        if let planSlot {
            switch values[planSlot] {
            case .enumValue(let index)?: planIndex = index
            case .string(let text)?: planText = text
            default: return
            }
        } else {
            guard let onlyPlan else { return }
            planText = onlyPlan
        }
        var stateText: String?
        if let stateSlot {
            if case .string(let text)? = values[stateSlot] { stateText = text }
        } else {
            stateText = onlyState
        }
        withUnsafeTemporaryAllocation(of: Timestamp?.self, capacity: entries.count) { dues in
            var earliest: Int?
            for index in entries.indices {
                dues[index] = nil
                let entry = entries[index]
                guard let limit = entry.limits[kind] else { continue }
                let plan = planIndex >= 0
                    ? entry.governsPlanValue.indices.contains(planIndex) && entry.governsPlanValue[planIndex]
                    : entry.plans.contains(planText!)
                guard plan else { continue }
                if let states = entry.states, !(stateText.map(states.contains) ?? false) { continue }
                let receiptDate = entry.zone.localDate(of: receivedAt)
                guard receiptDate >= entry.effective, receiptDate < entry.expires else { continue }
                let due = dueDate(receivedAt: receivedAt, duration: limit, zone: entry.zone, calendar: entry.calendar)
                dues[index] = due
                if due.epochSeconds < payerDue.epochSeconds, earliest.map({ due.epochSeconds < dues[$0]!.epochSeconds }) ?? true {
                    earliest = index
                }
            }
            for index in entries.indices {
                guard let due = dues[index] else { continue }
                body(entries[index], DueLimit(duration: entries[index].limits[kind]!, kindIndex: kind), due, index == earliest)
            }
        }
    }
}

/// A limit and the index of its request kind in `RegulatoryClocks.Entry.openings`.
struct DueLimit {
    let duration: ClockDuration
    let kindIndex: Int
}
