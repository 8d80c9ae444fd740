import Foundation
import Testing

/// `eval --jsonl --progress`: progress on standard error, never in the output.
@Suite("JSON Lines progress")
struct ProgressTests {
    @Test("with --progress always, standard error counts the cases and ends with a summary; the output is the same bytes as without")
    func always() throws {
        let plain = try CLI.run(["eval", "--jsonl", "Examples/batch.jsonl"])
        let shown = try CLI.run(["eval", "--jsonl", "--progress", "always", "Examples/batch.jsonl"])
        #expect(shown.status == plain.status)
        #expect(shown.stdout == plain.stdout)
        let lines = plain.out.split(separator: "\n").count
        // The summary replaces the progress line: a carriage return, the count, the time, the rate.
        let summary = try #require(shown.err.split(separator: "\r").last)
        #expect(summary.hasPrefix("\(lines) cases in "), "\(shown.err)")
        #expect(summary.contains(" cases/s") && summary.hasSuffix("\u{1B}[K\n"))
        // No case's content reaches standard error.
        #expect(!shown.err.contains("case_id") && !shown.err.contains("{"))
    }

    @Test("by default nothing is shown when standard error is not a terminal")
    func autoWithoutTerminal() throws {
        let run = try CLI.run(["eval", "--jsonl", "Examples/batch.jsonl"])
        #expect(run.stderr.isEmpty)
        let never = try CLI.run(["eval", "--jsonl", "--progress", "never", "Examples/batch.jsonl"])
        #expect(never.stderr.isEmpty && never.stdout == run.stdout)
    }

    @Test("--progress without --jsonl, or with an unknown mode, is a usage error")
    func usage() throws {
        let single = try CLI.run(["eval", "--progress", "always", "Examples/cash-pay.json"])
        #expect(single.status == 2)
        #expect(single.err.contains("--progress applies to --jsonl"))
        let unknown = try CLI.run(["eval", "--jsonl", "--progress", "sometimes", "Examples/batch.jsonl"])
        #expect(unknown.status == 2)
    }
}
