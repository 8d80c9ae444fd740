/// The version of the Precert engine, reported in every decision.
public enum Precert {
    /// The engine's semantic version.
    public static let engineVersion = "0.1.0"
}

/// Checks the files under a set of paths, collecting every diagnostic of every file.
public enum Workspace {
    /// What a check found.
    public struct Report: Sendable {
        /// Every diagnostic, sorted by place.
        public var diagnostics: [Diagnostic]
        /// The text of every file read, so diagnostics can quote it.
        public var sources: [SourceText]
        /// How many files were read.
        public var fileCount: Int
    }

    /// Loads every YAML file under `paths` and reports what is wrong with each.
    public static func check(paths: [String], limits: YAMLLimits = .default) -> Report {
        let (files, found) = PolicyFiles.discover(paths)
        var diagnostics = found
        var sources: [SourceText] = []
        for file in files {
            switch PolicyFiles.read(file, maxBytes: limits.maxBytes) {
            case .failure(let diagnostic):
                diagnostics.append(diagnostic)
            case .success(let bytes):
                sources.append(SourceText(file: file, text: String(decoding: bytes, as: UTF8.self)))
                let result = YAMLLoader.load(bytes, file: file, limits: limits)
                diagnostics.append(contentsOf: result.diagnostics)
            }
        }
        return Report(diagnostics: diagnostics.sortedByLocation(), sources: sources, fileCount: files.count)
    }
}
