import ArgumentParser
import Foundation
import Precert

extension PrecertCommand {
    /// `precert doc`: writes the policy book, self-contained HTML pages for reviewers.
    struct Doc: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a policy book: self-contained HTML pages for people who review policies.",
            discussion: """
                Writes into the --output folder index.html, listing the policies by payer, and one page per policy version \
                (named from its id and effective date, such as \
                kaiser-norcal_behavioral-health_2026-05-20.html). Each page sets out the policy's \
                sources, its decisions as tables of rules in plain words (when, then, why, sources, \
                file:line, and how many test cases of the policy's test files reach each rule), its \
                named conditions, code sets and case fields, the regulations that govern it, and each \
                decision's diagram: drawn as SVG when Graphviz (dot) is installed, else its DOT \
                source. Readings marked "Uncertain:" in a rule's reason are highlighted for review. \
                The pages need no network and no script: open index.html from disk. The same \
                policies give the same bytes.

                POLICY is a policy id (default: every policy under --policies); every version of \
                each is written. Each file is written whole or not at all; other files in DIR are \
                left alone. Exits 0 when the book was written; 1 for an unknown policy id; 2 on a \
                usage error; 3 when the policies or calendars under --policies have errors or the \
                book cannot be written.
                """
        )

        @Argument(help: ArgumentHelp("Policy ids to write (default: every policy under --policies).", valueName: "policy"))
        var policyIDs: [String] = []

        @OptionGroup var policyOptions: PolicyOptions

        @Option(name: .shortAndLong, help: ArgumentHelp("The folder to write the book into (created if missing).", valueName: "dir"))
        var output: String

        func run() throws {
            // Loaded as `precert test` loads them, so that the coverage is the tests' own.
            let loaded = PolicyPipeline.load(
                paths: [policyOptions.policies], settings: PolicyPipeline.Settings(compile: CompileOptions(analyze: false)))
            if loaded.hasErrors {
                try emit(loaded.diagnostics.filter { $0.severity == .error }, sources: loaded.sources, format: .text)
                throw CommandFailure.deployment
            }
            let known = Set(loaded.catalog.policies.map(\.id)).sorted()
            let unknown = policyIDs.filter { !known.contains($0) }
            if !unknown.isEmpty {
                try emit(
                    unknown.map { id in
                        commandError(
                            "catalog.unknown-policy", "no policy `\(id)`",
                            hint: Suggestion.didYouMean(id, in: known) ?? "policies: \(known.map { "`\($0)`" }.joined(separator: ", "))")
                    }, sources: [], format: .text)
                throw CommandFailure.input
            }
            let tests = PolicyTestRunner.run(loaded: loaded)
            let book = PolicyBook(loaded: loaded, tests: tests, policyIDs: policyIDs.isEmpty ? nil : policyIDs)
            let graphviz = GraphvizRenderer.find()
            let pages = book.pages { dot in graphviz?.svg(dot: dot) ?? .notInstalled }
            // `book/` and `book` name the same folder, and are printed the same way.
            var folder = output
            while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
            try makeFolder(folder)
            for page in pages {
                let sink = try OutputSink(path: (folder == "/" ? "" : folder) + "/" + page.name)
                do {
                    try sink.write(Array(page.text.utf8))
                    try sink.commit()
                } catch {
                    sink.discard()
                    throw error
                }
            }
            if graphviz == nil {
                writeError(
                    DiagnosticRenderer().render([
                        Diagnostic(
                            DiagnosticID("doc.no-graphviz"), .note, "Graphviz (`dot`) is not installed: the diagrams are shown as their DOT source",
                            at: nil, hint: "install it (`apt-get install graphviz`) and write the book again to see them drawn")
                    ]))
            }
            let count = pages.count - 1
            try writeOut(Array("wrote \(folder == "/" ? "" : folder)/index.html and \(count) policy page\(count == 1 ? "" : "s")\n".utf8))
        }

        /// Creates `path` and the folders above it that are missing; a failure is the deployment's
        /// fault (exit 3), reported with the system's reason.
        private func makeFolder(_ path: String) throws {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                if isDirectory.boolValue { return }
                try emit([commandError("io.unwritable", "cannot write the book into `\(path)`: it is a file, not a folder")], sources: [], format: .text)
                throw CommandFailure.deployment
            }
            var built = path.hasPrefix("/") ? "/" : ""
            for component in path.split(separator: "/") {
                built += (built.isEmpty || built.hasSuffix("/") ? "" : "/") + component
                if FileManager.default.fileExists(atPath: built, isDirectory: &isDirectory), isDirectory.boolValue { continue }
                if mkdir(built, 0o755) != 0 && errno != EEXIST {
                    let reason = String(cString: strerror(errno)).lowercased()
                    try emit(
                        [commandError("io.unwritable", "cannot create the folder `\(built)` for the book: \(reason)")], sources: [], format: .text)
                    throw CommandFailure.deployment
                }
            }
        }
    }
}
