#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

@testable import Precert
import PrecertWorkloads

/// A `JSONLinesEvaluator` reading the read end of a pipe on a thread of its own, as a long-lived
/// `precert eval --jsonl -` reads its standard input; the test writes to the other end.
final class PipedEvaluator: @unchecked Sendable {
    /// What the run's thread hands over: the output so far, and how the run ended.
    private final class State: @unchecked Sendable {
        let condition = NSCondition()
        var output: [UInt8] = []
        var result: Result<Bool, Error>?
    }

    /// The pipe's write end; closed by `finish`, or when the test lets go of this object (the
    /// run then reaches the end of its input and its thread closes the read end).
    private var input: Int32
    private let state = State()

    /// Starts `evaluator` on the pipe; it stops reading once `stop` is readable (-1: never).
    init(_ evaluator: JSONLinesEvaluator, stop: Int32 = -1) throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
        input = ends[1]
        // A write after a failed run gets EPIPE, not a SIGPIPE that would end the test process.
        signal(SIGPIPE, SIG_IGN)
        let (readEnd, state) = (ends[0], state)
        Thread.detachNewThread {
            let result = Result {
                try evaluator.run(reading: readEnd, stoppingWhenReadable: stop) { bytes in
                    state.condition.lock()
                    state.output += bytes
                    state.condition.broadcast()
                    state.condition.unlock()
                }
            }
            close(readEnd)
            state.condition.lock()
            state.result = result
            state.condition.broadcast()
            state.condition.unlock()
        }
    }

    deinit {
        if input >= 0 { close(input) }
    }

    /// Writes `text` to the pipe in one `write`.
    func send(_ text: String) {
        send(Array(text.utf8)[...])
    }

    /// Writes `bytes` to the pipe in one `write` (more when the pipe is full).
    func send(_ bytes: ArraySlice<UInt8>) {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { write(input, $0.baseAddress!, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }  // the run has ended: the answers will say so
            offset += written
        }
    }

    /// The output so far, as whole lines (with their `\n`), once it holds at least `count` lines,
    /// or `nil` when `timeout` passes first.
    func lines(atLeast count: Int, timeout: TimeInterval = 10) -> [String]? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        state.condition.lock()
        defer { state.condition.unlock() }
        while state.output.count(where: { $0 == UInt8(ascii: "\n") }) < count {
            if !state.condition.wait(until: deadline) { return nil }
        }
        return Self.split(state.output)
    }

    /// The output so far, whole lines and an unfinished one, if any.
    var text: String {
        state.condition.lock()
        defer { state.condition.unlock() }
        return String(decoding: state.output, as: UTF8.self)
    }

    /// Waits for the run to return, after closing the pipe when `closing`; `nil` after `timeout`.
    func finish(closing: Bool = true, timeout: TimeInterval = 10) -> (result: Result<Bool, Error>, output: String)? {
        if closing && input >= 0 {
            close(input)
            input = -1
        }
        let deadline = Date(timeIntervalSinceNow: timeout)
        state.condition.lock()
        defer { state.condition.unlock() }
        while state.result == nil {
            if !state.condition.wait(until: deadline) { return nil }
        }
        return (state.result!, String(decoding: state.output, as: UTF8.self))
    }

    /// Lines with their `\n`; an unfinished last line as it is.
    static func split(_ bytes: [UInt8]) -> [String] {
        var lines: [String] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append(String(decoding: bytes[start...index], as: UTF8.self))
            start = index + 1
        }
        if start < bytes.count { lines.append(String(decoding: bytes[start...], as: UTF8.self)) }
        return lines
    }
}

@Suite("JSON Lines over a pipe: each line answered as soon as it is complete")
struct JSONLinesStreamingTests {
    static let policies = JSONLinesTests.policies

    /// Cases of every shipped payer, a line that cannot be evaluated and a blank one.
    static let lines: [String] = {
        var corpus = CaseCorpus(seed: 5)
        return [
            corpus.next(payer: "kaiser-norcal"), corpus.next(payer: "medicare"), #"{"payer": "kaiser-norcal", "service": "#,
            corpus.next(payer: "aetna"), "", corpus.next(payer: "optum-uhc"), corpus.next(payer: "texas-medicaid"),
            corpus.next(payer: "kaiser-norcal"), corpus.next(payer: "medicare"), corpus.next(payer: "aetna"),
        ]
    }()

    /// What the evaluator should write for line `number` (from 1) of `lines`.
    static func expected(_ number: Int, catalog: PolicyCatalog) -> String {
        String(decoding: JSONLinesTests.expectedLine(Array(lines[number - 1].utf8), number: number, catalog: catalog), as: UTF8.self)
    }

    static func evaluator(jobs: Int) -> JSONLinesEvaluator {
        let load: @Sendable () -> PolicyCatalog = { PolicyCatalog.load(paths: [policies]).catalog }
        return JSONLinesEvaluator(catalog: load(), threads: jobs, loadCatalog: load)
    }

    @Test(
        "one line at a time gets one answer at a time; lines sent together, and a line sent in two writes, too",
        arguments: [1, 2])
    func lineByLine(jobs: Int) throws {
        let catalog = PolicyCatalog.load(paths: [Self.policies]).catalog
        let piped = try PipedEvaluator(Self.evaluator(jobs: jobs))
        var answered = 0
        // One line, then its answer, then the next: nothing more arrives until the input ends.
        for number in 1...5 {
            piped.send(Self.lines[number - 1] + "\n")
            let output = try #require(piped.lines(atLeast: number), "no answer to line \(number) within 10 s: \(piped.text.suffix(200))")
            #expect(output.count == number, "line \(number): \(output.count) output lines")
            #expect(output.last == Self.expected(number, catalog: catalog), "line \(number)")
            answered = number
        }
        // Three lines in one write (one with a Windows line end): three answers.
        piped.send(Self.lines[5] + "\r\n" + Self.lines[6] + "\n" + Self.lines[7] + "\n")
        let three = try #require(piped.lines(atLeast: answered + 3), "no answers to lines 6 to 8 within 10 s")
        #expect(three.count == answered + 3)
        #expect(Array(three.suffix(3)) == (6...8).map { Self.expected($0, catalog: catalog) })
        answered += 3
        // A line in two writes is answered once it is complete, not before.
        let line = Self.lines[8]
        let half = line.index(line.startIndex, offsetBy: line.count / 2)
        piped.send(String(line[..<half]))
        Thread.sleep(forTimeInterval: 0.1)
        #expect(PipedEvaluator.split(Array(piped.text.utf8)).count == answered, "an unfinished line was answered")
        piped.send(String(line[half...]) + "\n")
        let nine = try #require(piped.lines(atLeast: answered + 1), "no answer to line 9 within 10 s")
        #expect(nine.count == answered + 1)
        #expect(nine.last == Self.expected(9, catalog: catalog))
        // The last line, without a line end, is answered when the input ends.
        piped.send(Self.lines[9])
        let (result, output) = try #require(piped.finish(), "the run did not end within 10 s of the input's end")
        #expect(try result.get() == true, "line 3 and the blank line 5 failed")
        #expect(output == (1...10).map { Self.expected($0, catalog: catalog) }.joined())
    }

    @Test("once the stop descriptor is readable, every complete line that arrived is answered, an unfinished one dropped", arguments: [1, 2])
    func stop(jobs: Int) throws {
        let catalog = PolicyCatalog.load(paths: [Self.policies]).catalog
        var stop: [Int32] = [-1, -1]
        try #require(pipe(&stop) == 0)
        defer {
            close(stop[0])
            close(stop[1])
        }
        let piped = try PipedEvaluator(Self.evaluator(jobs: jobs), stop: stop[0])
        piped.send(Self.lines[0] + "\n")
        _ = try #require(piped.lines(atLeast: 1), "no answer to line 1 within 10 s")
        // Two lines the evaluator has not answered yet, and the start of a third; then stop.
        piped.send(Self.lines[1] + "\n" + Self.lines[3] + "\n" + Self.lines[5].prefix(40))
        var byte: UInt8 = 0
        #expect(write(stop[1], &byte, 1) == 1)
        let (result, output) = try #require(piped.finish(closing: false), "the run did not stop within 10 s")
        #expect(try result.get() == false)
        // Cases all three, so no answer names its line number.
        #expect(output == [1, 2, 4].map { Self.expected($0, catalog: catalog) }.joined())
    }
}
