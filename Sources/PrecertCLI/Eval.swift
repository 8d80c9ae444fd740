import ArgumentParser
import Foundation
import Precert

extension PrecertCommand {
    /// `precert eval`: evaluates cases against the policies.
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a case (or JSON Lines of cases) against the policies.",
            discussion: """
                The policy is chosen by the case's `payer` (or --policy) and the version in force on the \
                date of `request.received_at` (or --as-of). Exits 0 when the case was evaluated (whatever \
                the answers), 1 when the case or the policies have errors or no policy is in force, 2 on a \
                usage error.
                """
        )

        @Argument(help: "The case file, or - for standard input.")
        var input: String

        @OptionGroup var policyOptions: PolicyOptions

        @Option(help: "Evaluate against this policy id instead of choosing by payer.")
        var policy: String?

        @Option(name: .customLong("as-of"), help: "Choose the policy version in force on this date (YYYY-MM-DD).")
        var asOf: CivilDate?

        @Option(help: "Output format: text for people, json for programs.")
        var format: OutputFormat = .text

        @Flag(help: "Show the path taken through each decision diagram, with each tested value.")
        var explain = false

        @Flag(help: "Read JSON Lines (one case per line) and write one decision per line.")
        var jsonl = false

        @Option(help: "With --jsonl, evaluate on this many threads; the output keeps the input order.")
        var jobs = 1

        @Option(help: "Write to this file instead of standard output; it appears whole or not at all.")
        var output: String?

        func validate() throws {
            if jsonl && format == .text && formatWasGiven {
                throw ValidationError("--jsonl writes JSON; drop --format text")
            }
            if jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256") }
            if jobs > 1 && !jsonl { throw ValidationError("--jobs applies to --jsonl") }
        }

        private var formatWasGiven: Bool { CommandLine.arguments.contains("--format") }

        func run() throws {
            let catalog = try policyOptions.loadCatalog()
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
            let bytes: [UInt8]
            switch PolicyFiles.read(input, maxBytes: CaseLimits().maxBytes + 1) {
            case .failure(let diagnostic):
                emit([diagnostic], sources: [], format: format)
                throw ExitCode(1)
            case .success(let read): bytes = read
            }
            let file = input == "-" ? "<stdin>" : input
            switch catalog.evaluate(bytes, file: file, policyID: policy, asOf: asOf, explain: explain) {
            case .failure(let errors):
                // No source line is quoted: a case's line holds names and clinical notes, and stderr ends up in logs.
                emit(errors.diagnostics, sources: [], format: format)
                throw ExitCode(1)
            case .success(let decision):
                switch format {
                case .json:
                    try sink.write(DecisionEncoder.encode(decision, style: .pretty) + [UInt8(ascii: "\n")])
                case .text:
                    try sink.write(Array(DecisionText.render(decision, explain: explain).utf8))
                }
            }
        }

        private func runLines(_ catalog: PolicyCatalog, into sink: OutputSink) throws {
            let descriptor: Int32
            if input == "-" {
                descriptor = FileHandle.standardInput.fileDescriptor
            } else {
                descriptor = open(input, O_RDONLY)
                guard descriptor >= 0 else {
                    emit([.error("io.unreadable", "cannot read `\(input)`", at: nil)], sources: [], format: .json)
                    throw ExitCode(1)
                }
            }
            defer { if input != "-" { close(descriptor) } }
            // Each thread gets a catalog of its own: threads sharing one would contend on the
            // reference counts of the same arrays for every case (measured: two threads ran slower
            // than one). Loading takes milliseconds.
            var catalogs = [catalog]
            for _ in 1..<max(1, jobs) { catalogs.append(try policyOptions.loadCatalog()) }
            let pool = LineEvaluatorPool(catalogs: catalogs, policyID: policy, asOf: asOf, explain: explain)
            // Lines are evaluated a block at a time so several threads can share one; output keeps
            // input order. Blocks of a megabyte or so keep memory flat whatever the input's length.
            var reader = LineBlockReader(descriptor: descriptor, blockSize: jobs == 1 ? 1 << 20 : (1 << 21) * jobs)
            var failed = false
            var firstLine = 1
            while true {
                let more: Bool
                do {
                    more = try reader.nextBlock()
                } catch {
                    emit([.error("io.unreadable", "cannot read `\(input)`", at: nil)], sources: [], format: .json)
                    throw ExitCode(1)
                }
                if !more { break }
                failed = try reader.withBlock { block, lines in try pool.evaluate(block, lines: lines, firstLine: firstLine, into: sink) } || failed
                firstLine += reader.lines.count
            }
            if failed {
                try sink.commit()
                throw ExitCode(1)
            }
        }
    }
}

/// Evaluates blocks of JSON Lines on one or more threads, each with its own session.
final class LineEvaluatorPool: @unchecked Sendable {
    private var sessions: [CaseSession]
    private var writers: [JSONWriter]
    private let jobs: Int
    private let policyID: String?
    private let asOf: CivilDate?
    private let explain: Bool

    init(catalogs: [PolicyCatalog], policyID: String?, asOf: CivilDate?, explain: Bool) {
        self.sessions = catalogs.map { CaseSession(catalog: $0) }
        self.writers = catalogs.map { _ in JSONWriter(style: .compact, capacity: 1 << 20) }
        self.jobs = catalogs.count
        self.policyID = policyID
        self.asOf = asOf
        self.explain = explain
    }

    /// Evaluates the `lines` of `block` (numbered from `firstLine`), writes their output to `sink`
    /// in input order, and says whether any line failed.
    func evaluate(_ block: UnsafeBufferPointer<UInt8>, lines: [Range<Int>], firstLine: Int, into sink: OutputSink) throws -> Bool {
        let parts = min(jobs, max(1, lines.count))
        var failures = [Bool](repeating: false, count: parts)
        let chunk = (lines.count + parts - 1) / parts
        failures.withUnsafeMutableBufferPointer { failures in
            writers.withUnsafeMutableBufferPointer { writers in
                sessions.withUnsafeMutableBufferPointer { sessions in
                    // Each part touches only its own slots of these buffers, and only reads the block.
                    nonisolated(unsafe) let failures = failures
                    nonisolated(unsafe) let writers = writers
                    nonisolated(unsafe) let sessions = sessions
                    nonisolated(unsafe) let block = block
                    let work: @Sendable (Int) -> Void = { part in
                        // Writers are reused across blocks: fresh multi-megabyte buffers per block
                        // cost more in page faults than the evaluation itself.
                        writers[part].reset()
                        for index in (part * chunk)..<min(lines.count, (part + 1) * chunk) {
                            let line = UnsafeBufferPointer(rebasing: block[lines[index]])
                            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) {
                                continue
                            }
                            // Errors are reported with their line number (below), not a file name.
                            if let errors = sessions[part].write(
                                line, file: "line", policyID: self.policyID, asOf: self.asOf, explain: self.explain,
                                to: &writers[part])
                            {
                                failures[part] = true
                                LineError.write(line: firstLine + index, errors.diagnostics, to: &writers[part])
                            }
                            writers[part].bytes.append(UInt8(ascii: "\n"))
                        }
                    }
                    if parts == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: work) }
                }
            }
        }
        for part in 0..<parts { try sink.write(writers[part].bytes) }
        return failures.contains(true)
    }
}

/// Where `eval` writes: standard output, or a file that is renamed into place only when complete.
final class OutputSink {
    private let destination: String?
    private let temporary: String?
    private let handle: FileHandle

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
            emit([.error("io.unwritable", "cannot write next to `\(path)`", at: nil)], sources: [], format: .text)
            throw ExitCode(1)
        }
        temporary = temp
        self.handle = handle
        InterruptCleanup.watch(temp)
    }

    func write(_ bytes: [UInt8]) throws {
        // Straight to the descriptor: wrapping megabytes of output in `Data` would copy them again.
        let descriptor = handle.fileDescriptor
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    emit([.error("io.unwritable", "cannot write the output", at: nil)], sources: [], format: .text)
                    throw ExitCode(1)
                }
                offset += written
            }
        }
    }

    /// Moves the finished file into place (an atomic rename on one file system).
    func commit() throws {
        guard let temporary, let destination else { return }
        try handle.close()
        if rename(temporary, destination) != 0 {
            discard()
            emit([.error("io.unwritable", "cannot move the output into `\(destination)`", at: nil)], sources: [], format: .text)
            throw ExitCode(1)
        }
        InterruptCleanup.watch(nil)
    }

    /// Removes the unfinished file.
    func discard() {
        guard let temporary else { return }
        try? handle.close()
        unlink(temporary)
        InterruptCleanup.watch(nil)
    }
}

/// Removes an unfinished output file when the run is interrupted (Ctrl-C, `kill`).
enum InterruptCleanup {
    nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>?

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
    }
}

/// The object written for a JSON Lines input line that could not be evaluated.
enum LineError {
    static func write(line: Int, _ diagnostics: [Diagnostic], to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("line")
        writer.number(line)
        writer.key("errors")
        writer.beginArray()
        for diagnostic in diagnostics {
            writer.beginObject()
            writer.key("id")
            writer.string(diagnostic.id.code)
            writer.key("message")
            writer.string(diagnostic.message)
            if let location = diagnostic.location {
                writer.key("column")
                writer.number(location.column)
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }
}

/// Reads a file descriptor a block at a time and hands out the block's whole lines as ranges of
/// it, so that lines are neither copied nor allocated one by one.
struct LineBlockReader {
    /// The input, read with `read(2)`.
    let descriptor: Int32
    /// How many bytes a block holds at least before its lines are handed out (a longer line grows it).
    let blockSize: Int
    /// The lines of the current block (without their newline), as ranges of the block.
    private(set) var lines: [Range<Int>] = []
    private var buffer: [UInt8] = []
    private var filled = 0
    private var consumed = 0
    private var finished = false

    init(descriptor: Int32, blockSize: Int) {
        self.descriptor = descriptor
        self.blockSize = blockSize
    }

    /// A read of the input failed.
    struct ReadError: Error {}

    /// Reads the next block; false when the input has no more lines.
    mutating func nextBlock() throws -> Bool {
        // The unfinished last line of the previous block moves to the front.
        let rest = filled - consumed
        if consumed > 0 && rest > 0 {
            buffer.withUnsafeMutableBytes { bytes in
                let base = bytes.baseAddress!
                base.copyMemory(from: base + consumed, byteCount: rest)
            }
        }
        filled = rest
        consumed = 0
        lines.removeAll(keepingCapacity: true)
        var target = blockSize
        while true {
            while !finished && filled < target {
                if buffer.count < target + (1 << 16) { buffer.append(contentsOf: repeatElement(0, count: target + (1 << 16) - buffer.count)) }
                let count = buffer.withUnsafeMutableBytes { bytes in read(descriptor, bytes.baseAddress! + filled, bytes.count - filled) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ReadError()
                }
                if count == 0 { finished = true } else { filled += count }
            }
            var start = 0
            buffer.withUnsafeBufferPointer { bytes in
                // memchr finds each line end many bytes at a time.
                while start < filled, let hit = memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), filled - start) {
                    let newline = bytes.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    lines.append(start..<newline)
                    start = newline + 1
                }
            }
            if finished && start < filled {
                lines.append(start..<filled)
                start = filled
            }
            consumed = start
            if !lines.isEmpty || finished { return !lines.isEmpty }
            // One line longer than the block so far: read on until it ends.
            target = filled + blockSize
        }
    }

    /// Calls `body` with the current block's bytes and lines.
    func withBlock<R>(_ body: (UnsafeBufferPointer<UInt8>, [Range<Int>]) throws -> R) rethrows -> R {
        try buffer.withUnsafeBufferPointer { try body($0, lines) }
    }
}
