import Foundation
import Testing

@testable import Precert

@Suite("Live catalog: reloads keep the last good set")
struct LiveCatalogTests {
    /// A copy of the shipped policies in a folder of its own, removed by the caller.
    static func copyOfPolicies() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("precert-live-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Fixtures.repositoryRoot.appendingPathComponent("Policies"), to: folder)
        return folder
    }

    static let kaiserCase = LibraryAPITests.kaiserCase

    @Test("the set digest names the files: same files, same digest; a changed byte or a renamed file changes it; test files do not count")
    func setDigest() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try PolicyCatalog(paths: [folder.path])
        #expect(first.digest.hasPrefix("sha256:") && first.digest.count == 71)
        #expect(try PolicyCatalog(paths: [folder.path + "/"]).digest == first.digest)

        let test = folder.appendingPathComponent("kaiser-norcal/behavioral-health.test.yaml")
        try (String(contentsOf: test, encoding: .utf8) + "\n# reviewed\n").write(to: test, atomically: true, encoding: .utf8)
        #expect(try PolicyCatalog(paths: [folder.path]).digest == first.digest)

        let policy = folder.appendingPathComponent("aetna/commercial-behavioral-health.yaml")
        let text = try String(contentsOf: policy, encoding: .utf8)
        try (text + "\n# reviewed\n").write(to: policy, atomically: true, encoding: .utf8)
        let edited = try PolicyCatalog(paths: [folder.path]).digest
        #expect(edited != first.digest)

        try text.write(to: policy, atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(at: policy, to: folder.appendingPathComponent("aetna/renamed.yaml"))
        let renamed = try PolicyCatalog(paths: [folder.path]).digest
        #expect(renamed != first.digest && renamed != edited)
    }

    @Test("a broken set is refused and the old one keeps answering; a good set replaces it; a catalog taken before a reload keeps its policies")
    func keepLastGood() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = try LiveCatalog(paths: [folder.path])
        let original = live.current
        guard case .unchanged(let same) = live.reload() else { Issue.record("an unchanged folder reloads as unchanged"); return }
        #expect(same.digest == original.digest)

        // The Kaiser policy with an unfinished line appended: a YAML error.
        let kaiser = folder.appendingPathComponent("kaiser-norcal/behavioral-health.yaml")
        let whole = try Data(contentsOf: kaiser)
        try (whole + Data("\nnotes: [unfinished\n".utf8)).write(to: kaiser)
        let refused = live.reload()
        guard case .refused(let error, let serving) = refused else { Issue.record("a truncated policy is refused"); return }
        #expect(error.diagnostics.containsErrors)
        #expect(error.diagnostics.allSatisfy { $0.location == nil || $0.location?.file.hasSuffix("behavioral-health.yaml") == true })
        #expect(serving.digest == original.digest && live.current.digest == original.digest)
        let answer = try live.current.evaluate(Self.kaiserCase).get()
        #expect(answer.decisions.count == original.policy(id: "kaiser-norcal/behavioral-health")?.decisionNames.count)

        // A good edit: the same policy with one more comment line.
        try (whole + Data("\n# reviewed\n".utf8)).write(to: kaiser)
        guard case .replaced(let previous, let current) = live.reload() else { Issue.record("a good edit replaces the set"); return }
        #expect(previous.digest == original.digest)
        #expect(current.digest != original.digest && live.current.digest == current.digest)
        // The catalog a request took before the reload answers with the policy it started with.
        let old = try original.evaluate(Self.kaiserCase).get()
        let new = try live.current.evaluate(Self.kaiserCase).get()
        #expect(old.digest != new.digest)
        #expect(old.decisions.map(\.outcome) == new.decisions.map(\.outcome))
    }

    @Test("a live catalog over a broken folder does not start")
    func brokenAtStart() throws {
        let folder = try Self.copyOfPolicies()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("precert: 1\npolicy: [".utf8).write(to: folder.appendingPathComponent("broken.yaml"))
        #expect(throws: CatalogError.self) { try LiveCatalog(paths: [folder.path]) }
    }
}

@Suite("Policy folders: hidden entries, links, a Kubernetes ConfigMap volume")
struct PolicyFolderTests {
    @Test("a ConfigMap volume's layout (a hidden timestamped folder, `..data`, visible links) loads with the same names and digest as the plain folder; hidden entries are skipped; a link loop ends")
    func configMapVolume() throws {
        let manager = FileManager.default
        let root = manager.temporaryDirectory.appendingPathComponent("precert-volume-\(UUID().uuidString)")
        defer { try? manager.removeItem(at: root) }
        let plain = root.appendingPathComponent("plain")
        let volume = root.appendingPathComponent("volume")
        let policies = Fixtures.repositoryRoot.appendingPathComponent("Policies")
        for folder in [plain, volume.appendingPathComponent("..2026_11_30_08_00_00.123")] {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            for part in ["kaiser-norcal", "calendars"] {
                try manager.copyItem(at: policies.appendingPathComponent(part), to: folder.appendingPathComponent(part))
            }
        }
        try manager.createSymbolicLink(atPath: volume.appendingPathComponent("..data").path, withDestinationPath: "..2026_11_30_08_00_00.123")
        for part in ["kaiser-norcal", "calendars"] {
            try manager.createSymbolicLink(atPath: volume.appendingPathComponent(part).path, withDestinationPath: "..data/\(part)")
        }
        // Hidden entries (version control, an editor's backup) and a loop of links change nothing.
        try manager.createDirectory(at: volume.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try Data("precert: 1\npolicy: [".utf8).write(to: volume.appendingPathComponent(".git/broken.yaml"))
        try Data("precert: 1\npolicy: [".utf8).write(to: volume.appendingPathComponent("kaiser-norcal/.behavioral-health.yaml.swp.yaml"))
        try manager.createSymbolicLink(atPath: volume.appendingPathComponent("calendars/loop").path, withDestinationPath: ".")

        let fromPlain = try PolicyCatalog(paths: [plain.path])
        let fromVolume = try PolicyCatalog(paths: [volume.path])
        #expect(fromVolume.files.map(\.name) == ["calendars/us-federal.yaml", "kaiser-norcal/behavioral-health.yaml", "kaiser-norcal/provider-directory.yaml"])
        #expect(fromVolume.digest == fromPlain.digest)
        #expect(fromVolume.policies.map(\.file) == ["kaiser-norcal/behavioral-health.yaml"])
    }
}
