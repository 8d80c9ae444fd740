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
                schemas check shape only; `precert check` remains the authority on a policy. The case \
                schema is derived from the case format of the policies (`case-format.yaml` in \
                --policies). Exits 0, 2 on a usage error, 3 when the output cannot be written or the \
                policies have errors or no case format.
                """
        )

        /// Which document's schema to print.
        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case policy
            case `case`
            case decision
            case error

            /// The schema's text; the case schema is derived from `format`.
            func text(format: () throws -> CaseFormat) rethrows -> String {
                switch self {
                case .policy: Schemas.policy
                case .case: Schemas.case(try format())
                case .decision: Schemas.decision
                case .error: Schemas.error
                }
            }
        }

        @Argument(help: "The document: policy, case, decision or error.")
        var kind: Kind

        @OptionGroup var policyOptions: PolicyOptions

        func run() throws {
            let text = try kind.text {
                let catalog = try policyOptions.loadCatalog()
                guard let format = catalog.caseFormat else {
                    try emit(
                        [commandError("case-format.missing", "no case format in `\(policyOptions.policies)`",
                            hint: "the case schema is derived from `case-format.yaml` (`precert-case-format: 1`) at the policies root")],
                        sources: [], format: .text)
                    throw CommandFailure.deployment
                }
                return format
            }
            // The newline makes `> file.json` a well-formed text file.
            try writeOut(Array(text.utf8) + [UInt8(ascii: "\n")])
        }
    }
}
