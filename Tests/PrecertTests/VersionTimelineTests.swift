import Foundation
import Testing

@testable import Precert

/// `Fixtures/versions`: three versions of `test/versioned`, from January to June 1 (not
/// included), from June 15 to September 1, and from August 1 with no end.
enum VersionFixtures {
    static let folder = Fixtures.path("versions")
    static let calendars = Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars").path
    static let loaded = PolicyCatalog.load(paths: [folder, calendars])

    static func warnings(_ id: String, in loaded: PolicyCatalog.LoadResult = loaded) -> [Diagnostic] {
        loaded.diagnostics.filter { $0.id.code == id }
    }

    /// `file:line:column` relative to the fixture folder.
    static func place(_ diagnostic: Diagnostic?) -> String { place(diagnostic?.range) }

    static func place(_ range: SourceRange?) -> String {
        guard let range else { return "none" }
        let file = range.start.file.split(separator: "/").last.map(String.init) ?? range.start.file
        return "\(file):\(range.start.line):\(range.start.column)"
    }

    /// A version of `test/versioned` held in memory.
    static func version(_ name: String, effective: String, expires: String? = nil) -> PolicyFile {
        let text = try! String(contentsOfFile: "\(folder)/clinic-august.yaml", encoding: .utf8)
            .replacingOccurrences(of: "effective: 2026-08-01", with: "effective: \(effective)" + (expires.map { "\nexpires: \($0)" } ?? ""))
        return PolicyFile(path: name, text: text)
    }

    static var calendar: PolicyFile {
        PolicyFile(path: "calendars/us-federal.yaml", bytes: Array(try! Data(contentsOf: URL(fileURLWithPath: calendars + "/us-federal.yaml"))))
    }
}

@Suite("Versions that join up")
struct VersionTimelineTests {
    @Test("a gap between one version's `expires` and the next one's `effective` is a warning naming the days no version covers")
    func gap() throws {
        let gaps = VersionFixtures.warnings("catalog.version-gap")
        #expect(gaps.count == 1)
        let gap = try #require(gaps.first)
        #expect(gap.severity == .warning)
        #expect(gap.message == "no version of `test/versioned` is in force from 2026-06-01 to 2026-06-14")
        // At the later version's `effective:` value, with a note at the earlier one's `expires:`.
        #expect(VersionFixtures.place(gap) == "clinic-june.yaml:6:12")
        #expect(gap.notes.map { VersionFixtures.place($0.range) } == ["clinic-january.yaml:7:10"])
        #expect(gap.hint?.contains("give that version `expires: 2026-06-15`, or this one `effective: 2026-06-01`") == true)
        // What the warning says is what the catalog does: a case dated in the gap has no version.
        let catalog = VersionFixtures.loaded.catalog
        #expect(catalog.policy(id: "test/versioned", on: CivilDate(year: 2026, month: 6, day: 14)) == nil)
        #expect(catalog.policy(id: "test/versioned", on: CivilDate(year: 2026, month: 5, day: 31))?.effective == CivilDate(year: 2026, month: 1, day: 1))
        #expect(catalog.policy(id: "test/versioned", on: CivilDate(year: 2026, month: 6, day: 15))?.effective == CivilDate(year: 2026, month: 6, day: 15))
    }

    @Test("two versions in force on the same days are a warning naming those days and the version a case gets on them")
    func overlap() throws {
        let overlaps = VersionFixtures.warnings("catalog.version-overlap")
        #expect(overlaps.count == 1)
        let overlap = try #require(overlaps.first)
        #expect(overlap.severity == .warning)
        #expect(overlap.message == "versions of `test/versioned` effective 2026-06-15 and 2026-08-01 are both in force from 2026-08-01 to 2026-08-31; a case dated then gets the version effective 2026-08-01")
        #expect(VersionFixtures.place(overlap) == "clinic-august.yaml:6:12")
        #expect(overlap.notes.map { VersionFixtures.place($0.range) } == ["clinic-june.yaml:7:10"])
        #expect(overlap.hint == "of the versions in force on a date, a case gets the one with the latest `effective`; if this version replaces it, change that version's `expires: 2026-09-01` to `expires: 2026-08-01`")
        // The version named is the one evaluation chooses, by payer and by id.
        let catalog = VersionFixtures.loaded.catalog
        let august = #"{"payer": "test-versioned", "provider": {"network": "payer"}, "request": {"received_at": "2026-08-15T09:00:00-07:00"}}"#
        #expect(try catalog.evaluate(Array(august.utf8)).get().effective == CivilDate(year: 2026, month: 8, day: 1))
        #expect(catalog.policy(id: "test/versioned", on: CivilDate(year: 2026, month: 8, day: 31))?.effective == CivilDate(year: 2026, month: 8, day: 1))
        #expect(catalog.policy(id: "test/versioned", on: CivilDate(year: 2026, month: 7, day: 31))?.effective == CivilDate(year: 2026, month: 6, day: 15))
    }

    @Test("an older version without `expires` overlaps every newer one from the newer one's `effective` on")
    func openEnded() throws {
        let loaded = PolicyCatalog.load(files: [
            VersionFixtures.calendar, VersionFixtures.version("v1.yaml", effective: "2026-01-01"),
            VersionFixtures.version("v2.yaml", effective: "2026-07-01"),
        ])
        #expect(!loaded.hasErrors)
        let overlap = try #require(VersionFixtures.warnings("catalog.version-overlap", in: loaded).first)
        #expect(overlap.message == "versions of `test/versioned` effective 2026-01-01 and 2026-07-01 are both in force from 2026-07-01 on; a case dated then gets the version effective 2026-07-01")
        #expect(VersionFixtures.place(overlap) == "v2.yaml:6:12")
        #expect(overlap.notes.first?.message == "the version effective 2026-01-01 has no `expires`")
        #expect(VersionFixtures.place(overlap.notes.first?.range) == "v1.yaml:6:12")
        #expect(overlap.hint?.hasSuffix("give the version effective 2026-01-01 `expires: 2026-07-01`") == true)
        #expect(VersionFixtures.warnings("catalog.version-gap", in: loaded).isEmpty)
    }

    @Test("versions handed over on the same day raise no warning; a gap of one day names that day")
    func joined() {
        let handedOver = PolicyCatalog.load(files: [
            VersionFixtures.calendar, VersionFixtures.version("v1.yaml", effective: "2026-01-01", expires: "2026-07-01"),
            VersionFixtures.version("v2.yaml", effective: "2026-07-01", expires: "2027-01-01"),
            VersionFixtures.version("v3.yaml", effective: "2027-01-01"),
        ])
        #expect(handedOver.diagnostics.filter { $0.id.code.hasPrefix("catalog.version") }.isEmpty, "\(handedOver.diagnostics.map(\.description))")
        #expect(handedOver.catalog.policies.count == 3)
        // A one-day gap names the one day.
        let oneDay = PolicyCatalog.load(files: [
            VersionFixtures.calendar, VersionFixtures.version("v1.yaml", effective: "2026-01-01", expires: "2026-07-01"),
            VersionFixtures.version("v2.yaml", effective: "2026-07-02"),
        ])
        #expect(VersionFixtures.warnings("catalog.version-gap", in: oneDay).map(\.message) == [
            "no version of `test/versioned` is in force on 2026-07-01"
        ])
    }

    @Test("an earlier version that still covers the days between two later ones leaves no gap there")
    func gapCoveredByLongerVersion() {
        // v1 runs all year; v2 ends in March; v3 starts in June: v1 still covers April and May.
        let loaded = PolicyCatalog.load(files: [
            VersionFixtures.calendar, VersionFixtures.version("v1.yaml", effective: "2026-01-01", expires: "2027-01-01"),
            VersionFixtures.version("v2.yaml", effective: "2026-02-01", expires: "2026-03-01"),
            VersionFixtures.version("v3.yaml", effective: "2026-06-01", expires: "2027-01-01"),
        ])
        #expect(VersionFixtures.warnings("catalog.version-gap", in: loaded).isEmpty)
        #expect(VersionFixtures.warnings("catalog.version-overlap", in: loaded).map(\.message) == [
            "versions of `test/versioned` effective 2026-01-01 and 2026-02-01 are both in force from 2026-02-01 to 2026-02-28; a case dated then gets the version effective 2026-02-01",
            "versions of `test/versioned` effective 2026-01-01 and 2026-06-01 are both in force from 2026-06-01 to 2026-12-31; a case dated then gets the version effective 2026-06-01",
        ])
        // Between v2's end and v3's start, v1 answers.
        #expect(loaded.catalog.policy(id: "test/versioned", on: CivilDate(year: 2026, month: 4, day: 1))?.effective == CivilDate(year: 2026, month: 1, day: 1))
    }
}
