/// What kind of Precert file a YAML document is, told by its first key.
package enum PrecertFileKind: Sendable, Hashable {
    /// `precert: 1`: a policy.
    case policy
    /// `precert-calendar: 1`: a holiday calendar.
    case calendar
    /// `precert-test: 1`: a policy test file.
    case test
    /// `precert-regulation: 1`: a regulation's limits on turnaround clocks.
    case regulation
    /// `precert-case-format: 1`: the fields a case may carry.
    case caseFormat
    /// A file a front end reads beside the policies (`precert-crd-mapping: 1`, the CRD mapping;
    /// `precert-provider-directory: 1`, a payer's provider directory): the catalog pins it in its
    /// digest and manifest but does not interpret it; the front end checks it when it loads it.
    case frontEnd

    /// The kind of a loaded document, or `nil` when it is not a Precert file.
    package static func of(_ root: YAMLNode) -> PrecertFileKind? {
        guard let pairs = root.mapping else { return nil }
        let keys = Set(pairs.compactMap { $0.key.scalar })
        if keys.contains("precert") { return .policy }
        if keys.contains("precert-calendar") { return .calendar }
        if keys.contains("precert-test") { return .test }
        if keys.contains("precert-regulation") { return .regulation }
        if keys.contains("precert-case-format") { return .caseFormat }
        if keys.contains("precert-crd-mapping") || keys.contains("precert-provider-directory") { return .frontEnd }
        return nil
    }
}

/// Limits applied when loading policies, calendars and tests (the internal form of `CatalogOptions`).
package struct LoadLimits: Sendable, Hashable {
    /// YAML limits.
    package var yaml: YAMLLimits
    /// Expression limits.
    package var expression: ExpressionParser.Limits
    /// The most rules (defaults included) one policy may have; diagrams and analysis grow with it.
    package var maxRules: Int
    /// Bounds on a policy's conditions, expressions and enums, enforced by the checker.
    package var policy: PolicyLimits

    /// Creates limits.
    package init(
        yaml: YAMLLimits = .default, expression: ExpressionParser.Limits = .init(), maxRules: Int = 5_000,
        policy: PolicyLimits = .default
    ) {
        self.yaml = yaml
        self.expression = expression
        self.maxRules = maxRules
        self.policy = policy
    }
}

/// The one way from policy text to loaded policies: read YAML, decode, check, compile. The
/// catalog, `precert check`, `precert test`, the benchmarks, the fuzz targets and the tests all
/// come through here, so no caller wires the stages by hand (or forgets that decoding returns a
/// policy even when it reported errors).
package enum PolicyPipeline {
    /// Everything that bounds and shapes loading.
    package struct Settings: Sendable {
        /// Limits on files, YAML, expressions and policies.
        package var limits: LoadLimits
        /// Diagram budgets and whether to analyze.
        package var compile: CompileOptions
        /// Limits on the cases the loaded policies will decode.
        package var caseLimits: CaseLimits
        /// Whether a folder holding `precert.manifest.json` must match it. Off only for
        /// `precert check --write-manifest`, which replaces a manifest that no longer matches.
        package var verifiesManifests: Bool

        /// Creates settings; the defaults are `CatalogOptions()`'s.
        package init(
            limits: LoadLimits = LoadLimits(), compile: CompileOptions = CompileOptions(), caseLimits: CaseLimits = CaseLimits(),
            verifiesManifests: Bool = true
        ) {
            self.limits = limits
            self.compile = compile
            self.caseLimits = caseLimits
            self.verifiesManifests = verifiesManifests
        }
    }

    /// A folder given to load whose manifest its files are checked against.
    struct ManifestScope {
        /// The manifest's path (`Policies/precert.manifest.json`), as diagnostics name it.
        var manifestPath: String
        /// The manifest's bytes, or why they could not be read.
        var manifest: Result<[UInt8], Diagnostic>
        /// Every YAML file found under the folder, by path as given and by name relative to it.
        var files: [(path: String, name: String)]
    }

    /// One YAML document that is a Precert file.
    package struct Document: Sendable {
        /// Its text, named as the file was given.
        package var source: SourceText
        /// Its name relative to the policies root.
        package var name: String
        /// Its YAML tree.
        package var root: YAMLNode
        /// Its kind.
        package var kind: PrecertFileKind
        /// The sha256 of its bytes, lowercase hex.
        package var digest: String
    }

    /// Every file under `paths`, loaded as a catalog.
    package static func load(paths: [String], options: CatalogOptions) -> PolicyCatalog.LoadResult {
        load(paths: paths, settings: options.settings)
    }

    /// Every file under `paths`, loaded as a catalog with internal settings.
    package static func load(paths: [String], settings: Settings) -> PolicyCatalog.LoadResult {
        // One payer's folder is checked with the calendars and regulations of its policies root.
        let (found, problems) = PolicyFiles.discover(paths + PolicyFiles.sharedFolders(for: paths))
        var diagnostics = problems
        var files: [(file: PolicyFile, name: String)] = []
        for entry in found {
            switch PolicyFiles.read(entry.path, maxBytes: settings.limits.yaml.maxBytes) {
            case .failure(let diagnostic): diagnostics.append(diagnostic)
            case .success(let bytes): files.append((PolicyFile(path: entry.path, bytes: bytes), entry.name))
            }
        }
        let scopes = settings.verifiesManifests ? manifestScopes(paths, found: found, maxBytes: settings.limits.yaml.maxBytes) : []
        var (result, outcomes) = load(files, manifests: scopes, settings: settings)
        result.diagnostics = (diagnostics + result.diagnostics).sortedByLocation()
        result.fileCount = found.count
        // The whole set is pinned only when every path given was a folder with a manifest it matched.
        result.catalog.hasVerifiedManifest = !outcomes.isEmpty && outcomes.count == Set(paths.map(folderKey)).count
            && outcomes.allSatisfy(\.verified)
        result.catalog.manifestRevision = result.catalog.hasVerifiedManifest && outcomes.count == 1 ? outcomes[0].revision : nil
        return result
    }

    /// The folders among `paths` that hold a manifest, each once, with the files found under it.
    static func manifestScopes(_ paths: [String], found: [(path: String, name: String)], maxBytes: Int) -> [ManifestScope] {
        var scopes: [ManifestScope] = []
        var seen: Set<String> = []
        for path in paths where seen.insert(folderKey(path)).inserted {
            guard let manifestPath = PolicyFiles.manifestPath(in: path) else { continue }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            let files = found.filter { $0.path.hasPrefix(prefix) }.map { ($0.path, String($0.path.dropFirst(prefix.count))) }
            scopes.append(ManifestScope(
                manifestPath: manifestPath, manifest: PolicyFiles.read(manifestPath, maxBytes: maxBytes), files: files))
        }
        return scopes
    }

    /// A folder's path without trailing slashes, so that `Policies` and `Policies/` are one folder.
    static func folderKey(_ path: String) -> String {
        var key = Substring(path)
        while key.count > 1, key.hasSuffix("/") { key = key.dropLast() }
        return String(key)
    }

    /// In-memory files, loaded as a catalog.
    package static func load(files: [PolicyFile], options: CatalogOptions) -> PolicyCatalog.LoadResult {
        let settings = options.settings
        var diagnostics: [Diagnostic] = []
        var kept: [(file: PolicyFile, name: String)] = []
        for file in files {
            if file.bytes.count > settings.limits.yaml.maxBytes {
                diagnostics.append(PolicyFiles.tooLarge(file.path, limit: settings.limits.yaml.maxBytes))
            } else {
                kept.append((file, file.path))
            }
        }
        var result = load(kept, manifests: [], settings: settings).result
        result.diagnostics = (diagnostics + result.diagnostics).sortedByLocation()
        return result
    }

    /// The files, read as YAML and sorted by kind, checked against the manifests of their
    /// folders, then calendars, then policies.
    private static func load(
        _ files: [(file: PolicyFile, name: String)], manifests: [ManifestScope], settings: Settings
    ) -> (result: PolicyCatalog.LoadResult, manifests: [ManifestVerifier.Outcome]) {
        var diagnostics: [Diagnostic] = []
        var sources: [SourceText] = []
        var documents: [Document] = []
        // What a manifest checks of each file read, by path as given.
        var readFiles: [String: (sha256: String, kind: PrecertFileKind?)] = [:]
        for (file, name) in files {
            let (document, problems, source) = read(file, name: name, limits: settings.limits)
            diagnostics += problems
            sources.append(source)
            if let document { documents.append(document) }
            if !manifests.isEmpty {
                readFiles[file.path] = (document?.digest ?? Digest.sha256Hex(file.bytes), document?.kind)
            }
        }
        // Verified against the bytes just read, so that what is checked is what loads.
        var outcomes: [ManifestVerifier.Outcome] = []
        var rejected: Set<String> = []
        for scope in manifests {
            // A file found but not read (`io.unreadable`, too large) has neither digest nor kind.
            let folderFiles = scope.files.map { found in
                ManifestVerifier.FolderFile(
                    path: found.path, name: found.name, sha256: readFiles[found.path]?.sha256, kind: readFiles[found.path]?.kind)
            }
            let outcome = ManifestVerifier.verify(manifest: scope.manifest, manifestPath: scope.manifestPath, files: folderFiles)
            diagnostics += outcome.diagnostics
            if let source = outcome.source { sources.append(source) }
            rejected.formUnion(outcome.rejected)
            outcomes.append(outcome)
        }
        var calendars: [String: (calendar: HolidayCalendar, digest: String)] = [:]
        var rejectedCalendars: Set<String> = []
        for document in documents where document.kind == .calendar {
            let (calendar, problems) = CalendarLoader.load(document.root)
            diagnostics += problems
            guard let calendar else { continue }
            // Kept, so that its policies report no unknown calendar, but none of them may answer.
            if rejected.contains(document.source.file) { rejectedCalendars.insert(calendar.name) }
            if calendars[calendar.name] != nil {
                diagnostics.append(
                    .error("catalog.duplicate-calendar", "a second calendar named `\(calendar.name)`", at: document.root.range))
            } else {
                calendars[calendar.name] = (calendar, document.digest)
            }
        }
        var regulations: [Regulation] = []
        for document in documents where document.kind == .regulation {
            let (regulation, problems) = RegulationLoader.load(document.root, file: document.source.file, calendars: Set(calendars.keys))
            diagnostics += problems
            // A regulation whose file its manifest does not list as is proves nothing.
            guard var regulation, !rejected.contains(document.source.file) else { continue }
            if let twin = regulations.first(where: { $0.id == regulation.id }) {
                diagnostics.append(
                    .error(
                        "catalog.duplicate-regulation", "a second regulation with the id `\(regulation.id)`", at: regulation.range,
                        notes: [DiagnosticNote("the other one", at: twin.range)]))
                continue
            }
            regulation.calendar = regulation.calendarName.flatMap { calendars[$0]?.calendar }
            regulation.digest = document.digest
            regulations.append(regulation)
        }
        var caseFormat: CaseFormat?
        for document in documents where document.kind == .caseFormat {
            let (format, problems) = CaseFormatLoader.load(document.root, file: document.name)
            diagnostics += problems
            guard let format, !rejected.contains(document.source.file) else { continue }
            if let first = caseFormat {
                diagnostics.append(.error(
                    "catalog.duplicate-case-format", "a second case format file", at: document.root.range,
                    hint: "one policies root has one case format; this one is ignored in favour of `\(first.file)`"))
                continue
            }
            caseFormat = format
        }
        var policies: [LoadedPolicy] = []
        var failed: [FailedPolicy] = []
        var proofs: [ClockProof] = []
        for document in documents where document.kind == .policy {
            let (loaded, problems, proved) = compileProving(
                document, calendars: calendars, regulations: regulations, caseFormat: caseFormat, settings: settings)
            diagnostics += problems
            proofs += proved
            // A policy whose file, or whose calendar's file, is not the one its manifest lists did
            // not load: its payer's cases must not be answered by bytes nobody released.
            guard let loaded, !rejected.contains(document.source.file), !rejectedCalendars.contains(loaded.policy.calendarName) else {
                failed.append(FailedPolicy(document))
                continue
            }
            if let twin = policies.first(where: { $0.id == loaded.id && $0.effective == loaded.effective }) {
                diagnostics.append(
                    .error(
                        "catalog.duplicate-version",
                        "policy `\(loaded.id)` already has a version effective \(loaded.effective)",
                        at: loaded.policy.syntax.effective.range,
                        hint: "give each version its own `effective` date",
                        notes: [DiagnosticNote("the other version", at: twin.policy.syntax.effective.range)]))
                continue
            }
            policies.append(loaded)
        }
        policies.sort { ($0.id, $0.effective) < ($1.id, $1.effective) }
        diagnostics += VersionTimeline.diagnostics(policies)
        if !regulations.isEmpty {
            diagnostics += undeclaredScopes(documents: documents, policies: policies, regulations: regulations)
        }
        var catalog = PolicyCatalog(policies: policies, calendars: calendars.mapValues(\.calendar))
        catalog.caseFormat = caseFormat
        catalog.failed = failed.sorted { ($0.file, $0.id ?? "") < ($1.file, $1.id ?? "") }
        catalog.files = documents.filter { $0.kind != .test }.map { ($0.name, $0.digest) }.sorted { $0.name < $1.name }
        var result = PolicyCatalog.LoadResult(
            catalog: catalog, diagnostics: diagnostics.sortedByLocation(), sources: sources, fileCount: files.count,
            testDocuments: documents.filter { $0.kind == .test })
        result.clockProofs = proofs
        result.regulations = regulations
        return (result, outcomes)
    }

    /// Reads one file as YAML and tells its kind; the document is `nil` when the file has errors
    /// or is not a Precert file.
    package static func read(_ file: PolicyFile, name: String, limits: LoadLimits) -> (Document?, [Diagnostic], SourceText) {
        let source = SourceText(file: file.path, text: String(decoding: file.bytes, as: UTF8.self))
        let result = YAMLLoader.load(file.bytes, file: file.path, limits: limits.yaml)
        if result.root == nil, !result.diagnostics.containsErrors {
            // An empty file, or one of only comments, holds no document: it is no Precert file.
            let problem = Diagnostic.error(
                "catalog.unknown-file", "the file is empty or holds only comments, so it is not a Precert file",
                at: SourceRange(SourceLocation(file: file.path, line: 1, column: 1)),
                hint: "a policy starts with `precert: 1`, a calendar with `precert-calendar: 1`, a test file with `precert-test: 1`, a regulation with `precert-regulation: 1`; or remove the file")
            return (nil, result.diagnostics + [problem], source)
        }
        guard let root = result.root, !result.diagnostics.containsErrors else { return (nil, result.diagnostics, source) }
        guard let kind = PrecertFileKind.of(root) else {
            let problem = Diagnostic.error(
                "catalog.unknown-file", "not a Precert file", at: SourceRange(root.location),
                hint: "a policy starts with `precert: 1`, a calendar with `precert-calendar: 1`, a test file with `precert-test: 1`, a regulation with `precert-regulation: 1`, the case format with `precert-case-format: 1`, a CRD mapping with `precert-crd-mapping: 1`, a provider directory with `precert-provider-directory: 1`")
            return (nil, result.diagnostics + [problem], source)
        }
        let document = Document(source: source, name: name, root: root, kind: kind, digest: Digest.sha256Hex(file.bytes))
        return (document, result.diagnostics, source)
    }

    /// Decodes, checks and compiles one policy document against the calendars; the policy is `nil`
    /// when any stage reported an error.
    package static func compile(
        _ document: Document, calendars: [String: (calendar: HolidayCalendar, digest: String)], settings: Settings
    ) -> (LoadedPolicy?, [Diagnostic]) {
        let (loaded, problems, _) = compileProving(document, calendars: calendars, regulations: [], settings: settings)
        return (loaded, problems)
    }

    /// `compile`, with the policy's turnaround proved against the regulations that govern it: a
    /// clock that can end after a limit is an error, and the policy does not load.
    static func compileProving(
        _ document: Document, calendars: [String: (calendar: HolidayCalendar, digest: String)], regulations: [Regulation],
        caseFormat: CaseFormat? = nil, settings: Settings
    ) -> (LoadedPolicy?, [Diagnostic], [ClockProof]) {
        let (checked, problems) = check(
            document.root, source: document.source, calendars: Set(calendars.keys), caseFormat: caseFormat, settings: settings)
        guard let checked, let calendar = calendars[checked.calendarName] else { return (nil, problems, []) }
        let (proofs, violations) = TurnaroundProof.prove(checked, calendar: calendar.calendar, regulations: regulations)
        guard violations.isEmpty else { return (nil, problems + violations, proofs) }
        let loaded = LoadedPolicy(
            checked: checked, calendar: calendar.calendar, source: document.source, digest: document.digest,
            file: document.name, calendarDigest: calendar.digest, options: settings.compile,
            caseLimits: settings.caseLimits, regulations: regulations)
        return (loaded, problems + loaded.compiled.findings, proofs)
    }

    /// A warning for each policy with a turnaround clock that does not say what it governs, when
    /// regulations were loaded to prove clocks against: no regulation can be matched to it.
    private static func undeclaredScopes(documents: [Document], policies: [LoadedPolicy], regulations: [Regulation]) -> [Diagnostic] {
        policies.filter { !$0.policy.scope.isDeclared && $0.policy.scope.turnaround != nil }.map { loaded in
            let decision = loaded.policy.decisions[loaded.policy.scope.turnaround!]
            return .warning(
                "regulation.scope-undeclared",
                "the turnaround `\(decision.name)` is not proved against any regulation: the policy does not say which plans it governs",
                at: SourceRange(decision.location),
                hint: "add `governs:` with the `member.plan` values (and states) the policy applies to; regulations loaded: \(regulations.map { "`\($0.id)`" }.joined(separator: ", "))")
        }
    }

    /// Decodes and checks one policy's YAML tree; the checked policy is `nil` when decoding or
    /// checking reported an error (decoding returns a policy even then, so that checking can report
    /// more at once, but such a policy must go no further). `calendars` names the calendars that
    /// exist (`nil`: do not check the name).
    package static func check(
        _ root: YAMLNode, source: SourceText, calendars: Set<String>?, caseFormat: CaseFormat? = nil, settings: Settings
    ) -> (CheckedPolicy?, [Diagnostic]) {
        // A policy's declared types decide what its values are; a YAML tag (even a core one such
        // as `!!str`) would be a second, silent say, so it is refused. Test files keep core tags
        // for the values of their cases.
        let tags = taggedNodes(root).map { node in
            let tag = node.tag ?? ""
            let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst(18) : Substring(tag)
            return Diagnostic.error(
                "yaml.tag", "tag `\(shown)` is not allowed in a policy", at: node.range,
                hint: "remove it: the input's declared type decides what the value is; quote a value to keep it text")
        }
        guard tags.isEmpty else { return (nil, tags) }
        let (syntax, decodeProblems) = PolicyDecoder.decode(
            root, source: source, expressionLimits: settings.limits.expression, maxRules: settings.limits.maxRules)
        guard let syntax else { return (nil, decodeProblems) }
        // Read against the case format, where the policies root has one: a path no case carries is
        // a typo until the policy says it is an extension.
        let formatProblems = caseFormat?.check(syntax) ?? []
        let (checked, checkProblems) = PolicyChecker.check(
            syntax, context: PolicyChecker.Context(calendars: calendars, limits: settings.limits.policy))
        // An expression that did not parse reads nothing, so it may hide the use of any input,
        // set or condition: nothing is called unused next to it.
        let unparsed = decodeProblems.contains { $0.id == "expr.syntax" }
        let codeProblems = checked.map { caseFormat?.checkCodes($0, syntax: syntax) ?? [] } ?? []
        let problems = decodeProblems + formatProblems + checkProblems.filter { !(unparsed && $0.id.code.hasPrefix("unused.")) } + codeProblems
        return (problems.containsErrors ? nil : checked, problems)
    }

    /// Every node of `root` that carries a YAML tag, in file order (at most 100).
    private static func taggedNodes(_ root: YAMLNode) -> [YAMLNode] {
        var found: [YAMLNode] = []
        var stack = [root]
        while let node = stack.popLast(), found.count < 100 {
            if node.tag != nil { found.append(node) }
            if let items = node.sequence { stack += items.reversed() }
            if let pairs = node.mapping { stack += pairs.flatMap { [$0.key, $0.value] }.reversed() }
        }
        return found
    }

    /// One policy's YAML text, decoded and checked (YAML problems included): for tests and tools that
    /// need the checked policy and every diagnostic but no calendar file.
    package static func check(
        yaml: String, file: String = "policy.yaml", calendars: Set<String>? = nil, settings: Settings = Settings()
    ) -> (CheckedPolicy?, [Diagnostic]) {
        let loaded = YAMLLoader.load(Array(yaml.utf8), file: file, limits: settings.limits.yaml)
        guard let root = loaded.root, !loaded.diagnostics.containsErrors else { return (nil, loaded.diagnostics) }
        let (checked, problems) = check(root, source: SourceText(file: file, text: yaml), calendars: calendars, settings: settings)
        return (checked, loaded.diagnostics + problems)
    }

    /// One policy from YAML text, against the given calendars: for tests, benchmarks and fuzz
    /// targets that have a policy in hand rather than a directory.
    package static func policy(
        yaml: String, file: String = "policy.yaml", calendars: [String: HolidayCalendar], settings: Settings = Settings()
    ) -> (LoadedPolicy?, [Diagnostic]) {
        policy(PolicyFile(path: file, text: yaml), calendars: calendars, settings: settings)
    }

    /// One policy from a file's raw bytes (invalid UTF-8 included, as a fuzzer gives them).
    package static func policy(
        _ file: PolicyFile, calendars: [String: HolidayCalendar], settings: Settings = Settings()
    ) -> (LoadedPolicy?, [Diagnostic]) {
        let (document, problems, _) = read(file, name: file.path, limits: settings.limits)
        guard let document else { return (nil, problems) }
        guard document.kind == .policy else {
            return (nil, problems + [.error("catalog.not-a-policy", "not a policy file", at: document.root.range)])
        }
        let (loaded, more) = compile(document, calendars: calendars.mapValues { ($0, "") }, settings: settings)
        return (loaded, problems + more)
    }
}

/// A policy file that did not load, as far as its header can be read: so that its payer's cases
/// are told the policy failed to load (the deployment's fault), not that the payer is unknown, and
/// so that an older version does not quietly answer cases a broken newer version should have.
package struct FailedPolicy: Sendable, Hashable {
    /// `policy:`, when it is plain text.
    package var id: String?
    /// `payer:`, when it is plain text.
    package var payer: String?
    /// `effective:`, when it is a valid date.
    package var effective: CivilDate?
    /// The file, relative to the policies root.
    package var file: String

    /// Reads what it can of a policy document's header; nothing here can fail.
    init(_ document: PolicyPipeline.Document) {
        func scalar(_ key: String) -> String? {
            document.root.mapping?.first { $0.key.scalar == key }?.value.scalar
        }
        id = scalar("policy")
        payer = scalar("payer")
        effective = scalar("effective").flatMap { CivilDate(iso: $0) }
        file = document.name
    }
}
