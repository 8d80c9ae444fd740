import ArgumentParser
import Foundation
import Precert

extension PrecertCommand {
    /// `precert check`: loads policy files and prints every problem found.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check policy files and print every diagnostic.",
            discussion: """
                Loads every .yaml file under the given paths (default: Policies/) and prints every \
                error and warning, with the analysis (shadowed rules, gaps, overlaps). Exits 0 when \
                there is no error, 1 when there is any, 2 on a usage error, 3 when the output cannot be \
                written.
                """
        )

        @Argument(help: "Policy files or directories to check.")
        var paths: [String] = ["Policies"]

        @Option(help: "Output format: text for people, json for tools.")
        var format: OutputFormat = .text

        func run() throws {
            let loaded = PolicyCatalog.load(paths: paths)
            try emit(loaded.diagnostics, sources: loaded.sources, format: format)
            if loaded.hasErrors { throw CommandFailure.input }
        }
    }
}
