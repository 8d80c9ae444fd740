import Foundation
import Logging
import Precert
import PrecertCRD

/// The policy set the service answers with, reloaded off the request path.
///
/// A request takes `catalog` (or `crd`) once and keeps it to its end, so a reload never changes
/// the policies under a request in flight. The policies and the CRD front end beside them (the
/// mapping and provider directories, when the folders hold one) load and swap together: only a
/// set whose policies and CRD files all loaded without errors replaces the serving one; a broken
/// set is refused, logged and counted, and the old one keeps serving.
final class ServedPolicies: @unchecked Sendable {
    /// What is serving, or why nothing is.
    struct State: Sendable {
        /// The serving catalog, once a clean set has loaded.
        var catalog: PolicyCatalog?
        /// The CRD service over `catalog`, when the policy folders hold a CRD mapping.
        var crd: CRDService?
        /// The digest of the CRD files `crd` was loaded from.
        var crdDigest: String?
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
        guard let catalog = state.catalog else { throw .notReady(state.refusal ?? "the policies are loading") }
        return catalog
    }

    /// The serving CRD service, `nil` when the policy folders hold no CRD mapping, or the
    /// failure a CDS Hooks call gets while nothing serves.
    func crd() throws(CRDError) -> CRDService? {
        let state = current
        guard state.catalog != nil else { throw CRDError(.deployment, "the service is not ready: \(state.refusal ?? "the policies are loading")") }
        return state.crd
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
        let result = load()
        switch result {
        case .replaced(let catalog, let crd, let crdDigest):
            update {
                $0.catalog = catalog
                $0.crd = crd
                $0.crdDigest = crdDigest
                $0.loadedAt = Date()
                $0.refusal = nil
                $0.fingerprint = fingerprint
            }
            metrics.reload("replaced")
            metrics.serving(digest: catalog.digest, policies: catalog.policies.count)
            logger.info(
                "policy set loaded",
                metadata: [
                    "digest": .string(catalog.digest), "policies": .stringConvertible(catalog.policies.count),
                    "crd_services": .stringConvertible(crd.map { $0.mapping.services.count } ?? 0), "reason": .string(reason),
                ])
            return "replaced"
        case .unchanged:
            update {
                $0.refusal = nil
                $0.fingerprint = fingerprint
            }
            metrics.reload("unchanged")
            logger.debug("policy files unchanged", metadata: ["reason": .string(reason)])
            return "unchanged"
        case .refused(let diagnostics, let crdFiles):
            let errors = diagnostics.filter { $0.severity == .error }
            let summary = "\(errors.count) error\(errors.count == 1 ? "" : "s") in the \(crdFiles ? "CRD" : "policy") files"
            update {
                $0.refusal = summary
                $0.fingerprint = fingerprint
            }
            metrics.reload("refused")
            let serving = current.catalog.map(\.digest)
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

    /// What loading the files gave.
    private enum LoadOutcome {
        case replaced(PolicyCatalog, CRDService?, crdDigest: String?)
        case unchanged
        /// The errors, and whether they are the CRD files' (the policies loaded).
        case refused([Diagnostic], crdFiles: Bool)
    }

    /// Loads the policies, then the CRD files beside them against the new catalog; compares both
    /// with the serving set.
    private func load() -> LoadOutcome {
        let result = PolicyCatalog.load(paths: paths, options: options)
        if result.hasErrors { return .refused(result.diagnostics, crdFiles: false) }
        let fresh = result.catalog
        let (files, problems) = CRDService.frontEndFiles(paths)
        if problems.containsErrors { return .refused(problems, crdFiles: true) }
        var crd: CRDService?
        var crdDigest: String?
        if !files.isEmpty {
            switch CRDService.load(catalog: fresh, files: files) {
            case .success(let loaded): crd = loaded
            case .failure(let error): return .refused(error.diagnostics, crdFiles: true)
            }
            crdDigest = Digest.sha256Hex(parts: files.flatMap { [$0.path, Digest.sha256Hex($0.bytes)] })
        }
        let state = current
        if let serving = state.catalog, serving.digest == fresh.digest, serving.hasVerifiedManifest == fresh.hasVerifiedManifest,
            serving.manifestRevision == fresh.manifestRevision, state.crdDigest == crdDigest
        {
            return .unchanged
        }
        return .replaced(fresh, crd, crdDigest: crdDigest)
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
