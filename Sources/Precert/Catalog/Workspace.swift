/// The version of the Precert engine, reported in every decision.
public enum Precert {
    /// The engine's semantic version.
    public static let engineVersion = "0.1.0"
}

/// What kind of Precert file a YAML document is, told by its first key.
public enum PrecertFileKind: Sendable, Hashable {
    /// `precert: 1`: a policy.
    case policy
    /// `precert-calendar: 1`: a holiday calendar.
    case calendar
    /// `precert-test: 1`: a policy test file.
    case test

    /// The kind of a loaded document, or `nil` when it is not a Precert file.
    public static func of(_ root: YAMLNode) -> PrecertFileKind? {
        guard let pairs = root.mapping else { return nil }
        let keys = Set(pairs.compactMap { $0.key.scalar })
        if keys.contains("precert") { return .policy }
        if keys.contains("precert-calendar") { return .calendar }
        if keys.contains("precert-test") { return .test }
        return nil
    }
}

/// Limits applied when loading policies, calendars and tests.
public struct LoadLimits: Sendable, Hashable {
    /// YAML limits.
    public var yaml: YAMLLimits
    /// Expression limits.
    public var expression: ExpressionParser.Limits
    /// The most rules (defaults included) one policy may have; diagrams and analysis grow with it.
    public var maxRules: Int
    /// Bounds on a policy's conditions, expressions and enums, enforced by the checker.
    public var policy: PolicyLimits

    /// Creates limits.
    public init(
        yaml: YAMLLimits = .default, expression: ExpressionParser.Limits = .init(), maxRules: Int = 5_000,
        policy: PolicyLimits = .default
    ) {
        self.yaml = yaml
        self.expression = expression
        self.maxRules = maxRules
        self.policy = policy
    }
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

    /// Loads every YAML file under `paths` and reports what is wrong with each: YAML, policy
    /// language and analysis problems alike.
    public static func check(paths: [String], limits: LoadLimits = LoadLimits()) -> Report {
        let loaded = PolicyCatalog.load(paths: paths, limits: limits)
        return Report(
            diagnostics: loaded.diagnostics.sortedByLocation(), sources: loaded.sources, fileCount: loaded.fileCount)
    }
}
