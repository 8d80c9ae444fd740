import Foundation
import Testing

@testable import Precert

/// The case format as data (`Policies/case-format.yaml`): policies held to it, the case schema and
/// docs/CASE.md derived from it.
@Suite("Case format")
struct CaseFormatTests {
    static let root = Fixtures.repositoryRoot
    static let formatFile = PolicyFile(
        path: "case-format.yaml", bytes: (try? Fixtures.bytes("../../../Policies/case-format.yaml")) ?? [])
    static let calendar = PolicyFile(
        path: "us-federal.yaml", bytes: (try? Fixtures.bytes("../../../Policies/calendars/us-federal.yaml")) ?? [])

    /// A small policy reading `inputs` (YAML lines under `inputs:`, two-space indented).
    static func policy(_ inputs: String) -> String {
        """
        precert: 1
        policy: p/format
        payer: p
        title: Format
        effective: 2026-01-01
        sources: ["test: none"]
        timezone: America/New_York
        calendar: us-federal
        inputs:
        \(inputs)
        decisions:
          d:
            outcomes: [x]
            rules:
              - {id: r, then: x, because: x, sources: ["test: x"]}
        """
    }

    static func load(_ inputs: String, withFormat: Bool = true) -> PolicyCatalog.LoadResult {
        PolicyCatalog.load(files: [PolicyFile(path: "p.yaml", text: policy(inputs)), calendar] + (withFormat ? [formatFile] : []))
    }

    @Test("the shipped format loads; every shipped policy input is one of its fields or a declared extension")
    func shipped() throws {
        let loaded = PolicyCatalog.load(paths: [Self.root.appendingPathComponent("Policies").path])
        #expect(!loaded.diagnostics.containsErrors, "\(loaded.diagnostics.map(\.description))")
        let format = try #require(loaded.catalog.caseFormat)
        #expect(format.fields.count >= 30)
        #expect(format.field("member.plan")?.values == ["commercial", "medicare_advantage", "medicaid", "medicare", "exchange"])
        #expect(format.field("clinical_notes")?.isSensitive == true)
        var extensions: [String] = []
        for policy in loaded.catalog.policies {
            for input in policy.policy.syntax.inputs {
                if input.extensionReason != nil { extensions.append(input.path.value) } else { #expect(format.field(input.path.value) != nil) }
            }
        }
        #expect(extensions == ["service.level_of_care"])
    }

    @Test("one payer's folder is checked against the root's case format")
    func onePayerFolder() {
        let shared = PolicyFiles.sharedFolders(for: [Self.root.appendingPathComponent("Policies/aetna").path])
        #expect(shared.contains { $0.hasSuffix("/Policies/case-format.yaml") })
        #expect(PolicyFiles.sharedFolders(for: [Self.root.appendingPathComponent("Policies").path]).isEmpty)
        // Calendars given to load other policies with bring no case format along.
        #expect(!PolicyFiles.sharedFolders(for: [Self.root.appendingPathComponent("Policies/calendars").path]).contains { $0.hasSuffix("case-format.yaml") })
    }

    @Test("a path no case carries is an error with a did-you-mean, at the input")
    func unknownField() throws {
        let loaded = Self.load("  service.icd1O: {type: list<code>}")
        let error = try #require(loaded.diagnostics.first { $0.id == "case.unknown-field" })
        #expect(error.message == "`service.icd1O` is not a field of the case format")
        #expect(error.hint?.hasPrefix("did you mean `service.icd10`?") == true)
        #expect(position(error) == "10:3")
        #expect(loaded.catalog.policies.isEmpty)
        // Without a case format (a folder that has none), the same policy loads.
        #expect(Self.load("  service.icd1O: {type: list<code>}", withFormat: false).catalog.policies.count == 1)
    }

    @Test("an enum value the field does not have, and a type it cannot be read as, are errors")
    func valuesAndTypes() throws {
        let loaded = Self.load("""
              request.urgency: {enum: [standard, urgnet]}
              service.date: {type: datetime}
              member.state: {enum: [CA, TX]}
              documents: {type: list<string>}
            """)
        let value = try #require(loaded.diagnostics.first { $0.id == "case.unknown-value" })
        #expect(value.message == "`urgnet` is not a value of the case format's `request.urgency`")
        #expect(value.hint?.hasPrefix("did you mean `urgent`?") == true)
        #expect(position(value) == "10:27")
        let type = try #require(loaded.diagnostics.first { $0.id == "case.type-mismatch" })
        #expect(type.message == "the case format's `service.date` is a date, not a datetime")
        #expect(type.hint == "declare it as `type: date`")
        #expect(position(type) == "11:24")
        // Text read as a closed list of words, a set read as a list: allowed.
        #expect(loaded.diagnostics.filter { $0.id.code.hasPrefix("case.") }.count == 2)
    }

    @Test("an extension says why; on a known field it is a warning, around one an error")
    func extensions() throws {
        let fine = Self.load("  service.level_of_care: {enum: [outpatient, inpatient], extension: Aetna's precertification list needs it.}")
        #expect(!fine.diagnostics.contains { $0.id.code.hasPrefix("case.") })
        #expect(fine.catalog.policies.count == 1)
        let known = Self.load("  member.plan: {enum: [commercial], extension: not needed}")
        let warning = try #require(known.diagnostics.first { $0.id == "case.extension-known" })
        #expect(warning.severity == .warning)
        #expect(position(warning) == "10:48")
        let clash = Self.load("  member: {type: string, extension: the whole member}")
        let error = try #require(clash.diagnostics.first { $0.id == "case.extension-clash" })
        #expect(error.message.contains("`member.id`"))
        #expect(position(error) == "10:3")
    }

    @Test("the format file's own mistakes are located errors")
    func formatMistakes() throws {
        let text = """
            precert-case-format: 1
            title: T
            description: D
            sources: [s]
            groups:
              member: The member.
              nobody: Nobody.
            fields:
              member.id: {type: string, description: Id.}
              member: {type: string, description: Clash.}
              Member.Name: {type: string, description: Bad path.}
              service.when: {type: duration, description: Not a case type.}
              member.plan: {enum: [], description: No values.}
            """
        let loaded = PolicyCatalog.load(files: [PolicyFile(path: "case-format.yaml", text: text)])
        let found = loaded.diagnostics.map { "\($0.id.code) \(position($0))" }
        #expect(found == [
            "case-format.unknown-group 7:3", "case-format.path-clash 10:3", "case-format.bad-path 11:3",
            "case-format.unknown-type 12:24", "case-format.empty-enum 13:23",
        ])
        #expect(loaded.catalog.caseFormat == nil)
    }

    @Test("the case schema is derived from the format: every field, nested, with its values")
    func schema() throws {
        let format = try #require(PolicyCatalog.load(files: [Self.formatFile]).catalog.caseFormat)
        let schema = try JSONValue.parse(Schemas.case(format))
        let member = try #require(schema["properties"]?["member"])
        #expect(member["description"] == .string("The health-plan member."))
        #expect(member["properties"]?["plan"]?["enum"] == .array(format.field("member.plan")!.values.map(JSONValue.string) + [.null]))
        #expect(member["properties"]?["state"]?["pattern"] == .string("^[A-Z]{2}$"))
        #expect(schema["properties"]?["request"]?["properties"]?["received_at"]?["$ref"] == .string("#/$defs/datetime"))
        var leaves = 0
        func count(_ node: JSONValue?) {
            guard case .object(let members)? = node?["properties"] else { return }
            for member in members { if member.value["properties"] != nil { count(member.value) } else { leaves += 1 } }
        }
        count(schema)
        #expect(leaves == format.fields.count)
    }

    @Test("docs/CASE.md's field table is the format's (PRECERT_UPDATE_DOCS=1 rewrites it)")
    func documentation() throws {
        let format = try #require(PolicyCatalog.load(files: [Self.formatFile]).catalog.caseFormat)
        let url = Self.root.appendingPathComponent("docs/CASE.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let begin = "<!-- case-format fields: begin -->\n", end = "<!-- case-format fields: end -->"
        let start = try #require(text.range(of: begin)), stop = try #require(text.range(of: end))
        let expected = format.markdownTable
        if ProcessInfo.processInfo.environment["PRECERT_UPDATE_DOCS"] == "1" {
            try (String(text[..<start.upperBound]) + expected + String(text[stop.lowerBound...])).write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(text[start.upperBound..<stop.lowerBound]) == expected)
    }

    @Test("a code set member written another way than the case format writes the field it is tested against can never match")
    func codeWithoutDot() throws {
        let text = try String(contentsOfFile: Fixtures.path("traps/icd10-without-dot.yaml"), encoding: .utf8)
        let loaded = PolicyCatalog.load(files: [PolicyFile(path: "icd10-without-dot.yaml", text: text), Self.calendar, Self.formatFile])
        let found = loaded.diagnostics.filter { $0.id == "policy.code-format" }
        // `F331` and `F410*` never match a dotted code; `F32*`, `F33.2` and `Z3A*` do.
        #expect(found.map { "\($0.range?.start.line ?? 0):\($0.range?.start.column ?? 0)" } == ["12:22", "12:37"])
        #expect(found.first?.message == "`F331` in set `depression` can never match `service.icd10`, whose codes are written like `^[A-Z][0-9][0-9A-Z](\\.[0-9A-Z]{1,4})?$`")
        #expect(found.first?.hint?.hasSuffix("write `F33.1`") == true)
        #expect(found.last?.hint?.hasSuffix("write `F41.0*`") == true)
        #expect(found.allSatisfy { $0.severity == .warning })
        // Without the case format, nothing says how the field is written.
        let alone = PolicyCatalog.load(files: [PolicyFile(path: "icd10-without-dot.yaml", text: text), Self.calendar])
        #expect(!alone.diagnostics.contains { $0.id == "policy.code-format" })
    }
}
