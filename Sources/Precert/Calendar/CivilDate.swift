// Calendar dates without a time zone, in pure integer arithmetic.
//
// This file deliberately does not import Foundation: dates are parsed and compared on the
// evaluation hot path, where Foundation's Date/Calendar would allocate and take locks.

/// A day of the week, numbered as in ISO 8601 (Monday is 1, Sunday is 7) so that the raw
/// value can be stored and compared without caring about locale conventions.
package enum Weekday: Int, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// ISO day 1.
    case monday = 1
    /// ISO day 2.
    case tuesday
    /// ISO day 3.
    case wednesday
    /// ISO day 4.
    case thursday
    /// ISO day 5.
    case friday
    /// ISO day 6.
    case saturday
    /// ISO day 7.
    case sunday

    /// Reads the lowercase English name that policy and calendar files use (`thursday`);
    /// other spellings are rejected so that a typo is reported instead of guessed at.
    package init?(name: some StringProtocol) {
        for day in Weekday.allCases where day.name == name {
            self = day
            return
        }
        return nil
    }

    /// The lowercase English name, the same spelling that `init(name:)` accepts.
    package var name: String {
        switch self {
        case .monday: "monday"
        case .tuesday: "tuesday"
        case .wednesday: "wednesday"
        case .thursday: "thursday"
        case .friday: "friday"
        case .saturday: "saturday"
        case .sunday: "sunday"
        }
    }

    /// The lowercase name, so that messages can interpolate a weekday directly.
    public var description: String { name }
}

/// A date in the proleptic Gregorian calendar with no time zone attached, e.g. a date of
/// service or the local date on which a turnaround clock runs out.
///
/// It is a day count rather than year/month/day fields so that comparison, hashing and day
/// arithmetic are single integer operations. The supported range is 0000-01-01...9999-12-31,
/// the dates that ISO 8601's four-digit `YYYY-MM-DD` can spell; arithmetic saturates at those
/// bounds instead of trapping, so no input from a policy or a case can crash the process.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it), the same epoch as Unix time.
    package let dayNumber: Int32

    /// 0000-01-01, the earliest date that `YYYY-MM-DD` can express.
    package static let min = CivilDate(unchecked: Int32(CivilMath.daysFromCivil(year: 0, month: 1, day: 1)))

    /// 9999-12-31, the latest date that `YYYY-MM-DD` can express.
    package static let max = CivilDate(unchecked: Int32(CivilMath.daysFromCivil(year: 9999, month: 12, day: 31)))

    @inline(__always)
    init(unchecked dayNumber: Int32) {
        self.dayNumber = dayNumber
    }

    /// Wraps a day count, clamped to `CivilDate.min...CivilDate.max` so that every value
    /// can be printed as `YYYY-MM-DD`.
    package init(dayNumber: Int32) {
        self.dayNumber = Swift.min(Swift.max(dayNumber, CivilDate.min.dayNumber), CivilDate.max.dayNumber)
    }

    /// Creates a date from its fields, or nil when they do not name a real day (Feb 30, month
    /// 13, 2023-02-29) or the year is outside 0...9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (0...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CivilDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.dayNumber = Int32(CivilMath.daysFromCivil(year: year, month: month, day: day))
    }

    /// Parses exactly `YYYY-MM-DD` (ASCII digits, no sign, no surrounding spaces, no time).
    public init?(iso text: some StringProtocol) {
        let parsed: CivilDate?? = text.utf8.withContiguousStorageIfAvailable { CivilDate(utf8: $0) }
        if let parsed {
            guard let parsed else { return nil }
            self = parsed
            return
        }
        // Only non-contiguous (e.g. bridged) strings get here; the length check keeps the copy tiny.
        guard text.utf8.count == 10 else { return nil }
        let bytes = Array(text.utf8)
        guard let date = bytes.withUnsafeBufferPointer({ CivilDate(utf8: $0) }) else { return nil }
        self = date
    }

    /// Parses exactly `YYYY-MM-DD` from raw UTF-8 bytes without allocating, for the case
    /// decoder that reads dates straight out of a JSON buffer.
    package init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = CivilMath.digits(bytes, 0, 4),
              let month = CivilMath.digits(bytes, 5, 2),
              let day = CivilMath.digits(bytes, 8, 2)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The year, month and day together, cheaper than reading the three properties.
    package var components: (year: Int, month: Int, day: Int) {
        CivilMath.civilFromDays(Int(dayNumber))
    }

    /// The Gregorian year (0...9999).
    public var year: Int { components.year }

    /// The month, 1 for January through 12 for December.
    public var month: Int { components.month }

    /// The day of the month, starting at 1.
    public var day: Int { components.day }

    /// The day of the week; 1970-01-01 was a Thursday, which fixes the offset.
    package var weekday: Weekday {
        let index = CivilMath.floorMod(Int(dayNumber) + 3, 7)  // 0 = Monday
        return Weekday(rawValue: index + 1)!
    }

    /// The date `days` days later (earlier when negative), saturating at the supported range.
    package func adding(days: Int) -> CivilDate {
        let (sum, overflow) = Int(dayNumber).addingReportingOverflow(days)
        if overflow { return days > 0 ? .max : .min }
        return CivilDate.clamped(sum)
    }

    /// The same day `months` months later (earlier when negative). A day that the target month
    /// lacks becomes that month's last day (2026-01-31 + 1 month = 2026-02-28), which is how
    /// "one month after" is read for authorizations and deadlines.
    package func adding(months: Int) -> CivilDate {
        let (y, m, d) = components
        let (total, overflow) = (y * 12 + (m - 1)).addingReportingOverflow(months)
        if overflow { return months > 0 ? .max : .min }
        let newYear = CivilMath.floorDiv(total, 12)
        let newMonth = CivilMath.floorMod(total, 12) + 1
        if newYear > 9999 { return .max }
        if newYear < 0 { return .min }
        let newDay = Swift.min(d, CivilDate.daysInMonth(year: newYear, month: newMonth))
        return CivilDate(unchecked: Int32(CivilMath.daysFromCivil(year: newYear, month: newMonth, day: newDay)))
    }

    /// The same day `years` years later (earlier when negative); February 29 becomes
    /// February 28 in a common year (2028-02-29 + 1 year = 2029-02-28).
    package func adding(years: Int) -> CivilDate {
        let (months, overflow) = years.multipliedReportingOverflow(by: 12)
        if overflow { return years > 0 ? .max : .min }
        return adding(months: months)
    }

    /// Whole days from `other` to this date (positive when this date is later).
    package func days(since other: CivilDate) -> Int {
        Int(dayNumber) - Int(other.dayNumber)
    }

    /// `YYYY-MM-DD`, the form that `init(iso:)` reads back.
    public var description: String {
        let (y, m, d) = components
        return String(unsafeUninitializedCapacity: 10) { buffer in
            CivilMath.write(y, width: 4, into: buffer, at: 0)
            buffer[4] = UInt8(ascii: "-")
            CivilMath.write(m, width: 2, into: buffer, at: 5)
            buffer[7] = UInt8(ascii: "-")
            CivilMath.write(d, width: 2, into: buffer, at: 8)
            return 10
        }
    }

    /// Appends `YYYY-MM-DD` to `bytes` without building a string.
    package func appendISO(to bytes: inout [UInt8]) {
        let (y, m, d) = components
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { buffer in
            CivilMath.write(y, width: 4, into: buffer, at: 0)
            buffer[4] = UInt8(ascii: "-")
            CivilMath.write(m, width: 2, into: buffer, at: 5)
            buffer[7] = UInt8(ascii: "-")
            CivilMath.write(d, width: 2, into: buffer, at: 8)
            bytes.append(contentsOf: buffer)
        }
    }

    /// Earlier dates sort first.
    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        lhs.dayNumber < rhs.dayNumber
    }

    /// Gregorian leap-year rule: every 4th year, except centuries not divisible by 400.
    package static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in a month (1...12) of a year, 0 for an invalid month.
    package static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeapYear(year) ? 29 : 28
        default: 0
        }
    }

    static func clamped(_ dayNumber: Int) -> CivilDate {
        if dayNumber < Int(CivilDate.min.dayNumber) { return .min }
        if dayNumber > Int(CivilDate.max.dayNumber) { return .max }
        return CivilDate(unchecked: Int32(dayNumber))
    }
}

/// Integer calendar algorithms shared by the Calendar stage.
enum CivilMath {
    /// Division rounding toward negative infinity; Swift's `/` truncates toward zero, which
    /// would put instants before 1970 on the wrong day.
    @inline(__always)
    static func floorDiv(_ lhs: Int, _ rhs: Int) -> Int {
        let q = lhs / rhs
        return (lhs % rhs != 0 && (lhs < 0) != (rhs < 0)) ? q - 1 : q
    }

    /// The remainder matching `floorDiv`, always in `0..<rhs` for a positive `rhs`.
    @inline(__always)
    static func floorMod(_ lhs: Int, _ rhs: Int) -> Int {
        let r = lhs % rhs
        return (r != 0 && (r < 0) != (rhs < 0)) ? r + rhs : r
    }

    /// `floorDiv` for epoch seconds, which stay 64-bit even where Int is 32-bit.
    @inline(__always)
    static func floorDiv(_ lhs: Int64, _ rhs: Int64) -> Int64 {
        let q = lhs / rhs
        return (lhs % rhs != 0 && (lhs < 0) != (rhs < 0)) ? q - 1 : q
    }

    /// `floorMod` for epoch seconds.
    @inline(__always)
    static func floorMod(_ lhs: Int64, _ rhs: Int64) -> Int64 {
        let r = lhs % rhs
        return (r != 0 && (r < 0) != (rhs < 0)) ? r + rhs : r
    }

    /// Howard Hinnant's `days_from_civil`: proleptic Gregorian date to days since 1970-01-01,
    /// exact for any year that fits in an Int.
    @inline(__always)
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Howard Hinnant's `civil_from_days`, the inverse of `daysFromCivil`.
    @inline(__always)
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Reads `count` ASCII digits at `start`, or nil if any byte is not a digit.
    @inline(__always)
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for i in start..<(start + count) {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// Writes a non-negative number zero-padded to `width` digits (callers guarantee it fits).
    @inline(__always)
    static func write(_ value: Int, width: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var v = value
        var i = start + width - 1
        while i >= start {
            buffer[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
    }

    /// Decimal text of a number zero-padded to at least `width` digits, with a `-` sign if negative.
    static func padded(_ value: Int, width: Int) -> String {
        let digits = String(value.magnitude)
        let padding = String(repeating: "0", count: Swift.max(0, width - digits.count))
        return (value < 0 ? "-" : "") + padding + digits
    }
}
