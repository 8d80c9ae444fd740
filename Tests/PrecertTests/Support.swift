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
