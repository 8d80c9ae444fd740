// The one place the Calendar stage uses Foundation: TimeZone knows the IANA rules (via ICU
// or the system tz database). Everything it says is copied into an immutable offset table
// when a zone is first used, so the evaluation hot path never calls into Foundation.
import Foundation

/// A policy's time zone (`timezone: America/Los_Angeles`), used to find the local date on
/// which a request was received and the instant at which a local deadline such as 23:59:59
/// falls.
///
/// Offsets for 1970...2100 are precomputed once per identifier into an immutable table that
/// every copy shares, so lookups are a binary search over a few hundred transitions and are
/// safe from any thread. Instants outside that range ask Foundation directly.
package struct PolicyTimeZone: Sendable, Hashable, CustomStringConvertible {
    /// The IANA name as written in the policy (`America/Los_Angeles`).
    package let identifier: String

    private let table: OffsetTable

    /// Looks up an IANA zone by its exact, case-sensitive name (`America/Los_Angeles`,
    /// `Europe/Berlin`, `UTC`); nil for anything else. Abbreviations such as `PST` and offsets
    /// such as `GMT+5` are rejected even where Foundation would accept them: an abbreviation
    /// does not say whether daylight-saving time applies, and policy checking uses this
    /// initializer to validate `timezone:`.
    package init?(identifier: String) {
        let looksLikeIANA = identifier == "UTC" || (identifier.contains("/") && !identifier.hasPrefix("/")
            && !identifier.hasSuffix("/") && !identifier.contains("//") && !identifier.contains(".."))
        guard looksLikeIANA, let table = OffsetTable.shared(for: identifier) else { return nil }
        self.identifier = identifier
        self.table = table
    }

    /// The version of the time-zone rules in use (such as `2025b`), recorded in every decision
    /// because it can move a due date.
    package static let dataVersion: String = TimeZone.timeZoneDataVersion

    /// Coordinated Universal Time, for tests and callers that have no policy zone.
    package static let utc: PolicyTimeZone = PolicyTimeZone(identifier: "UTC")!

    /// The offset from UTC, in seconds east of Greenwich, in force at `instant`
    /// (-25200 in Los Angeles in July, -28800 in January).
    package func offset(at instant: Timestamp) -> Int32 {
        table.offset(at: instant.epochSeconds)
    }

    /// The offset in force at an instant given as Unix seconds.
    package func offset(atEpochSeconds epochSeconds: Int64) -> Int32 {
        table.offset(at: epochSeconds)
    }

    /// The local calendar date in this zone at `instant`.
    package func localDate(of instant: Timestamp) -> CivilDate {
        instant.localDate(offsetSeconds: offset(at: instant))
    }

    /// The same instant, carrying this zone's offset at that instant so it prints as local time.
    package func converting(_ instant: Timestamp) -> Timestamp {
        instant.withOffset(offset(at: instant))
    }

    /// The instant at which clocks in this zone show `localDate` at `secondsOfDay` seconds
    /// after midnight (values outside 0..<86400 roll into the neighbouring days). The result
    /// carries the zone's offset at that instant.
    ///
    /// Local times that do not occur exactly once are resolved the way RFC 5545, java.time
    /// and JavaScript Temporal (`disambiguation: "compatible"`) do:
    /// - a time skipped when clocks spring forward (Los Angeles, 2026-03-08 02:30) is moved
    ///   later by the length of the gap (03:30 PDT);
    /// - a time repeated when clocks fall back (Los Angeles, 2026-11-01 01:30) is the earlier
    ///   of its two instants (01:30 PDT, not 01:30 PST).
    ///
    /// US zones change clocks at 02:00, so 23:59:59 (the end of a due day) always occurs
    /// exactly once there; the rules matter only for zones that change clocks around midnight.
    package func instant(localDate: CivilDate, secondsOfDay: Int) -> Timestamp {
        let local = Int64(localDate.dayNumber) * 86_400 + Int64(secondsOfDay)
        // Offsets in force a day either side bound every offset that could apply to `local`.
        let before = table.offset(at: local - 86_400)
        let after = table.offset(at: local + 86_400)
        let epoch: Int64
        if before == after {
            epoch = local - Int64(before)
        } else {
            let withBefore = local - Int64(before)
            let withAfter = local - Int64(after)
            let beforeValid = table.offset(at: withBefore) == before
            let afterValid = table.offset(at: withAfter) == after
            switch (beforeValid, afterValid) {
            case (true, true): epoch = Swift.min(withBefore, withAfter)  // repeated: earlier
            case (true, false): epoch = withBefore
            case (false, true): epoch = withAfter
            case (false, false): epoch = withBefore  // skipped: the old offset lands after the gap
            }
        }
        return Timestamp(epochSeconds: epoch, utcOffsetSeconds: table.offset(at: epoch))
    }

    /// The identifier, as written in the policy.
    package var description: String { identifier }

    /// Zones are equal when their identifiers are; two links to the same rules (`US/Pacific`,
    /// `America/Los_Angeles`) stay distinct so that a policy prints back as written.
    package static func == (lhs: PolicyTimeZone, rhs: PolicyTimeZone) -> Bool {
        lhs.identifier == rhs.identifier
    }

    /// Hashes the identifier, to agree with `==`.
    package func hash(into hasher: inout Hasher) {
        hasher.combine(identifier)
    }
}

extension PolicyTimeZone {
    /// Every UTC offset change of one zone between `lowerBound` and `upperBound`, immutable
    /// once built, so it is shared between threads without locking.
    final class OffsetTable: Sendable {
        /// First covered instant: 1969-12-30T00:00:00Z, so local dates from 1970-01-01 on resolve.
        static let lowerBound = Int64(CivilMath.daysFromCivil(year: 1969, month: 12, day: 30)) * 86_400
        /// First instant not covered: 2101-01-02T00:00:00Z, so local dates to 2100-12-31 resolve.
        static let upperBound = Int64(CivilMath.daysFromCivil(year: 2101, month: 1, day: 2)) * 86_400

        private let zone: TimeZone
        /// `starts[i]` is the first instant at which `offsets[i]` applies; `starts[0]` is `lowerBound`.
        private let starts: [Int64]
        private let offsets: [Int32]

        private init(zone: TimeZone) {
            self.zone = zone
            var starts: [Int64] = [Self.lowerBound]
            var offsets: [Int32] = [Self.foundationOffset(zone, Self.lowerBound)]
            // Walk the zone's own transitions (every change in the time-zone database, not only
            // daylight saving ones), a few hundred calls; sampling every day took thousands per
            // zone. A test holds the two to the same table for the zones policies use and zones
            // with odd histories.
            var after = Date(timeIntervalSince1970: TimeInterval(Self.lowerBound))
            let end = Date(timeIntervalSince1970: TimeInterval(Self.upperBound))
            while let next = zone.nextDaylightSavingTimeTransition(after: after), next > after, next < end {
                let instant = Int64(next.timeIntervalSince1970.rounded(.up))
                let offset = Self.foundationOffset(zone, instant)
                if offset != offsets[offsets.count - 1] {
                    starts.append(instant)
                    offsets.append(offset)
                }
                after = next
            }
            self.starts = starts
            self.offsets = offsets
        }

        func offset(at epochSeconds: Int64) -> Int32 {
            guard epochSeconds >= Self.lowerBound, epochSeconds < Self.upperBound else {
                return Self.foundationOffset(zone, epochSeconds)
            }
            // Last index whose start is <= epochSeconds.
            var low = 0, high = starts.count
            while high - low > 1 {
                let mid = (low + high) / 2
                if starts[mid] <= epochSeconds { low = mid } else { high = mid }
            }
            return offsets[low]
        }

        private static func foundationOffset(_ zone: TimeZone, _ epochSeconds: Int64) -> Int32 {
            Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(epochSeconds))))
        }

        private static let cache = Cache()

        /// The table for an identifier, built on first use and then shared by every
        /// `PolicyTimeZone` with that identifier; nil when Foundation does not know the zone.
        static func shared(for identifier: String) -> OffsetTable? {
            if let table = cache.lookup(identifier) { return table }
            guard let zone = identifier == "UTC" ? TimeZone(identifier: "UTC") : TimeZone(identifier: identifier),
                  identifier == "UTC" || zone.identifier == identifier
            else { return nil }
            // Two threads may build the same table at once; both results are identical, and
            // building outside the lock keeps other zones' lookups from waiting on it.
            return cache.insert(OffsetTable(zone: zone), for: identifier)
        }

        private final class Cache: @unchecked Sendable {
            // Guarded by `lock`; NSLock rather than Synchronization.Mutex because the package
            // still supports macOS 13.
            private let lock = NSLock()
            private var tables: [String: OffsetTable] = [:]

            func lookup(_ identifier: String) -> OffsetTable? {
                lock.lock()
                defer { lock.unlock() }
                return tables[identifier]
            }

            func insert(_ table: OffsetTable, for identifier: String) -> OffsetTable {
                lock.lock()
                defer { lock.unlock() }
                if let existing = tables[identifier] { return existing }
                tables[identifier] = table
                return table
            }
        }
    }
}
