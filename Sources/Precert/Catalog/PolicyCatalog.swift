/// One policy version, compiled and ready to evaluate.
///
/// A class, so that reaching a policy through the catalog for every case shares it instead of
/// copying (and reference counting) each of its parts.
public final class LoadedPolicy: Sendable {
    /// The checked policy.
    package var policy: CheckedPolicy { compiled.checked }
    /// The compiled policy.
    package let compiled: CompiledPolicy
    /// Its holiday calendar.
    package let calendar: HolidayCalendar
    /// The file's text (named as the file was given, for diagnostics).
    package let source: SourceText
    /// The sha256 of the file's bytes, lowercase hex.
    public let digest: String
    /// The file, relative to the policies root it was loaded from (`kaiser-norcal/behavioral-health.yaml`).
    public let file: String
    /// The sha256 of the holiday calendar file's bytes, lowercase hex.
    package let calendarDigest: String
    /// What every decision of this version records besides the date that chose it.
    package let provenance: Provenance
    /// Reads cases into this policy's slots.
    package let decoder: CaseDecoder
    /// Evaluates decoded cases.
    package let evaluator: Evaluator
    /// Pre-encoded decision JSON pieces for the fast path.
    let fragments: DecisionFragments

    /// Compiles a checked policy and prepares its decoder and evaluator.
    package init(
        checked: CheckedPolicy, calendar: HolidayCalendar, source: SourceText, digest: String, file: String? = nil,
        calendarDigest: String = "", options: CompileOptions = CompileOptions(), caseLimits: CaseLimits = CaseLimits(),
        regulations: [Regulation] = []
    ) {
        let compiled = PolicyCompiler.compile(checked, options: options)
        self.compiled = compiled
        self.calendar = calendar
        self.source = source
        self.digest = digest
        let file = file ?? source.file
        self.file = file
        self.calendarDigest = calendarDigest
        let zoneData = PolicyTimeZone.dataVersion
        // The regulations behind the turnaround's regulatory due dates shape the answer too.
        let regulatory = RegulatoryClocks(policy: checked, calendar: calendar, regulations: regulations)
        let governing = regulatory?.regulations ?? []
        provenance = Provenance(
            digest: Digest.sha256Hex(parts: [digest, calendarDigest, zoneData] + governing.map(\.digest)), policyFile: file,
            calendar: checked.calendarName, calendarDigest: calendarDigest,
            regulations: governing.map { Provenance.RegulationFile(id: $0.id, digest: $0.digest) }, timeZone: checked.timeZone.identifier,
            timeZoneData: zoneData, versionDate: checked.effective, versionDateSource: .asOf)
        decoder = CaseDecoder(policy: checked, limits: caseLimits)
        evaluator = Evaluator(
            compiled: compiled, calendar: calendar, sourceFile: file,
            regulatory: regulatory)
        fragments = DecisionFragments(evaluator: evaluator, digest: digest, provenance: provenance)
    }

    /// The policy's id (`kaiser-norcal/behavioral-health`).
    public var id: String { policy.id }
    /// The payer whose cases it decides (`kaiser-norcal`).
    public var payer: String { policy.payer }
    /// The policy's title.
    public var title: String { policy.syntax.title }
    /// The first day this version is in force.
    public var effective: CivilDate { policy.effective }
    /// The day it stops being in force, if it does.
    public var expires: CivilDate? { policy.expires }
    /// The names of its decisions, in the order the policy declares them.
    public var decisionNames: [String] { policy.decisions.map(\.name) }

    /// Evaluates a decoded case whose version was chosen by `date`.
    package func evaluate(
        _ decoded: DecodedCase, explain: Bool = false, versionDate: CivilDate? = nil,
        dateSource: Provenance.DateSource = .asOf
    ) -> CaseDecision {
        let (decisions, nextSteps) = evaluator.evaluate(decoded.facts, explain: explain)
        var provenance = provenance
        provenance.versionDate = versionDate ?? policy.effective
        provenance.versionDateSource = dateSource
        return CaseDecision(
            caseID: decoded.caseID, policyID: policy.id, payer: policy.payer, effective: policy.effective,
            digest: digest, decisions: decisions, nextSteps: nextSteps, provenance: provenance,
            title: policy.syntax.title)
    }

    /// Whether this version is in force on `date`.
    public func isInForce(on date: CivilDate) -> Bool {
        policy.effective <= date && (policy.expires.map { date < $0 } ?? true)
    }

    /// A drawing of the decision named `decision` as Graphviz DOT (a hit-`all` decision as one
    /// small diagram per rule), or `nil` when the policy has no such decision or it is too large
    /// to draw.
    public func graphviz(decision: String) -> String? {
        guard let index = policy.decisions.firstIndex(where: { $0.name == decision }) else { return nil }
        return GraphvizExport.dot(policy, decision: index)
    }
}

/// All the policies and calendars under a set of paths, loaded once and shared by every evaluation.
///
/// Immutable and `Sendable`: load it once and evaluate from any number of threads.
public struct PolicyCatalog: Sendable {
    /// The policies, by id then effective date.
    public package(set) var policies: [LoadedPolicy]
    /// The holiday calendars by name.
    package private(set) var calendars: [String: HolidayCalendar]
    /// The case format the policies were checked against (`case-format.yaml` at the policies
    /// root), when the root has one: what `precert schema case` and the service's OpenAPI
    /// document describe.
    public package(set) var caseFormat: CaseFormat?
    /// The policy files that did not load (only a catalog from the non-throwing `load` has any).
    package var failed: [FailedPolicy] = []
    /// Every policy and calendar file read, by name relative to its root, with the sha256 of its
    /// bytes, sorted by name: what `digest` is computed from.
    package var files: [(name: String, digest: String)] = [] {
        didSet { digest = Self.setDigest(files) }
    }

    /// The digest of the policy set: a sha256 over every policy and calendar file read (its name
    /// and the sha256 of its bytes), `sha256:` then lowercase hex. Two catalogs loaded from the
    /// same files have the same digest; any change to a policy or calendar file changes it (test
    /// files do not count: they change no answer). Computed once, when the files are known: a
    /// service names it on every answer.
    public private(set) var digest = Self.setDigest([])

    /// Whether the set was checked against a manifest and matched it exactly: every path loaded
    /// was a folder holding `precert.manifest.json`, and its policy and calendar files were the
    /// ones listed, byte for byte (then `digest` equals the manifest's `digest`). `false` for a
    /// folder without a manifest, a file given by itself, a catalog loaded from memory, and a set
    /// that did not match (which has errors).
    public internal(set) var hasVerifiedManifest = false

    /// The `revision` of the manifest the set was verified against (a git revision, a release
    /// name: whatever its operator wrote), for a service to show beside `digest`. `nil` unless
    /// `hasVerifiedManifest`, when the manifest names no revision, and when several folders were
    /// loaded, each with a manifest of its own.
    public internal(set) var manifestRevision: String?

    /// The digest of a set of files given by name and sha256, sorted by name: one definition for
    /// the catalog and for the manifest that pins it.
    package static func setDigest(_ files: [(name: String, digest: String)]) -> String {
        "sha256:" + Digest.sha256Hex(parts: files.flatMap { [$0.name, $0.digest] })
    }
    /// Buffers the one-case calls (`decisionJSON`, `evaluate`) borrow (a `var` only so that
    /// `init(paths:options:)` can assign `self`).
    private(set) var sessionBuffers = SessionBufferPool()

    /// A catalog of the given parts (see `PolicyPipeline` for loading one).
    package init(policies: [LoadedPolicy], calendars: [String: HolidayCalendar]) {
        self.policies = policies
        self.calendars = calendars
    }

    /// The outcome of loading: the catalog (only what loaded cleanly) and every diagnostic.
    public struct LoadResult: Sendable {
        /// What loaded without errors.
        public internal(set) var catalog: PolicyCatalog
        /// Every problem of every file, sorted by place.
        public internal(set) var diagnostics: [Diagnostic]
        /// The text of every file read, so that a `DiagnosticRenderer` can quote it.
        public internal(set) var sources: [SourceText]
        /// How many YAML files were read.
        package internal(set) var fileCount: Int
        /// The policy test files read, for the test runner (the catalog itself does not use them).
        package var testDocuments: [PolicyPipeline.Document] = []
        /// What the turnaround proof found for each policy version, regulation and request kind.
        package var clockProofs: [ClockProof] = []
        /// The regulations that loaded, by file.
        package var regulations: [Regulation] = []

        /// Whether any file has an error (its policy, or every policy of a calendar with one, is
        /// then missing from `catalog`).
        public var hasErrors: Bool { diagnostics.containsErrors }
    }

    /// Loads every calendar, policy and test file under `paths`, reporting every problem at once.
    ///
    /// A path that does not exist is an error (`io.not-found`), as is a directory with no policy.
    /// Policies with errors are left out of the catalog; check `LoadResult.hasErrors` before
    /// serving it, or use `init(paths:options:)`, which throws instead.
    public static func load(paths: [String], options: CatalogOptions = CatalogOptions()) -> LoadResult {
        PolicyPipeline.load(paths: paths, options: options)
    }

    /// Loads policies and calendars held in memory (for services that fetch them, and for tests),
    /// reporting every problem at once; each file's `path` names it in diagnostics and decisions.
    public static func load(files: [PolicyFile], options: CatalogOptions = CatalogOptions()) -> LoadResult {
        PolicyPipeline.load(files: files, options: options)
    }

    /// Loads every calendar and policy under `paths`, or throws every diagnostic when any file has
    /// an error: a catalog with a policy missing answers that policy's cases wrongly.
    public init(paths: [String], options: CatalogOptions = CatalogOptions()) throws(CatalogError) {
        let result = Self.load(paths: paths, options: options)
        if result.hasErrors { throw CatalogError(diagnostics: result.diagnostics, sources: result.sources) }
        self = result.catalog
    }

    /// Loads `limits`-bounded policies (the internal form of `CatalogOptions`, for tests of each limit).
    package static func load(
        paths: [String], limits: LoadLimits, options: CompileOptions = CompileOptions(), caseLimits: CaseLimits = CaseLimits()
    ) -> LoadResult {
        PolicyPipeline.load(paths: paths, settings: .init(limits: limits, compile: options, caseLimits: caseLimits))
    }
}

/// A catalog that could not be loaded cleanly: every diagnostic of every file.
public struct CatalogError: Error, Sendable {
    /// Every problem, sorted by place.
    public let diagnostics: [Diagnostic]
    /// The text of every file read, so that a `DiagnosticRenderer` can quote it.
    public let sources: [SourceText]
}

/// A policy, calendar or test file held in memory.
public struct PolicyFile: Sendable, Hashable {
    /// The file's name in diagnostics and in decisions' `source` (`kaiser-norcal/behavioral-health.yaml`).
    public var path: String
    /// The file's bytes (UTF-8 YAML).
    public var bytes: [UInt8]

    /// Creates a file from its name and bytes.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// Creates a file from its name and text.
    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// Bounds and switches for loading a catalog. Every bound has a safe default; a file over one gets
/// a diagnostic naming the limit.
public struct CatalogOptions: Sendable, Hashable {
    /// The largest policy, calendar or test file read, in bytes.
    public var maxFileBytes = 16 << 20
    /// The deepest YAML nesting accepted.
    public var maxYAMLDepth = 64
    /// No longer read: YAML anchors and aliases are refused (`yaml.anchor`, `yaml.alias`), so
    /// nothing expands. Kept so that code setting it still compiles.
    @available(*, deprecated, message: "YAML aliases are refused; nothing expands")
    public var maxAliasExpansion = 10_000
    /// The longest expression, in characters.
    public var maxExpressionLength = 4_096
    /// The deepest expression nesting, as written.
    public var maxExpressionDepth = 32
    /// The deepest expression nesting with the conditions it uses written out.
    public var maxExpandedExpressionDepth = 256
    /// The most levels of conditions built on conditions.
    public var maxConditionDepth = 32
    /// The most rules (defaults included) one policy may have.
    public var maxRules = 5_000
    /// The most values one enum input may have.
    public var maxEnumValues = 1_000
    /// The largest case document accepted, in bytes.
    public var maxCaseBytes = 1 << 20
    /// The deepest JSON nesting of a case.
    public var maxCaseDepth = 64
    /// The longest string in a case, in bytes.
    public var maxCaseStringBytes = 256 << 10
    /// The most items a list or set input of a case may hold.
    public var maxCaseListLength = 10_000
    /// Whether to analyze each decision (shadowed rules, gaps, overlaps) and report the findings
    /// as warnings; off, loading is faster and reports only errors.
    public var analyze = true

    /// The default bounds, with analysis.
    public init() {}

    /// The internal limits these options stand for.
    package var settings: PolicyPipeline.Settings {
        let policy = PolicyLimits(
            maxConditionDepth: maxConditionDepth, maxExpressionDepth: maxExpandedExpressionDepth,
            maxEnumValues: maxEnumValues)
        return PolicyPipeline.Settings(
            limits: LoadLimits(
                yaml: YAMLLimits(maxBytes: maxFileBytes, maxDepth: maxYAMLDepth),
                expression: ExpressionParser.Limits(maxLength: maxExpressionLength, maxDepth: maxExpressionDepth),
                maxRules: maxRules, policy: policy),
            compile: CompileOptions(analyze: analyze),
            caseLimits: CaseLimits(
                maxBytes: maxCaseBytes, json: JSONLimits(maxDepth: maxCaseDepth, maxStringBytes: maxCaseStringBytes),
                maxListLength: maxCaseListLength))
    }
}
