#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation

/// Evaluates JSON Lines, one case per line, on one or more threads, and writes one line of output
/// per input line in input order: the decision's compact JSON, or for a line that could not be
/// evaluated (a blank line included) its error document `{"line": N, "case_id", "fault", "errors": [...]}`.
///
/// The input is read a block at a time (memory stays flat however long it is) and lines are
/// evaluated where they lie in the block. While the threads evaluate one block, one of them writes
/// the previous block's output and one reads the next block, so reading and writing do not leave
/// the other threads idle: each round is a short list of tasks taken in turn by whichever thread
/// is free (write, read, then chunks of lines).
///
/// Each answer is written as soon as its line is complete: a block holds the input that is
/// already waiting (up to the block size), never more, so on a pipe or a terminal a line that
/// arrives on its own is answered on its own, and lines that arrive together are evaluated
/// together. Only when every answer so far is written does the evaluator block for more input.
/// An unfinished last line waits for the rest of it (or for the end of the input).
public final class JSONLinesEvaluator: @unchecked Sendable {
    // Sessions are per thread; blocks, outputs and failures alternate between rounds; each task
    // touches only its own parts, and a round ends before the next one starts. The per-thread and
    // per-chunk parts are raw buffers owned by the evaluator: tasks on several threads write
    // their own elements at once, which an array property would see as simultaneous
    // modifications of the whole array.
    private let sessions: UnsafeMutableBufferPointer<CaseSession>
    /// How many of `sessions` are ready; the rest are being loaded (guarded by `lock`).
    private var readySessions: Int
    /// Loads the catalogs of the threads that were not given one.
    private let loadCatalog: (@Sendable () -> PolicyCatalog)?
    private let loading = DispatchGroup()
    private var loadingStarted = false
    private let blocks = [LineBlock(), LineBlock()]
    /// How many chunks a round may have; outputs and failures hold two rounds' worth.
    private let chunksPerRound: Int
    private let outputs: UnsafeMutableBufferPointer<JSONWriter>
    private let failures: UnsafeMutableBufferPointer<Bool>
    private var chunkCounts = [0, 0]
    private let options: EvaluationOptions
    private let blockSize: Int
    private let lock = NSLock()
    private var nextTask = 0
    private var reader = LineBlockReader(descriptor: -1, stop: -1, blockSize: 1)
    private var readError: Error?
    private var writeError: Error?
    private var more = false

    /// Creates an evaluator with one thread per catalog.
    ///
    /// Give each thread a catalog of its own (load it again): threads sharing one contend on the
    /// reference counts of the same arrays for every case (measured: two threads sharing one ran
    /// 1.2 times as fast as one, with catalogs of their own 1.7 times). `blockSize` is how many
    /// bytes are read at a time.
    package convenience init(catalogs: [PolicyCatalog], options: EvaluationOptions = EvaluationOptions(), blockSize: Int = 1 << 18) {
        self.init(catalogs, threads: catalogs.count, loadCatalog: nil, options: options, blockSize: blockSize)
    }

    /// Creates an evaluator on `threads` threads: the first evaluates with `catalog` from the
    /// start, and each other one joins as soon as `loadCatalog` (called on a thread of its own
    /// while the first thread works) has given it a catalog of its own.
    ///
    /// `loadCatalog` should load the same files again: threads sharing one catalog contend on its
    /// reference counts (two threads sharing one ran 1.2 times as fast as one; with catalogs of
    /// their own, 1.7 times). Return `catalog` itself when the files may have changed since.
    /// `options.file` is not used: errors name the line instead.
    public convenience init(
        catalog: PolicyCatalog, threads: Int = 1, options: EvaluationOptions = EvaluationOptions(),
        loadCatalog: @escaping @Sendable () -> PolicyCatalog
    ) {
        self.init([catalog], threads: threads, loadCatalog: loadCatalog, options: options, blockSize: 1 << 18)
    }

    /// `init(catalog:threads:options:loadCatalog:)` reading `blockSize` bytes at a time.
    package convenience init(
        catalog: PolicyCatalog, threads: Int, options: EvaluationOptions = EvaluationOptions(), blockSize: Int,
        loadCatalog: @escaping @Sendable () -> PolicyCatalog
    ) {
        self.init([catalog], threads: threads, loadCatalog: loadCatalog, options: options, blockSize: blockSize)
    }

    private init(
        _ catalogs: [PolicyCatalog], threads: Int, loadCatalog: (@Sendable () -> PolicyCatalog)?, options: EvaluationOptions,
        blockSize: Int
    ) {
        precondition(!catalogs.isEmpty, "JSONLinesEvaluator needs at least one catalog")
        let threads = max(threads, catalogs.count)
        sessions = .allocate(capacity: threads)
        _ = sessions.initialize(from: catalogs.map { CaseSession(catalog: $0) })
        readySessions = catalogs.count
        self.loadCatalog = loadCatalog
        // Several chunks per thread, so a thread held up by the system does not hold up the round.
        chunksPerRound = threads == 1 ? 1 : threads * 8
        outputs = .allocate(capacity: 2 * chunksPerRound)
        outputs.initialize(repeating: JSONWriter(style: .compact))
        failures = .allocate(capacity: 2 * chunksPerRound)
        failures.initialize(repeating: false)
        var options = options
        options.file = "line"
        self.options = options
        self.blockSize = max(1, blockSize)
    }

    deinit {
        loading.wait()
        UnsafeMutableBufferPointer(rebasing: sessions[..<readySessions]).deinitialize()
        sessions.deallocate()
        outputs.deinitialize().deallocate()
        failures.deinitialize().deallocate()
    }

    /// The threads that have a session now.
    private var threadsReady: Int {
        lock.lock()
        defer { lock.unlock() }
        return readySessions
    }

    /// Starts loading the catalogs of the threads that have none, on a thread of its own.
    private func startLoading() {
        guard let loadCatalog, !loadingStarted else { return }
        loadingStarted = true
        let first = threadsReady
        loading.enter()
        Thread.detachNewThread { [self] in
            for index in first..<sessions.count {
                (sessions.baseAddress! + index).initialize(to: CaseSession(catalog: loadCatalog()))
                lock.lock()
                readySessions = index + 1
                lock.unlock()
            }
            loading.leave()
        }
    }

    /// Reads `descriptor` to its end and hands the output to `write` in order, a piece at a time
    /// (from one thread at a time), each line's answer as soon as the line is complete; says
    /// whether any line failed. Throws `JSONLinesReadError` when reading fails, and whatever
    /// `write` throws. One run at a time.
    public func run(reading descriptor: Int32, write: @Sendable ([UInt8]) throws -> Void) throws -> Bool {
        try run(reading: descriptor, stoppingWhenReadable: -1, write: write)
    }

    /// `run(reading:write:)` that stops reading once `stop` (a descriptor, such as the read end
    /// of a pipe a signal handler writes to; -1 for none) becomes readable: it then reads only the
    /// input that had already arrived (what is waiting in a pipe, socket or terminal; nothing more
    /// of a regular file), answers every complete line, drops an unfinished last line and returns.
    package func run(reading descriptor: Int32, stoppingWhenReadable stop: Int32, write: @Sendable ([UInt8]) throws -> Void) throws -> Bool {
        reader = LineBlockReader(descriptor: descriptor, stop: stop, blockSize: blockSize)
        readError = nil
        writeError = nil
        startLoading()
        var failed = false
        var firstLine = 1
        var round = 0
        var unwritten: Int?  // the parity of outputs evaluated but not yet written
        more = try reader.fill(blocks[0], after: nil, wait: true)
        while more || unwritten != nil {
            let current = round % 2
            // No lines while more input may come: the last read found nothing waiting, or only
            // part of a line. This round writes the answers so far, then waits for input.
            let lines = more ? blocks[current].lines.count : 0
            let reading = more
            let chunks = min(chunksPerRound, lines)
            chunkCounts[current] = chunks
            let (previous, first) = (unwritten, firstLine)
            nextTask = 0
            withoutActuallyEscaping(write) { write in
                let work: @Sendable (Int) -> Void = { worker in
                    while let task = self.takeTask(below: 2 + chunks) {
                        switch task {
                        case 0: if let previous { self.writeOutput(of: previous, with: write) }
                        // The write is taken first, so waiting for input never holds back an answer.
                        case 1: if reading { self.readBlock(after: current, wait: lines == 0) }
                        default: self.evaluate(chunk: task - 2, of: current, lines: lines, firstLine: first, worker: worker)
                        }
                    }
                }
                let threads = threadsReady
                if threads == 1 || chunks == 0 { work(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: work) }
            }
            if let writeError { throw writeError }
            if let readError { throw readError }
            failed = failures[(current * chunksPerRound)...].prefix(chunks).contains(true) || failed
            unwritten = lines > 0 ? current : nil
            firstLine += lines
            round += 1
        }
        return failed
    }

    private func takeTask(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextTask < count else { return nil }
        nextTask += 1
        return nextTask - 1
    }

    private func writeOutput(of parity: Int, with write: ([UInt8]) throws -> Void) {
        do {
            for chunk in 0..<chunkCounts[parity] { try write(outputs[parity * chunksPerRound + chunk].bytes) }
        } catch {
            writeError = error
        }
    }

    private func readBlock(after current: Int, wait: Bool) {
        do {
            more = try reader.fill(blocks[1 - current], after: blocks[current], wait: wait)
        } catch {
            readError = error
            more = false
        }
    }

    private func evaluate(chunk: Int, of parity: Int, lines count: Int, firstLine: Int, worker: Int) {
        let block = blocks[parity]
        let chunks = chunkCounts[parity]
        let range = (chunk * count / chunks)..<((chunk + 1) * count / chunks)
        let slot = parity * chunksPerRound + chunk
        outputs[slot].reset()
        failures[slot] = false
        block.buffer.withUnsafeBufferPointer { bytes in
            for index in range {
                let line = UnsafeBufferPointer(rebasing: bytes[block.lines[index]])
                if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                    // Every input line gets an output line, so answers can be matched by position.
                    failures[slot] = true
                    DecisionEncoder.write(CaseErrors([Self.blankLine]), line: firstLine + index, to: &outputs[slot])
                } else if let errors = sessions[worker].write(line, options: options, into: &outputs[slot]) {
                    failures[slot] = true
                    DecisionEncoder.write(errors, line: firstLine + index, to: &outputs[slot])
                }
                outputs[slot].bytes.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// The problem of a blank line: it holds no case.
    package static let blankLine = Diagnostic.error(
        "case.blank-line", "the line is blank", at: nil, hint: "give one case per line; remove blank lines")
}

/// Reading the JSON Lines input failed.
public struct JSONLinesReadError: Error, Sendable {
    /// The `errno` of the failed read.
    public var code: Int32
}

/// `FIONREAD`, the `ioctl(2)` request for the number of bytes waiting to be read (Darwin's is a
/// macro Swift does not import).
#if canImport(Darwin)
private let bytesWaitingRequest: UInt = 0x4004_667F
#else
private let bytesWaitingRequest = UInt(FIONREAD)
#endif

/// Lines read in one piece: the bytes, and each whole line as a range of them.
final class LineBlock: @unchecked Sendable {
    // Written only by the reader, while no one else reads this block.
    fileprivate(set) var buffer: [UInt8] = []
    fileprivate(set) var lines: [Range<Int>] = []
    /// Bytes in `buffer`.
    fileprivate var filled = 0
    /// Bytes of whole lines; after them comes the unfinished last line, if any.
    fileprivate var consumed = 0
}

/// Reads a file descriptor a block at a time, so that lines are neither copied nor allocated one
/// by one. A block holds what is already waiting, up to its size: the reader blocks only while it
/// has no whole line to hand out.
struct LineBlockReader {
    /// The input, read with `read(2)`.
    let descriptor: Int32
    /// A descriptor that becomes readable when reading should stop; -1 for none.
    let stop: Int32
    /// How many bytes a block is filled to at most before its lines are handed out (one read may
    /// overshoot it by up to 64 KiB; a longer line grows it).
    let blockSize: Int
    /// Whether the input is a regular file, whose reads never wait: it needs no `poll(2)` to see
    /// whether input is waiting.
    private let regularFile: Bool
    private var finished = false
    /// Whether `stop` became readable; from then on only `left` more bytes are read.
    private var stopped = false
    private var left = 0

    init(descriptor: Int32, stop: Int32, blockSize: Int) {
        self.descriptor = descriptor
        self.stop = stop
        self.blockSize = blockSize
        var status = stat()
        regularFile = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Fills `block` with the next whole lines, starting with the unfinished last line of
    /// `previous`: with `wait`, at least one (blocking until it arrives), then as many as are
    /// already waiting; without, only those already waiting, maybe none. False when the input
    /// has no more lines.
    mutating func fill(_ block: LineBlock, after previous: LineBlock?, wait: Bool) throws -> Bool {
        block.lines.removeAll(keepingCapacity: true)
        var filled = 0
        if let previous, previous.filled > previous.consumed {
            filled = previous.filled - previous.consumed
            if block.buffer.count < filled { block.buffer.append(contentsOf: repeatElement(0, count: filled - block.buffer.count)) }
            block.buffer.withUnsafeMutableBufferPointer { target in
                previous.buffer.withUnsafeBufferPointer { source in
                    _ = target.update(fromContentsOf: source[previous.consumed..<previous.filled])
                }
            }
        }
        var target = blockSize
        var start = 0  // where the unfinished line starts
        var searched = filled  // bytes searched for a line end (the unfinished line holds none)
        while !finished {
            if filled >= target {
                if !block.lines.isEmpty { break }
                // One line longer than the block so far: read on until it ends.
                target = filled + blockSize
            }
            let room = target + (1 << 16)
            if block.buffer.count < room { block.buffer.append(contentsOf: repeatElement(0, count: room - block.buffer.count)) }
            let count = try block.buffer.withUnsafeMutableBytes { bytes in
                try readSome(into: UnsafeMutableRawBufferPointer(rebasing: bytes[filled...]), waiting: wait && block.lines.isEmpty)
            }
            guard let count else { break }  // nothing waiting
            if count == 0 {
                finished = true
                break
            }
            filled += count
            block.buffer.withUnsafeBufferPointer { bytes in
                // memchr finds each line end many bytes at a time.
                while searched < filled, let hit = memchr(bytes.baseAddress! + searched, Int32(UInt8(ascii: "\n")), filled - searched) {
                    let newline = bytes.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    block.lines.append(Self.line(start..<newline, in: bytes))
                    start = newline + 1
                    searched = start
                }
                searched = filled
            }
        }
        // The end of the input ends the last line too; a stop leaves it unfinished, and unanswered.
        if finished && !stopped && start < filled {
            block.buffer.withUnsafeBufferPointer { bytes in block.lines.append(Self.line(start..<filled, in: bytes)) }
            start = filled
        }
        block.filled = filled
        block.consumed = start
        return !block.lines.isEmpty || !finished
    }

    /// Reads once into `buffer`: the count read (0 at the end of the input), or `nil` when
    /// nothing is waiting and `waiting` is false.
    private mutating func readSome(into buffer: UnsafeMutableRawBufferPointer, waiting: Bool) throws -> Int? {
        while true {
            var length = buffer.count
            if stopped {
                if left == 0 { return 0 }
                length = min(length, left)
            } else if stop >= 0 || (!waiting && !regularFile) {
                var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
                if poll(&descriptors, 2, waiting ? -1 : 0) < 0 {
                    if errno == EINTR { continue }
                    throw JSONLinesReadError(code: errno)
                }
                if descriptors[1].revents != 0 {
                    // Stop: read only what has already arrived.
                    stopped = true
                    var waitingBytes: Int32 = 0
                    left = !regularFile && ioctl(descriptor, bytesWaitingRequest, &waitingBytes) == 0 ? Int(max(waitingBytes, 0)) : 0
                    continue
                }
                if descriptors[0].revents == 0 { return nil }
            }
            let count = read(descriptor, buffer.baseAddress!, length)
            if count < 0 {
                if errno == EINTR { continue }
                throw JSONLinesReadError(code: errno)
            }
            if stopped { left -= count }
            return count
        }
    }

    /// A line without the `\r` of a Windows line end, so that columns in messages agree.
    private static func line(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        if range.count > 0 && bytes[range.upperBound - 1] == UInt8(ascii: "\r") { return range.lowerBound..<(range.upperBound - 1) }
        return range
    }
}
