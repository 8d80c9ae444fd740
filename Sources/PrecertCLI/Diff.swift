import ArgumentParser
import Foundation
import Precert

extension PrecertCommand {
    /// `precert diff`: which answers change between two versions of the policies.
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which answers change between two versions of a policy, over a corpus of cases.",
            discussion: """
                OLD and NEW are policy files or folders (loaded with the calendars under --policies); \
                each policy id found in both is compared, newest version against newest version. Every \
                case of the corpus (--cases, JSON Lines; by default the covering cases `precert cases` \
                generates for both versions) is evaluated by both, and each decision whose answer \
                changes is counted per transition (old answer -> new answer) with sample case ids: \
                each is a case the engine answered both ways. Changes of explanation only (the rules \
                cited, their reasons, their sources) are listed apart. Exits 0 when no answer changes, \
                1 when some do, 2 on errors (as diff does): a policy repository's CI can gate on it.
                """
        )

        @Argument(help: "The old policy file or folder.")
        var old: String

        @Argument(help: "The new policy file or folder.")
        var new: String

        @Option(help: "The directory whose calendars (and regulations) the policies are loaded with.")
        var policies: String = "Policies"

        @Option(help: "The cases to compare over, as JSON Lines (default: covering cases of both versions).")
        var cases: String?

        @Option(help: "text for people, json for tools, markdown for a change record or a review comment.")
        var format: DiffFormat = .text

        func run() throws {
            do {
                try compare()
            } catch let failure as CommandFailure {
                // Errors are exit 2, as `diff` says "trouble"; 1 means "answers differ".
                if case .differences = failure { throw failure }
                throw CommandFailure.trouble
            }
        }

        private func compare() throws {
            let before = try load(old)
            let after = try load(new)
            let ids = Set(before.policies.map(\.id)).intersection(after.policies.map(\.id)).sorted()
            guard !ids.isEmpty else {
                try emit([commandError("diff.no-common-policy", "`\(old)` and `\(new)` hold no policy with the same id")], sources: [], format: .text)
                throw CommandFailure.input
            }
            var corpus: [UInt8]?
            if let cases {
                guard let handle = FileHandle(forReadingAtPath: cases), let data = try? handle.readToEnd() else {
                    try emit([commandError("io.unreadable", "cannot read `\(cases)`")], sources: [], format: .text)
                    throw CommandFailure.input
                }
                corpus = Array(data ?? Data())
            }
            var out: [UInt8] = []
            var differs = false
            for id in ids {
                guard let oldPolicy = before.policy(id: id, on: nil), let newPolicy = after.policy(id: id, on: nil) else { continue }
                let cases = corpus ?? PolicyDiff.coveringCorpus(old: oldPolicy, new: newPolicy)
                let corpusName = self.cases.map { "`\($0)`" } ?? "the covering cases of both versions"
                let symbolic = SymbolicDiff(old: oldPolicy, new: newPolicy)
                let diff = PolicyDiff(old: oldPolicy, new: newPolicy, corpus: cases)
                differs = differs || diff.changesAnswers || symbolic.changesAnswers
                let oldName = "\(id) (\(oldPolicy.file), effective \(oldPolicy.effective))"
                let newName = "\(id) (\(newPolicy.file), effective \(newPolicy.effective))"
                switch format {
                case .text: out += Array("\(oldName) -> \(newName)\n\(symbolic.text())\(diff.text(corpus: corpusName))".utf8)
                case .markdown: out += Array("### `\(oldName)` → `\(newName)`\n\n\(symbolic.markdown())\(diff.markdown(corpus: corpusName))".utf8)
                case .json: out += diff.json(old: oldName, new: newName, corpus: corpusName, symbolic: symbolic)
                }
            }
            try writeOut(out)
            if differs { throw CommandFailure.differences }
        }

        /// One side, with the calendars of --policies; its errors are trouble (exit 2).
        private func load(_ path: String) throws -> PolicyCatalog {
            let loaded = PolicyCatalog.load(paths: [path, (policies as NSString).appendingPathComponent("calendars")])
            if loaded.hasErrors {
                try emit(loaded.diagnostics.errorsFirst, sources: loaded.sources, format: .text)
                throw CommandFailure.input
            }
            return loaded.catalog
        }
    }
}

/// What `precert diff` writes.
enum DiffFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case markdown
}
