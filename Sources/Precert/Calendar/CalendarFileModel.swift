// The calendar file format (Policies/calendars/*.yaml) and its validation.
//
// The YAML stage fills `CalendarFileModel`, either through `Decodable` or field by field from
// its node tree; everything is kept as text here so that every problem, not only the first,
// is reported by `HolidayCalendar.init(file:)` with the path of the offending field.
//
//     precert-calendar: 1
//     calendar: us-federal
//     title: United States federal holidays (5 U.S.C. 6103)
//     sources: ["5 U.S.C. 6103"]
//     weekend: [saturday, sunday]          # optional; this is the default
//     holidays:
//       - {name: "New Year's Day", date: "01-01", observed: nearest-weekday}
//       - {name: "Birthday of Martin Luther King, Jr.", nth: 3, weekday: monday, month: january}
//       - {name: Memorial Day, last: monday, month: may}
//       - {name: Juneteenth National Independence Day, date: "06-19", observed: nearest-weekday, from: 2021}
//       - {name: Day of mourning, on: 2025-01-09, because: "Executive Order 14133"}

/// A problem in a calendar file: what is wrong and where.
///
/// Messages follow the project's diagnostic style: lowercase, no final period, user input in
/// backticks (``unknown weekday `thursdai` ``); longer advice goes in `hint`.
package struct CalendarFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One step of the path from the document root to the offending value.
    package enum PathComponent: Sendable, Hashable, CustomStringConvertible {
        /// A mapping key (`holidays`, `nth`).
        case key(String)
        /// A position in a sequence, from 0.
        case index(Int)

        /// `.nth` or `[3]`, as in `pathDescription`.
        package var description: String {
            switch self {
            case let .key(key): ".\(key)"
            case let .index(index): "[\(index)]"
            }
        }
    }

    /// What is wrong.
    package var message: String
    /// Where, from the document root (`holidays`, 3, `nth`); empty for the document itself.
    /// The YAML stage maps it to a file:line:column.
    package var path: [PathComponent]
    /// Advice on how to fix it, if any.
    package var hint: String?

    /// Creates an error.
    package init(message: String, path: [PathComponent], hint: String? = nil) {
        self.message = message
        self.path = path
        self.hint = hint
    }

    /// The path as text (`holidays[3].nth`), empty for the document root.
    package var pathDescription: String {
        var text = path.map(\.description).joined()
        if text.hasPrefix(".") { text.removeFirst() }
        return text
    }

    /// `holidays[3].nth: message`, for logs and tests.
    package var description: String {
        pathDescription.isEmpty ? message : "\(pathDescription): \(message)"
    }
}

/// Every problem found in one calendar file, in file order, so all can be reported at once.
package struct CalendarFileErrors: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems; never empty when thrown.
    package var errors: [CalendarFileError]

    /// Wraps a list of problems.
    package init(errors: [CalendarFileError]) {
        self.errors = errors
    }

    /// One problem per line.
    package var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}

/// A calendar file as written, before validation: every scalar is kept as text.
package struct CalendarFileModel: Sendable, Hashable, Decodable {
    /// `precert-calendar`, the format version; `1` is the only one so far.
    package var format: String?
    /// `calendar`, the name policies refer to (`us-federal`).
    package var calendar: String?
    /// `title`, a human title.
    package var title: String?
    /// `sources`, where the holidays come from.
    package var sources: [String]?
    /// `weekend`, lowercase English weekday names; saturday and sunday when absent.
    package var weekend: [String]?
    /// `holidays`, in file order.
    package var holidays: [Holiday]?
    /// Keys not part of the format, reported as errors so that a typo is not silently ignored.
    package var unknownKeys: [String]

    /// The top-level keys of the format.
    package static let keys = ["precert-calendar", "calendar", "title", "sources", "weekend", "holidays"]

    /// One entry of `holidays`. Exactly one of `date`, `nth`, `last`, `on` says when it occurs.
    package struct Holiday: Sendable, Hashable, Decodable {
        /// `name`, shown in explanations.
        package var name: String?
        /// `date`, a fixed month and day, `MM-DD`.
        package var date: String?
        /// `observed`, `none` (default) or `nearest-weekday`; only with `date`.
        package var observed: String?
        /// `nth`, 1...5, with `weekday` and `month`.
        package var nth: String?
        /// `weekday`, the weekday counted by `nth`.
        package var weekday: String?
        /// `last`, a weekday: the last such weekday of `month`.
        package var last: String?
        /// `month`, an English month name or 1...12; with `nth` or `last`.
        package var month: String?
        /// `on`, a single date `YYYY-MM-DD`.
        package var on: String?
        /// `from`, the first year the holiday applies.
        package var from: String?
        /// `until`, the last year the holiday applies.
        package var until: String?
        /// `because`, why the holiday is in the calendar.
        package var because: String?
        /// Keys not part of the format.
        package var unknownKeys: [String]

        /// The keys of a holiday entry.
        package static let keys = ["name", "date", "observed", "nth", "weekday", "last", "month", "on", "from", "until", "because"]

        /// Creates an entry field by field (the YAML stage's alternative to `Decodable`).
        package init(
            name: String? = nil, date: String? = nil, observed: String? = nil, nth: String? = nil,
            weekday: String? = nil, last: String? = nil, month: String? = nil, on: String? = nil,
            from: String? = nil, until: String? = nil, because: String? = nil, unknownKeys: [String] = []
        ) {
            self.name = name
            self.date = date
            self.observed = observed
            self.nth = nth
            self.weekday = weekday
            self.last = last
            self.month = month
            self.on = on
            self.from = from
            self.until = until
            self.because = because
            self.unknownKeys = unknownKeys
        }

        /// Reads any scalar (string, number, boolean) as text and records unknown keys
        /// instead of failing, so validation can report them with everything else.
        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CalendarFileKey.self)
            func text(_ key: String) throws -> String? { try container.scalarText(key) }
            self.init(
                name: try text("name"), date: try text("date"), observed: try text("observed"),
                nth: try text("nth"), weekday: try text("weekday"), last: try text("last"),
                month: try text("month"), on: try text("on"), from: try text("from"),
                until: try text("until"), because: try text("because"),
                unknownKeys: container.unknownKeys(known: Self.keys))
        }
    }

    /// Creates a model field by field (the YAML stage's alternative to `Decodable`).
    package init(
        format: String? = nil, calendar: String? = nil, title: String? = nil, sources: [String]? = nil,
        weekend: [String]? = nil, holidays: [Holiday]? = nil, unknownKeys: [String] = []
    ) {
        self.format = format
        self.calendar = calendar
        self.title = title
        self.sources = sources
        self.weekend = weekend
        self.holidays = holidays
        self.unknownKeys = unknownKeys
    }

    /// Reads scalars as text, accepts a single string where a list is expected, and records
    /// unknown keys instead of failing.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CalendarFileKey.self)
        self.init(
            format: try container.scalarText("precert-calendar"),
            calendar: try container.scalarText("calendar"),
            title: try container.scalarText("title"),
            sources: try container.scalarList("sources"),
            weekend: try container.scalarList("weekend"),
            holidays: try container.decodeIfPresent([Holiday].self, forKey: CalendarFileKey("holidays")),
            unknownKeys: container.unknownKeys(known: Self.keys))
    }
}

/// Any string key, so that unknown keys can be listed.
private struct CalendarFileKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// A scalar of any type, as text.
private struct ScalarText: Decodable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let integer = try? container.decode(Int.self) {
            text = String(integer)
        } else if let number = try? container.decode(Double.self) {
            text = String(number)
        } else if let flag = try? container.decode(Bool.self) {
            text = String(flag)
        } else {
            throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a single value"))
        }
    }
}

extension KeyedDecodingContainer where K == CalendarFileKey {
    fileprivate func scalarText(_ key: String) throws -> String? {
        try decodeIfPresent(ScalarText.self, forKey: CalendarFileKey(key))?.text
    }

    fileprivate func scalarList(_ key: String) throws -> [String]? {
        if let list = try? decodeIfPresent([ScalarText].self, forKey: CalendarFileKey(key)) {
            return list.map(\.text)
        }
        return try scalarText(key).map { [$0] }
    }

    fileprivate func unknownKeys(known: [String]) -> [String] {
        // Decoders do not promise key order, so sort for stable messages.
        allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
    }
}

extension HolidayCalendar {
    /// The calendar file format version this code reads (`precert-calendar: 1`).
    package static let fileFormatVersion = 1

    /// Validates a calendar file and builds the calendar, or throws every problem found.
    package init(file: CalendarFileModel) throws(CalendarFileErrors) {
        var validator = CalendarFileValidator()
        let calendar = validator.calendar(from: file)
        guard let calendar, validator.errors.isEmpty else { throw CalendarFileErrors(errors: validator.errors) }
        self = calendar
    }
}

private struct CalendarFileValidator {
    typealias Path = [CalendarFileError.PathComponent]

    var errors: [CalendarFileError] = []

    static let months = ["january", "february", "march", "april", "may", "june", "july",
                         "august", "september", "october", "november", "december"]

    mutating func fail(_ message: String, _ path: Path, hint: String? = nil) {
        errors.append(CalendarFileError(message: message, path: path, hint: hint))
    }

    mutating func calendar(from file: CalendarFileModel) -> HolidayCalendar? {
        for key in file.unknownKeys {
            fail("unknown key `\(key)`", [.key(key)], hint: didYouMean(key, CalendarFileModel.keys))
        }

        let version = String(HolidayCalendar.fileFormatVersion)
        if let format = file.format {
            if format != version {
                fail("unsupported calendar format `\(format)`", [.key("precert-calendar")],
                     hint: "this version of precert reads `precert-calendar: \(version)`")
            }
        } else {
            fail("missing `precert-calendar`", [], hint: "start the file with `precert-calendar: \(version)`")
        }

        let name = file.calendar ?? ""
        if isBlank(name) {
            fail("missing `calendar`", [], hint: "name the calendar as policies refer to it, e.g. `calendar: us-federal`")
        } else if !isCalendarName(name) {
            fail("calendar name `\(name)` may contain only lowercase letters, digits and single hyphens", [.key("calendar")],
                 hint: "e.g. `us-federal`; policies refer to the calendar by this name")
        }

        let title = file.title ?? ""
        if isBlank(title) { fail("missing `title`", []) }

        let sources = file.sources ?? []
        if sources.isEmpty {
            fail("missing `sources`", [], hint: "cite the law or notice that defines these holidays")
        }
        for (index, source) in sources.enumerated() where isBlank(source) {
            fail("source is empty", [.key("sources"), .index(index)])
        }

        var weekend: Set<Weekday> = [.saturday, .sunday]
        if let names = file.weekend {
            weekend = []
            for (index, dayName) in names.enumerated() {
                guard let day = weekday(dayName, [.key("weekend"), .index(index)]) else { continue }
                if !weekend.insert(day).inserted {
                    fail("`\(dayName)` is listed twice", [.key("weekend"), .index(index)])
                }
            }
        }

        var definitions: [HolidayDefinition] = []
        if let entries = file.holidays {
            for (index, entry) in entries.enumerated() {
                if let definition = holiday(entry, [.key("holidays"), .index(index)]) {
                    definitions.append(definition)
                }
            }
        } else {
            fail("missing `holidays`", [], hint: "write `holidays: []` for a calendar of weekends only")
        }

        guard errors.isEmpty else { return nil }
        do {
            return try HolidayCalendar(name: name, title: title, sources: sources, weekend: weekend, holidays: definitions)
        } catch {
            errors.append(error)
            return nil
        }
    }

    mutating func holiday(_ entry: CalendarFileModel.Holiday, _ path: Path) -> HolidayDefinition? {
        let errorCount = errors.count
        for key in entry.unknownKeys {
            fail("unknown key `\(key)`", path + [.key(key)], hint: didYouMean(key, CalendarFileModel.Holiday.keys))
        }

        let name = entry.name ?? ""
        if isBlank(name) { fail("holiday has no `name`", path) }
        let label = isBlank(name) ? "holiday" : "holiday `\(name)`"

        let kinds = [("date", entry.date), ("nth", entry.nth), ("last", entry.last), ("on", entry.on)]
            .filter { $0.1 != nil }.map(\.0)
        guard let kind = kinds.first else {
            fail("\(label) needs one of `date`, `nth`, `last` or `on`", path,
                 hint: "`date: \"07-04\"` every year, `nth: 4` with `weekday` and `month`, `last: monday` with `month`, or `on: 2025-01-09` once")
            return nil
        }
        if kinds.count > 1 {
            fail("\(label) has both `\(kinds[0])` and `\(kinds[1])`", path + [.key(kinds[1])],
                 hint: "a holiday is defined by exactly one of `date`, `nth`, `last` or `on`")
            return nil
        }

        func stray(_ key: String, _ value: String?, _ usedWith: String) {
            if value != nil { fail("`\(key)` is used only with \(usedWith)", path + [.key(key)]) }
        }
        if kind != "date" { stray("observed", entry.observed, "`date`") }
        if kind != "nth" { stray("weekday", entry.weekday, "`nth`") }
        if kind == "date" || kind == "on" { stray("month", entry.month, "`nth` and `last`") }

        var rule: HolidayRule?
        switch kind {
        case "date":
            let text = entry.date!
            let observed: ObservedShift
            switch entry.observed {
            case nil: observed = .none
            case let value?:
                if let shift = ObservedShift(rawValue: value) {
                    observed = shift
                } else {
                    fail("unknown observance `\(value)`", path + [.key("observed")],
                         hint: "use `none` or `nearest-weekday`")
                    observed = .none
                }
            }
            if let (month, day) = monthDay(text) {
                rule = .fixed(month: month, day: day, observed: observed)
            } else {
                fail("`\(text)` is not a month and day", path + [.key("date")],
                     hint: "write MM-DD in quotes, e.g. `date: \"07-04\"`; for a single date use `on: YYYY-MM-DD`")
            }
        case "nth":
            let text = entry.nth!
            let n = Int(text)
            if n == nil { fail("`nth` must be a number from 1 to 5, not `\(text)`", path + [.key("nth")]) }
            var day: Weekday?
            if let weekdayName = entry.weekday {
                day = weekday(weekdayName, path + [.key("weekday")])
            } else {
                fail("\(label) has `nth` but no `weekday`", path, hint: "e.g. `nth: 4, weekday: thursday, month: november`")
            }
            let month = month(entry.month, label: label, path)
            if let n, let day, let month { rule = .nthWeekday(n: n, weekday: day, month: month) }
        case "last":
            let day = weekday(entry.last!, path + [.key("last")])
            let month = month(entry.month, label: label, path)
            if let day, let month { rule = .lastWeekday(weekday: day, month: month) }
        default:
            let text = entry.on!
            switch CivilDate.policyDate(text) {
            case .success(let date): rule = .oneOff(date)
            case .failure(let problem):
                fail(problem.reason, path + [.key("on")], hint: "write the date as YYYY-MM-DD, e.g. `2025-01-09`")
            }
        }

        let from = year(entry.from, "from", path)
        let until = year(entry.until, "until", path)

        guard let rule, errors.count == errorCount else { return nil }
        let definition = HolidayDefinition(name: name, rule: rule, from: from, until: until, note: entry.because)
        if let problem = definition.problem() {
            fail(problem.message, path + [.key(problem.field)], hint: problem.hint)
            return nil
        }
        return definition
    }

    mutating func weekday(_ text: String, _ path: Path) -> Weekday? {
        if let day = Weekday(name: text) { return day }
        fail("unknown weekday `\(text)`", path, hint: didYouMean(text, Weekday.allCases.map(\.name))
            ?? "use a lowercase English day name, e.g. `monday`")
        return nil
    }

    mutating func month(_ text: String?, label: String, _ path: Path) -> Int? {
        guard let text else {
            fail("\(label) has no `month`", path, hint: "e.g. `month: november`")
            return nil
        }
        if let index = Self.months.firstIndex(of: text) { return index + 1 }
        if let number = Int(text), (1...12).contains(number) { return number }
        fail("unknown month `\(text)`", path + [.key("month")],
             hint: didYouMean(text, Self.months) ?? "use a lowercase English month name, e.g. `november`")
        return nil
    }

    mutating func year(_ text: String?, _ key: String, _ path: Path) -> Int? {
        guard let text else { return nil }
        if let year = Int(text) { return year }
        fail("`\(key)` must be a year, not `\(text)`", path + [.key(key)])
        return nil
    }

    func monthDay(_ text: String) -> (Int, Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == UInt8(ascii: "-") else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            guard let month = CivilMath.digits(buffer, 0, 2), let day = CivilMath.digits(buffer, 3, 2) else { return nil }
            return (month, day)
        }
    }

    func isBlank(_ text: String) -> Bool {
        text.allSatisfy(\.isWhitespace)
    }

    func isCalendarName(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.allSatisfy { part in
            !part.isEmpty && part.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        }
    }

    /// `did you mean `x`?` for the closest candidate within a small edit distance, else nil.
    func didYouMean(_ text: String, _ candidates: [String]) -> String? {
        Suggestion.didYouMean(text, in: candidates)
    }
}
