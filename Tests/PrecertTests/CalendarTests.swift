import Foundation
import Testing
@testable import Precert

// Expected values are worked out by hand in the comments, not by calling the code under test.
// Anchors used throughout: 1970-01-01 was a Thursday; 2026-01-01 is day 20454 (56 years of 365
// days plus 14 leap days, 1972...2024) and also a Thursday.

private func day(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> CivilDate {
    try #require(CivilDate(iso: text), sourceLocation: sourceLocation)
}

private func instant(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Timestamp {
    try #require(Timestamp(rfc3339: text), sourceLocation: sourceLocation)
}

private let losAngeles = PolicyTimeZone(identifier: "America/Los_Angeles")!

/// The US federal calendar as `Policies/calendars/us-federal.yaml` spells it, built without YAML.
private func usFederal() throws -> HolidayCalendar {
    try HolidayCalendar(
        name: "us-federal",
        title: "United States federal holidays (5 U.S.C. 6103)",
        sources: ["5 U.S.C. 6103"],
        holidays: [
            HolidayDefinition(name: "New Year's Day", rule: .fixed(month: 1, day: 1, observed: .nearestWeekday)),
            HolidayDefinition(name: "Birthday of Martin Luther King, Jr.", rule: .nthWeekday(n: 3, weekday: .monday, month: 1), from: 1986),
            HolidayDefinition(name: "Washington's Birthday", rule: .nthWeekday(n: 3, weekday: .monday, month: 2)),
            HolidayDefinition(name: "Memorial Day", rule: .lastWeekday(weekday: .monday, month: 5)),
            HolidayDefinition(name: "Juneteenth National Independence Day", rule: .fixed(month: 6, day: 19, observed: .nearestWeekday), from: 2021),
            HolidayDefinition(name: "Independence Day", rule: .fixed(month: 7, day: 4, observed: .nearestWeekday)),
            HolidayDefinition(name: "Labor Day", rule: .nthWeekday(n: 1, weekday: .monday, month: 9)),
            HolidayDefinition(name: "Columbus Day", rule: .nthWeekday(n: 2, weekday: .monday, month: 10)),
            HolidayDefinition(name: "Veterans Day", rule: .fixed(month: 11, day: 11, observed: .nearestWeekday)),
            HolidayDefinition(name: "Thanksgiving Day", rule: .nthWeekday(n: 4, weekday: .thursday, month: 11)),
            HolidayDefinition(name: "Christmas Day", rule: .fixed(month: 12, day: 25, observed: .nearestWeekday)),
            HolidayDefinition(name: "National Day of Mourning for President Jimmy Carter", rule: .oneOff(CivilDate(year: 2025, month: 1, day: 9)!)),
        ])
}

@Suite("Calendar")
enum CalendarTests {
    @Suite("CivilDate")
    struct CivilDates {
        @Test func knownDayNumbers() throws {
            #expect(try day("1970-01-01").dayNumber == 0)
            #expect(try day("1969-12-31").dayNumber == -1)
            // 2000-01-01 is day 10957 (30 years, 7 leap days 1972...1996); + Jan 31 + Feb 29 = 11017.
            #expect(try day("2000-03-01").dayNumber == 11017)
            #expect(try day("2026-01-01").dayNumber == 20454)
            // 0000-01-01: 1970 years back; Hinnant's algorithm gives -719528, the Unix-epoch offset of the proleptic year 0.
            #expect(try day("0000-01-01") == CivilDate.min)
            #expect(CivilDate.min.dayNumber == -719_528)
            // 10000-01-01 would be 8030*365 + 1947 leap days = 2932897; the day before is the max.
            #expect(CivilDate.max.dayNumber == 2_932_896)
            #expect(CivilDate.max.description == "9999-12-31")
        }

        @Test func fieldsAndWeekdays() throws {
            let thanksgiving = try day("2026-11-26")
            #expect(thanksgiving.year == 2026)
            #expect(thanksgiving.month == 11)
            #expect(thanksgiving.day == 26)
            #expect(thanksgiving.weekday == .thursday)
            #expect(try day("1970-01-01").weekday == .thursday)
            #expect(try day("1969-12-31").weekday == .wednesday)
            #expect(try day("2026-07-04").weekday == .saturday)   // 181 + 3 days after a Thursday: 184 % 7 = 2
            #expect(try day("2028-01-01").weekday == .saturday)
            #expect(try day("2000-02-29").weekday == .tuesday)
            #expect(CivilDate(year: 42, month: 7, day: 4)?.description == "0042-07-04")
        }

        @Test func everyDayRoundTrips() throws {
            var date = try day("1899-12-31")
            var weekday = date.weekday
            let end = try day("2101-01-01")
            while date < end {
                let next = date.adding(days: 1)
                #expect(next.dayNumber == date.dayNumber + 1)
                #expect(CivilDate(iso: next.description) == next)
                #expect(CivilDate(year: next.year, month: next.month, day: next.day) == next)
                let expectedWeekday = Weekday(rawValue: weekday.rawValue % 7 + 1)!
                #expect(next.weekday == expectedWeekday)
                date = next
                weekday = expectedWeekday
            }
        }

        @Test func leapYears() {
            #expect(CivilDate.isLeapYear(2000))
            #expect(CivilDate.isLeapYear(2024))
            #expect(CivilDate.isLeapYear(2028))
            #expect(!CivilDate.isLeapYear(1900))
            #expect(!CivilDate.isLeapYear(2026))
            #expect(!CivilDate.isLeapYear(2100))
            #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
            #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
            #expect(CivilDate(year: 2026, month: 2, day: 29) == nil)
            #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
            #expect(CivilDate(year: 2100, month: 2, day: 29) == nil)
            #expect(CivilDate(year: 2026, month: 4, day: 31) == nil)
            #expect(CivilDate(year: 2026, month: 13, day: 1) == nil)
            #expect(CivilDate(year: 2026, month: 0, day: 1) == nil)
            #expect(CivilDate(year: 10000, month: 1, day: 1) == nil)
            #expect(CivilDate(year: -1, month: 1, day: 1) == nil)
        }

        @Test func parsingRejects() {
            for text in ["", "2026-1-01", "2026-01-1", "2026/01/01", "2026-13-01", "2026-00-10", "2026-02-29",
                         "2026-01-32", "2026-01-00", " 2026-01-01", "2026-01-01 ", "2026-01-01T00:00:00Z",
                         "+2026-01-01", "20260101", "2026-0a-01", "２０２６-01-01", "12026-01-01"] {
                #expect(CivilDate(iso: text) == nil, "\(text)")
            }
        }

        @Test func parsingSubstringsAndBytes() throws {
            let padded = "x2026-05-20y"
            #expect(CivilDate(iso: padded.dropFirst().dropLast()) == CivilDate(year: 2026, month: 5, day: 20))
            let bytes = Array("2024-02-29".utf8)
            let parsed = bytes.withUnsafeBufferPointer { CivilDate(utf8: $0) }
            #expect(parsed == CivilDate(year: 2024, month: 2, day: 29))
            let bad = Array("2023-02-29".utf8)
            #expect(bad.withUnsafeBufferPointer { CivilDate(utf8: $0) } == nil)
        }

        @Test func monthAndYearArithmeticClamps() throws {
            #expect(try day("2028-02-29").adding(years: 1) == day("2029-02-28"))
            #expect(try day("2028-02-29").adding(years: 4) == day("2032-02-29"))
            #expect(try day("2028-02-29").adding(years: -1) == day("2027-02-28"))
            #expect(try day("2026-01-31").adding(months: 1) == day("2026-02-28"))
            #expect(try day("2024-01-31").adding(months: 1) == day("2024-02-29"))
            #expect(try day("2026-03-31").adding(months: 1) == day("2026-04-30"))
            #expect(try day("2026-03-31").adding(months: -1) == day("2026-02-28"))
            #expect(try day("2026-12-15").adding(months: 1) == day("2027-01-15"))
            #expect(try day("2026-01-15").adding(months: -1) == day("2025-12-15"))
            #expect(try day("2026-05-20").adding(months: 12) == day("2027-05-20"))
            #expect(try day("2026-05-20").adding(months: -25) == day("2024-04-20"))
            #expect(try day("2026-12-31").adding(days: 1) == day("2027-01-01"))
            #expect(try day("2024-02-28").adding(days: 1) == day("2024-02-29"))
            #expect(try day("2026-03-01").adding(days: -1) == day("2026-02-28"))
        }

        @Test func arithmeticSaturatesInsteadOfTrapping() {
            #expect(CivilDate.max.adding(days: 1) == .max)
            #expect(CivilDate.min.adding(days: -1) == .min)
            #expect(CivilDate.max.adding(months: 1) == .max)
            #expect(CivilDate.min.adding(months: -1) == .min)
            #expect(CivilDate.max.adding(years: Int.max) == .max)
            #expect(CivilDate.min.adding(days: Int.min) == .min)
            #expect(CivilDate(dayNumber: .max) == .max)
            #expect(CivilDate(dayNumber: .min) == .min)
        }

        @Test func weekdayNames() {
            #expect(Weekday(name: "thursday") == .thursday)
            #expect(Weekday(name: "sunday") == .sunday)
            #expect(Weekday(name: "Thursday") == nil)
            #expect(Weekday(name: "thu") == nil)
            #expect(Weekday.allCases.map(\.name) == ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
            #expect(Weekday.monday.rawValue == 1 && Weekday.sunday.rawValue == 7)
        }
    }

    @Suite("Timestamp")
    struct Timestamps {
        @Test func parsesOffsetsToTheSameInstant() throws {
            // 2026-11-23 is day 20454 + 304 (Jan...Oct) + 22 = 20780; 10:15 at -08:00 is 18:15Z.
            // 20780 * 86400 = 1_795_392_000; + 18*3600 + 15*60 = 1_795_457_700.
            let pacific = try instant("2026-11-23T10:15:00-08:00")
            #expect(pacific.epochSeconds == 1_795_457_700)
            #expect(pacific.utcOffsetSeconds == -28_800)
            let utc = try instant("2026-11-23T18:15:00Z")
            #expect(utc.utcOffsetSeconds == 0)
            #expect(pacific == utc)  // same instant, different offsets
            #expect(Set([pacific, utc]).count == 1)
            #expect(try instant("2026-11-23t18:15:00z") == utc)
            #expect(try instant("2026-11-23T23:45:00+05:30") == utc)
            #expect(try instant("2026-11-23T23:45:00+05:30").utcOffsetSeconds == 19_800)
            #expect(try instant("2026-11-23T18:15:00-00:00").utcOffsetSeconds == 0)
        }

        @Test func fractionsAreTruncated() throws {
            #expect(try instant("2026-11-23T18:15:00.999Z").epochSeconds == 1_795_457_700)
            #expect(try instant("2026-11-23T18:15:00.5-08:00").epochSeconds == 1_795_457_700 + 8 * 3600)
            #expect(try instant("2026-11-23T18:15:00.123456789012Z").epochSeconds == 1_795_457_700)
        }

        @Test func beforeTheEpoch() throws {
            let t = try instant("1969-12-31T23:59:59Z")
            #expect(t.epochSeconds == -1)
            #expect(t.formatted(offsetSeconds: 0) == "1969-12-31T23:59:59+00:00")
            #expect(t.localDate(offsetSeconds: 0) == CivilDate(year: 1969, month: 12, day: 31))
            #expect(t.secondsOfDay(offsetSeconds: 0) == 86_399)
        }

        @Test func rejects() {
            for text in [
                "2026-11-23T18:15:00",          // no offset
                "2026-11-23",                   // a date is not an instant
                "2026-11-23 18:15:00Z",         // space instead of T
                "2026-11-23T24:00:00Z",         // hour 24
                "2026-11-23T23:60:00Z",         // minute 60
                "2026-11-23T23:59:60Z",         // leap second
                "2026-11-23T18:15:00+24:00",    // offset hour 24
                "2026-11-23T18:15:00+05:60",    // offset minute 60
                "2026-11-23T18:15:00+0500",     // offset without colon
                "2026-11-23T18:15:00+05",       // offset without minutes
                "2026-11-23T18:15:00.Z",        // empty fraction
                "2026-11-23T18:15:00ZZ",        // trailing text
                "2026-11-23T18:15:00Z ",
                "2026-02-30T00:00:00Z",         // no such day
                "2026-11-23T8:15:00Z",          // one-digit hour
                "2026-11-23T18:15Z",            // no seconds
                "",
            ] {
                #expect(Timestamp(rfc3339: text) == nil, "\(text)")
            }
        }

        @Test func formatsInAnyOffset() throws {
            let t = try instant("2026-11-28T07:59:59Z")
            #expect(t.formatted(offsetSeconds: -28_800) == "2026-11-27T23:59:59-08:00")
            #expect(t.formatted(offsetSeconds: 0) == "2026-11-28T07:59:59+00:00")
            #expect(t.formatted(offsetSeconds: 19_800) == "2026-11-28T13:29:59+05:30")
            #expect(t.rfc3339 == "2026-11-28T07:59:59+00:00")
            #expect(try instant("2026-11-23T10:15:00-08:00").description == "2026-11-23T10:15:00-08:00")
            // Local mean time of -0:44:30 (Monrovia before 1972) prints as -00:44 with the wall
            // time computed for -00:44, so the text is still the same instant: 0 - 2640 s = 23:16:00.
            #expect(Timestamp(epochSeconds: 0).formatted(offsetSeconds: -2670) == "1969-12-31T23:16:00-00:44")
        }

        @Test func localDateAndTime() throws {
            let t = try instant("2026-11-28T07:59:59Z")
            #expect(t.localDate(offsetSeconds: -28_800) == CivilDate(year: 2026, month: 11, day: 27))
            #expect(t.secondsOfDay(offsetSeconds: -28_800) == 86_399)
            #expect(t.localDate(offsetSeconds: 0) == CivilDate(year: 2026, month: 11, day: 28))
            #expect(t.secondsOfDay(offsetSeconds: 0) == 7 * 3600 + 59 * 60 + 59)
            let built = Timestamp(localDate: try day("2026-11-27"), secondsOfDay: 86_399, utcOffsetSeconds: -28_800)
            #expect(built == t)
            #expect(built.rfc3339 == "2026-11-27T23:59:59-08:00")
        }

        @Test func arithmeticAndOrder() throws {
            let t = try instant("2026-11-23T10:15:00-08:00")
            #expect(t.adding(seconds: 3600).rfc3339 == "2026-11-23T11:15:00-08:00")
            #expect(t.adding(seconds: -86_400).rfc3339 == "2026-11-22T10:15:00-08:00")
            #expect(try instant("2026-11-23T10:00:00-08:00") > instant("2026-11-23T17:00:00Z"))  // 18:00Z > 17:00Z
            #expect(Timestamp(epochSeconds: .max).adding(seconds: 1).epochSeconds == .max)
        }
    }

    @Suite("PolicyTimeZone")
    struct TimeZones {
        @Test func acceptsOnlyIANANames() {
            for name in ["America/Los_Angeles", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC", "Etc/UTC"] {
                #expect(PolicyTimeZone(identifier: name)?.identifier == name, "\(name)")
            }
            for name in ["", "Mars/Olympus_Mons", "america/los_angeles", "PST", "EST", "GMT+5", "UTC+1", "Z", "utc",
                         "/America/Los_Angeles", "America/Los_Angeles/", "../etc/passwd"] {
                #expect(PolicyTimeZone(identifier: name) == nil, "\(name)")
            }
        }

        @Test func offsetsAroundDaylightSavingTime() throws {
            // 2026-03-08 is day 20454 + 31 + 28 + 7 = 20520; 02:00 PST = 10:00Z = 1_772_964_000.
            let springForward: Int64 = 20_520 * 86_400 + 10 * 3600
            #expect(losAngeles.offset(atEpochSeconds: springForward - 1) == -28_800)
            #expect(losAngeles.offset(atEpochSeconds: springForward) == -25_200)
            // 2026-11-01 is day 20454 + 304 = 20758; 02:00 PDT = 09:00Z = 1_793_523_600.
            let fallBack: Int64 = 20_758 * 86_400 + 9 * 3600
            #expect(losAngeles.offset(atEpochSeconds: fallBack - 1) == -25_200)
            #expect(losAngeles.offset(atEpochSeconds: fallBack) == -28_800)
            #expect(losAngeles.offset(at: try instant("2026-07-01T12:00:00Z")) == -25_200)
            #expect(losAngeles.offset(at: try instant("2026-01-15T12:00:00Z")) == -28_800)
            // Outside the precomputed years the zone's current rules still apply.
            #expect(losAngeles.offset(at: try instant("2150-07-01T12:00:00Z")) == -25_200)
            #expect(losAngeles.offset(at: try instant("2150-01-01T12:00:00Z")) == -28_800)
            // Central Europe switches at 01:00Z on the last Sunday of March (2026-03-29).
            let berlin = try #require(PolicyTimeZone(identifier: "Europe/Berlin"))
            #expect(berlin.offset(at: try instant("2026-03-29T00:59:59Z")) == 3600)
            #expect(berlin.offset(at: try instant("2026-03-29T01:00:00Z")) == 7200)
            #expect(PolicyTimeZone.utc.offset(at: try instant("2026-07-01T12:00:00Z")) == 0)
        }

        @Test("offsets change exactly where sampling every day and bisecting finds the changes, 1970 to 2100",
            arguments: [
                "America/Los_Angeles", "America/Chicago", "America/New_York", "America/Denver", "America/Phoenix",
                "Pacific/Honolulu", "America/Anchorage", "America/Puerto_Rico", "Europe/Berlin", "Europe/Moscow",
                "Africa/Casablanca", "Pacific/Apia", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo",
                "Pacific/Chatham", "Asia/Tehran", "UTC",
            ])
        func offsetTableAgreesWithSampling(_ name: String) throws {
            let zone = try #require(PolicyTimeZone(identifier: name))
            let foundation = try #require(TimeZone(identifier: name))
            func reference(_ t: Int64) -> Int32 { Int32(foundation.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))) }
            let lower = PolicyTimeZone.OffsetTable.lowerBound, upper = PolicyTimeZone.OffsetTable.upperBound
            var t = lower
            var current = reference(t)
            #expect(zone.offset(atEpochSeconds: t) == current)
            var changes = 0
            while t < upper {
                let next = min(t + 86_400, upper)
                let offset = reference(next)
                if offset != current {
                    var low = t, high = next
                    while high - low > 1 {
                        let mid = low + (high - low) / 2
                        if reference(mid) == current { low = mid } else { high = mid }
                    }
                    #expect(zone.offset(atEpochSeconds: high - 1) == current, "\(name) just before \(high)")
                    current = reference(high)
                    #expect(zone.offset(atEpochSeconds: high) == current, "\(name) at \(high)")
                    changes += 1
                }
                // Midday samples in between agree too.
                #expect(zone.offset(atEpochSeconds: t + 43_200) == reference(t + 43_200), "\(name) at \(t + 43_200)")
                t = next
            }
            if name == "America/Los_Angeles" { #expect(changes > 200) }
        }

        @Test func localTimesToInstants() throws {
            // Ordinary summer and winter evenings.
            #expect(losAngeles.instant(localDate: try day("2026-07-01"), secondsOfDay: 86_399).rfc3339 == "2026-07-01T23:59:59-07:00")
            #expect(losAngeles.instant(localDate: try day("2026-12-01"), secondsOfDay: 86_399).rfc3339 == "2026-12-01T23:59:59-08:00")
            // 02:30 does not exist on 2026-03-08: moved later by the one-hour gap, 03:30 PDT = 10:30Z.
            let skipped = losAngeles.instant(localDate: try day("2026-03-08"), secondsOfDay: 2 * 3600 + 1800)
            #expect(skipped.rfc3339 == "2026-03-08T03:30:00-07:00")
            #expect(skipped.epochSeconds == 20_520 * 86_400 + 10 * 3600 + 1800)
            // 01:30 happens twice on 2026-11-01: the earlier one, 01:30 PDT = 08:30Z.
            let repeated = losAngeles.instant(localDate: try day("2026-11-01"), secondsOfDay: 3600 + 1800)
            #expect(repeated.rfc3339 == "2026-11-01T01:30:00-07:00")
            #expect(repeated.epochSeconds == 20_758 * 86_400 + 8 * 3600 + 1800)
            // The end of both transition days is unambiguous.
            #expect(losAngeles.instant(localDate: try day("2026-03-08"), secondsOfDay: 86_399).rfc3339 == "2026-03-08T23:59:59-07:00")
            #expect(losAngeles.instant(localDate: try day("2026-11-01"), secondsOfDay: 86_399).rfc3339 == "2026-11-01T23:59:59-08:00")
            #expect(losAngeles.localDate(of: try instant("2026-11-21T05:00:00Z")) == CivilDate(year: 2026, month: 11, day: 20))
        }

        @Test func sharedAcrossTasks() async throws {
            let expected = try #require(PolicyTimeZone(identifier: "America/New_York"))
                .instant(localDate: try day("2026-11-03"), secondsOfDay: 86_399)
            #expect(expected.rfc3339 == "2026-11-03T23:59:59-05:00")
            let results = await withTaskGroup(of: Timestamp?.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        PolicyTimeZone(identifier: "America/New_York")?
                            .instant(localDate: CivilDate(year: 2026, month: 11, day: 3)!, secondsOfDay: 86_399)
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 32)
            #expect(results.allSatisfy { $0 == expected && $0?.utcOffsetSeconds == -18_000 })
        }
    }

    @Suite("Holidays")
    struct Holidays {
        // 2026 begins on a Thursday. Month starts: Feb 1 Sun, May 1 Fri, Jun 1 Mon, Jul 1 Wed,
        // Sep 1 Tue, Oct 1 Thu, Nov 1 Sun, Dec 1 Tue.
        @Test func observed2026() throws {
            let holidays = try usFederal().observedHolidays(in: 2026)
            let expected: [(String, String)] = [
                ("2026-01-01", "New Year's Day"),                        // Thursday
                ("2026-01-19", "Birthday of Martin Luther King, Jr."),   // Mondays 5, 12, 19
                ("2026-02-16", "Washington's Birthday"),                 // Mondays 2, 9, 16
                ("2026-05-25", "Memorial Day"),                          // May 31 is a Sunday
                ("2026-06-19", "Juneteenth National Independence Day"),  // Friday
                ("2026-07-03", "Independence Day"),                      // July 4 is a Saturday
                ("2026-09-07", "Labor Day"),                             // first Monday
                ("2026-10-12", "Columbus Day"),                          // Mondays 5, 12
                ("2026-11-11", "Veterans Day"),                          // Wednesday
                ("2026-11-26", "Thanksgiving Day"),                      // Thursdays 5, 12, 19, 26
                ("2026-12-25", "Christmas Day"),                         // Friday
            ]
            #expect(holidays.map(\.date.description) == expected.map(\.0))
            #expect(holidays.map(\.name) == expected.map(\.1))
            let july = try #require(holidays.first { $0.name == "Independence Day" })
            #expect(july.actualDate == (try day("2026-07-04")))
        }

        // 2027 begins on a Friday. Month starts: Feb 1 Mon, May 1 Sat, Jun 1 Tue, Jul 1 Thu,
        // Sep 1 Wed, Oct 1 Fri, Nov 1 Mon, Dec 1 Wed; 2028 begins on a Saturday.
        @Test func observed2027() throws {
            let holidays = try usFederal().observedHolidays(in: 2027)
            let expected: [(String, String)] = [
                ("2027-01-01", "New Year's Day"),
                ("2027-01-18", "Birthday of Martin Luther King, Jr."),
                ("2027-02-15", "Washington's Birthday"),
                ("2027-05-31", "Memorial Day"),                          // May 31 is itself a Monday
                ("2027-06-18", "Juneteenth National Independence Day"),  // June 19 is a Saturday
                ("2027-07-05", "Independence Day"),                      // July 4 is a Sunday
                ("2027-09-06", "Labor Day"),
                ("2027-10-11", "Columbus Day"),
                ("2027-11-11", "Veterans Day"),                          // Thursday
                ("2027-11-25", "Thanksgiving Day"),
                ("2027-12-24", "Christmas Day"),                         // Dec 25 is a Saturday
                ("2027-12-31", "New Year's Day"),                        // Jan 1 2028 is a Saturday
            ]
            #expect(holidays.map(\.date.description) == expected.map(\.0))
            #expect(holidays.map(\.name) == expected.map(\.1))
            #expect(try usFederal().observedHolidays(in: 2028).first?.name == "Birthday of Martin Luther King, Jr.")
        }

        @Test func lookups() throws {
            let calendar = try usFederal()
            #expect(calendar.isHoliday(try day("2026-07-03")))
            #expect(!calendar.isHoliday(try day("2026-07-04")))  // only the observed day is a holiday
            #expect(!calendar.isBusinessDay(try day("2026-07-04")))  // ...but it is a Saturday
            #expect(calendar.holidayName(on: try day("2027-12-31")) == "New Year's Day")
            #expect(!calendar.isHoliday(try day("2028-01-01")))
            #expect(calendar.isHoliday(try day("2021-06-18")))   // first Juneteenth, observed Friday
            #expect(!calendar.isHoliday(try day("2020-06-19")))  // before `from: 2021`
            #expect(!calendar.isHoliday(try day("1985-01-21")))  // third Monday, before `from: 1986`
            #expect(calendar.isHoliday(try day("1986-01-20")))
            #expect(calendar.holidayName(on: try day("2025-01-09")) == "National Day of Mourning for President Jimmy Carter")
            #expect(!calendar.isHoliday(try day("2026-01-09")))
            #expect(calendar.holiday(on: try day("2026-11-26"))?.rule == .nthWeekday(n: 4, weekday: .thursday, month: 11))
            #expect(calendar.isBusinessDay(try day("2026-11-27")))  // the day after Thanksgiving is not a federal holiday
            #expect(calendar.holidayName(on: try day("2026-11-27")) == nil)
        }

        @Test func beyondThePrecomputedYears() throws {
            // The Gregorian calendar repeats every 400 years (146097 days = 20871 weeks), so
            // 2426 has 2026's weekdays and 2427/2428 have 2027/2028's.
            let calendar = try usFederal()
            #expect(calendar.isHoliday(try day("2426-07-03")))
            #expect(!calendar.isHoliday(try day("2426-07-04")))
            #expect(calendar.holidayName(on: try day("2426-11-26")) == "Thanksgiving Day")
            #expect(calendar.holidayName(on: try day("2427-12-31")) == "New Year's Day")
            #expect(calendar.observedHolidays(in: 2427).map(\.date.description)
                    == calendar.observedHolidays(in: 2027).map { "24" + $0.date.description.dropFirst(2) })
            #expect(calendar.addingBusinessDays(3, to: try day("2426-11-24")) == (try day("2426-11-30")))
        }

        @Test func countingBusinessDays() throws {
            let calendar = try usFederal()
            let monday = try day("2026-11-30")
            #expect(calendar.addingBusinessDays(0, to: monday) == monday)
            #expect(calendar.addingBusinessDays(1, to: monday) == (try day("2026-12-01")))
            #expect(calendar.addingBusinessDays(-1, to: monday) == (try day("2026-11-27")))
            #expect(calendar.addingBusinessDays(-2, to: monday) == (try day("2026-11-25")))  // skips Thanksgiving
            #expect(calendar.addingBusinessDays(1, to: try day("2026-01-16")) == (try day("2026-01-20")))  // Fri -> Tue after MLK
            // 2026 has 261 weekdays (365 days, 52 weeks + Thursday) minus 11 holidays on weekdays = 250.
            #expect(calendar.addingBusinessDays(250, to: try day("2025-12-31")) == (try day("2026-12-31")))
        }

        @Test func otherWeekendsAndRules() throws {
            // A Friday/Saturday weekend with a fixed holiday that is never shifted.
            let calendar = try HolidayCalendar(
                name: "example", title: "Example", weekend: [.friday, .saturday],
                holidays: [HolidayDefinition(name: "Founding Day", rule: .fixed(month: 2, day: 22, observed: .none))])
            #expect(calendar.isBusinessDay(try day("2026-11-29")))   // Sunday
            #expect(!calendar.isBusinessDay(try day("2026-11-27")))  // Friday
            #expect(calendar.isHoliday(try day("2026-02-22")))       // a Sunday, not moved
            #expect(calendar.addingBusinessDays(1, to: try day("2026-11-26")) == (try day("2026-11-29")))
            // Fifth weekdays exist only in some months: November 2026 has five Mondays (2...30), February 2026 four.
            #expect(HolidayRule.nthWeekday(n: 5, weekday: .monday, month: 11).date(in: 2026) == (try day("2026-11-30")))
            #expect(HolidayRule.nthWeekday(n: 5, weekday: .monday, month: 2).date(in: 2026) == nil)
            #expect(HolidayRule.lastWeekday(weekday: .friday, month: 2).date(in: 2026) == (try day("2026-02-27")))
            #expect(HolidayRule.fixed(month: 2, day: 29, observed: .none).date(in: 2026) == nil)
            #expect(HolidayRule.fixed(month: 2, day: 29, observed: .none).date(in: 2028) == (try day("2028-02-29")))
            // Christmas 2022 was a Sunday: observed Monday the 26th.
            #expect(HolidayRule.fixed(month: 12, day: 25, observed: .nearestWeekday).observedDate(in: 2022) == (try day("2022-12-26")))
        }

        @Test func invalidCalendarsAreRejected() {
            #expect(throws: CalendarFileError.self) {
                try HolidayCalendar(name: "x", title: "x", weekend: Set(Weekday.allCases), holidays: [])
            }
            do throws(CalendarFileError) {
                _ = try HolidayCalendar(name: "x", title: "x", holidays: [
                    HolidayDefinition(name: "ok", rule: .fixed(month: 1, day: 1, observed: .none)),
                    HolidayDefinition(name: "bad", rule: .nthWeekday(n: 6, weekday: .monday, month: 1)),
                ])
                Issue.record("expected an error")
            } catch {
                #expect(error.pathDescription == "holidays[1].nth")
                #expect(error.message == "`nth` must be from 1 to 5, not `6`")
            }
            #expect(throws: CalendarFileError.self) {
                try HolidayCalendar(name: "x", title: "x", holidays: [
                    HolidayDefinition(name: "x", rule: .fixed(month: 2, day: 30, observed: .none)),
                ])
            }
            #expect(throws: CalendarFileError.self) {
                try HolidayCalendar(name: "x", title: "x", holidays: [
                    HolidayDefinition(name: "x", rule: .fixed(month: 1, day: 1, observed: .none), from: 2030, until: 2020),
                ])
            }
            // Weekdays-only weekend plus every Monday as a holiday leaves no business day at all.
            #expect(throws: CalendarFileError.self) {
                try HolidayCalendar(
                    name: "x", title: "x", weekend: Set(Weekday.allCases).subtracting([.monday]),
                    holidays: (1...12).flatMap { month in
                        (1...5).map { n in HolidayDefinition(name: "m", rule: .nthWeekday(n: n, weekday: .monday, month: month)) }
                    })
            }
        }
    }

    @Suite("Durations and due dates")
    struct DueDates {
        @Test func parsingDurations() {
            let cases: [(String, Int, ClockUnit, String)] = [
                ("72 hours", 72, .hours, "72 hours"),
                ("1 hour", 1, .hours, "1 hour"),
                ("3 business days", 3, .businessDays, "3 business days"),
                ("1 business day", 1, .businessDays, "1 business day"),
                ("10 calendar days", 10, .calendarDays, "10 calendar days"),
                ("2 days", 2, .calendarDays, "2 calendar days"),
                ("1 day", 1, .calendarDays, "1 calendar day"),
                ("1 year", 1, .years, "1 year"),
                ("6 months", 6, .months, "6 months"),
                ("1 month", 1, .months, "1 month"),
                ("0 hours", 0, .hours, "0 hours"),
                ("  5   business   days ", 5, .businessDays, "5 business days"),
                ("100000 hours", 100_000, .hours, "100000 hours"),
            ]
            for (text, amount, unit, canonical) in cases {
                let duration = ClockDuration(text: text)
                #expect(duration == ClockDuration(amount: amount, unit: unit), "\(text)")
                #expect(duration?.description == canonical, "\(text)")
                #expect(ClockDuration(text: canonical) == duration, "\(text)")
            }
            for text in ["", "hours", "72", "72hours", "-1 hours", "+1 hours", "1.5 hours", "72 Hours", "3 business",
                         "3 weekdays", "3 working days", "007 hours", "100001 hours", "3 business days later", "three days",
                         "3 calendar", "business days"] {
                #expect(ClockDuration(text: text) == nil, "\(text)")
            }
        }

        private func due(_ received: String, _ duration: String) throws -> String {
            let receivedAt = try instant(received)
            let duration = try #require(ClockDuration(text: duration))
            return dueDate(receivedAt: receivedAt, duration: duration, zone: losAngeles, calendar: try usFederal()).rfc3339
        }

        @Test func thanksgivingWeek2026() throws {
            // Received Tuesday 11-24: Wed 25 (1), Thu 26 Thanksgiving, Fri 27 (2), weekend, Mon 30 (3).
            #expect(try due("2026-11-24T10:15:00-08:00", "3 business days") == "2026-11-30T23:59:59-08:00")
            // Received Wednesday 11-25: Fri 27 (1), Mon 30 (2), Tue 12-01 (3).
            #expect(try due("2026-11-25T10:15:00-08:00", "3 business days") == "2026-12-01T23:59:59-08:00")
            // The receipt day does not count even at 00:00:01 on a business day.
            #expect(try due("2026-11-25T00:00:01-08:00", "1 business day") == "2026-11-27T23:59:59-08:00")
        }

        @Test func christmasAndYearEnd2026() throws {
            // Received Wednesday 12-23: Thu 24 (1), Fri 25 Christmas, weekend, Mon 28 (2), Tue 29 (3).
            #expect(try due("2026-12-23T09:00:00-08:00", "3 business days") == "2026-12-29T23:59:59-08:00")
            // ... Wed 30 (4), Thu 31 (5), Fri 2027-01-01 New Year's Day, weekend, Mon 01-04 (6) ... Fri 01-08 (10).
            #expect(try due("2026-12-23T09:00:00-08:00", "6 business days") == "2027-01-04T23:59:59-08:00")
            #expect(try due("2026-12-23T09:00:00-08:00", "10 business days") == "2027-01-08T23:59:59-08:00")
            // Received Wednesday 12-30: Thu 31 (1), New Year's Day, weekend, Mon 01-04 (2), Tue 01-05 (3).
            #expect(try due("2026-12-30T16:59:00-08:00", "3 business days") == "2027-01-05T23:59:59-08:00")
            // 2027 ends with Christmas observed Fri 12-24 and New Year's Day 2028 observed Fri 12-31.
            // Received Thu 12-23: Mon 27 (1), Tue 28 (2), Wed 29 (3), Thu 30 (4), Mon 2028-01-03 (5).
            #expect(try due("2027-12-23T09:00:00-08:00", "5 business days") == "2028-01-03T23:59:59-08:00")
        }

        @Test func receivedOnWeekends() throws {
            // Saturday 11-28: Mon 30 (1), Tue 12-01 (2), Wed 12-02 (3).
            #expect(try due("2026-11-28T11:00:00-08:00", "3 business days") == "2026-12-02T23:59:59-08:00")
            // Saturday 01-17 before MLK Monday 01-19: Tue 20 (1), Wed 21 (2), Thu 22 (3).
            #expect(try due("2026-01-17T11:00:00-08:00", "3 business days") == "2026-01-22T23:59:59-08:00")
            // Sunday 2026-07-05, after Independence Day observed Fri 07-03: Mon 6, Tue 7, Wed 8.
            #expect(try due("2026-07-05T11:00:00-07:00", "3 business days") == "2026-07-08T23:59:59-07:00")
        }

        @Test func receivedOnFridays() throws {
            // Friday 11-20: Mon 23 (1), Tue 24 (2), Wed 25 (3).
            #expect(try due("2026-11-20T10:00:00-08:00", "3 business days") == "2026-11-25T23:59:59-08:00")
            // 05:00Z Saturday is still Friday 21:00 in Los Angeles: the receipt day is the local one.
            #expect(try due("2026-11-21T05:00:00Z", "3 business days") == "2026-11-25T23:59:59-08:00")
            // Thursday 07-02 before the observed Independence Day (Fri 07-03): Mon 6 (1), Tue 7 (2), Wed 8 (3).
            #expect(try due("2026-07-02T10:00:00-07:00", "3 business days") == "2026-07-08T23:59:59-07:00")
        }

        @Test func hoursAreElapsedTimeAcrossDaylightSavingChanges() throws {
            let calendar = try usFederal()
            let hours72 = ClockDuration(amount: 72, unit: .hours)
            // Spring: 2026-03-06 12:00 PST = 20:00Z; + 72 h = 2026-03-09 20:00Z = 13:00 PDT.
            let spring = try instant("2026-03-06T12:00:00-08:00")
            let springDue = dueDate(receivedAt: spring, duration: hours72, zone: losAngeles, calendar: calendar)
            #expect(springDue.epochSeconds - spring.epochSeconds == 259_200)
            #expect(springDue.rfc3339 == "2026-03-09T13:00:00-07:00")
            // Fall: 2026-10-30 12:00 PDT = 19:00Z; + 72 h = 2026-11-02 19:00Z = 11:00 PST.
            let fall = try instant("2026-10-30T12:00:00-07:00")
            let fallDue = dueDate(receivedAt: fall, duration: hours72, zone: losAngeles, calendar: calendar)
            #expect(fallDue.epochSeconds - fall.epochSeconds == 259_200)
            #expect(fallDue.rfc3339 == "2026-11-02T11:00:00-08:00")
            // Hours ignore weekends and holidays: Wednesday before Thanksgiving + 72 h is Saturday.
            #expect(try due("2026-11-25T10:15:00-08:00", "72 hours") == "2026-11-28T10:15:00-08:00")
            // Written in UTC, printed in the policy zone.
            #expect(try due("2026-11-23T18:15:00Z", "1 hour") == "2026-11-23T11:15:00-08:00")
        }

        @Test func businessDaysAcrossDaylightSavingChanges() throws {
            // Friday 2026-03-06 (PST): Mon 9 (1), Tue 10 (2), Wed 11 (3), now in PDT.
            #expect(try due("2026-03-06T09:00:00-08:00", "3 business days") == "2026-03-11T23:59:59-07:00")
            // Thursday 2026-10-29 (PDT): Fri 30 (1), Mon 11-02 (2), Tue 11-03 (3), now in PST.
            #expect(try due("2026-10-29T16:00:00-07:00", "3 business days") == "2026-11-03T23:59:59-08:00")
        }

        @Test func calendarDaysMonthsAndYears() throws {
            // The receipt day does not count: 11-23 + 10 days = 12-03.
            #expect(try due("2026-11-23T10:15:00-08:00", "10 calendar days") == "2026-12-03T23:59:59-08:00")
            // Calendar days ignore holidays: 11-25 + 1 = Thanksgiving.
            #expect(try due("2026-11-25T10:15:00-08:00", "1 day") == "2026-11-26T23:59:59-08:00")
            // 23:30 PST on 11-23 is 07:30Z on 11-24; the local date (11-23) is the receipt day.
            #expect(try due("2026-11-24T07:30:00Z", "1 calendar day") == "2026-11-24T23:59:59-08:00")
            // Across the spring change: 03-01 + 14 days = 03-15, in PDT.
            #expect(try due("2026-03-01T08:00:00-08:00", "14 calendar days") == "2026-03-15T23:59:59-07:00")
            #expect(try due("2026-01-31T08:00:00-08:00", "1 month") == "2026-02-28T23:59:59-08:00")
            #expect(try due("2026-05-20T08:00:00-07:00", "6 months") == "2026-11-20T23:59:59-08:00")
            #expect(try due("2028-02-29T08:00:00-08:00", "1 year") == "2029-02-28T23:59:59-08:00")
            #expect(try due("2026-11-23T10:15:00-08:00", "0 calendar days") == "2026-11-23T23:59:59-08:00")
        }

        @Test func dueDatesAreDeterministicAcrossTasks() async throws {
            let calendar = try usFederal()
            let receivedAt = try instant("2026-11-24T10:15:00-08:00")
            let duration = ClockDuration(amount: 3, unit: .businessDays)
            let results = await withTaskGroup(of: String.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        dueDate(receivedAt: receivedAt, duration: duration, zone: losAngeles, calendar: calendar).rfc3339
                    }
                }
                return await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(results == ["2026-11-30T23:59:59-08:00"])
        }
    }

    @Suite("Calendar files")
    struct Files {
        private func decode(_ json: String) throws -> CalendarFileModel {
            try JSONDecoder().decode(CalendarFileModel.self, from: Data(json.utf8))
        }

        private func errors(_ json: String) throws -> [CalendarFileError] {
            do {
                _ = try HolidayCalendar(file: try decode(json))
                return []
            } catch let failure as CalendarFileErrors {
                return failure.errors
            }
        }

        @Test func decodesAValidFile() throws {
            let model = try decode("""
                {"precert-calendar": 1, "calendar": "us-example", "title": "Example", "sources": "5 U.S.C. 6103",
                 "holidays": [
                   {"name": "New Year's Day", "date": "01-01", "observed": "nearest-weekday"},
                   {"name": "Thanksgiving Day", "nth": 4, "weekday": "thursday", "month": "november"},
                   {"name": "Memorial Day", "last": "monday", "month": 5},
                   {"name": "Juneteenth", "date": "06-19", "observed": "nearest-weekday", "from": 2021, "because": "Pub. L. 117-17"},
                   {"name": "Mourning", "on": "2025-01-09"}
                 ]}
                """)
            #expect(model.format == "1")
            #expect(model.sources == ["5 U.S.C. 6103"])
            let calendar = try HolidayCalendar(file: model)
            #expect(calendar.name == "us-example")
            #expect(calendar.weekend == [.saturday, .sunday])
            #expect(calendar.holidays.map(\.rule) == [
                .fixed(month: 1, day: 1, observed: .nearestWeekday),
                .nthWeekday(n: 4, weekday: .thursday, month: 11),
                .lastWeekday(weekday: .monday, month: 5),
                .fixed(month: 6, day: 19, observed: .nearestWeekday),
                .oneOff(CivilDate(year: 2025, month: 1, day: 9)!),
            ])
            #expect(calendar.holidays[3].from == 2021)
            #expect(calendar.holidays[3].note == "Pub. L. 117-17")
            #expect(calendar.holidayName(on: try day("2027-12-31")) == "New Year's Day")
        }

        @Test func reportsEveryProblemWithItsPath() throws {
            let found = try errors("""
                {"precert-calendar": 2, "calendar": "US Federal", "sources": [], "weekend": ["saturday", "Sunday", "saturday"],
                 "holdays": [],
                 "holidays": [
                   {"name": "A", "nth": 4, "weekday": "thursdai", "month": "novembre"},
                   {"name": "B", "date": "7-4", "obsreved": "nearest-weekday"},
                   {"name": "C", "date": "07-04", "on": "2026-07-04"},
                   {"name": "D", "nth": 7, "weekday": "monday", "month": "may"},
                   {"name": "E"},
                   {"name": "F", "date": "02-30", "observed": "nearest"},
                   {"name": "G", "last": "monday", "month": "may", "from": 2030, "until": 2020},
                   {"name": "H", "on": "2025-01-9"},
                   {"date": "01-01", "weekday": "monday"}
                 ]}
                """)
            let rendered = found.map { "\($0.pathDescription): \($0.message)" + ($0.hint.map { " [\($0)]" } ?? "") }
            let expected = [
                "holdays: unknown key `holdays` [did you mean `holidays`?]",
                "precert-calendar: unsupported calendar format `2` [this version of precert reads `precert-calendar: 1`]",
                "calendar: calendar name `US Federal` may contain only lowercase letters, digits and single hyphens [e.g. `us-federal`; policies refer to the calendar by this name]",
                ": missing `title`",
                ": missing `sources` [cite the law or notice that defines these holidays]",
                "weekend[1]: unknown weekday `Sunday` [did you mean `sunday`?]",
                "weekend[2]: `saturday` is listed twice",
                "holidays[0].weekday: unknown weekday `thursdai` [did you mean `thursday`?]",
                "holidays[0].month: unknown month `novembre` [did you mean `november`?]",
                "holidays[1].obsreved: unknown key `obsreved` [did you mean `observed`?]",
                "holidays[1].date: `7-4` is not a month and day [write MM-DD in quotes, e.g. `date: \"07-04\"`; for a single date use `on: YYYY-MM-DD`]",
                "holidays[2].on: holiday `C` has both `date` and `on` [a holiday is defined by exactly one of `date`, `nth`, `last` or `on`]",
                "holidays[3].nth: `nth` must be from 1 to 5, not `7` [use `last` for the last weekday of a month]",
                "holidays[4]: holiday `E` needs one of `date`, `nth`, `last` or `on` [`date: \"07-04\"` every year, `nth: 4` with `weekday` and `month`, `last: monday` with `month`, or `on: 2025-01-09` once]",
                "holidays[5].observed: unknown observance `nearest` [use `none` or `nearest-weekday`]",
                "holidays[6].until: `until` year `2020` is before `from` year `2030`",
                "holidays[7].on: `2025-01-9` is not a date written YYYY-MM-DD, such as `2026-05-20` [write the date as YYYY-MM-DD, e.g. `2025-01-09`]",
                "holidays[8]: holiday has no `name`",
                "holidays[8].weekday: `weekday` is used only with `nth`",
            ]
            #expect(rendered == expected)
            // 02-30 is only reported once the observance is fixed: one problem per entry at a time.
            #expect(!rendered.contains { $0.hasPrefix("holidays[5].date") })
        }

        @Test func missingEverything() throws {
            let found = try errors("{}").map(\.description)
            #expect(found == ["missing `precert-calendar`", "missing `calendar`", "missing `title`", "missing `sources`", "missing `holidays`"])
        }

        @Test func theShippedUSFederalCalendar() throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let text = try String(contentsOf: root.appendingPathComponent("Policies/calendars/us-federal.yaml"), encoding: .utf8)
            let calendar = try HolidayCalendar(file: try MiniYAML.calendarModel(text))
            #expect(calendar.name == "us-federal")
            #expect(calendar.title == "United States federal holidays (5 U.S.C. 6103)")
            #expect(calendar.sources.contains { $0.contains("5 U.S.C. 6103") })
            #expect(calendar.weekend == [.saturday, .sunday])
            let reference = try usFederal()
            #expect(calendar.holidays.map(\.name) == reference.holidays.map(\.name))
            #expect(calendar.holidays.map(\.rule) == reference.holidays.map(\.rule))
            #expect(calendar.holidays.map(\.from) == reference.holidays.map(\.from))
            #expect(calendar.holidays.map(\.until) == reference.holidays.map(\.until))
            for year in 2020...2030 {
                #expect(calendar.observedHolidays(in: year) == reference.observedHolidays(in: year), "\(year)")
            }
        }
    }
}

/// Just enough YAML to read the shipped calendar file until the YAML stage can: top-level
/// `key: value`, flow lists, and block lists of scalars, flow mappings or block mappings.
private enum MiniYAML {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func calendarModel(_ text: String) throws -> CalendarFileModel {
        var top: [String: Any] = [:]
        var currentKey: String?
        var items: [Any] = []
        var currentMap: [String: String]?

        func flushMap() {
            if let map = currentMap { items.append(map) }
            currentMap = nil
        }
        func flushList() {
            flushMap()
            if let key = currentKey { top[key] = items }
            currentKey = nil
            items = []
        }

        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = stripComment(String(rawLine))
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let indent = line.prefix { $0 == " " }.count
            let body = line.trimmingCharacters(in: .whitespaces)
            if indent == 0 {
                flushList()
                let (key, value) = try keyValue(body)
                if value.isEmpty { currentKey = key } else { top[key] = try value.hasPrefix("[") ? flowList(value) : scalar(value) }
            } else if body.hasPrefix("- ") {
                flushMap()
                let item = String(body.dropFirst(2))
                if item.hasPrefix("{") {
                    items.append(try flowMap(item))
                } else if let colon = item.range(of: ": "), !item.hasPrefix("\"") {
                    currentMap = [String(item[..<colon.lowerBound]): try scalar(String(item[colon.upperBound...]))]
                } else {
                    items.append(try scalar(item))
                }
            } else if currentMap != nil {
                let (key, value) = try keyValue(body)
                currentMap![key] = try scalar(value)
            } else {
                throw Failure(description: "unexpected line: \(line)")
            }
        }
        flushList()

        let holidays = (top["holidays"] as? [Any] ?? []).compactMap { $0 as? [String: String] }.map { map in
            CalendarFileModel.Holiday(
                name: map["name"], date: map["date"], observed: map["observed"], nth: map["nth"],
                weekday: map["weekday"], last: map["last"], month: map["month"], on: map["on"],
                from: map["from"], until: map["until"], because: map["because"],
                unknownKeys: map.keys.filter { !CalendarFileModel.Holiday.keys.contains($0) }.sorted())
        }
        return CalendarFileModel(
            format: top["precert-calendar"] as? String, calendar: top["calendar"] as? String,
            title: top["title"] as? String, sources: top["sources"] as? [String], weekend: top["weekend"] as? [String],
            holidays: top["holidays"] == nil ? nil : holidays,
            unknownKeys: top.keys.filter { !CalendarFileModel.keys.contains($0) }.sorted())
    }

    static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (offset, character) in line.enumerated() {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#", previous == " " {
                return String(line.prefix(offset))
            }
            previous = character
        }
        return line
    }

    static func keyValue(_ text: String) throws -> (String, String) {
        guard let colon = text.firstIndex(of: ":") else { throw Failure(description: "no key in: \(text)") }
        return (String(text[..<colon]).trimmingCharacters(in: .whitespaces),
                String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
    }

    static func scalar(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("\"") {
            guard trimmed.count >= 2, trimmed.hasSuffix("\"") else { throw Failure(description: "bad quotes: \(text)") }
            return String(trimmed.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
        }
        if trimmed.hasPrefix("'") {
            guard trimmed.count >= 2, trimmed.hasSuffix("'") else { throw Failure(description: "bad quotes: \(text)") }
            return String(trimmed.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        }
        return trimmed
    }

    /// Splits the inside of `[...]` or `{...}` at commas outside quotes.
    static func flowItems(_ text: String, open: Character, close: Character) throws -> [String] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.first == open, trimmed.last == close else { throw Failure(description: "bad flow collection: \(text)") }
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in trimmed.dropFirst().dropLast() {
            if let open = quote {
                if character == open { quote = nil }
                current.append(character)
            } else if character == "\"" || character == "'" {
                quote = character
                current.append(character)
            } else if character == "," {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { parts.append(current) }
        return parts
    }

    static func flowList(_ text: String) throws -> [String] {
        try flowItems(text, open: "[", close: "]").map(scalar)
    }

    static func flowMap(_ text: String) throws -> [String: String] {
        var map: [String: String] = [:]
        for item in try flowItems(text, open: "{", close: "}") {
            let (key, value) = try keyValue(item)
            map[key] = try scalar(value)
        }
        return map
    }
}
