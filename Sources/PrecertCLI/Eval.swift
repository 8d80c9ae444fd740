import ArgumentParser
import Foundation
import Precert

// The POSIX calls below (open, rename, unlink, signal) come from the C library of each platform.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ProgressMode: ExpressibleByArgument {}

extension PrecertCommand {
    /// `precert eval`: evaluates cases against the policies.
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a case (or JSON Lines of cases) against the policies.",
            discussion: """
                The policy is chosen by the case's `payer` (or --policy) and the version in force on the \
                date of `request.received_at` (or --as-of). Exits 0 when the case was evaluated (whatever \
                the answers); 1 when the case cannot be evaluated (with --jsonl: when any line failed); \
                2 on a usage error; 3 when the policies or calendars have errors or no version of the \
                payer's policy is in force, or the output cannot be written (the deployment's fault).

                With --jsonl, each line's decision is written as soon as the line is complete. SIGINT or \
                SIGTERM stops reading: every complete line that has arrived is answered, an unfinished \
                one is dropped, and the status is as at the end of the input (with --output, the \
                unfinished file is discarded instead and the status is 128 + the signal's number).
                """
        )

        @Argument(help: "The case file, or - for standard input.")
        var input: String

        @OptionGroup var policyOptions: PolicyOptions

        @Option(help: "Evaluate against this policy id instead of choosing by payer.")
        var policy: String?

        @Option(name: .customLong("as-of"), help: "Choose the policy version in force on this date (YYYY-MM-DD).")
        var asOf: CivilDate?

        @Flag(help: "Show the path taken through each decision diagram, with each tested value.")
        var explain = false

        @Flag(help: "After the summary, show every rule that decided, its reason, sources and where it is written.")
        var why = false

        @Option(help: "Emphasis in the text answer: auto (on a terminal, unless NO_COLOR is set), always, never.")
        var color: ColorMode = .auto

        @Flag(help: "Read JSON Lines (one case per line) and write one decision per line.")
        var jsonl = false

        @Option(help: "With --jsonl, evaluate on this many threads; the output keeps the input order.")
        var jobs = 1

        @Option(help: "With --jsonl, show cases done, cases a second and time left on standard error: auto (when it is a terminal and the input a file), always, never.")
        var progress: ProgressMode = .auto

        @Option(help: "Write to this file instead of standard output; it appears whole or not at all.")
        var output: String?

        func validate() throws {
            if jsonl && format == .text { throw ValidationError("--jsonl writes JSON; drop --format text") }
            if jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256") }
            if jobs > 1 && !jsonl { throw ValidationError("--jobs applies to --jsonl") }
            if progress != .auto && !jsonl { throw ValidationError("--progress applies to --jsonl") }
            if why && (jsonl || format == .json) { throw ValidationError("--why applies to the text answer; the JSON always holds every rule") }
        }

        /// `--format` as given; `nil` when not given (text for one case, JSON for --jsonl).
        @Option(help: "Output format: text for people, json for programs (--jsonl always writes JSON).")
        var format: OutputFormat?

        private var evaluationOptions: EvaluationOptions {
            EvaluationOptions(policyID: policy, asOf: asOf, explain: explain, file: input == "-" ? "<stdin>" : input)
        }

        func run() throws {
            let catalog = try policyOptions.loadCatalog(format: jsonl ? .json : format ?? .text, compact: jsonl)
            let sink = try OutputSink(path: output)
            do {
                try evaluate(catalog, into: sink)
                try sink.commit()
            } catch {
                sink.discard()
                throw error
            }
        }

        private func evaluate(_ catalog: PolicyCatalog, into sink: OutputSink) throws {
            if jsonl {
                try runLines(catalog, into: sink)
                return
            }
            let format = format ?? .text
            let bytes = try readCase(format: format)
            switch catalog.evaluate(bytes, options: evaluationOptions) {
            case .failure(let errors):
                // No source line is quoted: a case's line holds names and clinical notes, and stderr ends up in logs.
                switch format {
                case .json:
                    // The error document is the output: with --output it lands in the file, as
                    // --jsonl's error lines do, rather than being discarded with an unfinished file.
                    try sink.write(DecisionEncoder.encode(errors, pretty: true) + [UInt8(ascii: "\n")])
                    try sink.commit()
                case .text: try emit(errors.diagnostics, sources: [], format: .text)
                }
                throw errors.fault == .deployment ? CommandFailure.deployment : CommandFailure.input
            case .success(let decision):
                switch format {
                case .json:
                    try sink.write(DecisionEncoder.encode(decision, pretty: true) + [UInt8(ascii: "\n")])
                case .text:
                    let layout = DecisionText.Options(
                        why: why, explain: explain, width: TerminalOutput.width(), color: color.enabled(for: output == nil ? 1 : -1))
                    try sink.write(Array(DecisionText.render(decision, options: layout).utf8))
                }
            }
        }

        /// The case file's bytes (or standard input's), up to one byte past the largest case
        /// accepted, so that an oversized case is reported as such.
        private func readCase(format: OutputFormat) throws -> [UInt8] {
            let limit = CatalogOptions().maxCaseBytes + 1
            if input == "-" { return Array(FileHandle.standardInput.readData(ofLength: limit)) }
            guard let handle = FileHandle(forReadingAtPath: input), let data = try? handle.read(upToCount: limit) else {
                try emit([commandError("io.unreadable", "cannot read `\(input)`")], sources: [], format: format)
                throw CommandFailure.input
            }
            try? handle.close()
            return Array(data)
        }

        private func runLines(_ catalog: PolicyCatalog, into sink: OutputSink) throws {
            let descriptor: Int32
            if input == "-" {
                descriptor = FileHandle.standardInput.fileDescriptor
            } else {
                descriptor = open(input, O_RDONLY)
                guard descriptor >= 0 else {
                    try emit([commandError("io.unreadable", "cannot read `\(input)`")], sources: [], format: .json, compact: true)
                    throw CommandFailure.input
                }
            }
            defer { if input != "-" { close(descriptor) } }
            // Each further thread loads a catalog of its own while the first one starts (threads
            // sharing one contend on its reference counts). Should the files have changed since,
            // the thread shares the first catalog instead: slower, but the same answers.
            let paths = [policyOptions.policies]
            let digests = catalog.policies.map(\.digest)
            let evaluator = JSONLinesEvaluator(
                catalog: catalog, threads: jobs, options: evaluationOptions,
                loadCatalog: {
                    let again = try? PolicyCatalog(paths: paths)
                    return again.flatMap { $0.policies.map(\.digest) == digests ? $0 : nil } ?? catalog
                })
            // Writing to standard output, SIGINT and SIGTERM stop the run gracefully: the lines
            // already read are answered and the output ends with a whole line. An unfinished
            // --output file is discarded instead (`InterruptCleanup`): it appears whole or not at all.
            let stop = output == nil ? StopSignal.install() : -1
            let failed: Bool
            do {
                let progress = ProgressLine(mode: self.progress, input: descriptor)
                failed = try evaluator.run(reading: descriptor, stoppingWhenReadable: stop) { bytes in
                    try sink.write(bytes)
                    progress?.record(bytes)
                }
                progress?.finish()
            } catch is JSONLinesReadError {
                try emit([commandError("io.unreadable", "cannot read `\(input)`")], sources: [], format: .json, compact: true)
                throw CommandFailure.input
            }
            if failed {
                try sink.commit()
                throw CommandFailure.input
            }
        }
    }
}

/// Where `eval` writes: standard output, or a file that is renamed into place only when complete.
///
/// `@unchecked Sendable`: the JSON Lines evaluator writes from one thread at a time.
final class OutputSink: @unchecked Sendable {
    private let destination: String?
    private let temporary: String?
    private let handle: FileHandle
    /// Whether the file was moved into place or removed; either is done once.
    private var finished = false

    /// Writes to standard output, or to a temporary file beside `path` (the deployment's fault,
    /// exit 3, when it cannot be created).
    init(path: String?) throws {
        destination = path
        guard let path else {
            temporary = nil
            handle = .standardOutput
            return
        }
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).precert-\(ProcessInfo.processInfo.processIdentifier).tmp").path
        guard FileManager.default.createFile(atPath: temp, contents: nil), let handle = FileHandle(forWritingAtPath: temp) else {
            try emit([commandError("io.unwritable", "cannot write next to `\(path)`")], sources: [], format: .text)
            throw CommandFailure.deployment
        }
        temporary = temp
        self.handle = handle
        InterruptCleanup.watch(temp)
    }

    /// Appends bytes to the output; a failed write is the deployment's fault (exit 3).
    func write(_ bytes: [UInt8]) throws {
        guard writeAll(bytes, to: handle.fileDescriptor) else {
            try emit([commandError("io.unwritable", "cannot write the output")], sources: [], format: .text)
            throw CommandFailure.deployment
        }
    }

    /// Moves the finished file into place (an atomic rename on one file system).
    func commit() throws {
        guard let temporary, let destination, !finished else { return }
        finished = true
        // A close can be where the file system first reports a full disk.
        let closed = (try? handle.close()) != nil
        if !closed || rename(temporary, destination) != 0 {
            unlink(temporary)
            InterruptCleanup.watch(nil)
            try emit([commandError("io.unwritable", "cannot move the output into `\(destination)`")], sources: [], format: .text)
            throw CommandFailure.deployment
        }
        InterruptCleanup.watch(nil)
    }

    /// Removes the unfinished file.
    func discard() {
        guard let temporary, !finished else { return }
        finished = true
        try? handle.close()
        unlink(temporary)
        InterruptCleanup.watch(nil)
    }
}

/// Turns SIGINT and SIGTERM into a request to stop reading, for `eval --jsonl` writing to
/// standard output: the handler writes a byte to a pipe whose other end the JSON Lines evaluator
/// watches beside its input (a write is safe in a signal handler). The evaluator then
/// reads only what has already arrived, answers every complete line, and the command exits as at
/// the end of its input. Further signals change nothing; SIGKILL still ends it at once.
enum StopSignal {
    /// The pipe's write end, for the handler; -1 until installed.
    nonisolated(unsafe) private static var writeEnd: Int32 = -1

    /// Installs the handlers; returns the descriptor that becomes readable on a signal, or -1
    /// (signals keep their default action) when no pipe can be made.
    static func install() -> Int32 {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return -1 }
        // Never blocks the handler: a pipe full of earlier signals says "stop" already.
        _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
        writeEnd = ends[1]
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                let saved = errno
                var byte: UInt8 = 0
                _ = write(StopSignal.writeEnd, &byte, 1)
                errno = saved
            }
        }
        unblock([SIGINT, SIGTERM])
        return ends[0]
    }
}

/// Lets `signals` through to the calling thread (and the threads it starts from now on), which
/// then handles them: a parent can start `precert` with them blocked (a process started from a
/// thread of Dispatch inherits that thread's mask), and a blocked SIGTERM would never stop it.
func unblock(_ signals: [Int32]) {
    var set = sigset_t()
    sigemptyset(&set)
    for number in signals { sigaddset(&set, number) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}

/// Removes an unfinished output file when the run is interrupted (Ctrl-C, `kill`).
enum InterruptCleanup {
    /// The unfinished file, as a C string a signal handler can use without allocating.
    nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>?

    /// Removes `file` if the run is interrupted from now on; `nil` once it is finished.
    static func watch(_ file: String?) {
        if let old = path { free(old) }
        path = file.map { strdup($0) }
        guard file != nil else { return }
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { number in
                if let path = InterruptCleanup.path { unlink(path) }
                _exit(128 + number)
            }
        }
        unblock([SIGINT, SIGTERM, SIGHUP])
    }
}
