import Foundation
import Testing

/// The finished run of one `precert` process.
struct CLIRun: Sendable, Equatable {
    /// The exit status (or, when `signaled`, the signal that ended the process).
    var status: Int32
    /// Whether a signal ended the process (a crash) rather than `exit`.
    var signaled: Bool
    /// Everything written to standard output.
    var stdout: [UInt8]
    /// Everything written to standard error.
    var stderr: [UInt8]

    /// Standard output as text.
    var out: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error as text.
    var err: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs the built `precert` binary as a separate process, from the repository root, so that the
/// paths it prints are the relative ones given on its command line and no golden file holds a
/// path of the machine the tests ran on.
enum CLI {
    /// The repository root: three levels up from this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The fixtures, relative to the repository root (the working directory of every run).
    static let fixtures = "Tests/PrecertCLITests/Fixtures"

    /// Where the golden files live.
    static let goldenDirectory = root.appendingPathComponent(fixtures).appendingPathComponent("golden")

    /// Whether to rewrite the golden files with today's output instead of comparing
    /// (`PRECERT_UPDATE_GOLDEN=1 swift test --filter PrecertCLITests`).
    static let updatingGolden = ProcessInfo.processInfo.environment["PRECERT_UPDATE_GOLDEN"] == "1"

    /// The `precert` binary: `PRECERT_BINARY` when set, else the one next to this test bundle.
    /// SwiftPM puts every product of a build in one directory: on Linux the test bundle is an
    /// executable there (`PrecertPackageTests.xctest`), on macOS a bundle directory there.
    static let binary: URL? = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["PRECERT_BINARY"], !path.isEmpty { return URL(fileURLWithPath: path) }
        var directories: [URL] = []
        for bundle in [Bundle(for: BundleMarker.self), Bundle.main] + Bundle.allBundles {
            let url = bundle.bundleURL
            directories.append(url.pathExtension == "xctest" ? url.deletingLastPathComponent() : url)
            if let executable = bundle.executableURL { directories.append(executable.deletingLastPathComponent()) }
        }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for directory in directories {
            let candidate = directory.appendingPathComponent("precert")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.standardizedFileURL }
        }
        return nil
    }()

    /// Runs `precert` with `arguments` from the repository root, with `stdin` (a path relative to
    /// the root) as standard input, or none, and `extra` set in its environment. Standard output
    /// and error go to files rather than pipes, so that neither can fill up and stall the process
    /// while the other is read.
    static func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> CLIRun {
        let binary = try #require(binary, "no `precert` next to the test bundle; build it, or set PRECERT_BINARY")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("precert-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = root
        process.environment = environment.merging(extra) { _, new in new }
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            process.standardInput = try FileHandle(forReadingFrom: root.appendingPathComponent(stdin))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        return CLIRun(
            status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
            stdout: Array(try Data(contentsOf: outURL)), stderr: Array(try Data(contentsOf: errURL)))
    }

    /// The environment of every run: the test's own, except that Swift's per-process random
    /// hashing stays on (`SWIFT_DETERMINISTIC_HASHING` would hide output in hash order), and a
    /// fixed terminal width, which ArgumentParser wraps usage lines to.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_DETERMINISTIC_HASHING"] = nil
        environment["COLUMNS"] = "80"
        environment["LINES"] = "25"
        // `--color auto` never colors a pipe, but NO_COLOR must not decide what a test sees either.
        environment["NO_COLOR"] = nil
        return environment
    }

    /// `text` with what differs from machine to machine replaced by placeholders: the repository
    /// root and the temporary directory (should a path ever be printed absolute), the tz database
    /// version, and the provenance digest, which covers that version.
    static func normalized(_ text: String, temporary: URL? = nil) -> String {
        var text = text
        if let temporary { text = text.replacingOccurrences(of: temporary.path, with: "<tmp>") }
        text = text.replacingOccurrences(of: root.path, with: "<root>")
        text = text.replacing(#/("tzdata":\s*")[^"]*(")/#) { "\($0.output.1)<tzdata>\($0.output.2)" }
        text = text.replacing(#/("provenance":\s*\{\s*"digest":\s*"sha256:)[0-9a-f]+(")/#) {
            "\($0.output.1)<provenance-digest>\($0.output.2)"
        }
        return text
    }

    /// Compares `actual` with the golden file `name` (or, when updating and `owner`, writes it),
    /// recording an issue that names the first line that differs. Tests that check another
    /// route to a golden file's output pass `owner: false`: one writer per file.
    static func expectGolden(
        _ actual: String, _ name: String, owner: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let url = goldenDirectory.appendingPathComponent(name)
        if updatingGolden {
            guard owner else { return }
            try FileManager.default.createDirectory(at: goldenDirectory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url, options: .atomic)
            return
        }
        guard let data = try? Data(contentsOf: url) else {
            Issue.record("no golden file \(fixtures)/golden/\(name); run with PRECERT_UPDATE_GOLDEN=1 to write it", sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        if actual != expected {
            Issue.record(
                "\(name) differs from its golden file: \(firstDifference(expected: expected, actual: actual))",
                sourceLocation: sourceLocation)
        }
    }

    /// The first line where two texts differ, both ways, for a readable failure.
    static func firstDifference(expected: String, actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(old.count, new.count) {
            let a = index < old.count ? String(old[index]) : "<end>"
            let b = index < new.count ? String(new[index]) : "<end>"
            if a != b { return "line \(index + 1): expected \(a.debugDescription), got \(b.debugDescription)" }
        }
        return "they differ only in line ends"
    }
}

/// A class of this module, so that `Bundle(for:)` finds the test bundle.
private final class BundleMarker {}
