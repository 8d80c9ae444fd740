/// One policy version, checked and ready to evaluate.
public struct LoadedPolicy: Sendable {
    /// The checked policy.
    public var policy: CheckedPolicy
    /// Its holiday calendar.
    public var calendar: HolidayCalendar
    /// The file's text.
    public var source: SourceText
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
    public static func load(paths: [String], limits: LoadLimits = LoadLimits()) -> LoadResult {
        let (files, found) = PolicyFiles.discover(paths)
        var diagnostics = found
        var sources: [SourceText] = []
        var documents: [(SourceText, YAMLNode, PrecertFileKind)] = []
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
                documents.append((source, root, kind))
            }
        }
        var calendars: [String: HolidayCalendar] = [:]
        for (_, root, kind) in documents where kind == .calendar {
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
        for (source, root, kind) in documents where kind == .policy {
            let (syntax, decodeProblems) = PolicyDecoder.decode(root, source: source, expressionLimits: limits.expression)
            diagnostics.append(contentsOf: decodeProblems)
            guard let syntax else { continue }
            let (checked, checkProblems) = PolicyChecker.check(
                syntax, context: PolicyChecker.Context(calendars: Set(calendars.keys)))
            diagnostics.append(contentsOf: checkProblems)
            guard let checked, !decodeProblems.containsErrors, let calendar = calendars[checked.calendarName] else {
                continue
            }
            policies.append(LoadedPolicy(policy: checked, calendar: calendar, source: source))
        }
        let catalog = PolicyCatalog(policies: policies, calendars: calendars)
        return LoadResult(catalog: catalog, diagnostics: diagnostics, sources: sources, fileCount: files.count)
    }
}
