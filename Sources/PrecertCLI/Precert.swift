import ArgumentParser
import Precert

/// The `precert` command: checks payer policies and evaluates cases against them.
@main
struct PrecertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precert",
        abstract: "Payer rules as data: check policies, evaluate prior-authorization cases, explain every answer.",
        discussion: """
            Exit status: 0 success; 1 the input's fault (a case that cannot be evaluated, errors \
            found by check, a failing test); 2 a usage error; 3 the deployment's fault (policies or \
            calendars with errors, no policy in force for a known payer, output that cannot be written).
            """,
        version: PrecertEngine.version,
        subcommands: [Check.self, Eval.self, Test.self, Cases.self, Diff.self, Graph.self, Doc.self, Schema.self]
    )

    /// Runs the command line and turns every failure into its exit status, here and nowhere
    /// else: a usage error exits 2 (ArgumentParser's own default is 64, `EX_USAGE`).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            exit(withError: ExitCode(failure.exitCode))
        } catch {
            if exitCode(for: error) == .validationFailure {
                writeError(fullMessage(for: error) + "\n")
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
