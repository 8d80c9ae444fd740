import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// When `eval --jsonl` shows its progress on standard error.
enum ProgressMode: String, CaseIterable, Sendable {
    /// Only when standard error is a terminal and the input is a file (so that the time left is known).
    case auto
    /// Always (for logs, and tests); the time left only when the input's size is known.
    case always
    /// Never.
    case never
}

/// The progress of a JSON Lines run, on one line of standard error: the cases answered, the
/// cases a second, and the time left, estimated from how far into the input file the reader has
/// got. Redrawn at most five times a second; at the end replaced by a summary line. Never written
/// to the output, and it names no case.
///
/// `@unchecked Sendable`: the JSON Lines evaluator writes (and so calls `record`) from one thread
/// at a time.
final class ProgressLine: @unchecked Sendable {
    private let descriptor: Int32
    private let size: Int64?
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private var cases = 0

    /// A progress line for reading `descriptor`, or `nil` when `mode` says not to show one.
    init?(mode: ProgressMode, input descriptor: Int32) {
        var status = stat()
        let isFile = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
        switch mode {
        case .never: return nil
        case .auto: guard isatty(STDERR_FILENO) == 1, isFile else { return nil }
        case .always: break
        }
        self.descriptor = descriptor
        size = isFile && status.st_size > 0 ? Int64(status.st_size) : nil
    }

    /// Counts the answers in a piece of output (one a line) and redraws when it is time.
    func record(_ output: [UInt8]) {
        cases += output.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.2 else { return }
        lastDrawn = now
        var line = "\r\(Self.grouped(cases)) cases · \(Self.grouped(rate(now))) cases/s"
        if let left = secondsLeft(now) { line += " · \(Self.clock(left)) left" }
        draw(line + "\u{1B}[K")
    }

    /// Replaces the progress with a summary line.
    func finish() {
        let now = Date()
        let seconds = now.timeIntervalSince(started)
        draw("\r\(Self.grouped(cases)) cases in \(String(format: "%.1f", seconds)) s · \(Self.grouped(rate(now))) cases/s\u{1B}[K\n")
    }

    private func rate(_ now: Date) -> Int {
        let seconds = now.timeIntervalSince(started)
        return seconds > 0 ? Int(Double(cases) / seconds) : 0
    }

    /// The time left, from the share of the file read so far (the reader's position).
    private func secondsLeft(_ now: Date) -> Double? {
        guard let size else { return nil }
        let position = lseek(descriptor, 0, SEEK_CUR)
        guard position > 0 else { return nil }
        let done = min(1, Double(position) / Double(size))
        guard done > 0 else { return nil }
        return now.timeIntervalSince(started) * (1 - done) / done
    }

    private func draw(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ number: Int) -> String {
        let digits = Array(String(number))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }

    /// Seconds as `m:ss` (or `h:mm:ss`).
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
    }
}
