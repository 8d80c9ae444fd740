import Foundation
import Testing

/// The `precert-server` executable: a bad setting is a usage error (exit 2) naming the setting and,
/// when it came from the environment, the variable; an audit trail that cannot be used stops it
/// before it listens (exit 3).
@Suite("precert-server, run as a process")
struct ExecutableTests {
    /// The binary next to the test bundle (SwiftPM puts every product of a build in one folder).
    static let binary: URL? = {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        return candidates.map { $0.appendingPathComponent("precert-server") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = try #require(Self.binary, "no `precert-server` next to the test bundle")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PRECERT_") }.merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("a bad flag or variable exits 2 and names it; a missing audit key file exits 3")
    func exitStatuses() throws {
        let flag = try run(["--port", "99999"])
        #expect(flag.status == 2)
        #expect(flag.stderr.contains("--port: expected a whole number from 0 to 65535, got `99999`"))
        #expect(!flag.stderr.contains("PRECERT_PORT"))
        let variable = try run([], environment: ["PRECERT_PORT": "http"])
        #expect(variable.status == 2)
        #expect(variable.stderr.contains("got `http` (from PRECERT_PORT)"))
        let audit = try run(["--audit-log", "-", "--audit-key-file", "/nonexistent/audit.key", "--policies", Paths.policies, "--port", "0"])
        #expect(audit.status == 3)
        #expect(audit.stderr.contains("cannot read the audit key file"))
    }

    @Test("beyond loopback without CRD issuers the server refuses to start (exit 3) and says what to give; a bad `--crd-auth` exits 2")
    func crdAuthentication() throws {
        let refused = try run(["--host", "0.0.0.0", "--policies", Paths.policies, "--port", "0"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("--crd-issuers FILE"))
        let issuers = try run(["--crd-auth", "required", "--crd-issuers", "/nonexistent/issuers.yaml", "--crd-base-url", "https://precert.example.org", "--policies", Paths.policies, "--port", "0"])
        #expect(issuers.status == 3)
        #expect(issuers.stderr.contains("cannot read the CRD issuers file"))
        let mode = try run(["--crd-auth", "maybe"])
        #expect(mode.status == 2)
        #expect(mode.stderr.contains("--crd-auth: expected `required` or `off`, got `maybe`"))
    }
}
