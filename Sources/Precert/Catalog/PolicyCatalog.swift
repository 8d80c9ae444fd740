/// One policy version, compiled and ready to evaluate.
///
/// A class, so that reaching a policy through the catalog for every case shares it instead of
/// copying (and reference counting) each of its parts.
public final class LoadedPolicy: Sendable {
    /// The checked policy.
    public var policy: CheckedPolicy { compiled.checked }
    /// The compiled policy.
    public let compiled: CompiledPolicy
    /// Its holiday calendar.
    public let calendar: HolidayCalendar
    /// The file's text.
    public let source: SourceText
    /// The sha256 of the file's bytes, lowercase hex.
    public let digest: String
    /// Reads cases into this policy's slots.
    public let decoder: CaseDecoder
    /// Evaluates decoded cases.
    public let evaluator: Evaluator
    /// Pre-encoded decision JSON pieces for the fast path.
    let fragments: DecisionFragments

    /// Compiles a checked policy and prepares its decoder and evaluator.
    public convenience init(checked: CheckedPolicy, calendar: HolidayCalendar, source: SourceText, digest: String,
        options: CompileOptions = CompileOptions(), caseLimits: CaseLimits = CaseLimits())
    {
        self.init(compiled: PolicyCompiler.compile(checked, options: options), calendar: calendar, source: source,
            digest: digest, caseLimits: caseLimits)
    }

    /// Prepares a compiled policy's decoder and evaluator.
    public init(compiled: CompiledPolicy, calendar: HolidayCalendar, source: SourceText, digest: String,
        caseLimits: CaseLimits = CaseLimits())
    {
        self.compiled = compiled
        self.calendar = calendar
        self.source = source
        self.digest = digest
        self.decoder = CaseDecoder(policy: compiled.checked, limits: caseLimits)
        self.evaluator = Evaluator(compiled: compiled, calendar: calendar)
        self.fragments = DecisionFragments(evaluator: evaluator, digest: digest)
    }

    /// Evaluates a decoded case.
    public func evaluate(_ decoded: DecodedCase, explain: Bool = false) -> CaseDecision {
        let (decisions, nextSteps) = evaluator.evaluate(decoded.facts, explain: explain)
        return CaseDecision(
            caseID: decoded.caseID, policyID: policy.id, payer: policy.payer, effective: policy.effective,
            digest: digest, decisions: decisions, nextSteps: nextSteps)
    }

    /// Whether this version is in force on `date`.
    public func isInForce(on date: CivilDate) -> Bool {
        policy.effective <= date && (policy.expires.map { date < $0 } ?? true)
    }
}

/// All the policies and calendars under a set of paths, loaded once and shared by every evaluation.
public struct PolicyCatalog: Sendable {
    /// The policies, by id then effective date.
    public private(set) var policies: [LoadedPolicy]
    /// The holiday calendars by name.
    public private(set) var calendars: [String: HolidayCalendar]

    /// The outcome of loading: the catalog (only what loaded cleanly) and every diagnostic.
    public struct LoadResult: Sendable {
        /// What loaded without errors.
        public var catalog: PolicyCatalog
        /// Every problem of every file.
        public var diagnostics: [Diagnostic]
        /// The text of every file read.
        public var sources: [SourceText]
        /// How many YAML files were read.
        public var fileCount: Int
    }

    /// Loads every calendar, policy and test file under `paths`, reporting every problem at once.
    public static func load(
        paths: [String], limits: LoadLimits = LoadLimits(), options: CompileOptions = CompileOptions(),
        caseLimits: CaseLimits = CaseLimits()
    ) -> LoadResult {
        let (files, found) = PolicyFiles.discover(paths)
        var diagnostics = found
        var sources: [SourceText] = []
        var documents: [(SourceText, YAMLNode, PrecertFileKind, String)] = []
        for file in files {
            switch PolicyFiles.read(file, maxBytes: limits.yaml.maxBytes) {
            case .failure(let diagnostic):
                diagnostics.append(diagnostic)
            case .success(let bytes):
                let source = SourceText(file: file, text: String(decoding: bytes, as: UTF8.self))
                sources.append(source)
                let result = YAMLLoader.load(bytes, file: file, limits: limits.yaml)
                diagnostics.append(contentsOf: result.diagnostics)
                guard let root = result.root, !result.diagnostics.containsErrors else { continue }
                guard let kind = PrecertFileKind.of(root) else {
                    diagnostics.append(
                        .error(
                            "catalog.unknown-file", "not a Precert file", at: SourceRange(root.location),
                            hint: "a policy starts with `precert: 1`, a calendar with `precert-calendar: 1`, a test file with `precert-test: 1`"))
                    continue
                }
                documents.append((source, root, kind, SHA256.hexDigest(bytes)))
            }
        }
        var calendars: [String: HolidayCalendar] = [:]
        for (_, root, kind, _) in documents where kind == .calendar {
            let (calendar, problems) = CalendarLoader.load(root)
            diagnostics.append(contentsOf: problems)
            if let calendar {
                if calendars[calendar.name] != nil {
                    diagnostics.append(
                        .error("catalog.duplicate-calendar", "a second calendar named `\(calendar.name)`", at: root.range))
                } else {
                    calendars[calendar.name] = calendar
                }
            }
        }
        var policies: [LoadedPolicy] = []
        for (source, root, kind, digest) in documents where kind == .policy {
            let (syntax, decodeProblems) = PolicyDecoder.decode(
                root, source: source, expressionLimits: limits.expression, maxRules: limits.maxRules)
            diagnostics.append(contentsOf: decodeProblems)
            guard let syntax else { continue }
            let (checked, checkProblems) = PolicyChecker.check(
                syntax, context: PolicyChecker.Context(calendars: Set(calendars.keys), limits: limits.policy))
            diagnostics.append(contentsOf: checkProblems)
            guard let checked, !decodeProblems.containsErrors, let calendar = calendars[checked.calendarName] else {
                continue
            }
            let loaded = LoadedPolicy(
                checked: checked, calendar: calendar, source: source, digest: digest, options: options, caseLimits: caseLimits)
            diagnostics.append(contentsOf: loaded.compiled.findings)
            if let twin = policies.first(where: { $0.policy.id == checked.id && $0.policy.effective == checked.effective }) {
                diagnostics.append(
                    .error(
                        "catalog.duplicate-version",
                        "policy `\(checked.id)` already has a version effective \(checked.effective)",
                        at: checked.syntax.effective.range,
                        hint: "give each version its own `effective` date",
                        notes: [DiagnosticNote("the other version", at: twin.policy.syntax.effective.range)]))
                continue
            }
            policies.append(loaded)
        }
        policies.sort { ($0.policy.id, $0.policy.effective) < ($1.policy.id, $1.policy.effective) }
        let catalog = PolicyCatalog(policies: policies, calendars: calendars)
        return LoadResult(catalog: catalog, diagnostics: diagnostics, sources: sources, fileCount: files.count)
    }
}
