import Foundation
import Testing

@testable import Precert

/// `precert.manifest.json`: a folder that holds one loads only when its policy and calendar files
/// are exactly the ones listed. Each test works on its own copy of `Policies/`.
@Suite("Policy set manifests")
struct ManifestTests {
    static let kaiserCase = LibraryAPITests.kaiserCase
    static let kaiserFile = "kaiser-norcal/behavioral-health.yaml"

    /// A copy of the shipped policies in a folder of its own, removed by the caller.
    /// Where the Kaiser policy's third decision starts: cut there, the file is still a valid
    /// policy, with two decisions.
    static func beforeThirdDecision(_ policy: Data) throws -> Int {
        let start = try #require(policy.range(of: Data("\n  pathway:\n".utf8)))
        return start.lowerBound + 1
    }

    static func copyOfPolicies() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("precert-manifest-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Fixtures.repositoryRoot.appendingPathComponent("Policies"), to: folder)
        return folder
    }

    /// Writes the manifest of `folder`'s set, as `precert check --write-manifest` does.
    @discardableResult
    static func writeManifest(in folder: URL, revision: String? = "2026-11-30.1") throws -> PolicyManifest {
        let manifest = PolicyManifest(catalog: try PolicyCatalog(paths: [folder.path]), revision: revision)
        try Data(manifest.json).write(to: folder.appendingPathComponent(PolicyManifest.fileName))
        return manifest
    }

    static func sha256(_ url: URL) throws -> String {
        Digest.sha256Hex(Array(try Data(contentsOf: url)))
    }

    /// The 1-based line of the manifest that lists `path`.
    static func manifestLine(listing path: String, in folder: URL) throws -> Int {
        let text = try String(contentsOf: folder.appendingPathComponent(PolicyManifest.fileName), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return try #require(lines.firstIndex { $0.contains("\"path\": \"\(path)\"") }) + 1
    }

    static func errors(_ loaded: PolicyCatalog.LoadResult) -> [Diagnostic] {
        loaded.diagnostics.filter { $0.severity == .error }
    }

    @Test("Policies/ ships without a manifest: it is the folder people edit, and a stale manifest there would fail every run (README, \"Pinning a deployed set\")")
    func shippedPoliciesAreNotPinned() throws {
        let manifest = Fixtures.repositoryRoot.appendingPathComponent("Policies").appendingPathComponent(PolicyManifest.fileName)
        #expect(
            !FileManager.default.fileExists(atPath: manifest.path),
            "Policies/precert.manifest.json exists: `precert check --write-manifest` with no path writes there; write manifests into the folder that is deployed")
    }

    // MARK: - A matching set

    @Test("a written manifest lists every policy, calendar and regulation file (no test file) with its sha256, and the folder then loads verified, with the manifest's digest")
    func writtenManifestVerifies() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        let unpinned = try PolicyCatalog(paths: [folder.path])
        #expect(!unpinned.hasVerifiedManifest && unpinned.manifestRevision == nil)

        let manifest = try Self.writeManifest(in: folder)
        let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(PolicyManifest.fileName)))
        let document = try JSONValue.parse(bytes: bytes)
        guard case .object(let members) = document, case .array(let files)? = document["files"] else {
            Issue.record("a manifest is an object with a `files` array")
            return
        }
        #expect(members.map(\.key) == ["precert-manifest", "revision", "digest", "files"])
        #expect(document["precert-manifest"] == .number(1))
        #expect(document["revision"] == .string("2026-11-30.1"))
        let walker = try #require(FileManager.default.enumerator(atPath: folder.path))
        let policyAndCalendarFiles = walker.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }.sorted()
        // Five policies, one calendar, four regulations, the case format, the CRD mapping and
        // Kaiser's provider directory.
        #expect(policyAndCalendarFiles.count == 13)
        let listed = try files.map { file -> [String] in
            guard case .string(let path)? = file["path"], case .string(let sha)? = file["sha256"] else { throw CocoaError(.fileReadCorruptFile) }
            return [path, sha]
        }
        #expect(listed == (try policyAndCalendarFiles.map { [$0, try Self.sha256(folder.appendingPathComponent($0))] }))

        let pinned = try PolicyCatalog(paths: [folder.path])
        #expect(pinned.hasVerifiedManifest)
        #expect(pinned.manifestRevision == "2026-11-30.1")
        #expect(document["digest"] == .string(pinned.digest))
        #expect(pinned.digest == unpinned.digest && manifest.digest == pinned.digest, "a manifest pins the set; it is not part of it")
        #expect(try PolicyCatalog(paths: [folder.path + "/"]).hasVerifiedManifest)
        #expect(try PolicyCatalog(paths: [folder.path, folder.path + "/"]).manifestRevision == "2026-11-30.1", "one folder, however spelled")

        // The same set gives the same bytes; a manifest without a revision verifies too.
        #expect(PolicyManifest(catalog: pinned, revision: "2026-11-30.1").json == bytes)
        try Self.writeManifest(in: folder, revision: nil)
        let anonymous = try PolicyCatalog(paths: [folder.path])
        #expect(anonymous.hasVerifiedManifest && anonymous.manifestRevision == nil)
    }

    @Test("files given by themselves are not checked against the manifest of the folder they are in")
    func filesByThemselves() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeManifest(in: folder)
        let kaiser = folder.appendingPathComponent(Self.kaiserFile).path
        let loaded = PolicyCatalog.load(paths: [kaiser, folder.appendingPathComponent("calendars").path])
        #expect(!loaded.hasErrors)
        #expect(!loaded.catalog.hasVerifiedManifest && loaded.catalog.manifestRevision == nil)
    }

    @Test("test files are neither listed nor required: adding or editing one keeps the set verified")
    func testFilesDoNotCount() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeManifest(in: folder)
        let test = folder.appendingPathComponent("aetna/commercial-behavioral-health.test.yaml")
        try FileManager.default.copyItem(at: test, to: folder.appendingPathComponent("aetna/more-cases.test.yaml"))
        try (try Data(contentsOf: test) + Data("\n# reviewed\n".utf8)).write(to: test)
        let loaded = PolicyCatalog.load(paths: [folder.path])
        #expect(Self.errors(loaded).isEmpty)
        #expect(loaded.catalog.hasVerifiedManifest)
    }

    // MARK: - A set that does not match

    @Test("the Kaiser policy cut short before its third decision: without a manifest it loads and answers with 2 decisions; with one it is `manifest.digest-mismatch` at that file and does not answer")
    func kaiserCutShort() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        let kaiser = folder.appendingPathComponent(Self.kaiserFile)
        let whole = try Data(contentsOf: kaiser)
        try Self.writeManifest(in: folder)
        let cut = try Self.beforeThirdDecision(whole)
        try whole.prefix(cut).write(to: kaiser)

        // What a manifest is for: the same folder without one loads cleanly and answers short.
        let manifestURL = folder.appendingPathComponent(PolicyManifest.fileName)
        let manifestBytes = try Data(contentsOf: manifestURL)
        try FileManager.default.removeItem(at: manifestURL)
        let unpinned = try PolicyCatalog(paths: [folder.path])
        #expect(try unpinned.evaluate(Self.kaiserCase).get().decisions.count == 2)
        try manifestBytes.write(to: manifestURL)

        let loaded = PolicyCatalog.load(paths: [folder.path])
        let errors = Self.errors(loaded)
        #expect(errors.map(\.id) == ["manifest.digest-mismatch"])
        let mismatch = try #require(errors.first)
        #expect(mismatch.location == SourceLocation(file: kaiser.path, line: 1, column: 1))
        #expect(mismatch.message == "`kaiser-norcal/behavioral-health.yaml` is not the file the manifest lists")
        #expect(mismatch.hint != nil)
        #expect(mismatch.facts.expected == Digest.sha256Hex(Array(whole)))
        #expect(mismatch.facts.found == Digest.sha256Hex(Array(whole.prefix(cut))))
        #expect(mismatch.notes.first?.range?.start.file == manifestURL.path)
        #expect(mismatch.notes.first?.range?.start.line == (try Self.manifestLine(listing: Self.kaiserFile, in: folder)))
        #expect(loaded.sources.contains { $0.file == manifestURL.path }, "the note's line can be quoted")
        #expect(!loaded.catalog.hasVerifiedManifest && loaded.catalog.manifestRevision == nil)

        // The throwing load refuses the set; the non-throwing one leaves the policy out, so its
        // payer's cases are the deployment's fault, never answered by the short file.
        #expect(throws: CatalogError.self) { try PolicyCatalog(paths: [folder.path]) }
        #expect(loaded.catalog.policy(id: "kaiser-norcal/behavioral-health") == nil)
        #expect(loaded.catalog.policy(id: "aetna/commercial-behavioral-health") != nil)
        guard case .failure(let caseErrors) = loaded.catalog.evaluate(Self.kaiserCase) else {
            Issue.record("a policy that does not match its manifest must not answer")
            return
        }
        #expect(caseErrors.diagnostics.map(\.id) == ["catalog.policy-not-loaded"])
        #expect(caseErrors.fault == .deployment)
    }

    @Test("LiveCatalog refuses a set cut short and keeps answering with the old one; the restored file reloads as unchanged")
    func liveCatalogRefusesCutShort() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeManifest(in: folder)
        let live = try LiveCatalog(paths: [folder.path])
        let original = live.current
        #expect(original.hasVerifiedManifest)
        let kaiser = folder.appendingPathComponent(Self.kaiserFile)
        let whole = try Data(contentsOf: kaiser)
        try whole.prefix(try Self.beforeThirdDecision(whole)).write(to: kaiser)

        guard case .refused(let error, let serving) = live.reload() else {
            Issue.record("a policy cut short is refused")
            return
        }
        #expect(error.diagnostics.filter { $0.severity == .error }.map(\.id) == ["manifest.digest-mismatch"])
        #expect(serving.digest == original.digest && live.current.digest == original.digest)
        #expect(live.current.hasVerifiedManifest && live.current.manifestRevision == "2026-11-30.1")
        let answer = try live.current.evaluate(Self.kaiserCase).get()
        #expect(answer.decisions.count == 10)

        try whole.write(to: kaiser)
        guard case .unchanged = live.reload() else {
            Issue.record("the restored file is the set that serves")
            return
        }
    }

    @Test("LiveCatalog takes a new revision over the same files, and a manifest added to a folder, as a new set")
    func liveCatalogNewRevision() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = try LiveCatalog(paths: [folder.path])
        try Self.writeManifest(in: folder, revision: "r1")
        guard case .replaced(let previous, let current) = live.reload() else {
            Issue.record("a folder that gains a manifest reloads as a new set")
            return
        }
        #expect(!previous.hasVerifiedManifest && current.hasVerifiedManifest && current.manifestRevision == "r1")
        #expect(previous.digest == current.digest)
        try Self.writeManifest(in: folder, revision: "r2")
        guard case .replaced(_, let second) = live.reload() else {
            Issue.record("a new revision reloads as a new set")
            return
        }
        #expect(second.manifestRevision == "r2" && live.current.manifestRevision == "r2")
        guard case .unchanged = live.reload() else {
            Issue.record("the same files and revision are unchanged")
            return
        }
    }

    @Test("a listed file that is missing is `manifest.missing-file`, at its line in the manifest")
    func missingFile() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeManifest(in: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("medicare/traditional-part-b.yaml"))
        let loaded = PolicyCatalog.load(paths: [folder.path])
        let errors = Self.errors(loaded)
        #expect(errors.map(\.id) == ["manifest.missing-file"])
        let line = try Self.manifestLine(listing: "medicare/traditional-part-b.yaml", in: folder)
        #expect(errors.first?.location == SourceLocation(file: folder.appendingPathComponent(PolicyManifest.fileName).path, line: line, column: 14))
        // After aetna's policy, the calendar, the case format, the CRD mapping, kaiser's policy and
        // provider directory.
        #expect(errors.first?.facts.jsonPath == "$.files[6]")
        #expect(errors.first?.message == "`medicare/traditional-part-b.yaml` is listed in the manifest but is not in the folder")
        #expect(throws: CatalogError.self) { try PolicyCatalog(paths: [folder.path]) }
    }

    @Test("a policy file that is not listed is `manifest.unlisted-file`, at that file, and does not answer")
    func unlistedFile() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeManifest(in: folder)
        // A newer version dropped in beside the released one.
        let aetna = try String(contentsOf: folder.appendingPathComponent("aetna/commercial-behavioral-health.yaml"), encoding: .utf8)
        let effective = try #require(aetna.firstMatch(of: #/\neffective: [0-9-]+/#))
        let newer = folder.appendingPathComponent("aetna/commercial-behavioral-health-2027.yaml")
        try aetna.replacingCharacters(in: effective.range, with: "\neffective: 2027-01-01").write(to: newer, atomically: true, encoding: .utf8)
        #expect(!PolicyCatalog.load(paths: [newer.path, folder.appendingPathComponent("calendars").path]).hasErrors, "the new file is itself a valid policy")

        let loaded = PolicyCatalog.load(paths: [folder.path])
        let errors = Self.errors(loaded)
        #expect(errors.map(\.id) == ["manifest.unlisted-file"])
        #expect(errors.first?.location == SourceLocation(file: newer.path, line: 1, column: 1))
        #expect(errors.first?.message == "`aetna/commercial-behavioral-health-2027.yaml` is not listed in the manifest")
        #expect(!loaded.catalog.policies.contains { $0.file == "aetna/commercial-behavioral-health-2027.yaml" })
    }

    @Test("a calendar that does not match leaves out every policy that uses it")
    func calendarMismatch() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.writeManifest(in: folder)
        let calendar = folder.appendingPathComponent("calendars/us-federal.yaml")
        try (try Data(contentsOf: calendar) + Data("\n# a holiday removed by hand\n".utf8)).write(to: calendar)
        let loaded = PolicyCatalog.load(paths: [folder.path])
        #expect(Self.errors(loaded).map(\.id) == ["manifest.digest-mismatch"])
        #expect(Self.errors(loaded).first?.location?.file == calendar.path)
        #expect(loaded.catalog.policies.isEmpty, "every shipped policy uses the us-federal calendar")
        #expect(!loaded.diagnostics.contains { $0.id == "policy.unknown-calendar" }, "the calendar is there; it is not the one released")
    }

    @Test("a manifest that lists a test file is `manifest.invalid`: it would not be the catalog's digest")
    func listedTestFile() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        let catalog = try PolicyCatalog(paths: [folder.path])
        let test = "kaiser-norcal/behavioral-health.test.yaml"
        let entries = catalog.files.map { PolicyManifest.Entry(path: $0.name, sha256: $0.digest) }
            + [PolicyManifest.Entry(path: test, sha256: try Self.sha256(folder.appendingPathComponent(test)))]
        try Data(PolicyManifest(files: entries, revision: nil).json).write(to: folder.appendingPathComponent(PolicyManifest.fileName))
        let errors = Self.errors(PolicyCatalog.load(paths: [folder.path]))
        #expect(errors.map(\.id) == ["manifest.invalid"])
        #expect(errors.first?.message == "`kaiser-norcal/behavioral-health.test.yaml` is a policy test file, which a manifest does not list")
        #expect(errors.first?.location?.line == (try Self.manifestLine(listing: test, in: folder)))
    }

    @Test("a manifest that is not valid fails the load with `manifest.invalid`, quoting the manifest")
    func invalidManifestFailsTheLoad() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = folder.appendingPathComponent(PolicyManifest.fileName)
        try Data(#"{"precert-manifest": 1, "files": []}"#.utf8).write(to: manifest)
        let loaded = PolicyCatalog.load(paths: [folder.path])
        #expect(Self.errors(loaded).map(\.id) == ["manifest.invalid"])
        #expect(Self.errors(loaded).first?.message == "the manifest is missing the required key `digest`")
        #expect(loaded.sources.contains { $0.file == manifest.path })
        #expect(!loaded.catalog.hasVerifiedManifest)
        #expect(throws: CatalogError.self) { try PolicyCatalog(paths: [folder.path]) }

        // A folder where the manifest should be cannot be read.
        try FileManager.default.removeItem(at: manifest)
        try FileManager.default.createDirectory(at: manifest, withIntermediateDirectories: false)
        #expect(Self.errors(PolicyCatalog.load(paths: [folder.path])).map(\.id) == ["io.unreadable"])
    }

    // MARK: - Reading manifests

    /// One malformed manifest and where each of its problems must be reported.
    struct Malformed: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        /// `line:column JSON-path` of each problem, in order.
        var expected: [String]
        var testDescription: String { name }
    }

    static let digestOfOne = PolicyManifest(files: [.init(path: "a.yaml", sha256: String(repeating: "0", count: 64))], revision: nil).digest
    static let zeros = String(repeating: "0", count: 64)

    static let malformed: [Malformed] = [
        Malformed(name: "empty", text: "", expected: ["1:1 $"]),
        Malformed(name: "not closed", text: "{\n  \"precert-manifest\": 1,\n", expected: ["3:1 $"]),
        Malformed(name: "trailing comma", text: "{\"files\": [\n  {\"path\": \"a.yaml\"},\n]}", expected: ["3:1 $.files[1]"]),
        Malformed(name: "a byte-order mark", text: "\u{FEFF}{}", expected: ["1:1 $"]),
        Malformed(name: "nested too deep", text: "{\"files\": [[[[[[[[[[]]]]]]]]]]}", expected: ["1:18 $.files[0][0][0][0][0][0][0]"]),
        Malformed(name: "an array", text: "[]", expected: ["1:1 $"]),
        Malformed(name: "no keys", text: "{}", expected: ["1:1 $", "1:1 $", "1:1 $"]),
        Malformed(
            name: "wrong types",
            text: "{\"precert-manifest\": \"1\", \"revision\": 7, \"digest\": null, \"files\": {}}",
            expected: ["1:22 $[\"precert-manifest\"]", "1:39 $.revision", "1:52 $.digest", "1:67 $.files"]),
        Malformed(
            name: "an unsupported version", text: "{\"precert-manifest\": 2, \"digest\": \"sha256:\(zeros)\", \"files\": []}",
            expected: ["1:22 $[\"precert-manifest\"]"]),
        Malformed(
            name: "unknown and repeated keys",
            text: "{\"precert-manifest\": 1,\n \"revison\": \"r\",\n \"digest\": \"sha256:\(zeros)\",\n \"digest\": \"x\",\n \"files\": []}",
            expected: ["2:2 $.revison", "4:2 $.digest"]),
        Malformed(
            name: "bad entries",
            text: """
                {"precert-manifest": 1, "digest": "sha256:\(zeros)", "files": [
                  {"path": "../a.yaml", "sha256": "\(zeros)"},
                  {"path": "b.yaml", "sha256": "\(String(repeating: "A", count: 64))"},
                  {"path": "c.yaml"},
                  "d.yaml",
                  {"path": "é/e.yaml", "sha256": "\(zeros)", "size": 3},
                  {"path": "notes.txt", "sha256": "\(zeros)"},
                  {"path": "/f.yaml", "sha256": "\(zeros)"},
                  {"path": "g//h.yaml", "sha256": "\(zeros)"}
                ]}
                """,
            expected: [
                "2:12 $.files[0].path", "3:32 $.files[1].sha256", "4:3 $.files[2]", "5:3 $.files[3]", "6:102 $.files[4].size",
                "7:12 $.files[5].path", "8:12 $.files[6].path", "9:12 $.files[7].path",
            ]),
        Malformed(
            name: "a path listed twice",
            text: "{\"precert-manifest\": 1, \"digest\": \"sha256:\(zeros)\", \"files\": [\n {\"path\": \"a.yaml\", \"sha256\": \"\(zeros)\"},\n {\"path\": \"a.yaml\", \"sha256\": \"\(zeros)\"}]}",
            expected: ["3:11 $.files[1].path"]),
        Malformed(
            name: "a digest that is not the files'",
            text: "{\"precert-manifest\": 1, \"digest\": \"sha256:\(zeros)\", \"files\": [{\"path\": \"a.yaml\", \"sha256\": \"\(zeros)\"}]}",
            expected: ["1:35 $.digest"]),
        Malformed(
            name: "a revision with a line break",
            text: "{\"precert-manifest\": 1, \"revision\": \"a\\nb\", \"digest\": \"\(digestOfOne)\", \"files\": [{\"path\": \"a.yaml\", \"sha256\": \"\(zeros)\"}]}",
            expected: ["1:37 $.revision"]),
    ]

    @Test("malformed manifests: every problem is `manifest.invalid` at its line and column, with its JSON path", arguments: malformed)
    func malformedManifest(_ example: Malformed) throws {
        let (listing, problems) = ManifestReader.read(Array(example.text.utf8), file: "m.json")
        #expect(listing == nil)
        #expect(problems.allSatisfy { $0.id == "manifest.invalid" && $0.severity == .error })
        #expect(problems.allSatisfy { !$0.message.hasSuffix(".") && $0.message.first?.isUppercase != true })
        #expect(problems.map { "\(position($0)) \($0.facts.jsonPath ?? "-")" } == example.expected, "\(problems.map(\.message))")
    }

    @Test("the reader's messages name what is wrong")
    func messages() {
        func messages(_ text: String) -> [String] { ManifestReader.read(Array(text.utf8), file: "m.json").1.map(\.message) }
        #expect(messages("{\"precert-manifest\": 2, \"digest\": \"sha256:\(Self.zeros)\", \"files\": []}") == ["unsupported manifest version `2`"])
        let unknown = ManifestReader.read(Array("{\"precert-manifest\": 1, \"revison\": \"r\", \"digest\": \"\(Self.digestOfOne)\", \"files\": [{\"path\": \"a.yaml\", \"sha256\": \"\(Self.zeros)\"}]}".utf8), file: "m.json").1
        #expect(unknown.map(\.message) == ["unknown key `revison` in the manifest"])
        #expect(unknown.first?.facts.suggestion == "revision")
        #expect(messages("{\"precert-manifest\": 1, \"digest\": 5, \"files\": []}") == ["$.digest: expected `sha256:` and 64 lowercase hex digits, got number"])
        let mismatch = ManifestReader.read(Array("{\"precert-manifest\": 1, \"digest\": \"sha256:\(Self.zeros)\", \"files\": []}".utf8), file: "m.json").1
        #expect(mismatch.map(\.message) == ["`digest` is not the digest of the files listed"])
        #expect(mismatch.first?.facts.expected == PolicyManifest(files: [], revision: nil).digest)
        #expect(messages("{\"files\": [}") == ["invalid JSON: expected a value but found `}`"])
    }

    @Test("a manifest as written reads back as the same manifest; every shorter prefix, and every one-byte change, is reported, never a crash")
    func prefixesAndMutations() throws {
        let files = [
            PolicyManifest.Entry(path: "calendars/us-federal.yaml", sha256: String(repeating: "a", count: 64)),
            PolicyManifest.Entry(path: "kaiser-norcal/behavioral-health.yaml", sha256: String(repeating: "b", count: 64)),
            PolicyManifest.Entry(path: "é/ünïcode.yaml", sha256: String(repeating: "c", count: 64)),
        ]
        let manifest = PolicyManifest(files: files, revision: "2026-11-30.1 \"quoted\" ✓")
        let bytes = manifest.json
        let (listing, problems) = ManifestReader.read(bytes, file: "m.json")
        #expect(problems.isEmpty)
        #expect(listing?.manifest == manifest)
        // Only the final line end may go; any shorter prefix is cut inside the document.
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(ManifestReader.read(Array(bytes.dropLast()), file: "m.json").0?.manifest == manifest)
        for end in 0..<(bytes.count - 1) {
            let (cut, cutProblems) = ManifestReader.read(Array(bytes[..<end]), file: "m.json")
            #expect(cut == nil && !cutProblems.isEmpty && cutProblems.allSatisfy { $0.id == "manifest.invalid" }, "prefix of \(end) bytes")
        }
        for index in bytes.indices {
            for replacement: UInt8 in [0x00, 0x22, 0x7D, 0x30, 0xFF] where bytes[index] != replacement {
                var changed = bytes
                changed[index] = replacement
                let (read, found) = ManifestReader.read(changed, file: "m.json")
                // A change inside the revision text may leave a valid manifest of another revision.
                #expect((read != nil) == found.isEmpty && found.allSatisfy { $0.id == "manifest.invalid" })
                if let read { #expect(read.manifest.files == manifest.files) }
            }
        }
    }

    @Test("positions found by line starts are the JSON reader's own, for every offset of text with multi-byte characters")
    func positionsMatchTheReader() {
        let text = Array("{\"é\": [1,\n 2],\r\n\"😀\": \"x\"\n\n}".utf8)
        let positions = TextPositions(text, file: "m.json")
        JSONReader.withReader(text) { reader in
            for offset in 0...text.count {
                let (line, column) = reader.lineAndColumn(at: offset)
                #expect(positions.location(offset) == SourceLocation(file: "m.json", line: line, column: column), "offset \(offset)")
            }
        }
    }
}
