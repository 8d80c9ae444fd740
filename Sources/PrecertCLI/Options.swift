import ArgumentParser
import Foundation
import Precert

/// Where the policies come from; shared by every command that evaluates.
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: "The directory of policies and calendars.")
    var policies: String = "Policies"

    /// Loads the catalog; when any file has an error, prints every diagnostic and fails as the
    /// deployment's fault (exit 3): a catalog with a policy left out would answer its cases wrongly.
    func loadCatalog(format: OutputFormat = .text) throws -> PolicyCatalog {
        do {
            return try PolicyCatalog(paths: [policies])
        } catch {
            emit(error.diagnostics.filter { $0.severity == .error }, sources: error.sources, format: format)
            throw CommandFailure.deployment
        }
    }
}

/// Why a command failed. `PrecertCommand.main` turns each into its exit code, in one place.
enum CommandFailure: Error {
    /// The input's fault (a case that cannot be evaluated, errors found by `check`, a failing
    /// test): exit 1.
    case input
    /// The deployment's fault (policies or calendars with errors, no policy in force for a known
    /// payer, output that cannot be written): exit 3.
    case deployment

    /// The documented exit status.
    var exitCode: Int32 {
        switch self {
        case .input: 1
        case .deployment: 3
        }
    }
}

/// How diagnostics and results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// Parses `YYYY-MM-DD` for `--as-of`.
extension CivilDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(iso: argument) }
}

/// Prints diagnostics: text with the quoted source line to standard error, or the JSON error
/// document to standard output.
func emit(_ diagnostics: [Diagnostic], sources: [SourceText], format: OutputFormat) {
    switch format {
    case .json:
        writeOut(Array(DiagnosticRenderer.json(diagnostics).utf8))
    case .text:
        guard !diagnostics.isEmpty else { return }
        writeError(DiagnosticRenderer(sources: sources).render(diagnostics))
    }
}

/// Writes bytes to standard output.
func writeOut(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(bytes))
}

/// Writes text to standard error.
func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
