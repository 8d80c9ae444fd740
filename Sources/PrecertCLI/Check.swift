import ArgumentParser
import Foundation
import Precert
import PrecertCRD

extension PrecertCommand {
    /// `precert check`: loads policy files and prints every problem found; with
    /// `--write-manifest`, then pins the checked folder's set in `precert.manifest.json`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check policy files and print every diagnostic.",
            discussion: """
                Loads every .yaml file under the given paths (default: Policies/) and prints every \
                error and warning, with the analysis (shadowed rules, gaps, overlaps). A folder that \
                holds precert.manifest.json must hold exactly the files it lists.

                Exit status: 0 when there is no error (warnings are printed but do not fail, unless \
                --strict); 1 when there is an error, or with --strict (or --fail-on warning) any \
                warning; 2 on a usage error; 3 when the output cannot be written. --fail-on error is \
                the default; --strict is for CI that keeps a policy set free of warnings.

                Regulation files (Policies/regulations/) are loaded with the policies: each policy's \
                turnaround clock is proved to end, for every receipt instant, no later than the limit \
                of every regulation that governs it (an error at the rule where it can end later). \
                --verbose also prints each proof that holds, with its smallest margin.

                With --write-manifest, a check of one folder without errors then writes the folder's \
                precert.manifest.json: every policy and calendar file with its sha256, and the set's \
                digest (an existing manifest is replaced, not checked). Nothing is written when the \
                check fails (an error, or with --strict a warning).
                """
        )

        @Argument(help: "Policy files or directories to check.")
        var paths: [String] = ["Policies"]

        @Option(help: "Output format: text for people, json for tools.")
        var format: OutputFormat = .text

        @Flag(name: .customLong("write-manifest"), help: "After a check without errors, write the folder's precert.manifest.json.")
        var writeManifest = false

        @Option(help: "With --write-manifest, the revision to record (a git revision, a release name).")
        var revision: String?

        @Flag(help: "Also print, for each turnaround clock within a regulation's limit, its smallest margin.")
        var verbose = false

        @OptionGroup var failure: FailOnOptions

        /// What a check read: `checked 5 policies, 1 calendar, 4 regulations`.
        static func summary(_ loaded: PolicyCatalog.LoadResult) -> String {
            func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
            var parts = [
                count(loaded.catalog.policies.count, "policy", "policies"),
                count(loaded.catalog.calendars.count, "calendar", "calendars"),
            ]
            if !loaded.regulations.isEmpty { parts.append(count(loaded.regulations.count, "regulation", "regulations")) }
            if loaded.catalog.caseFormat != nil { parts.append("the case format") }
            return "checked " + parts.joined(separator: ", ")
        }

        func validate() throws {
            if revision != nil && !writeManifest { throw ValidationError("--revision applies to --write-manifest") }
            if let revision, let problem = PolicyManifest.problem(withRevision: revision) {
                throw ValidationError("--revision: \(problem)")
            }
            guard writeManifest else { return }
            guard paths.count == 1 else { throw ValidationError("--write-manifest writes the manifest of one folder; give one") }
            var isDirectory: ObjCBool = false
            // A path that does not exist is left to the check, which reports it (exit 1).
            if FileManager.default.fileExists(atPath: paths[0], isDirectory: &isDirectory), !isDirectory.boolValue {
                throw ValidationError("--write-manifest writes the manifest of a folder, and `\(paths[0])` is a file")
            }
        }

        func run() throws {
            // The manifest being replaced is not checked: after an edit it no longer matches,
            // which is why it is being written again.
            var settings = CatalogOptions().settings
            settings.verifiesManifests = !writeManifest
            let loaded = PolicyPipeline.load(paths: paths, settings: settings)
            // The CRD mapping and provider directories are checked against the policies once
            // those load without errors (else every reference to them would be reported again).
            let frontEnd = loaded.hasErrors ? [] : CRDService.check(catalog: loaded.catalog, paths: paths)
            let margins = verbose ? loaded.clockProofs.filter { !$0.exceeds }.map(\.margin) : []
            let sorted = (loaded.diagnostics + frontEnd + margins).sortedByLocation()
            try emit(sorted.errorsFirst, sources: loaded.sources, format: format)
            // The margins are notes: only the load's errors (and with --strict its warnings) fail.
            if failure.fails(loaded.diagnostics + frontEnd) { throw CommandFailure.input }
            if format == .text, sorted.isEmpty, !writeManifest {
                try writeOut(Array("\(Self.summary(loaded)): no problems\n".utf8))
            }
            guard writeManifest else { return }
            let manifest = PolicyManifest(catalog: loaded.catalog, revision: revision)
            let folder = paths[0]
            let path = (folder.hasSuffix("/") ? folder : folder + "/") + PolicyManifest.fileName
            let sink = try OutputSink(path: path)
            do {
                try sink.write(manifest.json)
                try sink.commit()
            } catch {
                sink.discard()
                throw error
            }
            if format == .text {
                let files = manifest.files.count == 1 ? "1 file" : "\(manifest.files.count) files"
                try writeOut(Array("wrote \(path): \(files), \(manifest.digest)\n".utf8))
            }
        }
    }
}
