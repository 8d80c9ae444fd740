/// Whether the versions of each policy join up: a warning for every stretch of dates between two
/// versions that no version covers (`catalog.version-gap`), and for every two versions in force on
/// the same dates (`catalog.version-overlap`), saying which one the catalog chooses there.
///
/// How the catalog chooses (`PolicyCatalog.select`): among the versions in force on a date (from
/// `effective` up to, not including, `expires`), the one with the latest `effective`.
enum VersionTimeline {
    /// The warnings for `policies`, sorted by id then effective date (as the catalog keeps them).
    static func diagnostics(_ policies: [LoadedPolicy]) -> [Diagnostic] {
        var found: [Diagnostic] = []
        var start = 0
        while start < policies.count {
            var end = start + 1
            while end < policies.count, policies[end].id == policies[start].id { end += 1 }
            let versions = policies[start..<end].sorted { $0.effective < $1.effective }
            found += gaps(versions) + overlaps(versions)
            start = end
        }
        return found
    }

    /// `2026-06-01 to 2026-06-14`, or `on 2026-06-01` for one day: the days from `first` up to,
    /// not including, `end`.
    private static func days(from first: CivilDate, upTo end: CivilDate?) -> String {
        guard let end else { return "from \(first) on" }
        let last = end.adding(days: -1)
        return last == first ? "on \(first)" : "from \(first) to \(last)"
    }

    /// Stretches of dates after one version ends and before a later one begins that no version covers.
    private static func gaps(_ versions: [LoadedPolicy]) -> [Diagnostic] {
        guard var covering = versions.first else { return [] }
        var found: [Diagnostic] = []
        for version in versions.dropFirst() {
            // `covering` is the version whose end is the latest so far; `nil` expires: no end.
            guard let ended = covering.expires else { break }
            if ended < version.effective {
                let id = version.id
                found.append(
                    .warning(
                        "catalog.version-gap", "no version of `\(id)` is in force \(days(from: ended, upTo: version.effective))",
                        at: version.policy.syntax.effective.range,
                        hint: "the version effective \(covering.effective) expires \(ended) and this one starts \(version.effective); a case dated in between gets `catalog.not-in-force`: give that version `expires: \(version.effective)`, or this one `effective: \(ended)`",
                        notes: [
                            DiagnosticNote(
                                "the version effective \(covering.effective) is no longer in force from here",
                                at: covering.policy.syntax.expires?.range)
                        ]))
            }
            if let expires = version.expires {
                if expires > ended { covering = version }
            } else {
                covering = version
            }
        }
        return found
    }

    /// Every two versions in force on the same dates, with those dates and the one chosen there.
    private static func overlaps(_ versions: [LoadedPolicy]) -> [Diagnostic] {
        var found: [Diagnostic] = []
        for (index, newer) in versions.enumerated() {
            for older in versions[..<index] {
                // `older` starts first; both are in force from `newer.effective` when `older` has not
                // ended by then, until the first of their ends.
                if let ended = older.expires, ended <= newer.effective { continue }
                let until: CivilDate?
                switch (older.expires, newer.expires) {
                case (let a?, let b?): until = min(a, b)
                case (let a?, nil): until = a
                case (nil, let b?): until = b
                case (nil, nil): until = nil
                }
                let id = newer.id
                let handOver = older.expires == nil
                    ? "if this version replaces it, give the version effective \(older.effective) `expires: \(newer.effective)`"
                    : "if this version replaces it, change that version's `expires: \(older.expires!)` to `expires: \(newer.effective)`"
                found.append(
                    .warning(
                        "catalog.version-overlap",
                        "versions of `\(id)` effective \(older.effective) and \(newer.effective) are both in force \(days(from: newer.effective, upTo: until)); a case dated then gets the version effective \(newer.effective)",
                        at: newer.policy.syntax.effective.range,
                        hint: "of the versions in force on a date, a case gets the one with the latest `effective`; \(handOver)",
                        notes: [
                            DiagnosticNote(
                                older.expires == nil
                                    ? "the version effective \(older.effective) has no `expires`"
                                    : "the version effective \(older.effective) ends here",
                                at: older.policy.syntax.expires?.range ?? older.policy.syntax.effective.range)
                        ]))
            }
        }
        return found
    }
}
