import Foundation
import Logging
import Precert

/// The policy set the service answers with, reloaded off the request path.
///
/// A request takes `catalog` once and keeps it to its end, so a reload never changes the policies
/// under a request in flight. Only a set that loaded without errors replaces the serving one
/// (`LiveCatalog`); a broken set is refused, logged and counted, and the old one keeps serving.
final class ServedPolicies: @unchecked Sendable {
    /// What is serving, or why nothing is.
    struct State: Sendable {
        /// The live catalog, once a clean set has loaded.
        var live: LiveCatalog?
        /// When the serving set was loaded.
        var loadedAt: Date?
        /// Why the last load was refused, while it is the newest thing seen on disk.
        var refusal: String?
        /// The files' fingerprint at the last load attempt, so that an unchanged broken set is not
        /// reloaded (and logged) every few seconds.
        var fingerprint: String?
    }

    let paths: [String]
    let options: CatalogOptions
    private let logger: Logger
    private let metrics: ServiceMetrics
    private let lock = NSLock()
    /// Serializes loads (the watcher, SIGHUP and tests may ask at once).
    private let loading = NSLock()
    private var state = State()

    init(paths: [String], options: CatalogOptions, logger: Logger, metrics: ServiceMetrics) {
        self.paths = paths
        self.options = options
        self.logger = logger
        self.metrics = metrics
    }

    /// The state now.
    var current: State {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    /// The serving catalog, or the failure a request gets while there is none.
    func catalog() throws(ServiceFailure) -> PolicyCatalog {
        let state = current
        guard let live = state.live else { throw .notReady(state.refusal ?? "the policies are loading") }
        return live.current
    }

    /// Loads the files again if they changed since the last attempt (or always, when `force`):
    /// a clean set replaces the serving one, a broken one is refused. Returns what happened:
    /// `replaced`, `unchanged` or `refused`, or `nil` when the files had not changed.
    @discardableResult
    func reload(force: Bool = false, reason: String) -> String? {
        loading.lock()
        defer { loading.unlock() }
        let fingerprint = PolicyFingerprint.of(paths)
        if !force, fingerprint == current.fingerprint { return nil }
        let result: CatalogReload
        if let live = current.live {
            result = live.reload()
        } else {
            do {
                let live = try LiveCatalog(paths: paths, options: options)
                update { $0.live = live }
                result = .replaced(previous: live.current, current: live.current)
            } catch {
                result = .refused(error, serving: PolicyCatalog.load(files: []).catalog)
            }
        }
        switch result {
        case .replaced(_, let catalog):
            update {
                $0.loadedAt = Date()
                $0.refusal = nil
                $0.fingerprint = fingerprint
            }
            metrics.reload("replaced")
            metrics.serving(digest: catalog.digest, policies: catalog.policies.count)
            logger.info(
                "policy set loaded",
                metadata: ["digest": .string(catalog.digest), "policies": .stringConvertible(catalog.policies.count), "reason": .string(reason)])
            return "replaced"
        case .unchanged:
            update {
                $0.refusal = nil
                $0.fingerprint = fingerprint
            }
            metrics.reload("unchanged")
            logger.debug("policy files unchanged", metadata: ["reason": .string(reason)])
            return "unchanged"
        case .refused(let error, _):
            let errors = error.diagnostics.filter { $0.severity == .error }
            let summary = "\(errors.count) error\(errors.count == 1 ? "" : "s") in the policy files"
            update {
                $0.refusal = summary
                $0.fingerprint = fingerprint
            }
            metrics.reload("refused")
            let serving = current.live.map { $0.current.digest }
            logger.error(
                "policy set refused; \(serving == nil ? "nothing is serving" : "the previous set keeps serving")",
                metadata: ["errors": .stringConvertible(errors.count), "serving": serving.map { .string($0) } ?? "none", "reason": .string(reason)])
            // Policy diagnostics name files, lines and policy text, never a case.
            for diagnostic in errors.prefix(50) {
                var metadata: Logger.Metadata = ["id": .string(diagnostic.id.code)]
                if let location = diagnostic.location { metadata["location"] = .string("\(location.file):\(location.line):\(location.column)") }
                logger.error("\(diagnostic.message)", metadata: metadata)
            }
            return "refused"
        }
    }

    private func update(_ change: (inout State) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&state)
    }
}

/// A cheap summary of the policy files on disk: every YAML file's name and sha256, and the
/// manifest's, so that a change of any byte (including a Kubernetes ConfigMap's atomic swap of
/// its folder) is seen without loading anything.
enum PolicyFingerprint {
    static func of(_ paths: [String]) -> String {
        let (found, problems) = PolicyFiles.discover(paths)
        var parts = problems.map(\.message)
        var files = found.map { ($0.path, $0.name) }
        for path in paths {
            let manifest = (path as NSString).appendingPathComponent("precert.manifest.json")
            if FileManager.default.fileExists(atPath: manifest) { files.append((manifest, "precert.manifest.json")) }
        }
        for (path, name) in files {
            parts.append(name)
            switch PolicyFiles.read(path) {
            case .success(let bytes): parts.append(Digest.sha256Hex(bytes))
            case .failure(let diagnostic): parts.append(diagnostic.id.code)
            }
        }
        return Digest.sha256Hex(parts: parts)
    }
}
