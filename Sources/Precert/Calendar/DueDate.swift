// Turnaround clocks (`72 hours`, `3 business days`) and the due dates they produce.
// No Foundation: due dates are computed for every evaluated case.

/// The unit of a clock duration. Each unit has its own due-date rule; see `dueDate(receivedAt:duration:zone:calendar:)`.
public enum ClockUnit: String, Sendable, Hashable, CaseIterable {
    /// Elapsed hours, counted in seconds, ignoring calendars and clock changes.
    case hours
    /// Calendar days, ending at local midnight.
    case calendarDays = "calendar_days"
    /// Days that are neither weekend days nor observed holidays of the policy's calendar.
    case businessDays = "business_days"
    /// Calendar months, clamped to the end of a shorter month.
    case months
    /// Calendar years, clamped like months (February 29 becomes February 28).
    case years

    /// The unit as written after the number 1 (`business day`).
    package var singularName: String {
        switch self {
        case .hours: "hour"
        case .calendarDays: "calendar day"
        case .businessDays: "business day"
        case .months: "month"
        case .years: "year"
        }
    }

    /// The unit as written after any other number (`business days`).
    package var pluralName: String {
        switch self {
        case .hours: "hours"
        case .calendarDays: "calendar days"
        case .businessDays: "business days"
        case .months: "months"
        case .years: "years"
        }
    }
}

/// A clock length written in a policy, such as `72 hours` or `3 business days`.
public struct ClockDuration: Hashable, Sendable, CustomStringConvertible {
    /// How many units; the text form only produces 0...`maximumAmount`.
    public var amount: Int
    /// What is counted.
    public var unit: ClockUnit

    /// The largest amount accepted from text; computations clamp to ±this, which bounds the
    /// work of counting business days and keeps every result inside the supported dates.
    package static let maximumAmount = 100_000

    /// Creates a duration directly; amounts beyond ±`maximumAmount` are clamped when used.
    package init(amount: Int, unit: ClockUnit) {
        self.amount = amount
        self.unit = unit
    }

    /// Parses `<amount> <unit>`: a whole number without sign or leading zeros (0...100000),
    /// then one of `hour(s)`, `calendar day(s)`, `day(s)` (calendar days), `business day(s)`,
    /// `month(s)`, `year(s)`, lowercase, separated by spaces; singular and plural are both
    /// accepted whatever the number. Examples: `72 hours`, `1 hour`, `3 business days`,
    /// `10 calendar days`, `2 days`, `6 months`, `1 year`.
    package init?(text: some StringProtocol) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 2, let amountText = words.first,
              amountText.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }),
              amountText.count <= 6, amountText == "0" || !amountText.hasPrefix("0"),
              let amount = Int(amountText), amount <= Self.maximumAmount
        else { return nil }

        let unitWords = words.dropFirst()
        let unit: ClockUnit
        switch (unitWords.count, unitWords.first!, unitWords.last!) {
        case (1, "hour", _), (1, "hours", _): unit = .hours
        case (1, "day", _), (1, "days", _): unit = .calendarDays
        case (2, "calendar", "day"), (2, "calendar", "days"): unit = .calendarDays
        case (2, "business", "day"), (2, "business", "days"): unit = .businessDays
        case (1, "month", _), (1, "months", _): unit = .months
        case (1, "year", _), (1, "years", _): unit = .years
        default: return nil
        }
        self.init(amount: amount, unit: unit)
    }

    /// The canonical text (`72 hours`, `1 business day`, `2 calendar days`), which
    /// `init(text:)` reads back to the same value.
    public var description: String {
        "\(amount) \(amount == 1 ? unit.singularName : unit.pluralName)"
    }
}

/// Computes when a turnaround clock that starts at `receivedAt` runs out.
///
/// - `N hours`: exactly N × 3600 seconds after receipt. It is elapsed time, so a
///   daylight-saving change in between neither stretches nor shrinks it (72 hours from
///   2026-03-06T12:00:00-08:00 is 2026-03-09T13:00:00-07:00).
/// - `N calendar days` (also written `N days`): the receipt day, meaning the local date of
///   `receivedAt` in the policy's time zone, does not count; the clock runs out at 23:59:59
///   local time on the Nth calendar day after it.
/// - `N business days`: the receipt day does not count, even when it is a business day. Day 1
///   is the first business day after the receipt date (a business day is neither a weekend
///   day nor an observed holiday of the policy's calendar); the clock runs out at 23:59:59
///   local time at the end of the Nth business day. A request received on a Saturday therefore
///   has Monday as day 1, or Tuesday when Monday is a holiday.
/// - `N months` / `N years`: the receipt date plus N calendar months or years, where a day
///   the target month lacks becomes its last day (received January 31, `1 month` ends
///   February 28, or 29 in a leap year); the clock runs out at 23:59:59 local time that day.
///
/// The receipt date is taken in the policy's time zone, not the offset the request was
/// written with: 2026-11-21T05:00:00Z is Friday 2026-11-20 in Los Angeles. `0 calendar days`
/// and `0 business days` end at 23:59:59 on the receipt date itself. Local 23:59:59 becomes an
/// instant by the zone's rules for that date (`PolicyTimeZone.instant(localDate:secondsOfDay:)`).
/// The result carries the zone's UTC offset at the due instant, so it prints as
/// `2026-11-30T23:59:59-08:00` in winter and with `-07:00` in summer, whatever offset the
/// receipt time was written with.
package func dueDate(receivedAt: Timestamp, duration: ClockDuration, zone: PolicyTimeZone, calendar: HolidayCalendar) -> Timestamp {
    let amount = min(max(duration.amount, -ClockDuration.maximumAmount), ClockDuration.maximumAmount)
    let endOfDay = 86_399
    let receiptDate = zone.localDate(of: receivedAt)
    switch duration.unit {
    case .hours:
        return zone.converting(receivedAt.adding(seconds: Int64(amount) * 3600))
    case .calendarDays:
        return zone.instant(localDate: receiptDate.adding(days: amount), secondsOfDay: endOfDay)
    case .businessDays:
        return zone.instant(localDate: calendar.addingBusinessDays(amount, to: receiptDate), secondsOfDay: endOfDay)
    case .months:
        return zone.instant(localDate: receiptDate.adding(months: amount), secondsOfDay: endOfDay)
    case .years:
        return zone.instant(localDate: receiptDate.adding(years: amount), secondsOfDay: endOfDay)
    }
}
