/// Checks the files of a policies folder against the manifest at its root: the set must be exactly
/// the one listed. Every problem is an error, so a folder that does not match never serves (the
/// throwing `PolicyCatalog(paths:)` throws, `LiveCatalog.reload()` keeps the set it had, and
/// `precert eval` exits 3):
///
/// - `manifest.invalid`: the manifest cannot be read exactly (`ManifestReader`), or it lists a
///   policy test file;
/// - `manifest.missing-file`: a listed file is not in the folder, at its line in the manifest;
/// - `manifest.unlisted-file`: a policy or calendar file of the folder is not listed, at that file;
/// - `manifest.digest-mismatch`: a file's bytes are not the ones listed (a copy cut short, an edit
///   after the manifest was written), at that file, with both sha256s as `expected` and `found`.
package enum ManifestVerifier {
    /// A listed file that is not in the folder.
    package static let missingFile: DiagnosticID = "manifest.missing-file"
    /// A policy or calendar file of the folder that the manifest does not list.
    package static let unlistedFile: DiagnosticID = "manifest.unlisted-file"
    /// A file whose bytes differ from the ones listed.
    package static let digestMismatch: DiagnosticID = "manifest.digest-mismatch"
    /// Every id verification can report.
    package static let diagnosticIDs: [DiagnosticID] = [ManifestReader.invalid, missingFile, unlistedFile, digestMismatch]

    /// What was read of one file of the folder.
    package struct FolderFile: Sendable {
        /// Its path as given to load (`Policies/aetna/x.yaml`), as diagnostics name it.
        package var path: String
        /// Its name relative to the folder (`aetna/x.yaml`), as the manifest lists it.
        package var name: String
        /// The sha256 of its bytes, lowercase hex; `nil` when it could not be read (its own
        /// `io.` error says so).
        package var sha256: String?
        /// What kind of Precert file it is; `nil` when it is not valid YAML or not a Precert file
        /// (its own error says so).
        package var kind: PrecertFileKind?

        /// Creates a file's facts.
        package init(path: String, name: String, sha256: String?, kind: PrecertFileKind?) {
            self.path = path
            self.name = name
            self.sha256 = sha256
            self.kind = kind
        }
    }

    /// The outcome of checking one folder.
    package struct Outcome: Sendable {
        /// Every problem found.
        package var diagnostics: [Diagnostic] = []
        /// The manifest's text, for quoting.
        package var source: SourceText?
        /// The files (paths as given) whose bytes are not the set's: their policies must not
        /// answer, even from a catalog loaded without throwing.
        package var rejected: Set<String> = []
        /// The manifest's revision, when it was read.
        package var revision: String?
        /// Whether the folder's files are exactly the ones listed.
        package var verified = false
    }

    /// Checks `files`, every YAML file found under a folder, against that folder's manifest
    /// (`manifest`: its bytes or why they could not be read), named `manifestPath` in diagnostics.
    package static func verify(manifest: Result<[UInt8], Diagnostic>, manifestPath: String, files: [FolderFile]) -> Outcome {
        var outcome = Outcome()
        let bytes: [UInt8]
        switch manifest {
        case .failure(let problem):
            outcome.diagnostics = [problem]
            return outcome
        case .success(let read):
            bytes = read
        }
        outcome.source = SourceText(file: manifestPath, text: String(decoding: bytes, as: UTF8.self))
        let (listing, problems) = ManifestReader.read(bytes, file: manifestPath)
        // A manifest that cannot be read exactly verifies nothing: its problems come alone.
        guard let listing else {
            outcome.diagnostics = problems
            return outcome
        }
        outcome.revision = listing.manifest.revision
        let byName = Dictionary(files.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var diagnostics: [Diagnostic] = []
        var everyListedFileRead = true
        for (entry, range, jsonPath) in listing.entries {
            guard let file = byName[entry.path] else {
                diagnostics.append(.error(
                    missingFile, "`\(entry.path)` is listed in the manifest but is not in the folder", at: range,
                    hint: "deploy every file the manifest lists; if the file was removed on purpose, write the manifest again with `precert check --write-manifest DIR`",
                    facts: DiagnosticFacts(jsonPath: jsonPath)))
                continue
            }
            guard let found = file.sha256 else {
                everyListedFileRead = false
                continue
            }
            if found != entry.sha256 {
                outcome.rejected.insert(file.path)
                diagnostics.append(.error(
                    digestMismatch, "`\(entry.path)` is not the file the manifest lists", at: startOf(file.path),
                    hint: "its sha256 is \(found.prefix(12))…, the manifest's \(entry.sha256.prefix(12))…: a copy cut short or an edit made after the manifest was written; restore the file, or if the change is meant, write the manifest again with `precert check --write-manifest DIR`",
                    notes: [DiagnosticNote("listed here", at: range)],
                    // No JSON path: the place is the file, and the note points into the manifest.
                    facts: DiagnosticFacts(expected: entry.sha256, found: found)))
            } else if file.kind == .test {
                diagnostics.append(.error(
                    ManifestReader.invalid, "`\(entry.path)` is a policy test file, which a manifest does not list", at: range,
                    hint: "test files change no answer: remove its entry, or write the manifest again with `precert check --write-manifest DIR`",
                    facts: DiagnosticFacts(jsonPath: jsonPath)))
            }
        }
        let listed = Set(listing.entries.map(\.entry.path))
        for file in files where !listed.contains(file.name) && (file.kind == .policy || file.kind == .calendar || file.kind == .regulation || file.kind == .caseFormat || file.kind == .frontEnd) {
            outcome.rejected.insert(file.path)
            diagnostics.append(.error(
                unlistedFile, "`\(file.name)` is not listed in the manifest", at: startOf(file.path),
                hint: "a file the manifest does not list is not part of the released set: remove it, or write the manifest again with `precert check --write-manifest DIR`"))
        }
        outcome.diagnostics = diagnostics
        outcome.verified = diagnostics.isEmpty && everyListedFileRead
        return outcome
    }

    /// The first position of a file, where a problem with the whole file is reported.
    static func startOf(_ path: String) -> SourceRange {
        SourceRange(SourceLocation(file: path, line: 1, column: 1))
    }
}
