extension ClockDuration {
    /// Words that can start a duration's unit, so the parser can tell `3 days` from a misspelled unit.
    static let unitWords: Set<String> = [
        "hour", "hours", "day", "days", "business", "calendar", "month", "months", "year", "years", "week", "weeks",
    ]

    /// The unit spellings a clock accepts, for "did you mean" hints on a misspelled unit.
    static let clockUnitSpellings: [String] = [
        "hour", "hours", "calendar day", "calendar days", "business day", "business days",
        "month", "months", "year", "years", "day", "days",
    ]

    /// The longest clock that still means something: ten years, in each unit.
    static func isTooLong(_ duration: ClockDuration) -> Bool {
        switch duration.unit {
        case .hours: duration.amount > 87_672  // 3653 days
        case .calendarDays, .businessDays: duration.amount > 3_653
        case .months: duration.amount > 120
        case .years: duration.amount > 10
        }
    }

    /// What is wrong with a clock written as `text` (a duration decision's outcome or a
    /// regulation's limit), or `nil` when it is a good clock. A clock must say which days it
    /// counts: `5 days` is refused, with `5 calendar days` and `5 business days` as the fixes.
    static func clockProblem(_ text: String) -> (id: DiagnosticID, message: String, hint: String, suggestion: String?)? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        if let duration = ClockDuration(text: text) {
            if words.count == 2, words[1] == "day" || words[1] == "days" {
                let amount = words[0]
                return ("policy.duration-kind", "`\(text)` does not say which days it counts",
                    "write `\(amount) calendar \(words[1])` or `\(amount) business \(words[1])`", nil)
            }
            if isTooLong(duration) {
                return ("policy.duration-too-long", "`\(text)` is longer than ten years",
                    "a turnaround clock runs at most ten years (3653 calendar days, 120 months)", nil)
            }
            return nil
        }
        if words.count >= 2, words[0].utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) {
            let unit = words.dropFirst().joined(separator: " ")
            if let closest = Suggestion.closest(to: unit, in: clockUnitSpellings) {
                let fixed = "\(words[0]) \(closest.hasPrefix("day") ? "calendar " + closest : closest)"
                return ("type.bad-duration", "`\(text)` is not a duration", "did you mean `\(fixed)`?", fixed)
            }
            if unit == "week" || unit == "weeks" {
                return ("type.bad-duration", "`\(text)` is not a duration", "weeks are not a unit: write a number of calendar days", nil)
            }
        }
        return ("type.bad-duration", "`\(text)` is not a duration",
            "write a whole number and a unit: `72 hours`, `3 business days`, `14 calendar days`", nil)
    }
}
