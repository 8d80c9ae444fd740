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
            ? JSONLinesEvaluator(catalog: load(), threads: jobs, blockSize: blockSize, loadCatalog: load)
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
        for (index, line) in lines.enumerated() {
            expected += Self.expectedLine(Array(line.utf8), number: index + 1, catalog: catalog)
        }
        #expect(String(decoding: expected, as: UTF8.self).contains(#"{"line":"#))
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

    @Test("random inputs of whole, broken and blank lines give line by line what the catalog gives, on 1 to 3 threads")
    func randomInputs() throws {
        let catalog = PolicyCatalog.load(paths: [Self.policies]).catalog
        let threads = (0..<3).map { _ in PolicyCatalog.load(paths: [Self.policies]).catalog }
        var random = SeededGenerator(seed: 2026_11_24)
        var corpus = CaseCorpus(seed: 8)
        let pieces: [[UInt8]] = [
            Array("\n".utf8), Array("\r\n".utf8), Array("\r".utf8), Array("  \t".utf8), Array("{".utf8), Array("}".utf8),
            Array(#"{"payer": "aetna"}"#.utf8), Array(#""payer""#.utf8), [0xFF, 0xC3], Array("null".utf8),
        ]
        for round in 0..<150 {
            var input: [UInt8] = []
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                switch Int.random(in: 0..<4, using: &random) {
                case 0:
                    let line = Array(corpus.next(payer: ["kaiser-norcal", "medicare", "aetna"].randomElement(using: &random)!).utf8)
                    input += line.prefix(Int.random(in: 0...line.count, using: &random))  // whole or cut short
                default:
                    input += pieces.randomElement(using: &random)!
                }
            }
            // Line by line: split at \n, drop one \r before it, number them all (blank ones included).
            var expected: [UInt8] = []
            var lines = input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            if lines.last?.isEmpty == true { lines.removeLast() }
            for (index, var line) in lines.enumerated() {
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                expected += Self.expectedLine(line, number: index + 1, catalog: catalog)
            }
            let jobs = Int.random(in: 1...3, using: &random)
            let blockSize = Int.random(in: 1...300, using: &random)
            let (output, _) = try evaluateJSONLines(input, catalogs: Array(threads.prefix(jobs)), blockSize: blockSize)
            #expect(output == String(decoding: expected, as: UTF8.self), "round \(round): \(jobs) threads, blocks of \(blockSize) bytes")
            if output != String(decoding: expected, as: UTF8.self) { return }
            // Every other round, the same input through a pipe, written in random pieces with
            // pauses between some of them, so that reads find whole lines, parts of lines or
            // nothing waiting. A generator of its own leaves the inputs of the rounds as they were.
            guard round % 2 == 0 else { continue }
            var cuts = SeededGenerator(seed: UInt64(round))
            let piped = try PipedEvaluator(JSONLinesEvaluator(catalogs: Array(threads.prefix(jobs)), blockSize: blockSize))
            var offset = 0
            while offset < input.count {
                let end = min(input.count, offset + Int.random(in: 1...400, using: &cuts))
                piped.send(input[offset..<end])
                if Bool.random(using: &cuts) { usleep(UInt32.random(in: 0...300, using: &cuts)) }
                offset = end
            }
            let (_, pipedOutput) = try #require(piped.finish(), "round \(round): the run did not end within 10 s of the input's end")
            #expect(pipedOutput == output, "round \(round) through a pipe: \(jobs) threads, blocks of \(blockSize) bytes")
            if pipedOutput != output { return }
        }
    }

    /// What the evaluator should write for one input line: the catalog's answer on its own, or
    /// the line's error document; a blank line gets one too, so answers match lines by position.
    static func expectedLine(_ line: [UInt8], number: Int, catalog: PolicyCatalog) -> [UInt8] {
        var writer = JSONWriter(style: .compact)
        if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
            DecisionEncoder.write(CaseErrors([JSONLinesEvaluator.blankLine]), line: number, to: &writer)
        } else {
            switch catalog.evaluate(line, options: EvaluationOptions(file: "line")) {
            case .success(let decision): DecisionEncoder.write(decision, to: &writer)
            case .failure(let errors): DecisionEncoder.write(errors, line: number, to: &writer)
            }
        }
        return writer.bytes + [UInt8(ascii: "\n")]
    }

    @Test("an empty input writes nothing; every blank line gets an error line of its own")
    func emptyInput() throws {
        let (nothing, none) = try Self.run([], jobs: 2, blockSize: 16)
        #expect(nothing.isEmpty)
        #expect(!none)
        for (input, count) in [("\n\n", 2), ("  \n", 1), ("\t", 1)] {
            let (output, failed) = try Self.run(Array(input.utf8), jobs: 2, blockSize: 16)
            let lines = output.split(separator: "\n")
            #expect(lines.count == count)
            for (index, line) in lines.enumerated() {
                #expect(line == #"{"line":\#(index + 1),"case_id":null,"fault":"case","errors":[{"id":"case.blank-line","severity":"error","message":"the line is blank","hint":"give one case per line; remove blank lines"}]}"#)
            }
            #expect(failed)
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
