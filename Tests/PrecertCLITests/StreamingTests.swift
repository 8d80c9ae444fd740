#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

/// A running `precert`, fed through a pipe on its standard input, its standard output read as it
/// comes by a thread of its own, so that the test can wait for an answer with a timeout.
final class LiveCLI: @unchecked Sendable {
    /// What the reading threads hand over (they hold this, not the `LiveCLI`, so that letting
    /// go of it kills a `precert` still running).
    private final class State: @unchecked Sendable {
        let condition = NSCondition()
        var output: [UInt8] = []
        var errors: [UInt8] = []
        var closedStreams = 0
    }

    let process = Process()
    /// The write end of `precert`'s standard input.
    private let input: Int32
    private let state = State()

    /// Starts `precert` with `arguments` from the repository root.
    init(_ arguments: [String]) throws {
        let binary = try #require(CLI.binary, "no `precert` next to the test bundle; build it, or set PRECERT_BINARY")
        // A write to a `precert` that died gets EPIPE, not a SIGPIPE that would end the test process.
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = CLI.root
        process.environment = CLI.environment
        // Pipes of our own, so that this process surely keeps no copy of the ends `precert` uses
        // (a copy of a write end would keep its reader from ever seeing the end).
        var pipes: [[Int32]] = []
        for _ in 0..<3 {
            var ends: [Int32] = [-1, -1]
            try #require(pipe(&ends) == 0)
            pipes.append(ends)
        }
        input = pipes[0][1]
        process.standardInput = FileHandle(fileDescriptor: pipes[0][0], closeOnDealloc: false)
        process.standardOutput = FileHandle(fileDescriptor: pipes[1][1], closeOnDealloc: false)
        process.standardError = FileHandle(fileDescriptor: pipes[2][1], closeOnDealloc: false)
        defer { for descriptor in [pipes[0][0], pipes[1][1], pipes[2][1]] { close(descriptor) } }
        try process.run()
        let state = state
        for (descriptor, isOutput) in [(pipes[1][0], true), (pipes[2][0], false)] {
            Thread.detachNewThread {
                defer { close(descriptor) }
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    state.condition.lock()
                    if count > 0 {
                        if isOutput { state.output += buffer[..<count] } else { state.errors += buffer[..<count] }
                    } else {
                        state.closedStreams += 1
                    }
                    state.condition.broadcast()
                    state.condition.unlock()
                    if count <= 0 { return }
                }
            }
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        close(input)
    }

    /// Writes `text` to the standard input in one `write`.
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(input, $0.baseAddress!, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }  // `precert` is gone: the answers will say so
            offset += written
        }
    }

    /// The whole lines of standard output once there are at least `count`, or `nil` after `timeout`.
    func lines(atLeast count: Int, timeout: TimeInterval = 10) -> [String]? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        state.condition.lock()
        defer { state.condition.unlock() }
        while state.output.count(where: { $0 == UInt8(ascii: "\n") }) < count {
            if !state.condition.wait(until: deadline) { return nil }
        }
        return String(decoding: state.output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Waits for `precert` to exit and both its outputs to end; records an issue and returns
    /// `nil` (after killing it) when that takes longer than `timeout`.
    func exit(timeout: TimeInterval = 10, sourceLocation: SourceLocation = #_sourceLocation) -> CLIRun? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("precert did not exit within \(Int(timeout)) s", sourceLocation: sourceLocation)
            return nil
        }
        process.waitUntilExit()
        state.condition.lock()
        defer { state.condition.unlock() }
        while state.closedStreams < 2 {
            if !state.condition.wait(until: deadline) {
                Issue.record("precert exited, but its outputs did not end within \(Int(timeout)) s", sourceLocation: sourceLocation)
                return nil
            }
        }
        return CLIRun(
            status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal, stdout: state.output,
            stderr: state.errors)
    }
}

/// A signal to stop `precert eval --jsonl -` with, the cases sent first, and what it must then
/// have written and exited with.
struct StopCase: Sendable, CustomTestStringConvertible {
    var signal: Int32
    var name: String
    var jobs: Int
    var cases: String
    var golden: String
    var status: Int32

    var testDescription: String { "\(name), --jobs \(jobs), \(cases) (exit \(status))" }
}

@Suite("precert eval --jsonl - as a long-lived process")
struct StreamingTests {
    static let stops = [
        StopCase(signal: SIGTERM, name: "SIGTERM", jobs: 1, cases: "batch.jsonl", golden: "eval-jsonl.stdout", status: 0),
        StopCase(signal: SIGINT, name: "SIGINT", jobs: 2, cases: "batch-with-errors.jsonl", golden: "eval-jsonl-errors.stdout", status: 1),
    ]

    /// The lines of a fixture file of cases, and the golden answers to them.
    static func linesAndAnswers(_ cases: String, _ golden: String) throws -> (lines: [String], answers: [String]) {
        let input = try String(contentsOf: CLI.root.appendingPathComponent(Paths.case(cases)), encoding: .utf8)
        let answers = try String(contentsOf: CLI.goldenDirectory.appendingPathComponent(golden), encoding: .utf8)
        let lines = input.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        return (lines, answers.split(separator: "\n").map(String.init))
    }

    @Test("each line sent gets its answer before the next is sent; a signal answers the lines pending and exits", arguments: stops)
    func lineByLineThenSignal(_ stop: StopCase) throws {
        let (lines, answers) = try Self.linesAndAnswers(stop.cases, stop.golden)
        try #require(lines.count == answers.count && lines.count >= 4)
        let precert = try LiveCLI(["eval", "--policies", Paths.clinic, "--jsonl", "--jobs", "\(stop.jobs)", "-"])
        // All but the last two, one at a time: each answer arrives while standard input stays open.
        let oneByOne = lines.count - 2
        for index in 0..<oneByOne {
            precert.send(lines[index] + "\n")
            let output = try #require(precert.lines(atLeast: index + 1), "no answer to line \(index + 1) within 10 s")
            #expect(output.count == index + 1)
            #expect(CLI.normalized(output[index]) == answers[index], "line \(index + 1)")
        }
        // The last two and half a line more, then the signal before their answers are read.
        let partial = lines[0].prefix(lines[0].count / 2)
        precert.send(lines[oneByOne...].joined(separator: "\n") + "\n" + partial)
        kill(precert.process.processIdentifier, stop.signal)
        let run = try #require(precert.exit(), "after \(stop.name)")
        #expect(!run.signaled, "\(stop.name) ended precert instead of stopping it")
        #expect(run.status == stop.status, "stderr: \(run.err)")
        #expect(run.err.isEmpty)
        // Every complete line answered, in order, each answer whole; the unfinished line not at all.
        #expect(CLI.normalized(run.out) == answers.map { $0 + "\n" }.joined())
    }

    @Test("a signal discards an unfinished --output file and exits 128 + the signal")
    func signalDiscardsOutputFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("precert-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (lines, _) = try Self.linesAndAnswers("batch.jsonl", "eval-jsonl.stdout")
        let precert = try LiveCLI(
            ["eval", "--policies", Paths.clinic, "--jsonl", "--output", directory.appendingPathComponent("decisions.jsonl").path, "-"])
        precert.send(lines[0] + "\n")
        // The answer lands in the unfinished file beside the destination as soon as it is written.
        let deadline = Date(timeIntervalSinceNow: 10)
        func unfinishedSize() -> Int {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.compactMap { name in
                (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path))?[.size] as? Int
            }.reduce(0, +)
        }
        while unfinishedSize() == 0 && Date() < deadline { usleep(10_000) }
        try #require(unfinishedSize() > 0, "no answer written within 10 s")
        kill(precert.process.processIdentifier, SIGTERM)
        let run = try #require(precert.exit(), "after SIGTERM")
        #expect(!run.signaled)
        #expect(run.status == 128 + SIGTERM)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
