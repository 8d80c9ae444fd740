import Foundation

/// Finds and reads the YAML files that make up a policy directory.
public enum PolicyFiles {
    /// Every `.yaml`/`.yml` file at or under `paths`, sorted, each once; a path that does not exist
    /// is reported as a diagnostic.
    public static func discover(_ paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: Set<String> = []
        var diagnostics: [Diagnostic] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                diagnostics.append(
                    .error("io.not-found", "no such file or directory `\(path)`", at: nil))
                continue
            }
            if !isDirectory.boolValue {
                files.insert(path)
                continue
            }
            guard let walker = manager.enumerator(atPath: path) else { continue }
            while let relative = walker.nextObject() as? String {
                if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                    let full = path.hasSuffix("/") ? path + relative : path + "/" + relative
                    files.insert(full)
                }
            }
        }
        return (files.sorted(), diagnostics)
    }

    /// Reads a whole file, or `-` for standard input; failures become a diagnostic.
    public static func read(_ path: String, maxBytes: Int = 64 << 20) -> Result<[UInt8], Diagnostic> {
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return .success(Array(data))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(.error("io.unreadable", "cannot read `\(path)`", at: nil))
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            if data.count > maxBytes {
                return .failure(
                    .error(
                        "io.file-too-large", "`\(path)` is larger than the limit of \(maxBytes) bytes",
                        at: nil))
            }
            return .success(Array(data))
        } catch {
            return .failure(.error("io.unreadable", "cannot read `\(path)`", at: nil))
        }
    }
}
