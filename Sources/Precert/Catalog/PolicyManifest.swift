/// A policy set manifest: `precert.manifest.json` at the root of a policies folder, naming every
/// policy and calendar file of the set with the sha256 of its bytes, as an OPA bundle's
/// `.manifest` pins a bundle. A folder that holds one loads only when its files are exactly the
/// ones listed, so a policy cut short in a copy, a file left behind or one added by hand is an
/// error instead of a set that quietly answers with fewer rules.
///
///     {
///       "precert-manifest": 1,
///       "revision": "2026-11-30.1",
///       "digest": "sha256:…",
///       "files": [
///         {"path": "aetna/commercial-behavioral-health.yaml", "sha256": "…"},
///         {"path": "calendars/us-federal.yaml", "sha256": "…"}
///       ]
///     }
///
/// Test files are not listed: they change no answer, and `PolicyCatalog.digest` leaves them out
/// too, so `digest` equals the catalog's digest of the set the manifest lists.
package struct PolicyManifest: Sendable, Equatable {
    /// One file of the set.
    package struct Entry: Sendable, Equatable {
        /// Its path relative to the manifest's folder, `/` between folders.
        package var path: String
        /// The sha256 of its bytes, lowercase hex.
        package var sha256: String

        /// Creates an entry.
        package init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }

    /// The manifest's file name, at the root of the folder it pins.
    package static let fileName = "precert.manifest.json"
    /// The manifest format this version reads and writes (`"precert-manifest": 1`).
    package static let format = 1
    /// The longest revision, in characters: a git revision or a release name, not a changelog.
    package static let maxRevisionLength = 256

    /// What the operator calls this set (a git revision, a release name), if anything.
    package var revision: String?
    /// The files, sorted by path.
    package private(set) var files: [Entry]

    /// A manifest of `files`, in any order.
    package init(files: [Entry], revision: String?) {
        self.files = files.sorted { $0.path < $1.path }
        self.revision = revision
    }

    /// The manifest of the policy and calendar files a catalog was loaded from.
    package init(catalog: PolicyCatalog, revision: String?) {
        self.init(files: catalog.files.map { Entry(path: $0.name, sha256: $0.digest) }, revision: revision)
    }

    /// The digest of the set, as `PolicyCatalog.digest` computes it.
    package var digest: String {
        PolicyCatalog.setDigest(files.map { ($0.path, $0.sha256) })
    }

    /// The manifest as its file holds it. Deterministic (no timestamp, files sorted), and one file
    /// a line, so that a review of a changed manifest shows which files changed.
    package var json: [UInt8] {
        var out = "{\n  \"precert-manifest\": \(Self.format),\n"
        if let revision { out += "  \"revision\": \(Self.quoted(revision)),\n" }
        out += "  \"digest\": \(Self.quoted(digest)),\n  \"files\": ["
        for (index, file) in files.enumerated() {
            out += index == 0 ? "\n" : ",\n"
            out += "    {\"path\": \(Self.quoted(file.path)), \"sha256\": \(Self.quoted(file.sha256))}"
        }
        out += files.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
        return Array(out.utf8)
    }

    /// Why `revision` cannot name a set, or `nil` when it can: the writer and the reader accept
    /// the same revisions.
    package static func problem(withRevision revision: String) -> String? {
        let scalars = revision.unicodeScalars
        if scalars.isEmpty || scalars.count > maxRevisionLength || scalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "a revision is 1 to \(maxRevisionLength) characters, none of them a control character"
        }
        return nil
    }

    /// Whether `path` can name a file of the set: relative to the manifest's folder, `/` between
    /// folders, no empty, `.` or `..` part, ending in `.yaml` or `.yml` (the files a load reads).
    package static func isFilePath(_ path: String) -> Bool {
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") else { return false }
        guard !path.unicodeScalars.contains(where: { $0 == "\\" || $0.properties.generalCategory == .control }) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// Whether `text` is a sha256 written as a manifest writes it: 64 lowercase hex digits.
    package static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// `text` as a JSON string.
    static func quoted(_ text: String) -> String {
        "\"" + String(decoding: JSONWriter.escaped(text), as: UTF8.self) + "\""
    }
}
