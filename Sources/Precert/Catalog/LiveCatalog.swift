import Foundation

/// A policy catalog that can be reloaded while it serves, keeping the last good set: a reload
/// replaces the catalog only with a set that loaded without a single error, so a broken or
/// half-copied policy folder never takes down the payers that were answering.
///
/// Readers take `current` once per case (or per request) and keep that catalog to the end, so a
/// reload never changes the policies under a case being evaluated. Thread-safe.
public final class LiveCatalog: @unchecked Sendable {
    /// The policy files and directories loaded, as given.
    public let paths: [String]
    /// The bounds every load uses.
    public let options: CatalogOptions
    /// Guards `catalog`; held only to read or swap the reference, never while loading.
    private let lock = NSLock()
    /// Serializes reloads, so that two at once cannot swap in the older of two sets.
    private let reloading = NSLock()
    private var catalog: PolicyCatalog

    /// Loads the policies under `paths`, or throws every diagnostic when any file has an error.
    public init(paths: [String], options: CatalogOptions = CatalogOptions()) throws(CatalogError) {
        self.paths = paths
        self.options = options
        catalog = try PolicyCatalog(paths: paths, options: options)
    }

    /// The catalog serving now.
    public var current: PolicyCatalog {
        lock.lock()
        defer { lock.unlock() }
        return catalog
    }

    /// Loads the files under `paths` again, off any request's path, and replaces the serving
    /// catalog with the new set only when it loaded without errors and differs from the serving
    /// one (by `PolicyCatalog.digest`, or by its manifest: a new `revision` over the same files is
    /// a new release to show). A refused set changes nothing: a folder with a manifest is refused
    /// until its files match it, so a deployment copying files in is never served half done.
    @discardableResult
    public func reload() -> CatalogReload {
        reloading.lock()
        defer { reloading.unlock() }
        let result = PolicyCatalog.load(paths: paths, options: options)
        if result.hasErrors {
            return .refused(CatalogError(diagnostics: result.diagnostics, sources: result.sources), serving: current)
        }
        let fresh = result.catalog
        lock.lock()
        defer { lock.unlock() }
        if fresh.digest == catalog.digest, fresh.hasVerifiedManifest == catalog.hasVerifiedManifest,
            fresh.manifestRevision == catalog.manifestRevision
        {
            return .unchanged(catalog)
        }
        let previous = catalog
        catalog = fresh
        return .replaced(previous: previous, current: fresh)
    }
}

/// What a `LiveCatalog.reload()` did.
public enum CatalogReload: Sendable {
    /// The new set loaded cleanly and now serves.
    case replaced(previous: PolicyCatalog, current: PolicyCatalog)
    /// The files hold the set that already serves.
    case unchanged(PolicyCatalog)
    /// The new set has errors and was refused; the catalog that was serving still serves.
    case refused(CatalogError, serving: PolicyCatalog)

    /// The catalog serving after the reload.
    public var serving: PolicyCatalog {
        switch self {
        case .replaced(_, let current): current
        case .unchanged(let catalog): catalog
        case .refused(_, let serving): serving
        }
    }
}
