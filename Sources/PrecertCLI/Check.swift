import ArgumentParser
import Foundation
import Precert

extension PrecertCommand {
    /// `precert check`: loads policy files and prints every problem found.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check policy files and print every diagnostic.",
            discussion: """
                Loads every .yaml file under the given paths (default: Policies/). Exits 0 when \
                there is no error, 1 when there is any, 2 on a usage error.
                """
        )

        @Argument(help: "Policy files or directories to check.")
        var paths: [String] = ["Policies"]

        @Option(help: "Output format: text for people, json for tools.")
        var format: OutputFormat = .text

        func run() throws {
            let report = Workspace.check(paths: paths)
            emit(report.diagnostics, sources: report.sources, format: format)
            if report.diagnostics.containsErrors { throw ExitCode(1) }
        }
    }
}

/// Prints diagnostics to standard error (text) or standard output (JSON).
func emit(_ diagnostics: [Diagnostic], sources: [SourceText], format: OutputFormat) {
    switch format {
    case .json:
        print(DiagnosticRenderer.json(diagnostics), terminator: "")
    case .text:
        guard !diagnostics.isEmpty else { return }
        let renderer = DiagnosticRenderer(sources: sources)
        FileHandle.standardError.write(Data(renderer.render(diagnostics).utf8))
    }
}
