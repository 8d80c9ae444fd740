import ArgumentParser
import Foundation
import Precert

/// Where the policies come from; shared by every command that evaluates.
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: "The directory of policies and calendars.")
    var policies: String = "Policies"

    /// Loads the catalog, printing errors (and exiting 1) when any file has one.
    func loadCatalog(format: OutputFormat = .text) throws -> PolicyCatalog {
        let result = PolicyCatalog.load(paths: [policies])
        let errors = result.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            emit(errors.sortedByLocation(), sources: result.sources, format: format)
            throw ExitCode(1)
        }
        return result.catalog
    }
}

/// Parses `YYYY-MM-DD` for `--as-of`.
extension CivilDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(iso: argument) }
}

/// Writes bytes to standard output.
func writeOut(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(bytes))
}

/// Writes text to standard error.
func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
