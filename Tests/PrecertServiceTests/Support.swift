import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import Precert
@testable import PrecertService

/// Paths of the repository and this target's fixtures, found from this file.
enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let policies = root.appendingPathComponent("Policies").path
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func example(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent("Examples/\(name)")))
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    /// A folder of its own, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("precert-service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A copy of the shipped policies in a folder of its own.
    static func copyOfPolicies(in folder: URL) throws -> URL {
        let copy = folder.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: policies), to: copy)
        return copy
    }
}

/// Log lines a service wrote, for tests that check what is (and is not) logged.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    var logger: Logger {
        Logger(label: "precert-test") { label in
            JSONLogHandler(label: label, level: .debug) { line in self.append(line) }
        }
    }

    private func append(_ line: [UInt8]) {
        lock.lock()
        bytes += line
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A service over the shipped policies (or `policies`), on a free loopback port, not watching.
func makeService(
    policies: String = Paths.policies, logs: LogCapture = LogCapture(), _ adjust: (inout ServiceConfiguration) -> Void = { _ in }
) throws -> DecisionService {
    var configuration = ServiceConfiguration()
    configuration.policies = [policies]
    configuration.port = 0
    configuration.watchInterval = 0
    adjust(&configuration)
    return try DecisionService(configuration: configuration, logger: logs.logger)
}

/// The body of a response as text.
func text(_ response: TestResponse) -> String {
    String(buffer: response.body)
}

/// The body of a response as a JSON object.
func object(_ response: TestResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
}

/// The ids of the errors in an error document.
func errorIDs(_ response: TestResponse) throws -> [String] {
    let errors = try #require(try object(response)["errors"] as? [[String: Any]])
    return errors.compactMap { $0["id"] as? String }
}

let json: HTTPFields = [.contentType: "application/json"]
let jsonLines: HTTPFields = [.contentType: "application/x-ndjson"]
