import ArgumentParser
import Foundation
import Precert

extension PrecertCommand {
    /// `precert graph`: prints a decision's diagram as Graphviz DOT.
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a decision's diagram as Graphviz DOT.",
            discussion: """
                Render it with Graphviz: precert graph kaiser-norcal/behavioral-health coverage | dot -Tsvg > coverage.svg. \
                Exits 0 when the diagram was printed; 1 for an unknown policy or decision, a decision \
                with no diagram, or errors in the policy file given; 2 on a usage error; 3 when the \
                policies or calendars under --policies have errors or no version is in force on --as-of.
                """
        )

        @Argument(help: "A policy id (such as kaiser-norcal/behavioral-health) or a policy file.")
        var policy: String

        @Argument(help: "The decision to draw.")
        var decision: String

        @OptionGroup var policyOptions: PolicyOptions

        @Option(name: .customLong("as-of"), help: "For a policy id with several versions, the version in force on this date (default: the newest).")
        var asOf: CivilDate?

        /// Whether `policy` names a file rather than a policy id.
        private var isFile: Bool { policy.hasSuffix(".yaml") || policy.hasSuffix(".yml") }

        func run() throws {
            let catalog = isFile ? try loadFile() : try policyOptions.loadCatalog()
            // A file holds one policy; an id is looked up among all of them.
            let id = isFile ? catalog.policies.first?.id : policy
            guard let id, catalog.policies.contains(where: { $0.id == id }) else {
                try emit([unknownPolicy(in: catalog)], sources: [], format: .text)
                throw CommandFailure.input
            }
            guard let chosen = catalog.policy(id: id, on: asOf) else {
                let versions = catalog.policies.filter { $0.id == id }.map { version in
                    "`\(version.id)` from \(version.effective)" + (version.expires.map { " until \($0)" } ?? "")
                }
                try emit(
                    [commandError(
                        "catalog.not-in-force", "no version of `\(id)` is in force on \(asOf.map { "\($0)" } ?? "any date")",
                        hint: "versions: \(versions.joined(separator: "; "))")],
                    sources: [], format: .text)
                // The same fault as `eval`'s when no version is in force: the deployment's.
                throw CommandFailure.deployment
            }
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
                    [commandError("graph.fallback", "decision `\(decision)` has no diagram: it is evaluated rule by rule")],
                    sources: [], format: .text)
                throw CommandFailure.input
            }
            try writeOut(Array(dot.utf8))
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

        /// Why `policy` names no policy: for a file, that it holds none; for an id, the closest
        /// id, or all of them.
        private func unknownPolicy(in catalog: PolicyCatalog) -> Diagnostic {
            if isFile {
                return commandError("graph.no-policy", "`\(policy)` holds no policy", hint: "a policy file starts with `precert: 1`")
            }
            let ids = Set(catalog.policies.map(\.id)).sorted()
            let hint = Suggestion.didYouMean(policy, in: ids) ?? "policies: \(ids.map { "`\($0)`" }.joined(separator: ", "))"
            return commandError("catalog.unknown-policy", "no policy `\(policy)`", hint: hint)
        }
    }
}
