import ArgumentParser
import Foundation
import Precert

extension PrecertCommand {
    /// `precert graph`: draws a decision, as Graphviz DOT or rendered by Graphviz.
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a decision: Graphviz DOT, or an SVG or PNG picture rendered by Graphviz.",
            discussion: """
                Each test is a box in the policy's words; a test of another decision's answer is one \
                box naming that decision ("authorization is required or expired"). A decision with \
                hit policy all is drawn as one small diagram per rule, first and unique as one \
                diagram in rule order. --format dot (the default) writes the DOT text and needs no \
                Graphviz; svg and png run Graphviz's dot program (on PATH, or the program PRECERT_DOT \
                names; for at most 30 seconds, or PRECERT_DOT_TIMEOUT), png only to --output: \
                precert graph kaiser-norcal/behavioral-health coverage --format svg --output coverage.svg. \
                To install Graphviz: sudo apt-get install graphviz, or brew install graphviz. \
                Exits 0 when the drawing was written; 1 for an unknown policy or decision, a decision \
                too large to draw, or errors in the policy file given; 2 on a usage error; 3 when the \
                policies or calendars under --policies have errors, no version is in force on --as-of, \
                Graphviz is not installed, fails or runs out of time, or the output cannot be written.
                """
        )

        @Argument(help: "A policy id (such as kaiser-norcal/behavioral-health) or a policy file.")
        var policy: String

        @Argument(help: "The decision to draw.")
        var decision: String

        @OptionGroup var policyOptions: PolicyOptions

        @Option(name: .customLong("as-of"), help: "For a policy id with several versions, the version in force on this date (default: the newest).")
        var asOf: CivilDate?

        @Option(help: "dot (the DOT text, needs no Graphviz), svg or png (rendered by Graphviz).")
        var format: GraphFormat = .dot

        @Option(help: "Write to this file instead of standard output (required for png); it appears whole or not at all.")
        var output: String?

        func validate() throws {
            if format == .png, output == nil {
                throw ValidationError("--format png writes an image: give the file with --output FILE")
            }
            if output?.isEmpty == true {
                throw ValidationError("--output needs a file name")
            }
        }

        /// Whether `policy` names a file rather than a policy id.
        private var isFile: Bool { policy.hasSuffix(".yaml") || policy.hasSuffix(".yml") }

        func run() throws {
            let catalog = isFile ? try loadFile() : try policyOptions.loadCatalog()
            // A file holds one policy; an id is looked up among all of them.
            let id = isFile ? catalog.policies.first?.id : policy
            guard let id, catalog.policies.contains(where: { $0.id == id }) else {
                let problem = isFile
                    ? commandError("graph.no-policy", "`\(policy)` holds no policy", hint: "a policy file starts with `precert: 1`")
                    : unknownPolicy(policy, in: catalog)
                try emit([problem], sources: [], format: .text)
                throw CommandFailure.input
            }
            let chosen = try versionInForce(id, on: asOf, in: catalog)
            let names = chosen.decisionNames
            guard names.contains(decision) else {
                let hint = Suggestion.didYouMean(decision, in: names) ?? "decisions: \(names.map { "`\($0)`" }.joined(separator: ", "))"
                try emit(
                    [commandError("graph.unknown-decision", "policy `\(chosen.id)` has no decision `\(decision)`", hint: hint)],
                    sources: [], format: .text)
                throw CommandFailure.input
            }
            guard let dot = chosen.graphviz(decision: decision) else {
                try emit(
                    [commandError(
                        "graph.fallback", "decision `\(decision)` is too large to draw",
                        hint: "split it into smaller decisions or named conditions")],
                    sources: [], format: .text)
                throw CommandFailure.input
            }
            let bytes = format == .dot ? Array(dot.utf8) : try Graphviz.render(dot, as: format)
            let sink = try OutputSink(path: output)
            try sink.write(bytes)
            try sink.commit()
        }

        /// Loads the policy file given with the calendars under `--policies`. As with `check`,
        /// errors in the file given are the input's fault (exit 1); errors in the calendars are
        /// the deployment's (exit 3), so they are loaded on their own first.
        private func loadFile() throws -> PolicyCatalog {
            let calendars = PolicyCatalog.load(paths: [policyOptions.policies + "/calendars"])
            if calendars.hasErrors {
                try emit(calendars.diagnostics.filter { $0.severity == .error }, sources: calendars.sources, format: .text)
                throw CommandFailure.deployment
            }
            let result = PolicyCatalog.load(paths: [policy, policyOptions.policies + "/calendars"])
            if result.hasErrors {
                try emit(result.diagnostics.filter { $0.severity == .error }, sources: result.sources, format: .text)
                throw CommandFailure.input
            }
            return result.catalog
        }
    }
}

/// What `precert graph` writes.
enum GraphFormat: String, ExpressibleByArgument, CaseIterable {
    /// Graphviz's text, written by Precert itself.
    case dot
    /// An SVG picture, rendered by Graphviz.
    case svg
    /// A PNG picture, rendered by Graphviz.
    case png
}
