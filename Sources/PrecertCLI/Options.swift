import ArgumentParser
import Foundation
import Precert

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Musl)
import Musl
private let systemWrite = Musl.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Where the policies come from; shared by every command that evaluates.
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: "The directory of policies and calendars.")
    var policies: String = "Policies"

    /// Loads the catalog; when any file has an error, prints every diagnostic and fails as the
    /// deployment's fault (exit 3): a catalog with a policy left out would answer its cases wrongly.
    func loadCatalog(format: OutputFormat = .text, compact: Bool = false) throws -> PolicyCatalog {
        do {
            return try PolicyCatalog(paths: [policies])
        } catch {
            try emit(error.diagnostics.filter { $0.severity == .error }, sources: error.sources, format: format, compact: compact)
            throw CommandFailure.deployment
        }
    }
}

/// What makes `check` and `test` fail: errors only (the default, lenient), or warnings too (for
/// CI that keeps a policy set free of them). `--strict` is `--fail-on warning`.
struct FailOnOptions: ParsableArguments {
    /// The least severe diagnostic that fails the command.
    enum Level: String, ExpressibleByArgument, CaseIterable {
        case error
        case warning
    }

    @Flag(help: "Exit 1 when there is any warning, as for an error (the same as --fail-on warning).")
    var strict = false

    @Option(
        name: .customLong("fail-on"),
        help: ArgumentHelp("The least severe diagnostic that makes the command exit 1: error (the default) or warning.", valueName: "level"))
    var failOn: Level?

    func validate() throws {
        if strict && failOn == .error {
            throw ValidationError("--strict is --fail-on warning; it cannot be combined with --fail-on error")
        }
    }

    /// The level in effect.
    var level: Level { strict ? .warning : failOn ?? .error }

    /// Whether `diagnostics` make the command fail: any error, or with `warning`, any warning.
    func fails(_ diagnostics: [Diagnostic]) -> Bool {
        switch level {
        case .error: diagnostics.containsErrors
        case .warning: diagnostics.contains { $0.severity == .error || $0.severity == .warning }
        }
    }
}

/// `catalog.unknown-policy` for an id no policy has, with a "did you mean" or the ids there are.
func unknownPolicy(_ id: String, in catalog: PolicyCatalog) -> Diagnostic {
    let ids = Set(catalog.policies.map(\.id)).sorted()
    let hint = Suggestion.didYouMean(id, in: ids) ?? "policies: \(ids.map { "`\($0)`" }.joined(separator: ", "))"
    return commandError("catalog.unknown-policy", "no policy `\(id)`", hint: hint)
}

/// The version of policy `id` in force on `asOf` (the newest without a date). No version in force
/// is `catalog.not-in-force`, naming the versions, and the deployment's fault (exit 3), as `eval`'s.
func versionInForce(_ id: String, on asOf: CivilDate?, in catalog: PolicyCatalog) throws -> LoadedPolicy {
    if let chosen = catalog.policy(id: id, on: asOf) { return chosen }
    let versions = catalog.policies.filter { $0.id == id }.map { version in
        "`\(version.id)` from \(version.effective)" + (version.expires.map { " until \($0)" } ?? "")
    }
    try emit(
        [commandError(
            "catalog.not-in-force", "no version of `\(id)` is in force on \(asOf.map { "\($0)" } ?? "any date")",
            hint: "versions: \(versions.joined(separator: "; "))")],
        sources: [], format: .text)
    throw CommandFailure.deployment
}

extension Array where Element == Diagnostic {
    /// The errors, then the rest, each group in its order: what stops a file from loading is read
    /// before what only deserves a look.
    var errorsFirst: [Diagnostic] { filter { $0.severity == .error } + filter { $0.severity != .error } }
}

/// Why a command failed. `PrecertCommand.main` turns each into its exit code, in one place.
enum CommandFailure: Error {
    /// The input's fault (a case that cannot be evaluated, errors found by `check`, a failing
    /// test): exit 1.
    case input
    /// The deployment's fault (policies or calendars with errors, no policy in force for a known
    /// payer, output that cannot be written): exit 3.
    case deployment
    /// `precert diff`: some answers differ (exit 1, as `diff` exits when files differ).
    case differences
    /// `precert diff`: it could not compare (exit 2, as `diff` reports trouble).
    case trouble

    /// The documented exit status.
    var exitCode: Int32 {
        switch self {
        case .input, .differences: 1
        case .deployment: 3
        case .trouble: 2
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
/// document to standard output, on one line when `compact` (JSON Lines output stays one JSON
/// value per line even when the policies fail to load).
func emit(_ diagnostics: [Diagnostic], sources: [SourceText], format: OutputFormat, compact: Bool = false) throws(CommandFailure) {
    switch format {
    case .json:
        try writeOut(Array(DiagnosticRenderer.json(diagnostics, pretty: !compact).utf8))
    case .text:
        guard !diagnostics.isEmpty else { return }
        writeError(DiagnosticRenderer(sources: sources).render(diagnostics))
    }
}

/// An error of the command itself (no place in any file), built through the public initializer.
func commandError(_ id: String, _ message: String, hint: String? = nil) -> Diagnostic {
    Diagnostic(DiagnosticID(id), .error, message, at: nil, hint: hint)
}

/// Writes bytes to standard output; output that cannot be written (a full disk, a closed pipe's
/// reader gone with SIGPIPE ignored) is the deployment's fault, reported once on standard error.
func writeOut(_ bytes: [UInt8]) throws(CommandFailure) {
    guard writeAll(bytes, to: FileHandle.standardOutput.fileDescriptor) else {
        writeError(DiagnosticRenderer().render([commandError("io.unwritable", "cannot write the output")]))
        throw CommandFailure.deployment
    }
}

/// Writes text to standard error. A failure is ignored: there is nowhere left to report it.
func writeError(_ text: String) {
    _ = writeAll(Array(text.utf8), to: FileHandle.standardError.fileDescriptor)
}

/// Writes every byte to `descriptor`, retrying after interruptions; `false` when the system
/// refuses. Straight to the descriptor: `FileHandle.write(_:)` traps on a failed write, and
/// wrapping megabytes of output in `Data` would copy them again.
func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
