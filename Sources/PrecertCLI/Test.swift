import ArgumentParser
import Foundation
import Precert

extension PrecertCommand {
    /// `precert test`: runs the policy test files and reports failures and rule coverage.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run policy test files (*.test.yaml) and report failures and rule coverage.",
            discussion: """
                Loads the policies, calendars and test files under the given paths (default: Policies/), \
                evaluates every test case against the policy its file names, and prints each failing \
                case with what was expected, what the policy answered and the rule that decided, then \
                `N passed, M failed`. Warnings about test files (a file name, a case field the policy \
                does not read) are printed but do not fail the run, unless --strict.

                With --record CASES.jsonl, runs nothing: writes a test file whose expectations are the \
                answers the policies under the paths give now to those cases (one per line, such as \
                `precert cases` writes), for a reviewer to confirm before trusting it.

                Exit status: 0 when every case passes (or the file was recorded); 1 on a failing case, \
                an error in a policy or test file, coverage under --min-coverage, a case --record cannot \
                evaluate, or with --strict (or --fail-on warning) any warning; 2 on a usage error; 3 \
                when the output cannot be written or, with --record, the policies have errors.
                """
        )

        @Argument(help: "Directories or files holding the policies, their calendars and their test files.")
        var paths: [String] = ["Policies"]

        @Flag(help: "List every rule and default that no test case reaches, and each policy's coverage.")
        var coverage = false

        @Option(
            name: .customLong("min-coverage"),
            help: ArgumentHelp("Exit 1 when any policy's rule coverage is below this percentage.", valueName: "percent"))
        var minCoverage: Double?

        @OptionGroup var failure: FailOnOptions

        @Option(help: ArgumentHelp("Write a test file recording the answers given now to these cases (JSON Lines).", valueName: "cases.jsonl"))
        var record: String?

        @Option(help: "With --record, write the test file here instead of standard output; it appears whole or not at all.")
        var output: String?

        func validate() throws {
            if output != nil && record == nil { throw ValidationError("--output applies to --record") }
            if record != nil && (coverage || minCoverage != nil) { throw ValidationError("--record runs no test: drop --coverage and --min-coverage") }
            if let minCoverage, !(0...100).contains(minCoverage) {
                throw ValidationError("--min-coverage must be a percentage from 0 to 100, not \(Self.percent(minCoverage))")
            }
        }

        func run() throws {
            if let record { return try recordCases(record) }
            let run = PolicyTestRunner.run(paths: paths)
            let below = minCoverage.map { minimum in run.coverage.filter { $0.percent < minimum } } ?? []
            let shortfalls: [Diagnostic] = below.map { policy in
                commandError(
                    "test.coverage",
                    "rule coverage of `\(policy.policyID)` (effective \(policy.effective)) is \(PolicyTestReport.percentText(policy.percent)), below the minimum of \(Self.percent(minCoverage ?? 0))",
                    hint: "run `precert test --coverage` to list the rules no test reaches")
            }
            try emit((run.diagnostics + shortfalls).errorsFirst, sources: run.sources, format: .text)
            var out = PolicyTestReport.failures(run)
            if coverage {
                out += PolicyTestReport.coverage(run)
            } else {
                // Without --coverage, still show the numbers of the policies that fall short.
                out += below.map(PolicyTestReport.coverageLine).joined()
            }
            out += PolicyTestReport.summary(run) + "\n"
            try writeOut(Array(out.utf8))
            // The policies and test files are what `test` was given: their errors, like failing
            // cases and coverage short of the minimum, are the input's fault.
            if !run.succeeded || !below.isEmpty || failure.fails(run.diagnostics) { throw CommandFailure.input }
        }

        /// The bound as the user wrote it (`100%`, `92.5%`); `percentText` rounds down, which suits
        /// measured coverage but would misstate a bound.
        private static func percent(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e6 ? "\(Int(value))%" : "\(value)%"
        }

        /// `--record`: the test file for the cases in `file`, from the policies under `paths`.
        private func recordCases(_ file: String) throws {
            let loaded = PolicyCatalog.load(paths: paths)
            if loaded.hasErrors {
                try emit(loaded.diagnostics.errorsFirst, sources: loaded.sources, format: .text)
                throw CommandFailure.deployment
            }
            guard let handle = FileHandle(forReadingAtPath: file), let data = try? handle.readToEnd() else {
                try emit([commandError("io.unreadable", "cannot read `\(file)`")], sources: [], format: .text)
                throw CommandFailure.input
            }
            switch TestRecorder.record(Array(data ?? Data()), catalog: loaded.catalog) {
            case .failure(let failure):
                try emit(
                    failure.lines.map { commandError("test.record", "\(file) line \($0.line): \($0.message)") }, sources: [], format: .text)
                throw CommandFailure.input
            case .success(let text):
                let sink = try OutputSink(path: output)
                try sink.write(Array(text.utf8))
                try sink.commit()
            }
        }
    }
}
