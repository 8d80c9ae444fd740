/// A small seeded generator, so workloads are the same on every run.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    package init(seed: UInt64) { state = seed }

    /// The next 64 random bits (SplitMix64).
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates case documents in the shape of the shared case format (about 1 KB each), for
/// benchmarks and soak tests.
package struct CaseCorpus: Sendable {
    private var random: SeededGenerator
    private var counter = 0

    /// Creates a corpus generator.
    package init(seed: UInt64 = 20_261_123) { random = SeededGenerator(seed: seed) }

    private mutating func pick(_ items: [String]) -> String { items[Int.random(in: 0..<items.count, using: &random)] }

    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }

    private mutating func digits(_ n: Int) -> String {
        String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &random))) })
    }

    /// The next case as one line of JSON (no newline).
    package mutating func next(payer: String = "kaiser-norcal") -> String {
        counter += 1
        let day = Int.random(in: 1...28, using: &random)
        let month = Int.random(in: 6...11, using: &random)
        let offset = month >= 11 ? "-08:00" : "-07:00"
        let received = "2026-\(pad(month))-\(pad(day))T\(pad(Int.random(in: 8...17, using: &random))):\(pad(Int.random(in: 0...59, using: &random))):00\(offset)"
        let serviceDate = "2026-12-\(pad(Int.random(in: 1...28, using: &random)))"
        let network = pick(["payer", "affiliate", "contracted_platform", "out_of_network"])
        let status = pick(["none", "none", "requested", "authorized", "authorized", "denied"])
        let cpt = pick(["90791", "90832", "90834", "90837", "90837", "90847", "90853", "90867", "96130"])
        let icd = pick(["F33.1", "F32.0", "F41.1", "F43.10", "F50.00", "F84.0", "Z63.0"])
        var documents = ["clinical_notes"]
        if chance(0.5) { documents.append("pcp_referral") }
        if chance(0.3) { documents.append("in_network_unavailable") }
        if chance(0.2) { documents.append("treatment_plan") }
        var referral = #""status": "\#(status)""#
        if status == "authorized" {
            referral += #", "issued_on": "2025-\#(pad(Int.random(in: 1...12, using: &random)))-10""#
            if chance(0.6) { referral += #", "valid_until": "2026-\#(pad(Int.random(in: 6...12, using: &random)))-10""# }
            referral += #", "initiated_by": "\#(pick(["pcp", "member", "provider"]))""#
        }
        let notes = chance(0.8)
            ? "Recurrent major depressive disorder; monthly in-house visits insufficient; functional impact at work. Session \(counter)."
            : "Brief note."
        return """
            {"case_id": "c-\(pad(counter, width: 7))", "payer": "\(payer)", \
            "request": {"received_at": "\(received)", "urgency": "\(chance(0.1) ? "urgent" : "standard")"}, \
            "member": {"id": "K\(digits(9))", "name": "Alex Doe", "dob": "1990-04-01", "plan": "commercial", "state": "CA"}, \
            "provider": {"npi": "1\(digits(9))", "name": "Dana Lee, LMFT", "practice": "Bayside Therapy", \
            "phone": "+1-415-555-0100", "fax": "+1-415-555-0101", "network": "\(network)", \
            "in_directory": \(chance(0.9) ? "true" : "false"), "licensed_states": ["CA"]}, \
            "service": {"cpt": ["\(cpt)"], "icd10": ["\(icd)"], "date": "\(serviceDate)", "setting": "\(pick(["office", "telehealth"]))", \
            "visits_this_year": \(Int.random(in: 0...40, using: &random))}, \
            "referral": {\(referral)}, \
            "booking": {"channel": "\(pick(["payer_referral", "scheduling_link", "phone"]))"}, \
            "payment": {"method": "\(chance(0.1) ? "cash" : "insurance")"}, \
            "documents": [\(documents.map { "\"\($0)\"" }.joined(separator: ", "))], \
            "clinical_notes": "\(notes)", \
            "history": {"payer_group_therapy_completed": \(chance(0.5) ? "true" : "false"), "payer_sessions_completed": \(Int.random(in: 0...12, using: &random))}}
            """
    }

    private func pad(_ n: Int, width: Int = 2) -> String {
        let text = String(n)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// Generates a large synthetic policy, for compile-time benchmarks and budget tests.
package enum SyntheticPolicy {
    /// YAML text of a policy with `ruleCount` rules spread over ten decisions, reading the shared
    /// case shape. Conditions mix enum tests, date and number comparisons and code-set tests.
    package static func yaml(ruleCount: Int, seed: UInt64 = 7) -> String {
        var random = SeededGenerator(seed: seed)
        func pick(_ items: [String]) -> String { items[Int.random(in: 0..<items.count, using: &random)] }
        let atoms = [
            "provider.network == payer", "provider.network in [affiliate, contracted_platform]",
            "provider.network == out_of_network", "payment.method == cash", "booking.channel == scheduling_link",
            "referral.status == authorized", "referral.status in [none, denied]", "request.urgency == urgent",
            "service.date <= 2026-12-15", "service.date > 2026-06-30", "service.visits_this_year >= 30",
            "service.visits_this_year < 10", "provider.in_directory", "any(service.cpt, it in covered_cpt)",
            "\"pcp_referral\" in documents", "len(clinical_notes) < 50", "service.date <= referral.valid_until",
            "member.plan == medicaid", "member.plan in [commercial, exchange]",
        ]
        var text = """
            precert: 1
            policy: synthetic/large
            payer: synthetic
            title: A generated policy with \(ruleCount) rules
            effective: 2026-01-01
            sources: ["generated for benchmarks"]
            timezone: America/Los_Angeles
            calendar: us-federal
            inputs:
              payment.method: {enum: [insurance, cash], default: insurance}
              provider.network: {enum: [payer, affiliate, contracted_platform, out_of_network]}
              provider.in_directory: {type: bool, default: true}
              booking.channel: {enum: [payer_referral, scheduling_link, phone]}
              member.plan: {enum: [commercial, medicare_advantage, medicaid, medicare, exchange]}
              referral.status: {enum: [none, requested, authorized, denied], default: none}
              referral.valid_until: {type: date}
              request.urgency: {enum: [standard, urgent], default: standard}
              service.date: {type: date}
              service.visits_this_year: {type: number, default: 0}
              service.cpt: {type: list<code>}
              documents: {type: set<string>, default: []}
              clinical_notes: {type: string, default: ""}
            sets:
              covered_cpt: ["90791", "90832", "90834", "90837", "9084*"]
            decisions:

            """
        let decisions = 10
        for d in 0..<decisions {
            let count = ruleCount / decisions + (d < ruleCount % decisions ? 1 : 0)
            text += "  decision_\(d):\n    outcomes: [a, b, c, d]\n    hit: \(d % 3 == 2 ? "all" : "first")\n    rules:\n"
            for r in 0..<count {
                let parts = (0..<Int.random(in: 1...3, using: &random)).map { _ in pick(atoms) }
                let when = parts.joined(separator: pick([" and ", " or "]))
                text += "      - {id: d\(d)-r\(r), when: '\(when)', then: \(pick(["a", "b", "c", "d"])), because: generated}\n"
            }
            if d % 3 != 2 { text += "    default: a\n" }
        }
        return text
    }
}
