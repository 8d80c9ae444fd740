extension ClockDuration {
    /// Words that can start a duration's unit, so the parser can tell `3 days` from a misspelled unit.
    static let unitWords: Set<String> = [
        "hour", "hours", "day", "days", "business", "calendar", "month", "months", "year", "years", "week", "weeks",
    ]
}
