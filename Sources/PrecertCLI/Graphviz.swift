import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Renders DOT text with Graphviz's `dot` program, run as a subprocess with the DOT on its
/// standard input and a time limit.
enum Graphviz {
    /// How long `dot` may run, in seconds, unless `PRECERT_DOT_TIMEOUT` says otherwise.
    static let defaultTimeout = 30.0

    /// Where `dot` is: the program `PRECERT_DOT` names when it is set, else `dot` on `PATH`;
    /// `nil`, with why, when there is none.
    static func program(environment: [String: String]) -> (path: String?, missing: String) {
        if let named = environment["PRECERT_DOT"], !named.isEmpty {
            let found = FileManager.default.isExecutableFile(atPath: named) && !isDirectory(named)
            return (found ? named : nil, "PRECERT_DOT names `\(named)`, which is not a program")
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/dot"
            if FileManager.default.isExecutableFile(atPath: candidate), !isDirectory(candidate) { return (candidate, "") }
        }
        return (nil, "Graphviz's `dot` program is not on PATH")
    }

    private static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// The picture `dot -T<format>` draws from `text`. A missing Graphviz, one that fails or one
    /// that runs out of time is the deployment's fault (exit 3), reported on standard error.
    static func render(_ text: String, as format: GraphFormat) throws(CommandFailure) -> [UInt8] {
        let environment = ProcessInfo.processInfo.environment
        let (found, missing) = program(environment: environment)
        guard let path = found else {
            try emit(
                [commandError(
                    "graph.no-graphviz", "cannot draw \(format.rawValue): \(missing)",
                    hint: "install Graphviz (`sudo apt-get install graphviz`, or `brew install graphviz` on macOS); "
                        + "`--format dot` writes the DOT text without it")],
                sources: [], format: .text)
            throw CommandFailure.deployment
        }
        let timeout = environment["PRECERT_DOT_TIMEOUT"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } ?? defaultTimeout
        let run: Run
        do {
            run = try Run(path, ["-T\(format.rawValue)"], input: Array(text.utf8), timeout: timeout)
        } catch {
            try failed("cannot start `\(path)`: \(error.localizedDescription)")
        }
        if run.timedOut { try failed("Graphviz's `dot` did not finish within \(seconds(timeout))") }
        guard run.status == 0, !run.output.isEmpty else {
            let said = String(decoding: run.errors, as: UTF8.self).split(separator: "\n").prefix(3).joined(separator: "; ")
            try failed("Graphviz's `dot` failed (exit status \(run.status))" + (said.isEmpty ? "" : ": \(said)"))
        }
        return run.output
    }

    private static func failed(_ message: String) throws(CommandFailure) -> Never {
        try emit([commandError("graph.render-failed", message)], sources: [], format: .text)
        throw CommandFailure.deployment
    }

    /// A time limit as people write it: `30 seconds`, `1 second`, `0.5 seconds`.
    private static func seconds(_ value: Double) -> String {
        let number = value == value.rounded() && value < 1e9 ? String(Int(value)) : String(value)
        return number + (number == "1" ? " second" : " seconds")
    }

    /// One finished run of a program.
    private struct Run {
        var status: Int32 = 0
        var output: [UInt8] = []
        var errors: [UInt8] = []
        var timedOut = false

        /// Runs `path` with `arguments`, writing `input` to its standard input while its standard
        /// output and error are read on threads of their own (so no pipe fills up and stalls it);
        /// past `timeout` seconds it is terminated, then killed.
        init(_ path: String, _ arguments: [String], input: [UInt8], timeout: Double) throws {
            // A program that exits before reading all its input must not take this one down.
            signal(SIGPIPE, SIG_IGN)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            let stdin = Pipe()
            let stdout = Pipe()
            let stderr = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
            let finished = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in finished.signal() }
            try process.run()

            let collected = Collected()
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                _ = writeAll(input, to: stdin.fileHandleForWriting.fileDescriptor)
                try? stdin.fileHandleForWriting.close()
            }
            DispatchQueue.global().async(group: group) {
                collected.set(output: Array(stdout.fileHandleForReading.readDataToEndOfFile()))
            }
            DispatchQueue.global().async(group: group) {
                collected.set(errors: Array(stderr.fileHandleForReading.readDataToEndOfFile()))
            }
            let deadline = DispatchTime.now() + timeout
            if finished.wait(timeout: deadline) == .timedOut {
                timedOut = true
                process.terminate()
                if finished.wait(timeout: .now() + 2) == .timedOut {
                    kill(process.processIdentifier, SIGKILL)
                    finished.wait()
                }
            }
            // A child the program left behind could hold its pipes open: past the deadline (or,
            // once out of time, two seconds more), the run counts as out of time and the threads
            // still waiting on the pipes are left to end with this process.
            if group.wait(timeout: timedOut ? .now() + 2 : deadline) == .timedOut { timedOut = true }
            status = process.terminationStatus
            output = collected.output
            errors = collected.errors
        }
    }

    /// What the reading threads collected, handed over under a lock.
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var _output: [UInt8] = []
        private var _errors: [UInt8] = []

        func set(output: [UInt8]) { lock.withLock { _output = output } }
        func set(errors: [UInt8]) { lock.withLock { _errors = errors } }
        var output: [UInt8] { lock.withLock { _output } }
        var errors: [UInt8] { lock.withLock { _errors } }
    }
}
