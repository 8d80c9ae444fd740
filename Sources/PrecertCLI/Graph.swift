import ArgumentParser
import Foundation
import Precert

extension PrecertCommand {
    /// `precert graph`: prints a decision's diagram as Graphviz DOT.
    struct Graph: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a decision's diagram as Graphviz DOT.",
            discussion: "Render it with Graphviz: precert graph kaiser-norcal/behavioral-health coverage | dot -Tsvg > coverage.svg"
        )

        @Argument(help: "A policy id (such as kaiser-norcal/behavioral-health) or a policy file.")
        var policy: String

        @Argument(help: "The decision to draw.")
        var decision: String

        @OptionGroup var policyOptions: PolicyOptions

        @Option(name: .customLong("as-of"), help: "For a policy id with several versions, the version in force on this date (default: the newest).")
        var asOf: CivilDate?

        func run() throws {
            let isFile = policy.hasSuffix(".yaml") || policy.hasSuffix(".yml")
            let catalog: PolicyCatalog
            if isFile {
                // A single file still needs the calendars it names.
                let result = PolicyCatalog.load(paths: [policy, policyOptions.policies + "/calendars"])
                let errors = result.diagnostics.filter { $0.severity == .error }
                if !errors.isEmpty {
                    try emit(errors, sources: result.sources, format: .text)
                    throw ExitCode(1)
                }
                catalog = result.catalog
            } else {
                catalog = try policyOptions.loadCatalog()
            }
            let versions = catalog.policies.filter { isFile ? $0.source.file == policy : $0.policy.id == policy }
            guard !versions.isEmpty else {
                let ids = Set(catalog.policies.map(\.policy.id)).sorted()
                let hint = Suggestion.didYouMean(policy, in: ids) ?? "policies: \(ids.joined(separator: ", "))"
                try emit([.error("catalog.unknown-policy", "no policy `\(policy)`", at: nil, hint: hint)], sources: [], format: .text)
                throw ExitCode(1)
            }
            let chosen = asOf.map { date in versions.last { $0.isInForce(on: date) } } ?? versions.last
            guard let chosen else {
                try emit([.error("catalog.not-in-force", "no version of `\(policy)` is in force on \(asOf!)", at: nil)], sources: [], format: .text)
                throw ExitCode(1)
            }
            guard let index = chosen.policy.decisionIndex(named: decision) else {
                let names = chosen.policy.decisions.map(\.name)
                let hint = Suggestion.didYouMean(decision, in: names) ?? "decisions: \(names.joined(separator: ", "))"
                try emit([.error("graph.unknown-decision", "policy `\(chosen.policy.id)` has no decision `\(decision)`", at: nil, hint: hint)], sources: [], format: .text)
                throw ExitCode(1)
            }
            guard let dot = GraphvizExport.dot(chosen.compiled, decision: index) else {
                try emit([.error("graph.fallback", "decision `\(decision)` has no diagram: it is evaluated rule by rule", at: nil)], sources: [], format: .text)
                throw ExitCode(1)
            }
            print(dot, terminator: "")
        }
    }
}
