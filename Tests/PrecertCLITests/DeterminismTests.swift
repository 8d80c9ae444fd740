import Foundation
import Testing

/// Swift seeds its hashing at random in every process, so anything printed in `Set` or
/// `Dictionary` order (a "did you mean" picked from a dictionary's keys, say) can differ from one
/// run to the next. These tests run the same command in ten separate processes, with
/// `SWIFT_DETERMINISTIC_HASHING` unset, and require byte-identical output from all of them. Each
/// input misspells names that are equally close to two candidates, where hash order would show.
@Suite("the same input gives the same output in every process")
struct DeterminismTests {
    /// How many processes run each command.
    static let runs = 10

    /// Commands whose output would pick among equally close names.
    static let commands: [GoldenCommand] = [
        // Names, enum values, sets, decisions, a calendar and a placeholder, each one edit from two names.
        GoldenCommand("check-misspelled", ["check", Paths.misspelled], exit: 1),
        GoldenCommand("check-misspelled-json", ["check", "--format", "json", Paths.misspelled], exit: 1),
        // Misspelled decisions, outcomes, rules, statuses, keys and a policy id in test files.
        GoldenCommand("test-misspelled", ["test", Paths.clinic, "\(Paths.fixtures)/misspelled-tests"], exit: 1),
        // Misspelled payers, one of them one edit from both payers of the catalog.
        GoldenCommand(
            "eval-jsonl-misspelled-payers", ["eval", "--policies", Paths.payers, "--jsonl", Paths.case("misspelled-payers.jsonl")],
            exit: 1),
        // Diagram node numbers and traces come from compilation, which keeps dictionaries too.
        GoldenCommand("graph-shipped", ["graph", "kaiser-norcal/behavioral-health", "coverage"], exit: 0),
        GoldenCommand("eval-explain-shipped", ["eval", "--explain", "--format", "json", "Examples/missing-fields.json"], exit: 0),
    ]

    @Test("ten runs print the same bytes", arguments: commands)
    func sameBytes(_ command: GoldenCommand) throws {
        let first = try CLI.run(command.arguments)
        #expect(first.status == command.status, "stderr: \(first.err)")
        for index in 2...Self.runs {
            let again = try CLI.run(command.arguments)
            // Bytes, not `String`s: `String` equality would let canonically equivalent text pass.
            let sameOut = again.stdout == first.stdout
            let sameErr = again.stderr == first.stderr
            #expect(again.status == first.status)
            #expect(sameOut, "run \(index): standard output \(CLI.firstDifference(expected: first.out, actual: again.out))")
            #expect(sameErr, "run \(index): standard error \(CLI.firstDifference(expected: first.err, actual: again.err))")
        }
    }

    @Test("the environment of the runs leaves hashing random")
    func hashingStaysRandom() {
        #expect(CLI.environment["SWIFT_DETERMINISTIC_HASHING"] == nil)
    }
}
