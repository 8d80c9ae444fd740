// Holiday calendars as data (Policies/calendars/*.yaml), and business-day arithmetic over them.
// No Foundation: business days are counted on the evaluation hot path.

/// How a fixed-date holiday that falls on a weekend is observed.
package enum ObservedShift: String, Sendable, Hashable, CaseIterable {
    /// The holiday is observed on its date, even on a weekend (so no weekday is lost to it).
    case none
    /// The US federal rule (5 U.S.C. 6103(b), Executive Order 11582): a holiday on a Saturday
    /// is observed the Friday before, one on a Sunday the Monday after. Saturday and Sunday
    /// are meant literally, whatever the calendar's weekend is, because that is what the law
    /// says. The Friday may be in the previous year (New Year's Day 2028, a Saturday, is
    /// observed on Friday 2027-12-31).
    case nearestWeekday = "nearest-weekday"
}

/// When a holiday occurs, before any observed-day shift.
package enum HolidayRule: Sendable, Hashable {
    /// The same month and day every year (`07-04`), shifted as `observed` says when it falls
    /// on a weekend. February 29 occurs only in leap years.
    case fixed(month: Int, day: Int, observed: ObservedShift)
    /// The `n`th (1...5) given weekday of a month, e.g. Thanksgiving, the 4th Thursday of
    /// November; a year whose month has no 5th such weekday has no holiday.
    case nthWeekday(n: Int, weekday: Weekday, month: Int)
    /// The last given weekday of a month, e.g. Memorial Day, the last Monday of May.
    case lastWeekday(weekday: Weekday, month: Int)
    /// A single date, e.g. a national day of mourning closing federal offices (2025-01-09).
    case oneOff(CivilDate)

    /// The date the rule names in `year`, before any observed shift; nil if none.
    package func date(in year: Int) -> CivilDate? {
        switch self {
        case let .fixed(month, day, _):
            return CivilDate(year: year, month: month, day: day)
        case let .nthWeekday(n, weekday, month):
            guard (1...5).contains(n), let first = CivilDate(year: year, month: month, day: 1) else { return nil }
            let firstMatch = (weekday.rawValue - first.weekday.rawValue + 7) % 7
            let day = 1 + firstMatch + (n - 1) * 7
            return CivilDate(year: year, month: month, day: day)
        case let .lastWeekday(weekday, month):
            let length = CivilDate.daysInMonth(year: year, month: month)
            guard let last = CivilDate(year: year, month: month, day: length) else { return nil }
            return last.adding(days: -((last.weekday.rawValue - weekday.rawValue + 7) % 7))
        case let .oneOff(date):
            return date.year == year ? date : nil
        }
    }

    /// The date on which the holiday is observed in `year` (which may fall in a neighbouring
    /// year, see `ObservedShift.nearestWeekday`); nil if none.
    package func observedDate(in year: Int) -> CivilDate? {
        guard let date = date(in: year) else { return nil }
        guard case .fixed(_, _, .nearestWeekday) = self else { return date }
        switch date.weekday {
        case .saturday: return date.adding(days: -1)
        case .sunday: return date.adding(days: 1)
        default: return date
        }
    }
}

/// One named holiday of a calendar: its rule and the years in which the rule applies.
package struct HolidayDefinition: Sendable, Hashable {
    /// The holiday's name as it should appear in explanations (`Thanksgiving Day`).
    package var name: String
    /// When it occurs.
    package var rule: HolidayRule
    /// The first year the rule applies (Juneteenth: 2021), or nil for always. Years are those
    /// of the holiday itself, not of the observed day.
    package var from: Int?
    /// The last year the rule applies, or nil for still in force.
    package var until: Int?
    /// Why the holiday is in the calendar (the file's `because:`), for explanations.
    package var note: String?

    /// Creates a definition; `HolidayCalendar.init` validates it.
    package init(name: String, rule: HolidayRule, from: Int? = nil, until: Int? = nil, note: String? = nil) {
        self.name = name
        self.rule = rule
        self.from = from
        self.until = until
        self.note = note
    }

    /// Whether the rule is in force for the holiday of `year`.
    package func applies(in year: Int) -> Bool {
        if let from, year < from { return false }
        if let until, year > until { return false }
        return true
    }

    /// The observed date of this holiday's `year` occurrence, if the rule applies that year.
    package func observedDate(in year: Int) -> CivilDate? {
        applies(in: year) ? rule.observedDate(in: year) : nil
    }
}

/// A holiday as observed on a particular day, for listings and explanations.
package struct ObservedHoliday: Sendable, Hashable {
    /// The day offices are closed.
    package let date: CivilDate
    /// The holiday's own date, which differs from `date` when a weekend shifted it.
    package let actualDate: CivilDate
    /// The holiday's name.
    package let name: String
}

/// A named set of weekend days and holidays that defines business days (`us-federal`).
///
/// Observed holidays of 1970...2100 are computed once, in `init`, into an immutable per-day
/// table, so `isHoliday` and `isBusinessDay` are an array lookup and the value can be shared
/// between threads freely. Dates outside that range are computed from the rules on demand.
package struct HolidayCalendar: Sendable {
    /// The calendar's name, which policies use to refer to it (`calendar: us-federal`).
    package let name: String
    /// A human title (`United States federal holidays (5 U.S.C. 6103)`).
    package let title: String
    /// Where the holidays come from (laws, notices), so reviewers can check them.
    package let sources: [String]
    /// The days that are never business days.
    package let weekend: Set<Weekday>
    /// The holidays, in file order; when two fall on the same day the first one names it.
    package let holidays: [HolidayDefinition]

    /// The years whose observed holidays are precomputed.
    package static let precomputedYears: ClosedRange<Int> = 1970...2100

    /// A limit that keeps the per-day table's holiday index in 16 bits.
    package static let maximumHolidayCount = 1000

    private let weekendMask: UInt8
    private let firstTableDay: Int32
    /// Per day from `firstTableDay`: 0, or 1 + the index in `holidays` of the holiday observed that day.
    private let observedTable: [UInt16]

    /// Builds a calendar, checking the definitions (month and day ranges, `nth` in 1...5,
    /// `from` not after `until`, at least one weekday not in the weekend). Errors carry the
    /// field path the calendar file would have (`holidays[3].nth`).
    package init(
        name: String,
        title: String,
        sources: [String] = [],
        weekend: Set<Weekday> = [.saturday, .sunday],
        holidays: [HolidayDefinition]
    ) throws(CalendarFileError) {
        if let problem = Self.problem(weekend: weekend, holidays: holidays) { throw problem }
        self.name = name
        self.title = title
        self.sources = sources
        self.weekend = weekend
        self.holidays = holidays
        self.weekendMask = weekend.reduce(0) { $0 | (1 << UInt8($1.rawValue - 1)) }

        let first = CivilDate(year: Self.precomputedYears.lowerBound, month: 1, day: 1)!
        let last = CivilDate(year: Self.precomputedYears.upperBound, month: 12, day: 31)!
        var table = [UInt16](repeating: 0, count: last.days(since: first) + 1)
        // Definitions outer, years inner, first writer wins: the same precedence as
        // `slowHolidayIndex`, so a date means the same inside and outside the table.
        for (index, holiday) in holidays.enumerated() {
            for year in (Self.precomputedYears.lowerBound - 1)...(Self.precomputedYears.upperBound + 1) {
                guard let date = holiday.observedDate(in: year), date >= first, date <= last else { continue }
                let slot = date.days(since: first)
                if table[slot] == 0 { table[slot] = UInt16(index + 1) }
            }
        }
        self.firstTableDay = first.dayNumber
        self.observedTable = table

        if let gap = longestClosure(), gap.days > 366 {
            throw CalendarFileError(
                message: "the calendar has no business day from \(gap.start) for \(gap.days) days",
                path: [.key("holidays")],
                hint: "check the weekend and the holiday rules")
        }
    }

    /// Whether `date` is a weekend day of this calendar.
    @inline(__always)
    package func isWeekend(_ date: CivilDate) -> Bool {
        weekendMask & (1 << UInt8(date.weekday.rawValue - 1)) != 0
    }

    /// Whether a holiday is observed on `date`. Only observed days count: when July 4 is a
    /// Saturday, Friday July 3 is the holiday and Saturday is merely a weekend day.
    @inline(__always)
    package func isHoliday(_ date: CivilDate) -> Bool {
        holidayIndex(date) != nil
    }

    /// The name of the holiday observed on `date` (the first in file order if several), or nil.
    package func holidayName(on date: CivilDate) -> String? {
        holidayIndex(date).map { holidays[$0].name }
    }

    /// The definition of the holiday observed on `date`, for explanations that cite its note.
    package func holiday(on date: CivilDate) -> HolidayDefinition? {
        holidayIndex(date).map { holidays[$0] }
    }

    /// Whether `date` is neither a weekend day nor an observed holiday.
    @inline(__always)
    package func isBusinessDay(_ date: CivilDate) -> Bool {
        !isWeekend(date) && !isHoliday(date)
    }

    /// The `n`th business day after `date`. The start day itself never counts, even when it
    /// is a business day: day 1 is the first business day after it. `n == 0` returns `date`
    /// unchanged; a negative `n` counts back the same way (day -1 is the last business day
    /// before `date`). Stops at `CivilDate.min`/`max` rather than running off the calendar.
    package func addingBusinessDays(_ n: Int, to date: CivilDate) -> CivilDate {
        let step = n >= 0 ? 1 : -1
        var remaining = n.magnitude
        var day = date
        while remaining > 0 {
            let next = day.adding(days: step)
            if next == day { return day }
            day = next
            if isBusinessDay(day) { remaining -= 1 }
        }
        return day
    }

    /// The holidays observed in `year`, by date. A shift can move a holiday across a year
    /// boundary: 2027's list ends with New Year's Day 2028, observed Friday 2027-12-31.
    package func observedHolidays(in year: Int) -> [ObservedHoliday] {
        var found: [CivilDate: ObservedHoliday] = [:]
        for holiday in holidays {
            for ruleYear in (year - 1)...(year + 1) {
                guard let observed = holiday.observedDate(in: ruleYear), observed.year == year,
                      found[observed] == nil, let actual = holiday.rule.date(in: ruleYear)
                else { continue }
                found[observed] = ObservedHoliday(date: observed, actualDate: actual, name: holiday.name)
            }
        }
        return found.values.sorted { $0.date < $1.date }
    }

    @inline(__always)
    private func holidayIndex(_ date: CivilDate) -> Int? {
        let slot = Int(date.dayNumber) - Int(firstTableDay)
        if slot >= 0, slot < observedTable.count {
            let entry = observedTable[slot]
            return entry == 0 ? nil : Int(entry) - 1
        }
        return slowHolidayIndex(date)
    }

    private func slowHolidayIndex(_ date: CivilDate) -> Int? {
        let year = date.year
        for (index, holiday) in holidays.enumerated() {
            for ruleYear in (year - 1)...(year + 1) where holiday.observedDate(in: ruleYear) == date {
                return index
            }
        }
        return nil
    }

    /// The longest run of non-business days inside the precomputed years, used to reject
    /// calendars under which a business-day clock could never run out.
    private func longestClosure() -> (start: CivilDate, days: Int)? {
        var best: (start: CivilDate, days: Int)?
        var runStart: CivilDate?
        var runLength = 0
        let first = CivilDate(unchecked: firstTableDay)
        for offset in 0..<observedTable.count {
            let date = first.adding(days: offset)
            if isBusinessDay(date) {
                runStart = nil
                runLength = 0
                continue
            }
            if runStart == nil { runStart = date }
            runLength += 1
            if runLength > (best?.days ?? 0) { best = (runStart!, runLength) }
        }
        return best
    }

    private static func problem(weekend: Set<Weekday>, holidays: [HolidayDefinition]) -> CalendarFileError? {
        if weekend.count == Weekday.allCases.count {
            return CalendarFileError(
                message: "every day of the week is a weekend day", path: [.key("weekend")],
                hint: "a calendar needs at least one business day a week")
        }
        if holidays.count > maximumHolidayCount {
            return CalendarFileError(
                message: "a calendar may define at most \(maximumHolidayCount) holidays, not `\(holidays.count)`",
                path: [.key("holidays")])
        }
        for (index, holiday) in holidays.enumerated() {
            if let problem = holiday.problem() {
                return CalendarFileError(message: problem.message, path: [.key("holidays"), .index(index), .key(problem.field)], hint: problem.hint)
            }
        }
        return nil
    }
}

extension HolidayDefinition {
    /// The first thing wrong with this definition, named by the calendar-file key it comes from.
    func problem() -> (field: String, message: String, hint: String?)? {
        if name.allSatisfy({ $0 == " " || $0 == "\t" }) {
            return ("name", "holiday name is empty", nil)
        }
        switch rule {
        case let .fixed(month, day, _):
            // A leap year, so that February 29 is allowed.
            guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: 2000, month: month) else {
                return ("date", "`\(CivilMath.padded(month, width: 2))-\(CivilMath.padded(day, width: 2))` is not a valid month and day",
                        "write the month and day as MM-DD, e.g. `07-04`")
            }
        case let .nthWeekday(n, _, month):
            guard (1...5).contains(n) else {
                return ("nth", "`nth` must be from 1 to 5, not `\(n)`", "use `last` for the last weekday of a month")
            }
            guard (1...12).contains(month) else { return ("month", "`\(month)` is not a month", nil) }
        case let .lastWeekday(_, month):
            guard (1...12).contains(month) else { return ("month", "`\(month)` is not a month", nil) }
        case .oneOff:
            break
        }
        for (field, year) in [("from", from), ("until", until)] {
            if let year, !(0...9999).contains(year) {
                return (field, "`\(year)` is not a year from 0 to 9999", nil)
            }
        }
        if let from, let until, from > until {
            return ("until", "`until` year `\(until)` is before `from` year `\(from)`", nil)
        }
        return nil
    }
}
