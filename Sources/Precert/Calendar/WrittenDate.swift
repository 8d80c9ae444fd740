extension CivilDate {
    /// Month names, for "not a real date" messages.
    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// Reads a date a policy writes (`2026-05-20`): the date, or what is wrong with the text in
    /// words a policy author can act on. Years run from 1 to 9999.
    static func policyDate(_ text: String) -> Result<CivilDate, DateProblem> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 &- UInt8(ascii: "0") < 10 } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return .failure(DateProblem(reason: "`\(text)` is not a date written YYYY-MM-DD, such as `2026-05-20`")) }
        guard year >= 1 else { return .failure(DateProblem(reason: "`\(text)` is outside the years 1 to 9999")) }
        guard (1...12).contains(month) else {
            return .failure(DateProblem(reason: "`\(text)` is not a real date: there is no month \(month)"))
        }
        let days = daysInMonth(year: year, month: month)
        guard day >= 1, day <= days, let date = CivilDate(year: year, month: month, day: day) else {
            return .failure(
                DateProblem(reason: "`\(text)` is not a real date: \(monthNames[month - 1]) \(year) has \(days) days"))
        }
        return .success(date)
    }

    /// Why a written date was refused.
    struct DateProblem: Error {
        /// A lowercase-led sentence without a final period, naming the text in backticks.
        var reason: String
    }
}
