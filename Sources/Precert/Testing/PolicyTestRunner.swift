/// The outcome of one test case.
public struct PolicyTestCaseResult: Sendable {
    /// How a case ended.
    public enum Outcome: Sendable, Hashable {
        /// Every expected answer matched.
        case passed
        /// Some answers differed; one entry per differing field of a decision.
        case failed([DecisionMismatch])
        /// The case could not be evaluated: its diagnostics say why.
        case notRun
    }

    /// The test file.
    package internal(set) var file: String
    /// The case's name (`nil` for a case too broken to have one).
    public internal(set) var name: String?
    /// Where the case is written.
    public internal(set) var location: SourceLocation
    /// The fact the case proves, when it says.
    package var facts: String?
    /// The policy the case's file names, when it names one.
    package internal(set) var policyID: String? = nil
    /// How it ended.
    public internal(set) var outcome: Outcome

    /// Whether it passed.
    public var passed: Bool { outcome == .passed }
}

/// One way a decision's answer differed from what a test expected.
public struct DecisionMismatch: Sendable, Hashable {
    /// The decision's name.
    public internal(set) var decision: String
    /// What the test expected, as text (`not_covered`, `due 2026-11-27T23:59:59-08:00`).
    public internal(set) var expected: String
    /// What the policy answered, as text.
    public internal(set) var actual: String
    /// Where the answer came from: the rules that decided with their file:line, or what is missing.
    public internal(set) var context: String?

    /// `coverage: expected not_covered, got covered (rule `default` at file:line)`.
    package var text: String {
        "\(decision): expected \(expected), got \(actual)" + (context.map { " (\($0))" } ?? "")
    }
}

/// Which rules of one policy version the tests reach.
public struct PolicyCoverage: Sendable {
    /// One rule, or a decision's default.
    public struct Entry: Sendable, Hashable {
        /// The decision it belongs to.
        public internal(set) var decision: String
        /// The rule's id, or `default`.
        public internal(set) var ruleID: String
        /// Where it is written.
        public internal(set) var location: SourceLocation
        /// Whether some test case's answer cited it.
        public internal(set) var covered: Bool
        /// How many test cases' answers cited it (a case counts once, whatever else it cites).
        package internal(set) var cases: Int = 0
    }

    /// The policy id.
    public internal(set) var policyID: String
    /// The version's effective date.
    public internal(set) var effective: CivilDate
    /// The policy file.
    public internal(set) var file: String
    /// Every rule and default, decision by decision in the order written.
    public internal(set) var entries: [Entry]

    /// How many entries a test reaches.
    public var covered: Int { entries.filter(\.covered).count }
    /// How many rules and defaults there are.
    public var total: Int { entries.count }
    /// Covered over total, in percent; 100 for a policy without rules.
    public var percent: Double { total == 0 ? 100 : Double(covered) * 100 / Double(total) }
}

/// Everything a test run found.
public struct PolicyTestRun: Sendable {
    /// Every case of every test file, file by file in path order, cases in the order written.
    public internal(set) var results: [PolicyTestCaseResult]
    /// Errors in the policies and the test files, and warnings about the test files.
    public internal(set) var diagnostics: [Diagnostic]
    /// The text of every file read, so diagnostics can quote it.
    public internal(set) var sources: [SourceText]
    /// Rule coverage of every policy version loaded, by policy id then effective date.
    public internal(set) var coverage: [PolicyCoverage]

    /// How many cases passed.
    public var passed: Int { results.filter(\.passed).count }
    /// How many cases failed or could not be run.
    public var failed: Int { results.count - passed }
    /// Whether anything failed or any file has an error.
    public var succeeded: Bool { failed == 0 && !diagnostics.containsErrors }
}

/// Runs policy test files (`precert-test: 1`) against the policies they name.
public enum PolicyTestRunner {
    /// Loads the policies and calendars under `paths`, then runs every test file found there.
    public static func run(paths: [String]) -> PolicyTestRun {
        run(paths: paths, settings: PolicyPipeline.Settings(compile: CompileOptions(analyze: false)))
    }

    /// `run(paths:)` with internal limits, for tests of each limit.
    package static func run(paths: [String], limits: LoadLimits) -> PolicyTestRun {
        run(paths: paths, settings: PolicyPipeline.Settings(limits: limits, compile: CompileOptions(analyze: false)))
    }

    private static func run(paths: [String], settings: PolicyPipeline.Settings) -> PolicyTestRun {
        run(loaded: PolicyPipeline.load(paths: paths, settings: settings))
    }

    /// Runs every test file of a set already loaded (`PolicyPipeline.load`) against its catalog.
    package static func run(loaded: PolicyCatalog.LoadResult) -> PolicyTestRun {
        // Warnings about policies belong to `precert check`; a test run reports what stops it.
        var diagnostics = loaded.diagnostics.filter { $0.severity == .error }
        var sources = loaded.sources
        var files: [PolicyTestFile] = []
        for document in loaded.testDocuments {
            let file = document.source.file
            let root = document.root
            if !(file.hasSuffix(".test.yaml") || file.hasSuffix(".test.yml")) {
                diagnostics.append(
                    .warning(
                        "test.file-name", "a test file's name should end in `.test.yaml`", at: SourceRange(root.location),
                        hint: "editors and the policy schema tell test files from policies by their name"))
            }
            let (decoded, problems) = PolicyTestFile.decode(root, file: file)
            diagnostics.append(contentsOf: problems)
            if let decoded { files.append(decoded) }
        }
        // Only the catalog's own errors explain a policy missing from it; a test file's do not.
        var run = run(files, catalog: loaded.catalog, catalogHasErrors: loaded.hasErrors)
        run.diagnostics = (diagnostics + run.diagnostics).sortedByLocation()
        sources += run.sources
        run.sources = sources
        return run
    }

    /// Runs decoded test files against a loaded catalog.
    package static func run(_ files: [PolicyTestFile], catalog: PolicyCatalog) -> PolicyTestRun {
        run(files, catalog: catalog, catalogHasErrors: false)
    }

    static func run(_ files: [PolicyTestFile], catalog: PolicyCatalog, catalogHasErrors: Bool) -> PolicyTestRun {
        var session = Session(catalog: catalog)
        session.catalogHasErrors = catalogHasErrors
        var results: [PolicyTestCaseResult] = []
        for file in files {
            results += session.run(file)
        }
        let coverage = catalog.policies.map { policy in
            let cited = session.cited[policy.source.file] ?? [:]
            var entries: [PolicyCoverage.Entry] = []
            for decision in policy.policy.decisions {
                for rule in decision.rules + (decision.defaultRule.map { [$0] } ?? []) {
                    let cases = cited[RuleKey(decision: decision.name, rule: rule.id)] ?? 0
                    entries.append(
                        PolicyCoverage.Entry(
                            decision: decision.name, ruleID: rule.id, location: rule.location, covered: cases > 0, cases: cases))
                }
            }
            return PolicyCoverage(
                policyID: policy.policy.id, effective: policy.policy.effective, file: policy.source.file, entries: entries)
        }
        return PolicyTestRun(results: results, diagnostics: session.diagnostics, sources: session.sources, coverage: coverage)
    }

    struct RuleKey: Hashable {
        var decision: String
        var rule: String
    }

    /// The state of one run: what was cited, what went wrong, which case files were read.
    struct Session {
        let catalog: PolicyCatalog
        /// Whether some policy failed to load, which would explain a test file naming an unknown policy.
        var catalogHasErrors = false
        var diagnostics: [Diagnostic] = []
        var sources: [SourceText] = []
        /// Rules cited by some answer, by policy file, with how many cases cited each.
        var cited: [String: [RuleKey: Int]] = [:]

        init(catalog: PolicyCatalog) { self.catalog = catalog }

        mutating func run(_ file: PolicyTestFile) -> [PolicyTestCaseResult] {
            var results = file.invalidCases.map { invalid in
                PolicyTestCaseResult(
                    file: file.file, name: invalid.name, location: invalid.location, facts: nil, policyID: file.policyID?.value,
                    outcome: .notRun)
            }
            let versions = file.policyID.map { id in catalog.policies.filter { $0.policy.id == id.value } } ?? []
            if let id = file.policyID, versions.isEmpty {
                let ids = Set(catalog.policies.map(\.policy.id)).sorted()
                diagnostics.append(
                    .error(
                        "test.unknown-policy", "no policy `\(id.value)`", at: id.range,
                        hint: (Suggestion.didYouMean(id.value, in: ids)
                            ?? "policies: \(ids.map { "`\($0)`" }.joined(separator: ", "))")
                            + (catalogHasErrors ? "; a policy file with errors is not loaded: fix its errors first" : "")))
            }
            for testCase in file.cases {
                var result = PolicyTestCaseResult(
                    file: file.file, name: testCase.name, location: testCase.location, facts: testCase.facts,
                    policyID: file.policyID?.value, outcome: .notRun)
                if let id = file.policyID, !versions.isEmpty {
                    result.outcome = run(testCase, policyID: id.value, in: file)
                }
                results.append(result)
            }
            return results.sorted { $0.location < $1.location }
        }

        private mutating func run(_ testCase: PolicyTestCase, policyID: String, in file: PolicyTestFile) -> PolicyTestCaseResult.Outcome {
            let caseRange = SourceRange(testCase.location)
            // The bytes of the case, and the name its own diagnostics are reported under.
            var bytes: [UInt8]?
            var label = file.file
            switch testCase.input {
            case .inline(let node)?:
                switch YAMLCaseJSON.convert(node) {
                case .failure(let problems): diagnostics += problems.diagnostics
                case .success(let json): bytes = json
                }
            case .file(let path)?:
                let resolved = Self.resolve(path.value, besides: file.file)
                switch PolicyFiles.read(resolved, maxBytes: CaseLimits().maxBytes + 1) {
                case .failure(var diagnostic):
                    diagnostic.range = path.range
                    diagnostic.message = "cannot read the case file `\(resolved)`"
                    diagnostics.append(diagnostic)
                case .success(let read):
                    bytes = read
                    label = resolved
                    sources.append(SourceText(file: resolved, text: String(decoding: read, as: UTF8.self)))
                }
            case nil:
                break
            }
            let dateRange = testCase.asOf?.range ?? file.asOf?.range ?? caseRange
            let date = testCase.asOf?.value ?? file.asOf?.value ?? bytes.flatMap { bytes in bytes.withUnsafeBufferPointer { PolicyCatalog.route($0).receivedAt?.localDate } }
            var version: LoadedPolicy?
            if let date {
                switch catalog.select(CaseRouting(), policyID: policyID, date: date).map({ catalog.policies[$0] }) {
                case .failure(var diagnostic):
                    diagnostic.range = dateRange
                    // The catalog's hint names the CLI option; a test file says it with `as_of`.
                    diagnostic.hint = diagnostic.hint?.replacing(
                        "pass `--as-of DATE` to choose a date", with: "give the case `as_of: YYYY-MM-DD` to choose a date")
                    diagnostics.append(diagnostic)
                case .success(let chosen): version = chosen
                }
            } else if testCase.hasErrors || bytes == nil {
                // Still check what the case names, against the newest version, so that one run
                // reports every problem of the file.
                version = catalog.policies.last { $0.policy.id == policyID }
            } else {
                diagnostics.append(
                    .error(
                        "test.no-date", "test case `\(testCase.name)` gives no date to choose the policy version by",
                        at: caseRange,
                        hint: "give the case a `request.received_at`, or add `as_of: YYYY-MM-DD` to the case or the file, so the test does not depend on today's date"))
            }
            guard let version else { return .notRun }
            var problems: [Diagnostic] = []
            for expectation in testCase.expectations {
                problems += PolicyTestRunner.validate(expectation, against: version.policy)
            }
            if case .inline(let node)? = testCase.input {
                diagnostics += PolicyTestRunner.unreadFields(node, policy: version.policy)
            }
            diagnostics += problems
            // A case whose expectations have errors is still evaluated, so that the rules it
            // reaches count toward coverage; it is then reported as not run.
            guard let bytes, date != nil, testCase.isEvaluable else { return .notRun }
            let decision: CaseDecision
            switch catalog.evaluate(bytes, options: EvaluationOptions(policyID: policyID, asOf: date, file: label)) {
            case .failure(let errors):
                if case .inline(let node)? = testCase.input {
                    diagnostics += errors.diagnostics.map { PolicyTestRunner.relocate($0, in: node) }
                } else {
                    diagnostics += errors.diagnostics
                }
                return .notRun
            case .success(var decided):
                // Decisions cite rules relative to the policies root; a test report points at the
                // file as it was given, so an editor can open it.
                for index in decided.decisions.indices {
                    for rule in decided.decisions[index].rules.indices {
                        decided.decisions[index].rules[rule].location.file = version.source.file
                    }
                }
                decision = decided
            }
            // Each rule once per case, however many of the case's answers cite it.
            var citedHere: Set<RuleKey> = []
            for result in decision.decisions {
                for rule in result.rules {
                    citedHere.insert(RuleKey(decision: result.name, rule: rule.id))
                }
            }
            for key in citedHere {
                cited[version.source.file, default: [:]][key, default: 0] += 1
            }
            guard problems.isEmpty, !testCase.hasErrors else { return .notRun }
            var mismatches: [DecisionMismatch] = []
            for expectation in testCase.expectations {
                guard let result = decision.decisions.first(where: { $0.name == expectation.decision.value }),
                    let index = version.policy.decisionIndex(named: expectation.decision.value)
                else { continue }
                mismatches += PolicyTestRunner.compare(expectation, result, version.policy.decisions[index])
            }
            return mismatches.isEmpty ? .passed : .failed(mismatches)
        }

        /// `path` relative to the directory of `testFile`, with `dir/..` pairs folded so that
        /// messages show a short path.
        static func resolve(_ path: String, besides testFile: String) -> String {
            if path.hasPrefix("/") { return path }
            let directory = testFile.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            var parts: [Substring] = []
            for part in directory + path.split(separator: "/", omittingEmptySubsequences: false) {
                if part == "." || (part.isEmpty && !parts.isEmpty) { continue }
                if part == "..", let last = parts.last, last != "..", !last.isEmpty {
                    parts.removeLast()
                } else {
                    parts.append(part)
                }
            }
            return parts.isEmpty ? "." : parts.joined(separator: "/")
        }
    }

    // MARK: Checking expectations against the policy

    /// The problems of an expectation that names what the policy lacks.
    static func validate(_ expectation: DecisionExpectation, against policy: CheckedPolicy) -> [Diagnostic] {
        let name = expectation.decision
        guard let index = policy.decisionIndex(named: name.value) else {
            let names = policy.decisions.map(\.name)
            return [
                .error(
                    "test.unknown-decision", "policy `\(policy.id)` has no decision `\(name.value)`", at: name.range,
                    hint: Suggestion.didYouMean(name.value, in: names) ?? "decisions: \(names.map { "`\($0)`" }.joined(separator: ", "))")
            ]
        }
        let decision = policy.decisions[index]
        var problems: [Diagnostic] = []
        let statuses = [DecisionStatus.notApplicable.rawValue, DecisionStatus.noMatch.rawValue]
        func checkOutcome(_ word: Located<String>, allowingStatuses: Bool) {
            if decision.isDuration {
                guard let duration = ClockDuration(text: word.value) else {
                    if allowingStatuses, statuses.contains(word.value) { return }
                    var hint = "decision `\(decision.name)` gives durations: \(durations(decision).map { "`\($0)`" }.joined(separator: ", "))"
                    if DecisionStatus(rawValue: word.value) != nil {
                        hint = "`\(word.value)` is a status: write `\(name.value): {status: \(word.value)}`"
                    }
                    problems.append(.error("test.bad-duration", "`\(word.value)` is not a duration", at: word.range, hint: hint))
                    return
                }
                if !durations(decision).contains(duration.description) {
                    problems.append(
                        .error(
                            "test.unknown-outcome", "decision `\(decision.name)` never gives `\(word.value)`", at: word.range,
                            hint: "it gives \(durations(decision).map { "`\($0)`" }.joined(separator: ", "))"))
                }
                return
            }
            if decision.outcomes.contains(word.value) || (allowingStatuses && statuses.contains(word.value)) { return }
            var hint = Suggestion.didYouMean(word.value, in: decision.outcomes)
                ?? "outcomes: \(decision.outcomes.map { "`\($0)`" }.joined(separator: ", "))"
            if DecisionStatus(rawValue: word.value) != nil, !allowingStatuses {
                hint = "`\(word.value)` is a status: write `\(name.value): {status: \(word.value)}`"
            }
            problems.append(
                .error("test.unknown-outcome", "decision `\(decision.name)` has no outcome `\(word.value)`", at: word.range, hint: hint))
        }
        if let outcomes = expectation.outcomes, let range = expectation.outcomeRange {
            let isList = decision.hit == .all
            if expectation.outcomeIsList && !isList {
                problems.append(
                    .error(
                        "test.wrong-kind", "decision `\(decision.name)` gives one \(decision.isDuration ? "duration" : "outcome"), not a list",
                        at: range, hint: "write it without brackets, e.g. `\(outcomes.first?.value ?? (decision.isDuration ? "3 business days" : decision.outcomes.first ?? "outcome"))`"))
            } else if !expectation.outcomeIsList && isList {
                problems.append(
                    .error(
                        "test.wrong-kind", "decision `\(decision.name)` gives a list (hit `all`)", at: range,
                        hint: "write its outcomes in brackets, e.g. `[\(outcomes.first?.value ?? "")]`, or `[]` for none"))
            } else {
                for word in outcomes { checkOutcome(word, allowingStatuses: false) }
            }
        }
        if let due = expectation.due, !decision.isDuration {
            problems.append(
                .error(
                    "test.not-duration", "`due` belongs to a duration decision, and `\(decision.name)` gives outcomes", at: due.range,
                    hint: "remove `due`, or expect it of the policy's `type: duration` decision"))
        }
        if let rules = expectation.rules {
            let ids = decision.rules.map(\.id) + (decision.defaultRule != nil ? ["default"] : [])
            for rule in rules where !ids.contains(rule.value) {
                var hint = Suggestion.didYouMean(rule.value, in: ids) ?? "rules: \(ids.map { "`\($0)`" }.joined(separator: ", "))"
                if let owner = policy.decisions.first(where: { $0.rules.contains { $0.id == rule.value } }) {
                    hint = "`\(rule.value)` is a rule of decision `\(owner.name)`"
                } else if rule.value == "default" {
                    hint = "decision `\(decision.name)` has no default; its rules: \(ids.map { "`\($0)`" }.joined(separator: ", "))"
                }
                problems.append(
                    .error("test.unknown-rule", "decision `\(decision.name)` has no rule `\(rule.value)`", at: rule.range, hint: hint))
            }
        }
        if let missing = expectation.missing {
            let paths = policy.inputs.map(\.path)
            for input in missing where !paths.contains(input.value) {
                problems.append(
                    .error(
                        "test.unknown-input", "policy `\(policy.id)` has no input `\(input.value)`", at: input.range,
                        hint: Suggestion.didYouMean(input.value, in: paths) ?? "`missing` lists the policy's inputs a case leaves out"))
            }
        }
        for word in expectation.possible ?? [] { checkOutcome(word, allowingStatuses: true) }
        return problems
    }

    /// The durations a duration decision can give, in rule order.
    private static func durations(_ decision: Decision) -> [String] {
        var result: [String] = []
        for rule in decision.rules + (decision.defaultRule.map { [$0] } ?? []) {
            if let text = rule.duration?.description, !result.contains(text) { result.append(text) }
        }
        return result
    }

    /// Warnings for fields of an inline case that the policy does not read but that are close to
    /// an input it does: likely typos, which would otherwise quietly leave the input unknown.
    static func unreadFields(_ node: YAMLNode, policy: CheckedPolicy) -> [Diagnostic] {
        let paths = policy.inputs.map(\.path)
        var warnings: [Diagnostic] = []
        func walk(_ node: YAMLNode, prefix: String) {
            for pair in node.mapping ?? [] {
                let path = prefix + (pair.key.scalar ?? "")
                if paths.contains(path) { continue }
                if pair.value.mapping != nil, paths.contains(where: { $0.hasPrefix(path + ".") }) {
                    walk(pair.value, prefix: path + ".")
                } else if let close = nearlyEqual(path, paths) {
                    warnings.append(
                        .warning(
                            "test.unread-field", "policy `\(policy.id)` does not read `\(path)`", at: pair.key.range,
                            hint: "did you mean `\(close)`? a field the policy does not read leaves its input unknown"))
                }
            }
        }
        walk(node, prefix: "")
        return warnings
    }

    /// A declared path one or two edits away from `path`: closer than `Suggestion`'s "did you mean",
    /// because fields of the shared case shape that a policy ignores (`service.date` beside
    /// `service.cpt`) are normal and must not be flagged.
    private static func nearlyEqual(_ path: String, _ paths: [String]) -> String? {
        let written = Array(path.unicodeScalars)
        let allowed = written.count >= 10 ? 2 : 1
        return paths.first { Suggestion.editDistance(written, Array($0.unicodeScalars)) <= allowed }
    }

    /// A case diagnostic moved from the generated JSON to the YAML node its JSON path names.
    static func relocate(_ diagnostic: Diagnostic, in root: YAMLNode) -> Diagnostic {
        var moved = diagnostic
        moved.range = root.range
        guard let path = diagnostic.facts.jsonPath, path.hasPrefix("$") else { return moved }
        var node = root
        var rest = Substring(path.dropFirst())
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let key = rest.prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(key.count)
                guard let pair = node.mapping?.first(where: { $0.key.scalar == String(key) }) else { break }
                node = pair.value
            } else if rest.hasPrefix("["), let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]) {
                rest = rest[rest.index(after: close)...]
                guard let items = node.sequence, items.indices.contains(index) else { break }
                node = items[index]
            } else {
                break
            }
        }
        moved.range = node.range
        if diagnostic.facts.found == "number", node.scalarStyle == .plain {
            moved.hint = "a plain number in YAML is a number; quote it to write text, e.g. `\"\(node.scalar ?? "")\"`"
        } else if diagnostic.facts.found == "boolean", node.scalarStyle == .plain {
            moved.hint = "a plain `true` or `false` in YAML is a boolean; quote it to write text"
        }
        return moved
    }

    // MARK: Comparing

    /// Every way `result` differs from `expectation`; empty when it matches.
    static func compare(_ expectation: DecisionExpectation, _ result: DecisionResult, _ decision: Decision) -> [DecisionMismatch] {
        let name = result.name
        func mismatch(_ expected: String, _ actual: String, _ context: String?) -> DecisionMismatch {
            DecisionMismatch(decision: name, expected: expected, actual: actual, context: context)
        }
        let rulesText = citations(result)
        let openText = "missing \(result.missing.joined(separator: ", ")); possible \(result.possible.joined(separator: ", "))"
        guard result.status == expectation.status else {
            let actual: String
            let context: String?
            switch result.status {
            case .decided:
                actual = answer(result)
                context = rulesText
            case .needsInformation:
                actual = result.status.rawValue
                context = openText
            case .notApplicable, .noMatch:
                actual = result.status.rawValue
                context = nil
            }
            return [mismatch(expectedAnswer(expectation), actual, context)]
        }
        var found: [DecisionMismatch] = []
        switch result.status {
        case .decided:
            if let outcomes = expectation.outcomes {
                let same: Bool
                if decision.isDuration {
                    same = outcomes.count == 1 && ClockDuration(text: outcomes[0].value) == result.duration
                } else {
                    same = Set(outcomes.map(\.value)) == Set(result.outcomes)
                }
                if !same { found.append(mismatch(expectedAnswer(expectation), answer(result), rulesText)) }
            }
            if let due = expectation.due, result.due != due.value {
                found.append(mismatch("due \(due.value.rfc3339)", "due \(result.due?.rfc3339 ?? "none")", rulesText))
            }
            if let rules = expectation.rules, rules.map(\.value) != result.rules.map(\.id) {
                let ids = Set(rules.map(\.value))
                // Rules of a `hit: all` decision match as a set; the order they are cited in is the policy's.
                if !(rules.count > 1 && ids == Set(result.rules.map(\.id)) && ids.count == rules.count) {
                    found.append(mismatch(ruleWords(rules.map(\.value)), rulesText, nil))
                }
            }
        case .needsInformation:
            if let missing = expectation.missing, Set(missing.map(\.value)) != Set(result.missing) {
                found.append(mismatch(
                    "missing \(bracketed(missing.map(\.value)))", "missing \(bracketed(result.missing))",
                    "possible \(result.possible.joined(separator: ", "))"))
            }
            if let possible = expectation.possible {
                let normal = possible.map { word in ClockDuration(text: word.value).map(\.description) ?? word.value }
                if Set(normal) != Set(result.possible) {
                    found.append(mismatch(
                        "possible \(bracketed(possible.map(\.value)))", "possible \(bracketed(result.possible))",
                        "missing \(result.missing.joined(separator: ", "))"))
                }
            }
        case .notApplicable, .noMatch:
            break
        }
        return found
    }

    private static func bracketed(_ words: [String]) -> String { "[\(words.joined(separator: ", "))]" }

    private static func ruleWords(_ ids: [String]) -> String {
        (ids.count == 1 ? "rule " : "rules ") + ids.map { "`\($0)`" }.joined(separator: ", ")
    }

    /// What the test expected, in the words a failure shows.
    private static func expectedAnswer(_ expectation: DecisionExpectation) -> String {
        if expectation.status != .decided { return expectation.status.rawValue }
        if let outcomes = expectation.outcomes {
            return expectation.outcomeIsList ? bracketed(outcomes.map(\.value)) : outcomes.first?.value ?? ""
        }
        if let due = expectation.due { return "due \(due.value.rfc3339)" }
        if let rules = expectation.rules { return ruleWords(rules.map(\.value)) }
        return DecisionStatus.decided.rawValue
    }

    /// A decided result's answer in the words a failure shows.
    private static func answer(_ result: DecisionResult) -> String {
        result.isList ? bracketed(result.outcomes) : result.outcomes.first ?? ""
    }

    /// `rule `id` at file:line`, several joined, or `no rule matched` for an empty `hit: all` answer.
    private static func citations(_ result: DecisionResult) -> String {
        guard !result.rules.isEmpty else { return "no rule matched" }
        let cited = result.rules.map { "`\($0.id)` at \($0.location.fileAndLine)" }.joined(separator: ", ")
        return (result.rules.count == 1 ? "rule " : "rules ") + cited
    }
}

/// Renders a test run for people reading a terminal (what `precert test` prints).
public enum PolicyTestReport {
    /// `FAIL file:line: name`, then one indented line per mismatch; empty for a passing case.
    package static func render(_ result: PolicyTestCaseResult) -> String {
        let head = "FAIL \(result.location.fileAndLine): \(result.name ?? "(unnamed case)")\n"
        switch result.outcome {
        case .passed:
            return ""
        case .failed(let mismatches):
            return head + mismatches.map { "  \($0.text)\n" }.joined()
        case .notRun:
            return head + "  not run: the case has errors, reported with the diagnostics\n"
        }
    }

    /// Every failing case, in order.
    public static func failures(_ run: PolicyTestRun) -> String {
        run.results.map(render).joined()
    }

    /// `file:line: rule `id` of decision `d` is not covered by any test` for every rule and default no
    /// test reaches, then one line per policy version with its coverage.
    public static func coverage(_ run: PolicyTestRun) -> String {
        var out = ""
        for policy in run.coverage {
            for entry in policy.entries where !entry.covered {
                out += "\(entry.location.fileAndLine): rule `\(entry.ruleID)` of decision `\(entry.decision)` is not covered by any test\n"
            }
        }
        return out + run.coverage.map(coverageLine).joined()
    }

    /// `coverage 95.2% id (effective date): 40 of 42 rules and defaults`.
    package static func coverageLine(_ policy: PolicyCoverage) -> String {
        "coverage \(percentText(policy.percent)) \(policy.policyID) (effective \(policy.effective)): \(policy.covered) of \(policy.total) rules and defaults\n"
    }

    /// `N passed, M failed`.
    public static func summary(_ run: PolicyTestRun) -> String {
        "\(run.passed) passed, \(run.failed) failed"
    }

    /// A percentage rounded down to one decimal, so a policy just short of a bound never shows it.
    package static func percentText(_ percent: Double) -> String {
        let tenths = Int((percent * 10).rounded(.down))
        return tenths % 10 == 0 ? "\(tenths / 10)%" : "\(tenths / 10).\(tenths % 10)%"
    }
}
