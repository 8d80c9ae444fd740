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

        func validate() throws {
            if jsonl && format == .text && formatWasGiven {
                throw ValidationError("--jsonl writes JSON; drop --format text")
            }
        }

        private var formatWasGiven: Bool { CommandLine.arguments.contains("--format") }

        func run() throws {
            let catalog = try policyOptions.loadCatalog()
            if jsonl {
                try runLines(catalog)
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
                emit(errors.diagnostics, sources: [SourceText(file: file, text: String(decoding: bytes, as: UTF8.self))], format: format)
                throw ExitCode(1)
            case .success(let decision):
                switch format {
                case .json:
                    writeOut(DecisionEncoder.encode(decision, style: .pretty) + [UInt8(ascii: "\n")])
                case .text:
                    print(DecisionText.render(decision, explain: explain), terminator: "")
                }
            }
        }

        private func runLines(_ catalog: PolicyCatalog) throws {
            let handle: FileHandle
            if input == "-" {
                handle = .standardInput
            } else {
                guard let file = FileHandle(forReadingAtPath: input) else {
                    emit([.error("io.unreadable", "cannot read `\(input)`", at: nil)], sources: [], format: .json)
                    throw ExitCode(1)
                }
                handle = file
            }
            var failed = false
            var lineNumber = 0
            var writer = JSONWriter(style: .compact, capacity: 1 << 16)
            var session = CaseSession(catalog: catalog)
            for line in LineReader(handle: handle) {
                lineNumber += 1
                if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) { continue }
                if let errors = session.write(line, file: "line \(lineNumber)", policyID: policy, asOf: asOf, explain: explain, to: &writer) {
                    failed = true
                    LineError.write(line: lineNumber, errors.diagnostics, to: &writer)
                }
                writer.bytes.append(UInt8(ascii: "\n"))
                if writer.bytes.count > 1 << 16 {
                    writeOut(writer.bytes)
                    writer.reset()
                }
            }
            writeOut(writer.bytes)
            if failed { throw ExitCode(1) }
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

/// Reads a file handle line by line as bytes, without loading it whole.
struct LineReader: Sequence, IteratorProtocol {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
