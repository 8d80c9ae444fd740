import Foundation
import Testing

/// One command line and what it must do: its exit status, and its standard output and error,
/// byte for byte, as kept in `Fixtures/golden/<name>.stdout` and `<name>.stderr`.
///
/// To rewrite every golden file after an intended change of output, run
/// `PRECERT_UPDATE_GOLDEN=1 swift test --filter PrecertCLITests`, then review the diff.
struct GoldenCommand: Sendable, CustomTestStringConvertible {
    /// The golden files' base name.
    var name: String
    /// The arguments after `precert`, with paths relative to the repository root.
    var arguments: [String]
    /// The exit status the command must end with.
    var status: Int32
    /// A file (relative to the repository root) to give as standard input.
    var stdin: String?
    /// Environment variables set for the run, besides the test's own.
    var environment: [String: String]

    var testDescription: String {
        let settings = environment.keys.sorted().map { "\($0)=\(environment[$0]!) " }.joined()
        return "\(name): \(settings)precert \(arguments.joined(separator: " ")) (exit \(status))"
    }

    init(_ name: String, _ arguments: [String], exit status: Int32, stdin: String? = nil, environment: [String: String] = [:]) {
        self.name = name
        self.arguments = arguments
        self.status = status
        self.stdin = stdin
        self.environment = environment
    }
}

/// The fixture paths the commands use, relative to the repository root.
enum Paths {
    static let fixtures = CLI.fixtures
    /// A clean catalog: one policy, its calendar, its passing tests.
    static let clinic = "\(fixtures)/clinic"
    /// A catalog whose one policy has errors.
    static let broken = "\(fixtures)/broken"
    static let lateClock = "\(fixtures)/late-clock"
    /// Policies whose misspellings each have two equally close corrections.
    static let misspelled = "\(fixtures)/misspelled"
    /// Two payers one edit apart from the same misspelling.
    static let payers = "\(fixtures)/payers"
    /// The clinic's files with the manifest that pins them.
    static let pinned = "\(fixtures)/pinned"
    /// The same manifest beside the clinic policy cut short after its first decision.
    static let pinnedCutShort = "\(fixtures)/pinned-cut-short"
    /// Two versions of one policy, handed over on July 1, with a passing test file.
    static let versionedTests = "Tests/PrecertTests/Fixtures/policy-tests/versioned"
    /// A clean policy and test file with one warning each (a shadowed rule, a misspelled case field).
    static let warnings = "\(fixtures)/warnings"

    static func `case`(_ name: String) -> String { "\(fixtures)/cases/\(name)" }
}

extension GoldenCommand {
    /// Every command the golden tests run: each subcommand, its formats and its failures.
    static let all: [GoldenCommand] = check + eval + test + cases + graph + doc + schema + usage + manifest

    static let check: [GoldenCommand] = [
        GoldenCommand("check-shipped", ["check"], exit: 0),
        GoldenCommand("check-clinic", ["check", Paths.clinic], exit: 0),
        GoldenCommand("check-broken", ["check", Paths.broken], exit: 1),
        GoldenCommand("check-shipped-verbose", ["check", "--verbose"], exit: 0),
        GoldenCommand("check-late-clock", ["check", Paths.lateClock], exit: 1),
        GoldenCommand("check-late-clock-json", ["check", "--format", "json", Paths.lateClock], exit: 1),
        GoldenCommand("check-misspelled", ["check", Paths.misspelled], exit: 1),
        GoldenCommand("check-misspelled-json", ["check", "--format", "json", Paths.misspelled], exit: 1),
        GoldenCommand("check-missing-path", ["check", "\(Paths.fixtures)/no-such-directory"], exit: 1),
        // Warnings are lenient by default; --strict (or --fail-on warning) fails on them.
        GoldenCommand("check-warnings", ["check", Paths.warnings], exit: 0),
        GoldenCommand("check-warnings-strict", ["check", "--strict", Paths.warnings], exit: 1),
        GoldenCommand("check-warnings-fail-on-warning", ["check", "--fail-on", "warning", Paths.warnings], exit: 1),
        GoldenCommand("check-warnings-fail-on-error", ["check", "--fail-on", "error", Paths.warnings], exit: 0),
        GoldenCommand("check-warnings-strict-json", ["check", "--strict", "--format", "json", Paths.warnings], exit: 1),
        // The exit statuses are documented in the help, wrapped to a fixed width.
        // Versions of one policy that leave a gap and overlap: warnings, at the later version's `effective`.
        GoldenCommand("check-versions", ["check", "Tests/PrecertTests/Fixtures/versions", "Policies/calendars"], exit: 0),
        GoldenCommand("check-versions-json", ["check", "--format", "json", "Tests/PrecertTests/Fixtures/versions", "Policies/calendars"], exit: 0),
        GoldenCommand("check-versions-strict", ["check", "--strict", "Tests/PrecertTests/Fixtures/versions", "Policies/calendars"], exit: 1),
        GoldenCommand("check-help", ["check", "--help"], exit: 0, environment: ["COLUMNS": "80"]),
    ]

    static let eval: [GoldenCommand] = [
        GoldenCommand("eval-shipped", ["eval", "Examples/direct-booking-without-authorization.json"], exit: 0),
        GoldenCommand(
            "eval-shipped-100-columns", ["eval", "Examples/out-of-network-without-documentation.json"], exit: 0,
            environment: ["COLUMNS": "100"]),
        GoldenCommand("eval-shipped-why", ["eval", "--why", "Examples/direct-booking-without-authorization.json"], exit: 0),
        GoldenCommand("eval-shipped-color", ["eval", "--color", "always", "Examples/urgent-request.json"], exit: 0),
        GoldenCommand(
            "eval-shipped-no-color", ["eval", "--color", "auto", "Examples/urgent-request.json"], exit: 0,
            environment: ["NO_COLOR": "1"]),
        GoldenCommand("eval-why-json", ["eval", "--why", "--format", "json", "Examples/urgent-request.json"], exit: 2),
        GoldenCommand("eval-text", ["eval", "--policies", Paths.clinic, Paths.case("outside.json")], exit: 0),
        GoldenCommand("eval-text-next-steps", ["eval", "--policies", Paths.clinic, Paths.case("referral.json")], exit: 0),
        GoldenCommand("eval-json", ["eval", "--policies", Paths.clinic, "--format", "json", Paths.case("outside.json")], exit: 0),
        GoldenCommand("eval-explain", ["eval", "--policies", Paths.clinic, "--explain", Paths.case("referral.json")], exit: 0),
        GoldenCommand(
            "eval-explain-json", ["eval", "--policies", Paths.clinic, "--explain", "--format", "json", Paths.case("outside.json")],
            exit: 0),
        GoldenCommand("eval-stdin", ["eval", "--policies", Paths.clinic, "-"], exit: 0, stdin: Paths.case("outside.json")),
        GoldenCommand("eval-jsonl", ["eval", "--policies", Paths.clinic, "--jsonl", Paths.case("batch.jsonl")], exit: 0),
        GoldenCommand("eval-jsonl-jobs-2", ["eval", "--policies", Paths.clinic, "--jsonl", "--jobs", "2", Paths.case("batch.jsonl")], exit: 0),
        GoldenCommand(
            "eval-jsonl-explain", ["eval", "--policies", Paths.clinic, "--jsonl", "--explain", Paths.case("batch.jsonl")], exit: 0),
        GoldenCommand("eval-jsonl-stdin", ["eval", "--policies", Paths.clinic, "--jsonl", "-"], exit: 0, stdin: Paths.case("batch.jsonl")),
        GoldenCommand("eval-jsonl-errors", ["eval", "--policies", Paths.clinic, "--jsonl", Paths.case("batch-with-errors.jsonl")], exit: 1),
        GoldenCommand(
            "eval-jsonl-errors-jobs-2",
            ["eval", "--policies", Paths.clinic, "--jsonl", "--jobs", "2", Paths.case("batch-with-errors.jsonl")], exit: 1),
        GoldenCommand(
            "eval-jsonl-misspelled-payers", ["eval", "--policies", Paths.payers, "--jsonl", Paths.case("misspelled-payers.jsonl")],
            exit: 1),
        GoldenCommand("eval-jsonl-unreadable", ["eval", "--policies", Paths.clinic, "--jsonl", Paths.case("no-such-cases.jsonl")], exit: 1),
        GoldenCommand("eval-broken-case", ["eval", "--policies", Paths.clinic, Paths.case("broken.json")], exit: 1),
        GoldenCommand("eval-broken-case-json", ["eval", "--policies", Paths.clinic, "--format", "json", Paths.case("broken.json")], exit: 1),
        GoldenCommand("eval-unreadable-case", ["eval", "--policies", Paths.clinic, Paths.case("no-such-case.json")], exit: 1),
        GoldenCommand("eval-unknown-payer", ["eval", "--policies", Paths.clinic, Paths.case("unknown-payer.json")], exit: 1),
        GoldenCommand(
            "eval-unknown-payer-json", ["eval", "--policies", Paths.clinic, "--format", "json", Paths.case("unknown-payer.json")], exit: 1),
        GoldenCommand(
            "eval-unknown-policy", ["eval", "--policies", Paths.clinic, "--policy", "clinic/outpatiant", Paths.case("outside.json")],
            exit: 1),
        GoldenCommand("eval-not-in-force", ["eval", "--policies", Paths.clinic, Paths.case("before-effective.json")], exit: 3),
        GoldenCommand(
            "eval-not-in-force-json", ["eval", "--policies", Paths.clinic, "--format", "json", Paths.case("before-effective.json")],
            exit: 3),
        GoldenCommand(
            "eval-as-of", ["eval", "--policies", Paths.clinic, "--as-of", "2026-01-01", Paths.case("before-effective.json")], exit: 0),
        GoldenCommand("eval-policies-with-errors", ["eval", "--policies", Paths.broken, Paths.case("outside.json")], exit: 3),
        GoldenCommand(
            "eval-policies-with-errors-json", ["eval", "--policies", Paths.broken, "--format", "json", Paths.case("outside.json")], exit: 3),
        GoldenCommand(
            "eval-policies-with-errors-jsonl", ["eval", "--policies", Paths.broken, "--jsonl", Paths.case("batch.jsonl")], exit: 3),
        GoldenCommand(
            "eval-output-unwritable",
            ["eval", "--policies", Paths.clinic, "--output", "\(Paths.fixtures)/no-such-directory/decision.json", Paths.case("outside.json")],
            exit: 3),
    ]

    static let cases: [GoldenCommand] = [
        GoldenCommand("cases-medicare", ["cases", "medicare/traditional-part-b"], exit: 0),
        GoldenCommand("cases-unknown-policy", ["cases", "medicare/traditional-part"], exit: 1),
        GoldenCommand("test-record-bad-line", ["test", "--record", "Examples/batch.jsonl"], exit: 1),
        GoldenCommand("usage-test-output-without-record", ["test", "--output", "recorded.test.yaml"], exit: 2),
        GoldenCommand("diff-medicare", ["diff", "Policies/medicare/traditional-part-b.yaml", "\(Paths.fixtures)/diff/medicare-new.yaml"], exit: 1),
        GoldenCommand(
            "diff-medicare-markdown",
            ["diff", "--format", "markdown", "Policies/medicare/traditional-part-b.yaml", "\(Paths.fixtures)/diff/medicare-new.yaml"], exit: 1),
        GoldenCommand(
            "diff-medicare-json", ["diff", "--format", "json", "Policies/medicare/traditional-part-b.yaml", "\(Paths.fixtures)/diff/medicare-new.yaml"],
            exit: 1),
        GoldenCommand("diff-unchanged", ["diff", "Policies/medicare/traditional-part-b.yaml", "Policies/medicare/traditional-part-b.yaml"], exit: 0),
        GoldenCommand(
            "diff-versions", ["diff", "--policy", "test/versioned", "--from", "2026-02-01", "--to", "2026-08-15", "Tests/PrecertTests/Fixtures/versions"],
            exit: 0),
        GoldenCommand("diff-unknown-revision", ["diff", "--base", "no-such-revision", "Policies/medicare"], exit: 2),
        GoldenCommand("diff-policy-without-dates", ["diff", "--policy", "test/versioned"], exit: 2),
        GoldenCommand("diff-no-common-policy", ["diff", "Policies/medicare/traditional-part-b.yaml", "Policies/aetna"], exit: 2),
    ]

    static let test: [GoldenCommand] = [
        GoldenCommand("test-shipped", ["test", "--coverage", "--min-coverage", "100", "Policies"], exit: 0),
        GoldenCommand("test-passing", ["test", Paths.clinic], exit: 0),
        GoldenCommand("test-failing", ["test", Paths.clinic, "\(Paths.fixtures)/failing-tests"], exit: 1),
        GoldenCommand("test-coverage", ["test", "--coverage", Paths.clinic], exit: 0),
        GoldenCommand("test-min-coverage-met", ["test", "--min-coverage", "80", Paths.clinic], exit: 0),
        GoldenCommand("test-min-coverage-short", ["test", "--min-coverage", "90", Paths.clinic], exit: 1),
        GoldenCommand("test-misspelled", ["test", Paths.clinic, "\(Paths.fixtures)/misspelled-tests"], exit: 1),
        // Two versions of one policy: coverage, and the minimum, per version.
        GoldenCommand("test-versions-coverage", ["test", "--coverage", Paths.versionedTests, "Policies/calendars"], exit: 0),
        GoldenCommand("test-versions-min-coverage", ["test", "--min-coverage", "40", Paths.versionedTests, "Policies/calendars"], exit: 1),
        GoldenCommand("test-warnings", ["test", Paths.warnings], exit: 0),
        GoldenCommand("test-warnings-strict", ["test", "--strict", Paths.warnings], exit: 1),
        GoldenCommand("test-help", ["test", "--help"], exit: 0, environment: ["COLUMNS": "80"]),
    ]

    static let graph: [GoldenCommand] = [
        GoldenCommand("graph-shipped", ["graph", "kaiser-norcal/behavioral-health", "coverage"], exit: 0),
        GoldenCommand("graph", ["graph", "--policies", Paths.clinic, "clinic/outpatient", "authorization"], exit: 0),
        GoldenCommand("graph-file", ["graph", "--policies", Paths.clinic, "\(Paths.clinic)/outpatient.yaml", "turnaround"], exit: 0),
        GoldenCommand("graph-unknown-decision", ["graph", "--policies", Paths.clinic, "clinic/outpatient", "turnarond"], exit: 1),
        GoldenCommand("graph-unknown-policy", ["graph", "--policies", Paths.clinic, "clinic/outpatiant", "turnaround"], exit: 1),
        GoldenCommand(
            "graph-not-in-force", ["graph", "--policies", Paths.clinic, "--as-of", "2025-06-01", "clinic/outpatient", "turnaround"], exit: 3),
        GoldenCommand(
            "graph-file-without-policy", ["graph", "--policies", Paths.clinic, "\(Paths.clinic)/calendars/clinic-holidays.yaml", "turnaround"],
            exit: 1),
        GoldenCommand("graph-file-with-errors", ["graph", "--policies", Paths.clinic, "\(Paths.broken)/outpatient.yaml", "authorization"], exit: 1),
        GoldenCommand("graph-policies-with-errors", ["graph", "--policies", Paths.broken, "clinic/outpatient", "authorization"], exit: 3),
        // Hit all: one cluster per rule.
        GoldenCommand("graph-hit-all", ["graph", "--policies", Paths.clinic, "clinic/outpatient", "risks"], exit: 0),
        GoldenCommand("graph-shipped-denial-risks", ["graph", "--format", "dot", "kaiser-norcal/behavioral-health", "denial_risks"], exit: 0),
        // Rendering without Graphviz: the program PRECERT_DOT names does not exist.
        GoldenCommand(
            "graph-svg-without-graphviz", ["graph", "--policies", Paths.clinic, "--format", "svg", "clinic/outpatient", "authorization"],
            exit: 3, environment: ["PRECERT_DOT": "\(Paths.fixtures)/no-such-dot"]),
        GoldenCommand(
            "graph-png-without-graphviz",
            ["graph", "--policies", Paths.clinic, "--format", "png", "--output", "\(Paths.fixtures)/no-such-directory/a.png", "clinic/outpatient",
             "authorization"],
            exit: 3, environment: ["PRECERT_DOT": "\(Paths.fixtures)/no-such-dot"]),
    ]

    static let doc: [GoldenCommand] = [
        GoldenCommand(
            "doc-unknown-policy", ["doc", "--policies", Paths.clinic, "--output", "\(Paths.fixtures)/no-such-directory/book", "clinic/outpatiant"],
            exit: 1),
        GoldenCommand(
            "doc-policies-with-errors", ["doc", "--policies", Paths.broken, "--output", "\(Paths.fixtures)/no-such-directory/book"], exit: 3),
        GoldenCommand("doc-unwritable-folder", ["doc", "--policies", Paths.clinic, "--output", "\(Paths.clinic)/outpatient.yaml/book"], exit: 3),
        GoldenCommand("doc-output-is-a-file", ["doc", "--policies", Paths.clinic, "--output", "\(Paths.clinic)/outpatient.yaml"], exit: 3),
        GoldenCommand("usage-doc-without-output", ["doc", "--policies", Paths.clinic], exit: 2),
    ]

    static let schema: [GoldenCommand] = [
        GoldenCommand("schema-policy", ["schema", "policy"], exit: 0),
        GoldenCommand("schema-case", ["schema", "case"], exit: 0),
        GoldenCommand("schema-decision", ["schema", "decision"], exit: 0),
        GoldenCommand("schema-error", ["schema", "error"], exit: 0),
    ]

    static let usage: [GoldenCommand] = [
        GoldenCommand("version", ["--version"], exit: 0),
        GoldenCommand("usage-jobs-0", ["eval", "--jsonl", "--jobs", "0", Paths.case("batch.jsonl")], exit: 2),
        GoldenCommand("usage-jsonl-format-text", ["eval", "--jsonl", "--format", "text", Paths.case("batch.jsonl")], exit: 2),
        GoldenCommand("usage-format-equals-text-jsonl", ["eval", "--format=text", "--jsonl", Paths.case("batch.jsonl")], exit: 2),
        GoldenCommand("usage-jobs-without-jsonl", ["eval", "--jobs", "2", Paths.case("outside.json")], exit: 2),
        GoldenCommand("usage-bad-as-of", ["eval", "--as-of", "2026-13-01", Paths.case("outside.json")], exit: 2),
        GoldenCommand("usage-eval-without-case", ["eval"], exit: 2),
        GoldenCommand("usage-unknown-subcommand", ["frobnicate"], exit: 2),
        GoldenCommand("usage-unknown-schema", ["schema", "rule"], exit: 2),
        GoldenCommand("usage-min-coverage-over-100", ["test", "--min-coverage", "120", Paths.clinic], exit: 2),
        GoldenCommand("usage-strict-fail-on-error", ["check", "--strict", "--fail-on", "error", Paths.warnings], exit: 2),
        GoldenCommand("usage-fail-on-unknown-level", ["check", "--fail-on", "note", Paths.warnings], exit: 2),
        GoldenCommand("usage-graph-png-without-output", ["graph", "--format", "png", "kaiser-norcal/behavioral-health", "coverage"], exit: 2),
        GoldenCommand("usage-graph-unknown-format", ["graph", "--format", "jpeg", "kaiser-norcal/behavioral-health", "coverage"], exit: 2),
    ]
}

@Suite("precert commands, run as a process")
struct CommandTests {
    @Test("exit status, standard output and standard error match the golden files", arguments: GoldenCommand.all)
    func golden(_ command: GoldenCommand) throws {
        let run = try CLI.run(command.arguments, stdin: command.stdin, environment: command.environment)
        #expect(!run.signaled, "precert crashed: \(run.err)")
        #expect(run.status == command.status, "stderr: \(run.err)")
        try CLI.expectGolden(CLI.normalized(run.out), "\(command.name).stdout")
        try CLI.expectGolden(CLI.normalized(run.err), "\(command.name).stderr")
    }

    @Test("--jobs 2 writes the same bytes as one job")
    func jobsKeepOrder() throws {
        let arguments = ["eval", "--policies", Paths.clinic, "--jsonl", Paths.case("batch-with-errors.jsonl")]
        let one = try CLI.run(arguments)
        let two = try CLI.run(arguments + ["--jobs", "2"])
        #expect(one == two)
    }

    @Test("--output FILE holds exactly what standard output would, and nothing else is left beside it")
    func outputFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("precert-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let single = directory.appendingPathComponent("decision.json")
        let lines = directory.appendingPathComponent("decisions.jsonl")

        let first = try CLI.run(["eval", "--policies", Paths.clinic, "--format", "json", "--output", single.path, Paths.case("outside.json")])
        #expect(first.status == 0)
        #expect(first.stdout.isEmpty && first.stderr.isEmpty, "\(first.err)")
        try CLI.expectGolden(CLI.normalized(String(decoding: try Data(contentsOf: single), as: UTF8.self)), "eval-json.stdout", owner: false)

        let second = try CLI.run(
            ["eval", "--policies", Paths.clinic, "--jsonl", "--jobs", "2", "--output", lines.path, Paths.case("batch.jsonl")])
        #expect(second.status == 0)
        #expect(second.stdout.isEmpty && second.stderr.isEmpty, "\(second.err)")
        try CLI.expectGolden(CLI.normalized(String(decoding: try Data(contentsOf: lines), as: UTF8.self)), "eval-jsonl.stdout", owner: false)

        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["decision.json", "decisions.jsonl"])
    }

    @Test("a case that cannot be evaluated leaves its error document in --output FILE and exits 1")
    func outputFileOfBrokenCase() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("precert-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("errors.json")

        let run = try CLI.run(["eval", "--policies", Paths.clinic, "--format", "json", "--output", file.path, Paths.case("broken.json")])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty && run.stderr.isEmpty, "\(run.err)")
        try CLI.expectGolden(CLI.normalized(String(decoding: try Data(contentsOf: file), as: UTF8.self)), "eval-broken-case-json.stdout", owner: false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["errors.json"])
    }

    @Test("a policy with errors in --policies leaves no output file behind")
    func noOutputFileWhenPoliciesFail() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("precert-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let run = try CLI.run(
            ["eval", "--policies", Paths.broken, "--output", directory.appendingPathComponent("decision.txt").path, Paths.case("outside.json")])
        #expect(run.status == 3)
        try CLI.expectGolden(CLI.normalized(run.err), "eval-policies-with-errors.stderr", owner: false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("doc writes index.html and a page per policy version, the same bytes in every process, nothing else")
    func docWritesTheBook() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("precert-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var books: [[String: Data]] = []
        for run in 1...3 {
            let book = directory.appendingPathComponent("book-\(run)/nested")
            let result = try CLI.run(["doc", "--policies", Paths.clinic, "--output", book.path])
            #expect(result.status == 0, "stderr: \(result.err)")
            #expect(CLI.normalized(result.out, temporary: directory) == "wrote <tmp>/book-\(run)/nested/index.html and 1 policy page\n")
            // Graphviz draws the diagrams when it is installed; otherwise a note says how to get it.
            #expect(result.err.isEmpty || result.err.contains("[doc.no-graphviz]"), "\(result.err)")
            let names = try FileManager.default.contentsOfDirectory(atPath: book.path).sorted()
            #expect(names == ["clinic_outpatient_2026-01-01.html", "index.html"])
            books.append(Dictionary(uniqueKeysWithValues: try names.map { ($0, try Data(contentsOf: book.appendingPathComponent($0))) }))
        }
        #expect(books[1] == books[0] && books[2] == books[0])
        let page = String(decoding: books[0]["clinic_outpatient_2026-01-01.html"] ?? Data(), as: UTF8.self)
        #expect(page.hasPrefix("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\""))
        #expect(page.contains("outpatient.yaml:22"))

        // Only the policies named, and again into the same folder: files are replaced whole.
        let book = directory.appendingPathComponent("book-1/nested")
        let again = try CLI.run(["doc", "--policies", Paths.clinic, "--output", book.path + "/", "clinic/outpatient"])
        #expect(again.status == 0, "stderr: \(again.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: book.path).sorted() == ["clinic_outpatient_2026-01-01.html", "index.html"])
    }

    @Test("doc exits 3 with a clear message when a page cannot be moved into place, and leaves no temporary file")
    func docPageUnwritable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("precert-doc-\(UUID().uuidString)")
        // A folder where index.html should go: the rename of the finished page fails.
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("index.html/inside"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["doc", "--policies", Paths.clinic, "--output", directory.path])
        #expect(result.status == 3)
        #expect(result.out.isEmpty)
        #expect(CLI.normalized(result.err, temporary: directory).contains("error: cannot move the output into `<tmp>/index.html` [io.unwritable]"), "\(result.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["index.html"])
    }

    @Test("every golden file belongs to a command, so that none is left stale")
    func noStaleGoldenFiles() throws {
        let names = Set(GoldenCommand.all.flatMap { ["\($0.name).stdout", "\($0.name).stderr"] })
        let files = try FileManager.default.contentsOfDirectory(atPath: CLI.goldenDirectory.path)
        #expect(files.filter { !names.contains($0) }.sorted() == [])
    }
}
