import ArgumentParser
import Foundation
import Precert

extension PrecertCommand {
    /// `precert cases`: a covering set of cases for a policy, generated from its decision diagrams.
    struct Cases: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a covering set of cases for a policy, as JSON Lines, generated from its decision diagrams.",
            discussion: """
                For every decision, one case down each path of its diagram to each answer it can give \
                (every rule, default, no rule and does not apply), with values on both sides of every \
                date and number threshold and inputs left absent where a path needs them unknown. Each \
                case is evaluated and kept only when it really gets the answer it was built for. The \
                cases are in the case format, with `case_id` naming the policy, decision and path, and \
                `request.received_at` inside the version (when the policy reads it): feed them to \
                `precert eval --jsonl`, or turn them into a test file with `precert test --record`. \
                What could not be reached is listed on standard error. Exits 0 when the cases were \
                written; 1 for an unknown policy; 2 on a usage error; 3 when the policies have errors, \
                no version is in force on --as-of, or the output cannot be written.
                """
        )

        @Argument(help: "A policy id, such as kaiser-norcal/behavioral-health.")
        var policy: String

        @OptionGroup var policyOptions: PolicyOptions

        @Option(name: .customLong("as-of"), help: "For a policy with several versions, the version in force on this date (default: the newest).")
        var asOf: CivilDate?

        @Option(help: "The most paths followed per decision.")
        var pathsPerDecision = 64

        @Option(help: "Write to this file instead of standard output; it appears whole or not at all.")
        var output: String?

        func validate() throws {
            if pathsPerDecision < 1 || pathsPerDecision > 10_000 { throw ValidationError("--paths-per-decision must be between 1 and 10000") }
        }

        func run() throws {
            let catalog = try policyOptions.loadCatalog()
            guard catalog.policies.contains(where: { $0.id == policy }) else {
                try emit([unknownPolicy(policy, in: catalog)], sources: [], format: .text)
                throw CommandFailure.input
            }
            let chosen = try versionInForce(policy, on: asOf, in: catalog)
            let covering = CoveringCases(chosen, pathsPerDecision: pathsPerDecision)
            let sink = try OutputSink(path: output)
            try sink.write(Array(covering.jsonLines.utf8))
            try sink.commit()
            var report = "wrote \(covering.cases.count) cases for \(chosen.id) (effective \(chosen.effective))"
            if covering.unreached.isEmpty && covering.withoutDiagram.isEmpty {
                report += ": every answer of every decision is reached\n"
            } else {
                report += "\n"
                for leaf in covering.unreached { report += "  not reached: \(leaf)\n" }
                for name in covering.withoutDiagram { report += "  not covered: decision `\(name)` is evaluated rule by rule (no diagram)\n" }
            }
            writeError(report)
        }
    }
}
