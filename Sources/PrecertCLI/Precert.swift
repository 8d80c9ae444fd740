import ArgumentParser
import Precert

/// The `precert` command: checks payer policies and evaluates cases against them.
@main
struct PrecertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precert",
        abstract: "Payer rules as data: check policies, evaluate prior-authorization cases, explain every answer.",
        version: Precert.engineVersion,
        subcommands: [Check.self, Eval.self, Test.self, Graph.self, Schema.self, Bench.self]
    )

    /// Runs the command line; a usage error exits 2, as documented (ArgumentParser's own default
    /// is 64, `EX_USAGE`).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                writeError(fullMessage(for: error) + "\n")
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

/// How diagnostics and results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
