import Foundation
import Testing

@testable import Precert

/// Where test fixtures live, found from this file so tests run from any working directory.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The repository root (for the shipped policies and examples).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String {
        directory.appendingPathComponent(relative).path
    }

    /// The example case document of the shared case format (CASE.md), as text.
    static let caseMDExample = try! String(contentsOfFile: path("cases/case-md-example.json"), encoding: .utf8)

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relative)))
    }
}

/// `line:column` of a diagnostic, for compact assertions.
func position(_ diagnostic: Diagnostic?) -> String {
    guard let location = diagnostic?.location else { return "none" }
    return "\(location.line):\(location.column)"
}

/// Runs `JSONLinesEvaluator` over `input` (written to a temporary file, as the CLI reads one) and
/// returns its output and whether a line failed.
func evaluateJSONLines(
    _ input: [UInt8], catalogs: [PolicyCatalog], explain: Bool = false, blockSize: Int = 1 << 18
) throws -> (output: String, failed: Bool) {
    try evaluateJSONLines(input, with: JSONLinesEvaluator(catalogs: catalogs, options: EvaluationOptions(explain: explain), blockSize: blockSize))
}

/// Runs `evaluator` over `input` written to a temporary file.
func evaluateJSONLines(_ input: [UInt8], with evaluator: JSONLinesEvaluator) throws -> (output: String, failed: Bool) {
    /// Output handed over from one thread at a time.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        func append(_ piece: [UInt8]) {
            lock.lock()
            bytes += piece
            lock.unlock()
        }
        var text: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("precert-\(UUID().uuidString).jsonl")
    try Data(input).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let descriptor = open(url.path, O_RDONLY)
    guard descriptor >= 0 else { throw CocoaError(.fileReadUnknown) }
    defer { close(descriptor) }
    let collected = Collected()
    let failed = try evaluator.run(reading: descriptor) { collected.append($0) }
    return (collected.text, failed)
}
