import ArgumentParser
import Precert

/// The `precert` command: checks payer policies and evaluates cases against them.
@main
struct PrecertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precert",
        abstract: "Payer rules as data: check policies, evaluate prior-authorization cases, explain every answer.",
        version: Precert.engineVersion,
        subcommands: [Check.self, Eval.self, Graph.self]
    )
}

/// How diagnostics and results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
