// RFC 3339 instants in pure integer arithmetic (no Foundation, for the same reason as CivilDate).

/// An instant as written in RFC 3339 (`2026-11-23T10:15:00-08:00`): seconds since the Unix
/// epoch plus the UTC offset the text was written with.
///
/// Equality, hashing and ordering look at the instant only: `10:15:00-08:00` and
/// `18:15:00Z` are equal, because a clock that started at one started at the other. The
/// offset is kept only so that a time can be printed back the way its author wrote it.
///
/// Resolution is one second: a fraction in the input is accepted and dropped (truncated, so
/// `10:15:00.9` is `10:15:00`), because every clock precert computes ends on a whole second.
/// Leap seconds (`:60`) are rejected, since Unix time cannot represent them.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z, ignoring leap seconds as Unix time does.
    public let epochSeconds: Int64

    /// The offset from UTC, in seconds east of Greenwich, that this instant was written with
    /// or should be shown in (-28800 for `-08:00`).
    package let utcOffsetSeconds: Int32

    /// The widest offset kept; RFC 3339 cannot spell a whole day or more.
    package static let maximumOffsetSeconds: Int32 = 86_399

    /// Wraps an instant; the offset is clamped to ±23:59:59 so that it can always be printed.
    package init(epochSeconds: Int64, utcOffsetSeconds: Int32 = 0) {
        self.epochSeconds = epochSeconds
        self.utcOffsetSeconds = Swift.min(Swift.max(utcOffsetSeconds, -Self.maximumOffsetSeconds), Self.maximumOffsetSeconds)
    }

    /// The instant at which a clock showing `localDate` and `secondsOfDay` reads that time,
    /// given a fixed UTC offset. Use `PolicyTimeZone.instant(localDate:secondsOfDay:)` when
    /// the offset depends on daylight-saving time.
    package init(localDate: CivilDate, secondsOfDay: Int, utcOffsetSeconds: Int32) {
        let local = Int64(localDate.dayNumber) * 86_400 + Int64(secondsOfDay)
        self.init(epochSeconds: local - Int64(utcOffsetSeconds), utcOffsetSeconds: utcOffsetSeconds)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t` and `z` may be lowercase.
    /// An offset is required: a time without one does not name an instant, and guessing the
    /// zone is how deadlines end up an hour off.
    public init?(rfc3339 text: some StringProtocol) {
        let parsed: Timestamp?? = text.utf8.withContiguousStorageIfAvailable { Timestamp(utf8: $0) }
        if let parsed {
            guard let parsed else { return nil }
            self = parsed
            return
        }
        let bytes = Array(text.utf8)
        guard let timestamp = bytes.withUnsafeBufferPointer({ Timestamp(utf8: $0) }) else { return nil }
        self = timestamp
    }

    /// Same as `init(rfc3339:)` on raw UTF-8 bytes, without allocating, for the case decoder.
    package init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        // The shortest form is `YYYY-MM-DDTHH:MM:SSZ`.
        guard bytes.count >= 20,
              let date = CivilDate(utf8: UnsafeBufferPointer(rebasing: bytes[0..<10])),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = CivilMath.digits(bytes, 11, 2), hour < 24,
              let minute = CivilMath.digits(bytes, 14, 2), minute < 60,
              let second = CivilMath.digits(bytes, 17, 2), second < 60
        else { return nil }

        var i = 19
        if bytes[i] == UInt8(ascii: ".") {
            i += 1
            let firstDigit = i
            while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            guard i > firstDigit else { return nil }
        }
        guard i < bytes.count else { return nil }

        let offset: Int
        switch bytes[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard i + 1 == bytes.count else { return nil }
            offset = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == bytes.count, bytes[i + 3] == UInt8(ascii: ":"),
                  let offsetHours = CivilMath.digits(bytes, i + 1, 2), offsetHours < 24,
                  let offsetMinutes = CivilMath.digits(bytes, i + 4, 2), offsetMinutes < 60
            else { return nil }
            let magnitude = offsetHours * 3600 + offsetMinutes * 60
            offset = bytes[i] == UInt8(ascii: "-") ? -magnitude : magnitude
        default:
            return nil
        }
        self.init(localDate: date, secondsOfDay: hour * 3600 + minute * 60 + second, utcOffsetSeconds: Int32(offset))
    }

    /// The instant `seconds` later (earlier when negative), keeping the offset; saturates
    /// instead of overflowing.
    package func adding(seconds: Int64) -> Timestamp {
        let (sum, overflow) = epochSeconds.addingReportingOverflow(seconds)
        let instant = overflow ? (seconds > 0 ? Int64.max : Int64.min) : sum
        return Timestamp(epochSeconds: instant, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// The same instant, to be shown with another UTC offset.
    package func withOffset(_ offsetSeconds: Int32) -> Timestamp {
        Timestamp(epochSeconds: epochSeconds, utcOffsetSeconds: offsetSeconds)
    }

    /// The local calendar date at this instant on a clock `offsetSeconds` east of UTC.
    package func localDate(offsetSeconds: Int32) -> CivilDate {
        let days = CivilMath.floorDiv(localSeconds(offsetSeconds), 86_400)
        return CivilDate.clamped(Int(Swift.min(Swift.max(days, -10_000_000), 10_000_000)))
    }

    /// Seconds since local midnight (0..<86400) at this instant on a clock `offsetSeconds` east of UTC.
    package func secondsOfDay(offsetSeconds: Int32) -> Int {
        Int(CivilMath.floorMod(localSeconds(offsetSeconds), 86_400))
    }

    /// The local date in the offset this timestamp carries, i.e. as its author wrote it.
    package var localDate: CivilDate { localDate(offsetSeconds: utcOffsetSeconds) }

    /// RFC 3339 text for this instant as seen `offsetSeconds` east of UTC, always with a
    /// numeric offset (`2026-11-27T23:59:59-08:00`; `+00:00` rather than `Z` for UTC, so that
    /// every printed time has the same shape and reads as "local time in the policy zone").
    ///
    /// RFC 3339 offsets have no seconds field, so an offset that is not a whole number of
    /// minutes (local mean time before ~1972) is truncated to minutes and the wall time is
    /// computed with the truncated offset: the text still denotes exactly this instant.
    package func formatted(offsetSeconds: Int32) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(25)
        append(offsetSeconds: offsetSeconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `formatted(offsetSeconds:)` to `bytes` without building a string, for writers.
    package func append(offsetSeconds: Int32, to bytes: inout [UInt8]) {
        let clampedOffset = Swift.min(Swift.max(offsetSeconds, -Self.maximumOffsetSeconds), Self.maximumOffsetSeconds)
        let offsetMinutes = Int64(clampedOffset) / 60
        let local = localSeconds(Int32(offsetMinutes * 60))
        let days = CivilMath.floorDiv(local, 86_400)
        let secondsOfDay = Int(CivilMath.floorMod(local, 86_400))
        let (year, month, day) = CivilMath.civilFromDays(Int(days))
        let offsetMagnitude = Int(offsetMinutes.magnitude)
        let negative = offsetMinutes < 0
        // Years outside 0...9999 (only reachable through `adding(seconds:)` far past supported
        // dates) print with more digits or a sign rather than trapping.
        let fourDigitYear = (0...9999).contains(year)
        if !fourDigitYear { bytes.append(contentsOf: CivilMath.padded(year, width: 4).utf8) }
        let at = fourDigitYear ? 4 : 0
        // Then `-MM-DDTHH:MM:SS±HH:MM`, which is always 21 bytes.
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: at + 21))
        bytes.withUnsafeMutableBufferPointer { all in
            let buffer = UnsafeMutableBufferPointer(rebasing: all[start...])
            if fourDigitYear { CivilMath.write(year, width: 4, into: buffer, at: 0) }
            buffer[at] = UInt8(ascii: "-")
            CivilMath.write(month, width: 2, into: buffer, at: at + 1)
            buffer[at + 3] = UInt8(ascii: "-")
            CivilMath.write(day, width: 2, into: buffer, at: at + 4)
            buffer[at + 6] = UInt8(ascii: "T")
            CivilMath.write(secondsOfDay / 3600, width: 2, into: buffer, at: at + 7)
            buffer[at + 9] = UInt8(ascii: ":")
            CivilMath.write(secondsOfDay / 60 % 60, width: 2, into: buffer, at: at + 10)
            buffer[at + 12] = UInt8(ascii: ":")
            CivilMath.write(secondsOfDay % 60, width: 2, into: buffer, at: at + 13)
            buffer[at + 15] = negative ? UInt8(ascii: "-") : UInt8(ascii: "+")
            CivilMath.write(offsetMagnitude / 60, width: 2, into: buffer, at: at + 16)
            buffer[at + 18] = UInt8(ascii: ":")
            CivilMath.write(offsetMagnitude % 60, width: 2, into: buffer, at: at + 19)
        }
    }

    /// This instant in the offset it carries.
    public var rfc3339: String { formatted(offsetSeconds: utcOffsetSeconds) }

    /// Appends `rfc3339` to `bytes` without building a string.
    package func appendRFC3339(to bytes: inout [UInt8]) { append(offsetSeconds: utcOffsetSeconds, to: &bytes) }

    /// Same as `rfc3339`.
    public var description: String { rfc3339 }

    /// Equal when they name the same instant, whatever offsets they were written with.
    public static func == (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.epochSeconds == rhs.epochSeconds
    }

    /// Hashes the instant only, to agree with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(epochSeconds)
    }

    /// Earlier instants sort first.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.epochSeconds < rhs.epochSeconds
    }

    private func localSeconds(_ offsetSeconds: Int32) -> Int64 {
        let (sum, overflow) = epochSeconds.addingReportingOverflow(Int64(offsetSeconds))
        return overflow ? (offsetSeconds > 0 ? Int64.max : Int64.min) : sum
    }
}
