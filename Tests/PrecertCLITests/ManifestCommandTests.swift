import Foundation
import Testing

extension GoldenCommand {
    /// Policy set manifests: a folder that matches its manifest, one that does not, and the
    /// misuses of `--write-manifest`. (Writing one changes a folder, so it is tested on copies in
    /// `ManifestCommandTests`, not here.)
    static let manifest: [GoldenCommand] = [
        GoldenCommand("check-pinned", ["check", Paths.pinned], exit: 0),
        GoldenCommand("eval-pinned", ["eval", "--policies", Paths.pinned, Paths.case("outside.json")], exit: 0),
        GoldenCommand("test-pinned", ["test", Paths.pinned], exit: 0),
        GoldenCommand("check-pinned-cut-short", ["check", Paths.pinnedCutShort], exit: 1),
        GoldenCommand("check-pinned-cut-short-json", ["check", "--format", "json", Paths.pinnedCutShort], exit: 1),
        GoldenCommand("eval-pinned-cut-short", ["eval", "--policies", Paths.pinnedCutShort, Paths.case("outside.json")], exit: 3),
        GoldenCommand(
            "eval-pinned-cut-short-json", ["eval", "--policies", Paths.pinnedCutShort, "--format", "json", Paths.case("outside.json")],
            exit: 3),
        GoldenCommand("check-write-manifest-with-errors", ["check", "--write-manifest", Paths.broken], exit: 1),
        GoldenCommand("usage-write-manifest-two-paths", ["check", "--write-manifest", Paths.clinic, Paths.pinned], exit: 2),
        GoldenCommand("usage-write-manifest-file", ["check", "--write-manifest", "\(Paths.clinic)/outpatient.yaml"], exit: 2),
        GoldenCommand("usage-revision-without-write-manifest", ["check", "--revision", "r1", Paths.clinic], exit: 2),
        GoldenCommand("usage-revision-empty", ["check", "--write-manifest", "--revision", "", Paths.clinic], exit: 2),
    ]
}

@Suite("precert check --write-manifest, run as a process")
struct ManifestCommandTests {
    /// A copy of a fixture folder in a temporary folder of its own, removed by the caller.
    static func copy(_ fixture: String) throws -> (root: URL, folder: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("precert-manifest-\(UUID().uuidString)")
        let folder = root.appendingPathComponent(URL(fileURLWithPath: fixture).lastPathComponent)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent(fixture), to: folder)
        return (root, folder)
    }

    /// Every file under `folder`, relative to it, sorted.
    static func listing(_ folder: URL) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder.path).sorted()
    }

    @Test("writes the manifest the pinned fixture holds, byte for byte, every time, and nothing else; the folder then checks clean")
    func writesTheFixtureManifest() throws {
        let (root, folder) = try Self.copy(Paths.pinned)
        defer { try? FileManager.default.removeItem(at: root) }
        let manifest = folder.appendingPathComponent("precert.manifest.json")
        let fixture = CLI.root.appendingPathComponent(Paths.pinned).appendingPathComponent("precert.manifest.json")
        try FileManager.default.removeItem(at: manifest)
        let before = try Self.listing(folder)

        let first = try CLI.run(["check", "--write-manifest", "--revision", "2026-11-30.1", folder.path])
        #expect(first.status == 0, "\(first.err)")
        #expect(first.err == "")
        let written = try Data(contentsOf: manifest)
        if CLI.updatingGolden {
            // The fixtures' manifests are this command's golden output.
            try written.write(to: fixture, options: .atomic)
            try written.write(to: CLI.root.appendingPathComponent(Paths.pinnedCutShort).appendingPathComponent("precert.manifest.json"), options: .atomic)
        }
        #expect(written == (try Data(contentsOf: fixture)), "the written manifest differs from \(Paths.pinned)/precert.manifest.json")
        let digest = try #require(String(decoding: written, as: UTF8.self).firstMatch(of: #/"digest": "(sha256:[0-9a-f]{64})"/#)?.output.1)
        #expect(CLI.normalized(first.out, temporary: root) == "wrote <tmp>/pinned/precert.manifest.json: 2 files, \(digest)\n")
        #expect(try Self.listing(folder) == (before + ["precert.manifest.json"]).sorted(), "a temporary file was left behind")

        let second = try CLI.run(["check", "--write-manifest", "--revision", "2026-11-30.1", folder.path])
        #expect(second == first)
        #expect(try Data(contentsOf: manifest) == written)

        let check = try CLI.run(["check", folder.path])
        #expect(check.status == 0 && check.out == "checked 1 policy, 1 calendar: no problems\n" && check.err.isEmpty, "\(check.err)")
    }

    @Test("a manifest that no longer matches is replaced, not checked: after an edit, writing again makes the folder check clean")
    func replacesAStaleManifest() throws {
        let (root, folder) = try Self.copy(Paths.pinned)
        defer { try? FileManager.default.removeItem(at: root) }
        let policy = folder.appendingPathComponent("outpatient.yaml")
        try (try Data(contentsOf: policy) + Data("# reviewed\n".utf8)).write(to: policy)

        let stale = try CLI.run(["check", folder.path])
        #expect(stale.status == 1)
        #expect(stale.err.contains("[manifest.digest-mismatch]"))

        let rewrite = try CLI.run(["check", "--write-manifest", folder.path])
        #expect(rewrite.status == 0, "\(rewrite.err)")
        let text = try String(contentsOf: folder.appendingPathComponent("precert.manifest.json"), encoding: .utf8)
        #expect(!text.contains("\"revision\""), "a revision not given is not carried over from the old manifest")
        let check = try CLI.run(["check", folder.path])
        #expect(check.status == 0, "\(check.err)")
        let eval = try CLI.run(["eval", "--policies", folder.path, Paths.case("outside.json")])
        #expect(eval.status == 0, "\(eval.err)")
    }

    @Test("a check with errors writes nothing, and leaves an existing manifest as it was")
    func refusesWithErrors() throws {
        let (root, folder) = try Self.copy(Paths.broken)
        defer { try? FileManager.default.removeItem(at: root) }
        let before = try Self.listing(folder)
        let run = try CLI.run(["check", "--write-manifest", folder.path])
        #expect(run.status == 1)
        #expect(run.out.isEmpty)
        #expect(try Self.listing(folder) == before)

        let (pinnedRoot, pinned) = try Self.copy(Paths.pinned)
        defer { try? FileManager.default.removeItem(at: pinnedRoot) }
        let manifest = pinned.appendingPathComponent("precert.manifest.json")
        let old = try Data(contentsOf: manifest)
        try Data("precert: 1\npolicy: [".utf8).write(to: pinned.appendingPathComponent("broken.yaml"))
        let refused = try CLI.run(["check", "--write-manifest", pinned.path])
        #expect(refused.status == 1)
        #expect(try Data(contentsOf: manifest) == old)
    }

    @Test("a manifest that cannot be moved into place (a folder in its way) is the deployment's fault: exit 3, nothing left behind")
    func unwritableManifest() throws {
        let (root, folder) = try Self.copy(Paths.clinic)
        defer { try? FileManager.default.removeItem(at: root) }
        // A folder where the manifest goes: the rename fails even for root, whom permissions do not stop.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("precert.manifest.json"), withIntermediateDirectories: false)
        let before = try Self.listing(folder)
        let run = try CLI.run(["check", "--write-manifest", folder.path])
        #expect(run.status == 3)
        #expect(run.out.isEmpty)
        #expect(CLI.normalized(run.err, temporary: root) == "error: cannot move the output into `<tmp>/clinic/precert.manifest.json` [io.unwritable]\n1 error, 0 warnings\n")
        #expect(try Self.listing(folder) == before)
    }
}
