import Foundation
import Testing

@testable import Precert
import PrecertWorkloads

@Suite("JSON Lines evaluation")
struct JSONLinesTests {
    static let policies = Fixtures.repositoryRoot.appendingPathComponent("Policies").path

    /// Runs the evaluator over `input`; with `lazy`, threads after the first load their catalogs
    /// while the first one works.
    static func run(_ input: [UInt8], jobs: Int, blockSize: Int, lazy: Bool = false) throws -> (output: String, failed: Bool) {
        let load: @Sendable () -> PolicyCatalog = { PolicyCatalog.load(paths: [policies]).catalog }
        let evaluator =
            lazy
            ? JSONLinesEvaluator(catalog: load(), threads: jobs, loadCatalog: load, blockSize: blockSize)
            : JSONLinesEvaluator(catalogs: (0..<jobs).map { _ in load() }, blockSize: blockSize)
        return try evaluateJSONLines(input, with: evaluator)
    }

    @Test("output is in input order with line numbers for bad lines, whatever the jobs and block size")
    func orderAndErrors() throws {
        var corpus = CaseCorpus(seed: 31)
        var lines: [String] = []
        for i in 0..<400 {
            let payer = ["kaiser-norcal", "medicare", "optum-uhc", "aetna", "texas-medicaid"][i % 5]
            lines.append(corpus.next(payer: payer))
            if i % 97 == 0 { lines.append("") }
            if i % 89 == 0 { lines.append("   \t") }
            if i % 53 == 0 { lines.append(#"{"payer": "kaiser-norcal", "service": "#) }
            if i % 71 == 0 { lines.append(#"{"payer": "nobody"}"#) }
        }
        // The expected output, line by line through the catalog on its own.
        let catalog = PolicyCatalog.load(paths: [Self.policies]).catalog
        var expected: [UInt8] = []
        var anyFailed = false
        for (index, line) in lines.enumerated() where !line.allSatisfy({ $0 == " " || $0 == "\t" }) {
            switch catalog.evaluate(Array(line.utf8), file: "line") {
            case .success(let decision): expected += DecisionEncoder.encode(decision)
            case .failure(let errors):
                anyFailed = true
                var writer = JSONWriter(style: .compact)
                JSONLinesEvaluator.writeError(line: index + 1, errors.diagnostics, to: &writer)
                expected += writer.bytes
            }
            expected.append(UInt8(ascii: "\n"))
        }
        #expect(anyFailed)
        let expectedText = String(decoding: expected, as: UTF8.self)
        // Windows line ends and no newline at the very end are read the same way.
        let inputs = [lines.joined(separator: "\n") + "\n", lines.joined(separator: "\r\n"), lines.joined(separator: "\n")]
        for input in inputs {
            for (jobs, blockSize, lazy) in [(1, 1 << 18, false), (2, 1 << 18, false), (3, 1000, false), (2, 64, false), (2, 1000, true), (3, 64, true)] {
                let (output, failed) = try Self.run(Array(input.utf8), jobs: jobs, blockSize: blockSize, lazy: lazy)
                #expect(failed)
                #expect(output == expectedText, "jobs \(jobs), block \(blockSize), catalogs loaded \(lazy ? "while running" : "before")")
            }
        }
    }

    @Test("an empty input writes nothing and nothing fails")
    func emptyInput() throws {
        for input in ["", "\n\n", "  \n"] {
            let (output, failed) = try Self.run(Array(input.utf8), jobs: 2, blockSize: 16)
            #expect(output.isEmpty)
            #expect(!failed)
        }
    }

    @Test("a failed read is reported as such")
    func unreadable() throws {
        let catalogs = [PolicyCatalog.load(paths: [Self.policies]).catalog]
        #expect(throws: JSONLinesReadError.self) {
            _ = try JSONLinesEvaluator(catalogs: catalogs).run(reading: -1) { _ in }
        }
    }
}
