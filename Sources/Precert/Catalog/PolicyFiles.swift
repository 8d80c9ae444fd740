import Foundation

/// Finds and reads the YAML files that make up a policy directory.
package enum PolicyFiles {
    /// Every `.yaml`/`.yml` file at or under `paths`, sorted, each once, with its name relative to
    /// the directory it was found in (a file given by itself is named by its last component); a
    /// path that does not exist is reported as a diagnostic.
    package static func discover(_ paths: [String]) -> (files: [(path: String, name: String)], diagnostics: [Diagnostic]) {
        var files: [String: String] = [:]
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
                if files[path] == nil { files[path] = path.split(separator: "/").last.map(String.init) ?? path }
                continue
            }
            var visited: Set<String> = []
            for relative in yamlFiles(under: path, relative: "", depth: 0, visited: &visited) {
                let full = path.hasSuffix("/") ? path + relative : path + "/" + relative
                if files[full] == nil { files[full] = relative }
            }
        }
        return (files.keys.sorted().map { ($0, files[$0]!) }, diagnostics)
    }

    /// The `.yaml`/`.yml` files under a folder, relative to the root walked. Entries whose name
    /// starts with `.` are skipped (version control, editors' files, and the timestamped folder a
    /// Kubernetes ConfigMap volume holds its files in, reached instead through the visible links
    /// beside it); links to folders are followed, each real folder once, at most 32 levels deep.
    private static func yamlFiles(under folder: String, relative: String, depth: Int, visited: inout Set<String>) -> [String] {
        let manager = FileManager.default
        guard let resolved = realpath(folder, nil) else { return [] }
        let real = String(cString: resolved)
        free(resolved)
        guard depth < 32, visited.insert(real).inserted, let names = try? manager.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let full = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            let path = relative.isEmpty ? name : relative + "/" + name
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: full, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                found += yamlFiles(under: full, relative: path, depth: depth + 1, visited: &visited)
            } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                found.append(path)
            }
        }
        return found
    }

    /// The folders of shared files (`calendars`, `regulations`) of the policies root that `paths`
    /// lie in, and its `case-format.yaml`, when they are not among `paths` already: so that
    /// checking one payer's folder (`Policies/aetna`) finds `Policies/calendars`,
    /// `Policies/regulations` and the case format, as checking the whole root does. The root is the nearest folder at or above a path, at most 8 levels up,
    /// that holds a `calendars` folder. A kind of shared folder that is given by name (a path
    /// ending in `calendars`) is taken as chosen, and no other folder of that kind is added.
    package static func sharedFolders(for paths: [String]) -> [String] {
        let caseFormatFile = "case-format.yaml"
        let manager = FileManager.default
        var found: [String] = []
        let given = Set(paths.compactMap(realFolder))
        let chosenKinds = Set(given.map { ($0 as NSString).lastPathComponent })
        for path in paths {
            guard var folder = realFolder(path) ?? realFolder((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent) else { continue }
            for _ in 0..<8 {
                var isDirectory: ObjCBool = false
                if manager.fileExists(atPath: folder + "/calendars", isDirectory: &isDirectory), isDirectory.boolValue {
                    // A path at or inside a shared folder, or the root itself, needs nothing more.
                    if given.contains(folder) { break }
                    for name in ["calendars", "regulations"] where !chosenKinds.contains(name) {
                        let shared = folder + "/" + name
                        guard manager.fileExists(atPath: shared, isDirectory: &isDirectory), isDirectory.boolValue,
                              !given.contains(where: { $0 == shared || $0.hasPrefix(shared + "/") }), !found.contains(shared)
                        else { continue }
                        found.append(shared)
                    }
                    // The case format is one file at the root; a path inside a shared folder
                    // (calendars given to load other policies with) does not bring it along.
                    let format = folder + "/" + caseFormatFile
                    let start = realFolder(path) ?? realFile(path) ?? path
                    let inShared = ["calendars", "regulations"].contains { start == folder + "/" + $0 || start.hasPrefix(folder + "/" + $0 + "/") }
                    if !inShared, manager.fileExists(atPath: format), !found.contains(format),
                       !paths.contains(where: { given in realFile(given) == format })
                    {
                        found.append(format)
                    }
                    break
                }
                let parent = (folder as NSString).deletingLastPathComponent
                if parent == folder || parent.isEmpty { break }
                folder = parent
            }
        }
        return found
    }

    /// The real path of a file or folder, or nil when there is nothing at `path`.
    private static func realFile(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The real path of a folder, or nil when `path` is not one.
    private static func realFolder(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
              let resolved = realpath(path, nil)
        else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The path of the manifest at the root of `path` (`Policies/precert.manifest.json`), when
    /// `path` is a folder that holds one. Only the root counts: a folder's manifest pins every
    /// file under it, so one further down would pin a set within a set.
    package static func manifestPath(in path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        let manifest = (path.hasSuffix("/") ? path : path + "/") + PolicyManifest.fileName
        return FileManager.default.fileExists(atPath: manifest) ? manifest : nil
    }

    /// Reads a whole file, or `-` for standard input; failures become a diagnostic.
    package static func read(_ path: String, maxBytes: Int = 64 << 20) -> Result<[UInt8], Diagnostic> {
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
            if data.count > maxBytes { return .failure(tooLarge(path, limit: maxBytes)) }
            return .success(Array(data))
        } catch {
            return .failure(.error("io.unreadable", "cannot read `\(path)`", at: nil))
        }
    }

    /// The diagnostic for a file over the size limit.
    package static func tooLarge(_ path: String, limit: Int) -> Diagnostic {
        .error("io.file-too-large", "`\(path)` is larger than the limit of \(limit) bytes", at: nil)
    }
}
