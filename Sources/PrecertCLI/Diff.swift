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

        @Argument(help: "OLD and NEW policy files or folders; with --base, the paths to compare (default Policies); with --policy, the folder (default Policies).")
        var paths: [String] = []

        @Option(help: "Compare the policies under the paths with the same files at this git revision (the old side).")
        var base: String?

        @Option(help: "Compare two versions of this policy id in one folder, chosen by --from and --to.")
        var policy: String?

        @Option(help: "With --policy: the date whose version in force is the old side (YYYY-MM-DD).")
        var from: CivilDate?

        @Option(help: "With --policy: the date whose version in force is the new side (YYYY-MM-DD).")
        var to: CivilDate?

        @Option(help: "The directory whose calendars (and regulations) the policies are loaded with.")
        var policies: String = "Policies"

        @Option(help: "The cases to compare over, as JSON Lines (default: covering cases of both versions).")
        var cases: String?

        @Option(help: "text for people, json for tools, markdown for a change record or a review comment.")
        var format: DiffFormat = .text

        func validate() throws {
            if policy != nil || from != nil || to != nil {
                guard policy != nil, from != nil, to != nil else { throw ValidationError("--policy, --from and --to go together") }
                guard base == nil else { throw ValidationError("--policy and --base cannot be combined") }
                guard paths.count <= 1 else { throw ValidationError("with --policy, give at most one folder") }
            } else if base == nil, paths.count != 2 {
                throw ValidationError("give OLD and NEW, or --base REVISION, or --policy ID --from DATE --to DATE")
            }
        }

        func run() throws {
            do {
                try compare()
            } catch let failure as CommandFailure {
                // Errors are exit 2, as `diff` says "trouble"; 1 means "answers differ".
                if case .differences = failure { throw failure }
                throw CommandFailure.trouble
            }
        }

        /// The pairs of versions to compare: one per policy id both sides hold, or the two
        /// versions of --policy.
        private func pairs() throws -> [(old: LoadedPolicy, new: LoadedPolicy)] {
            if let policy, let from, let to {
                let folder = paths.first ?? policies
                let catalog = try load(folder)
                guard catalog.policies.contains(where: { $0.id == policy }) else {
                    try emit([unknownPolicy(policy, in: catalog)], sources: [], format: .text)
                    throw CommandFailure.input
                }
                return [(try versionInForce(policy, on: from, in: catalog), try versionInForce(policy, on: to, in: catalog))]
            }
            let before: PolicyCatalog, after: PolicyCatalog, names: String
            if let base {
                let under = paths.isEmpty ? [policies] : paths
                before = try loadRevision(base, paths: under)
                after = try load(under)
                names = "`\(under.joined(separator: " "))` at `\(base)` and now"
            } else {
                before = try load(paths[0])
                after = try load(paths[1])
                names = "`\(paths[0])` and `\(paths[1])`"
            }
            let ids = Set(before.policies.map(\.id)).intersection(after.policies.map(\.id)).sorted()
            guard !ids.isEmpty else {
                try emit([commandError("diff.no-common-policy", "\(names) hold no policy with the same id")], sources: [], format: .text)
                throw CommandFailure.input
            }
            return ids.compactMap { id in
                guard let old = before.policy(id: id, on: nil), let new = after.policy(id: id, on: nil) else { return nil }
                return (old, new)
            }
        }

        private func compare() throws {
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
            for (oldPolicy, newPolicy) in try pairs() {
                let id = newPolicy.id
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

        /// The policy files under `paths` as they were at git revision `revision`, with the
        /// calendars of --policies as they are now; a revision git cannot read is trouble.
        private func loadRevision(_ revision: String, paths: [String]) throws -> PolicyCatalog {
            func git(_ arguments: [String]) -> Data? {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["git"] + arguments
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                guard (try? process.run()) != nil else { return nil }
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return process.terminationStatus == 0 ? data : nil
            }
            guard let listing = git(["ls-tree", "-r", "--name-only", revision, "--"] + paths) else {
                try emit([commandError("diff.unknown-revision", "git cannot read `\(paths.joined(separator: " "))` at revision `\(revision)`",
                    hint: "run it inside the policy repository, with a revision such as `HEAD` or `main`")], sources: [], format: .text)
                throw CommandFailure.input
            }
            var files: [PolicyFile] = []
            for name in String(decoding: listing, as: UTF8.self).split(separator: "\n").map(String.init)
            where (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && !name.hasSuffix(".test.yaml") {
                guard let bytes = git(["show", "\(revision):./\(name)"]) else { continue }
                files.append(PolicyFile(path: name, bytes: Array(bytes)))
            }
            // Calendars come with the revision when the paths hold them, else from --policies now.
            let hasCalendars = files.contains { $0.path.contains("calendars/") }
            let loaded = PolicyCatalog.load(files: files + (hasCalendars ? [] : Self.calendarFiles(under: policies)))
            if loaded.hasErrors {
                try emit(loaded.diagnostics.errorsFirst, sources: loaded.sources, format: .text)
                throw CommandFailure.input
            }
            return loaded.catalog
        }

        /// The calendar files under `folder/calendars`, as they are now.
        static func calendarFiles(under folder: String) -> [PolicyFile] {
            let directory = (folder as NSString).appendingPathComponent("calendars")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.sorted().filter { $0.hasSuffix(".yaml") }.compactMap { name in
                let path = (directory as NSString).appendingPathComponent(name)
                return FileManager.default.contents(atPath: path).map { PolicyFile(path: path, bytes: Array($0)) }
            }
        }

        /// One side, with the calendars of --policies; its errors are trouble (exit 2).
        private func load(_ path: String) throws -> PolicyCatalog { try load([path]) }

        private func load(_ paths: [String]) throws -> PolicyCatalog {
            let loaded = PolicyCatalog.load(paths: paths + [(policies as NSString).appendingPathComponent("calendars")])
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
