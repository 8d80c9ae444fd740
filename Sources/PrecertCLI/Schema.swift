import ArgumentParser
import Precert

extension PrecertCommand {
    /// `precert schema`: prints the JSON Schema of a policy file, a case, a decision or an error document.
    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the JSON Schema of a policy file, a case, a decision or an error document.",
            discussion: """
                Save the output and point your editor at it: for policy files, put \
                `# yaml-language-server: $schema=precert-policy.schema.json` at the top of the YAML \
                (with the path to the saved file) to get completion, hover help and validation. The \
                schemas check shape only; `precert check` remains the authority on a policy. Exits 0, \
                2 on a usage error, 3 when the output cannot be written.
                """
        )

        /// Which document's schema to print.
        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case policy
            case `case`
            case decision
            case error

            var text: String {
                switch self {
                case .policy: Schemas.policy
                case .case: Schemas.case
                case .decision: Schemas.decision
                case .error: Schemas.error
                }
            }
        }

        @Argument(help: "The document: policy, case, decision or error.")
        var kind: Kind

        func run() throws {
            // The newline makes `> file.json` a well-formed text file.
            try writeOut(Array(kind.text.utf8) + [UInt8(ascii: "\n")])
        }
    }
}
