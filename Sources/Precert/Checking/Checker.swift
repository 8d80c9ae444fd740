/// Bounds on one policy's shape, so that a hostile or runaway file cannot make checking, compiling
/// or evaluating take unbounded time, memory or stack.
package struct PolicyLimits: Sendable, Hashable {
    /// The deepest conditions may build on conditions (`limit.condition-depth`).
    package var maxConditionDepth: Int
    /// The deepest a condition, rule or `applies_when` may nest once the conditions it uses are
    /// written out in place, counting every operator, call and list (`limit.expression-depth`):
    /// 31 conditions of one 800-term `or` chain each nest 25,000 deep, which overflows the stack of
    /// every later stage although each chain passes the parser's limits.
    package var maxExpressionDepth: Int
    /// The most values an enum input may list (`limit.enum-values`); a diagram node on an enum has
    /// one branch per value.
    package var maxEnumValues: Int

    /// Creates limits; the defaults leave a wide margin over real policies.
    package init(
        maxConditionDepth: Int = PolicyChecker.maxConditionDepth, maxExpressionDepth: Int = 256,
        maxEnumValues: Int = 1_000
    ) {
        self.maxConditionDepth = maxConditionDepth
        self.maxExpressionDepth = maxExpressionDepth
        self.maxEnumValues = maxEnumValues
    }

    /// The defaults.
    package static let `default` = PolicyLimits()
}

/// Resolves names, checks types and orders decisions, turning `PolicySyntax` into `CheckedPolicy`.
package struct PolicyChecker {
    /// What the checker knows beyond the policy file.
    package struct Context: Sendable {
        /// The holiday calendars available, by name; `nil` skips the check.
        package var calendars: Set<String>?
        /// Bounds on the policy's shape.
        package var limits: PolicyLimits

        /// Creates a context.
        package init(calendars: Set<String>? = nil, limits: PolicyLimits = .default) {
            self.calendars = calendars
            self.limits = limits
        }
    }

    private let syntax: PolicySyntax
    private let context: Context
    private var diagnostics = DiagnosticBag()

    private var inputs: [Input] = []
    private var inputIndex: [String: Int] = [:]
    private var codeSets: [CodeSet] = []
    private var setIndex: [String: Int] = [:]
    private var conditionIndex: [String: Int] = [:]
    private var conditions: [Condition?] = []
    private var conditionState: [Int: Bool] = [:]  // false while being checked, true when done
    private var decisionIndex: [String: Int] = [:]
    private var decisionTypes: [ValueType?] = []

    private var usedInputs: Set<Int> = []
    private var usedSets: Set<Int> = []
    private var usedConditions: Set<Int> = []
    /// Decisions each condition reads, directly or through other conditions.
    private var conditionReads: [Int: Set<Int>] = [:]
    /// Decisions read by the expression being checked.
    private var currentReads: Set<Int> = []
    /// Where the decision being checked first reads each decision, for pointing at a cycle.
    private var currentReadSites: [Int: SourceRange] = [:]
    private var elementTypes: [ValueType] = []
    /// How deep conditions nest through each other, per condition, and while checking.
    private var conditionDepths: [Int: Int] = [:]
    /// Per condition, how deep its expression nests with the conditions it uses written out.
    private var treeDepths: [Int: Int] = [:]
    private var referencedDepth = 0
    private var conditionStack = 0
    private var reportedConditionDepth = false
    /// The deepest conditions may build on conditions; deeper chains would make every later stage
    /// recurse that deep.
    package static let maxConditionDepth = 32

    /// Checks `syntax`; returns the checked policy when there is no error, and every diagnostic.
    package static func check(_ syntax: PolicySyntax, context: Context = Context()) -> (CheckedPolicy?, [Diagnostic]) {
        var checker = PolicyChecker(syntax: syntax, context: context)
        let policy = checker.run()
        return (checker.diagnostics.hasErrors ? nil : policy, checker.diagnostics.all)
    }

    private init(syntax: PolicySyntax, context: Context) {
        self.syntax = syntax
        self.context = context
    }

    private mutating func error(
        _ id: DiagnosticID, _ message: String, at range: SourceRange, hint: String? = nil,
        notes: [DiagnosticNote] = [], suggestion: String? = nil
    ) {
        diagnostics.report(.error(id, message, at: range, hint: hint, notes: notes, facts: DiagnosticFacts(suggestion: suggestion)))
    }

    // MARK: Whole policy

    private mutating func run() -> CheckedPolicy? {
        let effective = checkDate(syntax.effective, "`effective`")
        var expires: CivilDate?
        if let written = syntax.expires {
            expires = checkDate(written, "`expires`")
            if let expires, let effective, expires <= effective {
                error("policy.expires-before-effective", "`expires` must be after `effective`", at: written.range)
            }
        }
        let zone = PolicyTimeZone(identifier: syntax.timezone.value)
        if zone == nil {
            error(
                "policy.unknown-timezone", "unknown time zone `\(syntax.timezone.value)`", at: syntax.timezone.range,
                hint: "use an IANA zone name such as `America/Los_Angeles`")
        }
        if let calendars = context.calendars, !calendars.contains(syntax.calendar.value) {
            let suggestion = Suggestion.closest(to: syntax.calendar.value, in: calendars.sorted())
            let hint = Suggestion.hint(suggestion)
                ?? (calendars.isEmpty
                    ? "no calendars were loaded: holiday calendars live under `Policies/calendars/`; check them together with the policy"
                    : "calendars available: \(calendars.sorted().map { "`\($0)`" }.joined(separator: ", "))")
            error(
                "policy.unknown-calendar", "no holiday calendar named `\(syntax.calendar.value)`",
                at: syntax.calendar.range, hint: hint, suggestion: suggestion)
        }
        declareInputs()
        for (index, condition) in syntax.conditions.enumerated() {
            if let first = conditionIndex[condition.name.value] {
                error(
                    "policy.duplicate-name", "condition `\(condition.name.value)` is declared twice",
                    at: condition.name.range,
                    notes: [DiagnosticNote("first declared here", at: syntax.conditions[first].name.range)])
            } else {
                conditionIndex[condition.name.value] = index
            }
        }
        declareSets()
        for condition in syntax.conditions {
            if inputIndex[condition.name.value] != nil {
                error("policy.name-clash", "`\(condition.name.value)` is already an input", at: condition.name.range,
                    hint: "give each input, set, condition and decision its own name")
            }
        }
        conditions = Array(repeating: nil, count: syntax.conditions.count)
        for (index, decision) in syntax.decisions.enumerated() {
            if let first = decisionIndex[decision.name.value] {
                error(
                    "policy.duplicate-name", "decision `\(decision.name.value)` is declared twice",
                    at: decision.name.range,
                    notes: [DiagnosticNote("first declared here", at: syntax.decisions[first].name.range)])
            } else {
                decisionIndex[decision.name.value] = index
            }
            checkNameClash(decision.name)
        }
        decisionTypes = syntax.decisions.map { decision in
            if decision.isDuration { return nil }
            let outcomes = ValueType.enumeration(decision.outcomes.map(\.name.value))
            return decision.hit.value == .all ? .set(outcomes) : outcomes
        }
        for index in syntax.conditions.indices { _ = checkCondition(index) }
        checkRuleIDs()
        var decisions: [Decision] = []
        var reads: [[Int]] = []
        var readSites: [[Int: SourceRange]] = []
        for decision in syntax.decisions {
            currentReads = []
            currentReadSites = [:]
            decisions.append(checkDecision(decision))
            reads.append(currentReads.sorted())
            readSites.append(currentReadSites)
        }
        let order = orderDecisions(reads, sites: readSites)
        let scope = checkScope(decisions)
        reportUnused()
        guard let effective, let zone else { return nil }
        return CheckedPolicy(
            syntax: syntax, id: syntax.id.value, payer: syntax.payer.value, effective: effective,
            expires: expires, timeZone: zone, calendarName: syntax.calendar.value, inputs: inputs,
            codeSets: codeSets, conditions: conditions.map { $0 ?? Condition(name: "", expression: .constant(.bool(false)), location: SourceLocation(file: syntax.file, line: 1, column: 1)) },
            decisions: decisions, evaluationOrder: order, scope: scope)
    }

    // MARK: Scope

    /// Checks `governs:` and finds the turnaround decision and the urgency input, named there or
    /// read from the policy: the only duration decision counted from `request.received_at`, and
    /// the input `request.urgency`. The inputs the scope reads count as used.
    private mutating func checkScope(_ decisions: [Decision]) -> PolicyScope {
        let governs = syntax.governs
        var scope = PolicyScope(
            plans: [], states: nil, isDeclared: governs != nil, turnaround: nil, urgencySlot: nil, urgencyKinds: [],
            planSlot: inputIndex["member.plan"], stateSlot: inputIndex["member.state"])
        if let governs {
            if governs.plans.isEmpty {
                error("policy.governs-plans", "`governs.plans` names no plan type", at: governs.range,
                    hint: "list the `member.plan` values the policy applies to: \(PlanTypes.all.map { "`\($0)`" }.joined(separator: ", "))")
            }
            for plan in governs.plans {
                if let problem = PlanTypes.unknownPlan(plan, in: "policy") {
                    diagnostics.report(problem)
                } else if !scope.plans.contains(plan.value) {
                    scope.plans.append(plan.value)
                }
            }
            if let states = governs.states {
                scope.states = []
                for state in states {
                    if let problem = PlanTypes.badState(state, in: "policy") {
                        diagnostics.report(problem)
                    } else if !scope.states!.contains(state.value) {
                        scope.states!.append(state.value)
                    }
                }
            }
            for slot in [scope.planSlot, scope.stateSlot].compactMap({ $0 }) { usedInputs.insert(slot) }
        }
        if let named = governs?.turnaround {
            if let index = decisionIndex[named.value] {
                if decisions.indices.contains(index), decisions[index].isDuration {
                    scope.turnaround = index
                } else {
                    error("policy.turnaround-not-duration", "`governs.turnaround` must name a duration decision, and `\(named.value)` is not one",
                        at: named.range)
                }
            } else {
                let names = syntax.decisions.filter(\.isDuration).map(\.name.value)
                let suggestion = Suggestion.closest(to: named.value, in: names)
                error("name.unknown", "no decision named `\(named.value)`", at: named.range,
                    hint: Suggestion.hint(suggestion) ?? (names.isEmpty ? "the policy has no duration decision" : "duration decisions: \(names.map { "`\($0)`" }.joined(separator: ", "))"),
                    suggestion: suggestion)
            }
        } else {
            let clocks = decisions.indices.filter { index in
                guard let slot = decisions[index].dueFromSlot, slot >= 0 else { return false }
                return inputs[slot].path == "request.received_at"
            }
            if clocks.count == 1 {
                scope.turnaround = clocks[0]
            } else if clocks.count > 1, governs != nil {
                error("policy.turnaround-ambiguous",
                    "the policy has \(clocks.count) duration decisions counted from `request.received_at`; name the authorization turnaround",
                    at: governs!.range, hint: "add `turnaround:` under `governs:` with one of \(clocks.map { "`\(decisions[$0].name)`" }.joined(separator: ", "))")
            }
        }
        let urgency = governs?.urgency ?? inputIndex["request.urgency"].map { Located("request.urgency", at: SourceRange(inputs[$0].location)) }
        if let urgency {
            guard let slot = inputIndex[urgency.value] else {
                unknownName(urgency.value, at: urgency.range, expected: nil)
                return scope
            }
            guard case .enumeration(let values) = inputs[slot].type else {
                error("policy.urgency-type", "the urgency input `\(urgency.value)` must be an enum of `standard` and `urgent`", at: urgency.range)
                return scope
            }
            var kinds: [RequestKind] = []
            for value in values {
                guard let kind = RequestKind(word: value) else {
                    error("policy.urgency-values", "the urgency input `\(urgency.value)` has the value `\(value)`, which names no request kind",
                        at: urgency.range, hint: "its values must be `standard` and `urgent` (or `expedited`)")
                    return scope
                }
                kinds.append(kind)
            }
            scope.urgencySlot = slot
            scope.urgencyKinds = kinds
            if governs != nil { usedInputs.insert(slot) }
        }
        return scope
    }

    private mutating func checkDate(_ written: Located<String>, _ what: String) -> CivilDate? {
        switch CivilDate.policyDate(written.value) {
        case .success(let date): return date
        case .failure(let problem):
            error("policy.bad-date", "\(what): \(problem.reason)", at: written.range,
                hint: "write a real date YYYY-MM-DD, such as `2026-05-20`")
            return nil
        }
    }

    /// Names share one space: an input, set, condition and decision may not share a name.
    private mutating func checkNameClash(_ name: Located<String>) {
        let kinds: [(String, Bool)] = [
            ("an input", inputIndex[name.value] != nil), ("a set", setIndex[name.value] != nil),
            ("a condition", conditionIndex[name.value] != nil),
        ]
        if let clash = kinds.first(where: { $0.1 }) {
            error("policy.name-clash", "`\(name.value)` is already \(clash.0)", at: name.range,
                hint: "give each input, set, condition and decision its own name")
        }
    }

    private mutating func declareInputs() {
        for declaration in syntax.inputs {
            let path = declaration.path.value
            let components = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if components.contains(where: { $0.isEmpty }) || path.isEmpty {
                error("policy.bad-input-path", "input path `\(path)` has an empty part", at: declaration.path.range)
                continue
            }
            if let first = inputIndex[path] {
                error("policy.duplicate-name", "input `\(path)` is declared twice", at: declaration.path.range,
                    notes: [DiagnosticNote("first declared here", at: SourceRange(inputs[first].location))])
                continue
            }
            if let clash = inputs.first(where: { path.hasPrefix($0.path + ".") || $0.path.hasPrefix(path + ".") }) {
                error("policy.input-path-overlap", "input `\(path)` overlaps input `\(clash.path)`",
                    at: declaration.path.range, hint: "one input cannot be inside another")
                continue
            }
            if case .enumeration(let values) = declaration.type.value, values.count > context.limits.maxEnumValues {
                error(
                    "limit.enum-values",
                    "input `\(path)` lists \(values.count) enum values, over the limit of \(context.limits.maxEnumValues)",
                    at: declaration.type.range,
                    hint: "for a long list of codes, use `type: code` and a set under `sets:`; or raise the limit (`PolicyLimits.maxEnumValues`)")
            }
            var defaultValue: Value?
            if let written = declaration.defaultValue {
                defaultValue = typedValue(written.value, as: declaration.type.value, at: written.range)
            }
            inputIndex[path] = inputs.count
            inputs.append(
                Input(path: path, components: components, type: declaration.type.value, defaultValue: defaultValue,
                    location: declaration.path.location))
        }
    }

    private mutating func declareSets() {
        for declaration in syntax.sets {
            let name = declaration.name.value
            if setIndex[name] != nil {
                error("policy.duplicate-name", "set `\(name)` is declared twice", at: declaration.name.range)
                continue
            }
            checkNameClash(declaration.name)
            var exact: Set<String> = []
            var prefixes: [String] = []
            for member in declaration.members {
                let text = member.value
                if text.unicodeScalars.contains(where: { $0.properties.isLowercase }) {
                    diagnostics.report(
                        .warning("policy.code-case", "`\(text)` in set `\(name)` has lowercase letters, so no uppercase code can match it",
                            at: member.range,
                            hint: "codes are compared exactly, case and dot included, and CPT, HCPCS and ICD-10 codes are uppercase: write `\(text.uppercased())`"))
                }
                if text.hasSuffix("*") {
                    let prefix = String(text.dropLast())
                    if prefix.isEmpty || prefix.contains("*") {
                        error("policy.bad-pattern", "pattern `\(text)` must be a code prefix followed by one `*`", at: member.range)
                    }
                    prefixes.append(prefix)
                } else if text.contains("*") {
                    error("policy.bad-pattern", "`*` may only end a pattern, as in `F32*`", at: member.range)
                } else {
                    exact.insert(text)
                }
            }
            setIndex[name] = codeSets.count
            codeSets.append(CodeSet(name: name, exact: exact, prefixes: prefixes, location: declaration.name.location))
        }
    }

    /// Types a YAML value (an input default) by the declared type.
    private mutating func typedValue(_ value: YAMLValue, as type: ValueType, at range: SourceRange) -> Value? {
        func fail(_ message: String, hint: String? = nil, suggestion: String? = nil) -> Value? {
            error("policy.bad-default", message, at: range, hint: hint, suggestion: suggestion)
            return nil
        }
        switch (type, value) {
        case (.list(let element), .list(let items)), (.set(let element), .list(let items)):
            var values: [Value] = []
            for item in items {
                guard let typed = typedValue(item, as: element, at: range) else { return nil }
                if case .set = type, values.contains(typed) { continue }
                values.append(typed)
            }
            return .list(values)
        case (_, .list):
            return fail("the default must be a single \(type), not a list")
        case (.list, .scalar), (.set, .scalar):
            return fail("the default of \(type.withArticle) must be a list, like `[]`")
        case (.bool, .scalar(let text, let quoted)):
            if !quoted, text == "true" || text == "false" { return .bool(text == "true") }
            return fail("`\(text)` is not a boolean", hint: "use true or false")
        case (.number, .scalar(let text, _)):
            guard let number = Double(text), number.isFinite else { return fail("`\(text)` is not a number") }
            return .number(number)
        case (.string, .scalar(let text, _)), (.code, .scalar(let text, _)):
            return .string(text)
        case (.date, .scalar(let text, _)):
            switch CivilDate.policyDate(text) {
            case .success(let date): return .date(date)
            case .failure(let problem): return fail(problem.reason)
            }
        case (.datetime, .scalar(let text, _)):
            guard let instant = Timestamp(rfc3339: text) else {
                return fail("`\(text)` is not an RFC 3339 date-time with an offset")
            }
            return .datetime(instant)
        case (.duration, .scalar(let text, _)):
            guard let duration = ClockDuration(text: text) else { return fail("`\(text)` is not a duration") }
            return .duration(duration)
        case (.enumeration(let values), .scalar(let text, _)):
            guard let index = values.firstIndex(of: text) else {
                let suggestion = Suggestion.closest(to: text, in: values)
                return fail("`\(text)` is not one of the enum's values", hint: Suggestion.hint(suggestion), suggestion: suggestion)
            }
            return .enumValue(index)
        case (.valueSet, _):
            return fail("a value set cannot be an input")
        }
    }

    private mutating func checkRuleIDs() {
        var seen: [String: SourceRange] = [:]
        for decision in syntax.decisions {
            for rule in decision.rules {
                if let first = seen[rule.id.value] {
                    error("policy.duplicate-rule-id", "rule id `\(rule.id.value)` is used twice", at: rule.id.range,
                        hint: "rule ids must be unique within a policy: decisions cite them",
                        notes: [DiagnosticNote("first used here", at: first)])
                } else {
                    seen[rule.id.value] = rule.id.range
                }
            }
        }
    }

    // MARK: Conditions and decisions

    private mutating func checkCondition(_ index: Int) -> Bool {
        switch conditionState[index] {
        case true?: return conditions[index] != nil
        case false?: return false  // a cycle; reported where it closes
        case nil: break
        }
        let declaration = syntax.conditions[index]
        if conditionStack >= context.limits.maxConditionDepth {
            reportConditionDepth(at: declaration.name.range)
            return false
        }
        conditionState[index] = false
        conditionStack += 1
        defer { conditionStack -= 1 }
        let saved = currentReads
        let savedDepth = referencedDepth
        currentReads = []
        referencedDepth = 0
        if let checked = checkBoolean(declaration.expression, "condition `\(declaration.name.value)`"),
            withinDepth(checked, "condition `\(declaration.name.value)`", at: declaration.name.range)
        {
            treeDepths[index] = expandedDepth(checked)
            conditions[index] = Condition(
                name: declaration.name.value, expression: checked, location: declaration.name.location)
        }
        let depth = referencedDepth + 1
        conditionDepths[index] = depth
        referencedDepth = savedDepth
        if depth > context.limits.maxConditionDepth, conditions[index] != nil {
            reportConditionDepth(at: declaration.name.range)
            conditions[index] = nil
        }
        conditionReads[index] = currentReads
        currentReads = saved.union(currentReads)
        conditionState[index] = true
        return conditions[index] != nil
    }

    /// How deep `expression` nests with the conditions it uses written out in place.
    private func expandedDepth(_ expression: CheckedExpr) -> Int {
        switch expression {
        case .constant, .input, .element, .decision, .has: return 1
        case .condition(let index): return 1 + (treeDepths[index] ?? 0)
        case .not(let a), .length(let a), .shift(let a, _, _), .inValues(let a, _), .inCodeSet(let a, _):
            return 1 + expandedDepth(a)
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .contains(let a, let b), .any(let a, let b),
            .all(let a, let b):
            return 1 + max(expandedDepth(a), expandedDepth(b))
        }
    }

    /// Whether `expression` stays within `PolicyLimits.maxExpressionDepth`; reports it when not.
    private mutating func withinDepth(_ expression: CheckedExpr, _ what: String, at range: SourceRange) -> Bool {
        let depth = expandedDepth(expression)
        let limit = context.limits.maxExpressionDepth
        guard depth > limit else { return true }
        error(
            "limit.expression-depth",
            "\(what) nests \(depth) levels deep with the conditions it uses written out, over the limit of \(limit) levels",
            at: range,
            hint: "every operator and every condition it uses counts a level; write long `or` chains as `x in [a, b, c]`, or raise the limit (`PolicyLimits.maxExpressionDepth`)")
        return false
    }

    /// One error per policy: every condition past the limit fails, but the first place says why.
    private mutating func reportConditionDepth(at range: SourceRange) {
        guard !reportedConditionDepth else { return }
        reportedConditionDepth = true
        error(
            "limit.condition-depth", "conditions build on each other more than \(context.limits.maxConditionDepth) levels deep",
            at: range, hint: "shorten the chain of conditions that use conditions")
    }

    private mutating func checkBoolean(_ expression: Expr, _ what: String) -> CheckedExpr? {
        guard let (checked, type) = check(expression, expected: .bool) else { return nil }
        guard type == .bool else {
            error("type.not-boolean", "\(what) must be true or false, but this is \(type.withArticle)", at: expression.range)
            return nil
        }
        return checked
    }

    private mutating func checkDecision(_ declaration: DecisionDeclaration) -> Decision {
        let outcomes = declaration.outcomes.map(\.name.value)
        var messages: [Int: String] = [:]
        var labels: [Int: String] = [:]
        for (index, outcome) in declaration.outcomes.enumerated() {
            if let message = outcome.message { messages[index] = message }
            if let label = outcome.label { labels[index] = label }
        }
        var dueFromSlot: Int?
        if declaration.isDuration, let dueFrom = declaration.dueFrom {
            if let slot = inputIndex[dueFrom.value] {
                usedInputs.insert(slot)
                if inputs[slot].type == .datetime {
                    dueFromSlot = slot
                } else {
                    error("type.due-from", "`due_from` must name a datetime input, but `\(dueFrom.value)` is \(inputs[slot].type.withArticle)",
                        at: dueFrom.range)
                }
            } else {
                unknownName(dueFrom.value, at: dueFrom.range, expected: nil)
            }
        }
        var appliesWhen = declaration.appliesWhen.flatMap { checkBoolean($0, "`applies_when`") }
        if let checked = appliesWhen, let written = declaration.appliesWhen,
            !withinDepth(checked, "`applies_when` of decision `\(declaration.name.value)`", at: written.range)
        {
            appliesWhen = nil
        }
        var rules: [Rule] = []
        for rule in declaration.rules {
            let when = rule.when.flatMap { checkBoolean($0, "`when`") } ?? .constant(.bool(true))
            if let written = rule.when, !withinDepth(when, "the `when` of rule `\(rule.id.value)`", at: written.range) { continue }
            guard let (outcome, duration) = checkThen(rule.then, in: declaration) else { continue }
            rules.append(
                Rule(
                    id: rule.id.value, when: when, outcome: outcome, duration: duration, because: rule.because,
                    sources: rule.sources, nextStep: rule.nextStep.flatMap { template($0) },
                    location: rule.location, isDefault: false))
        }
        var defaultRule: Rule?
        if let written = declaration.defaultOutcome {
            if declaration.hit.value == .all {
                error("policy.default-with-all", "a decision with hit policy `all` has no default",
                    at: written.then.range, hint: "when no rule matches, its outcome is the empty list")
            } else if let (outcome, duration) = checkThen(written.then, in: declaration) {
                defaultRule = Rule(
                    id: "default", when: .constant(.bool(true)), outcome: outcome, duration: duration,
                    because: written.because, sources: written.sources, nextStep: written.nextStep.flatMap { template($0) },
                    location: written.location, isDefault: true)
            }
        }
        return Decision(
            name: declaration.name.value, outcomes: outcomes, messages: messages, labels: labels, label: declaration.label,
            dueFromSlot: declaration.isDuration ? (dueFromSlot ?? -1) : nil, hit: declaration.hit.value,
            appliesWhen: appliesWhen, rules: rules, defaultRule: defaultRule,
            location: declaration.name.location)
    }

    private mutating func checkThen(_ then: Located<String>, in decision: DecisionDeclaration) -> (Int, ClockDuration?)? {
        if decision.isDuration {
            if let problem = ClockDuration.clockProblem(then.value) {
                error(problem.id, problem.message, at: then.range, hint: problem.hint, suggestion: problem.suggestion)
                return nil
            }
            guard let duration = ClockDuration(text: then.value) else { return nil }
            return (0, duration)
        }
        let outcomes = decision.outcomes.map(\.name.value)
        guard let index = outcomes.firstIndex(of: then.value) else {
            let suggestion = Suggestion.closest(to: then.value, in: outcomes)
            let hint = Suggestion.hint(suggestion)
                ?? "outcomes of `\(decision.name.value)`: \(outcomes.map { "`\($0)`" }.joined(separator: ", "))"
            error("type.unknown-outcome", "`\(then.value)` is not an outcome of decision `\(decision.name.value)`",
                at: then.range, hint: hint, suggestion: suggestion)
            return nil
        }
        return (index, nil)
    }

    /// Parses the placeholders in a next step: `{input.path}`, or `{decision}` for what that
    /// decision answered.
    private mutating func template(_ text: Located<String>) -> [TemplatePart]? {
        var parts: [TemplatePart] = []
        var rest = Substring(text.value)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                error("policy.bad-template", "unclosed `{` in a next step", at: text.range, hint: "write `{member.id}`")
                return nil
            }
            let name = String(rest[rest.index(after: open)..<close]).trimmingSpaces
            if let slot = inputIndex[name] {
                usedInputs.insert(slot)
                parts.append(.input(slot))
            } else if let decision = decisionIndex[name] {
                parts.append(.decision(decision))
            } else {
                let suggestion = Suggestion.closest(to: name, in: inputs.map(\.path) + decisionIndex.keys.sorted())
                let hint = Suggestion.hint(suggestion).map { "\($0) " } ?? ""
                error("name.unknown-placeholder", "placeholder `{\(name)}` names no declared input or decision", at: text.range,
                    hint: "\(hint)placeholders are filled from the case's inputs and the policy's answers", suggestion: suggestion)
                return nil
            }
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return parts
    }

    /// A written code with a lowercase letter, compared with a code input: codes are compared
    /// exactly, and CPT, HCPCS and ICD-10 codes are uppercase, so it can match none of them.
    private mutating func warnCodeCase(_ value: Value, at range: SourceRange) {
        guard case .string(let text) = value, text.unicodeScalars.contains(where: { $0.properties.isLowercase }) else { return }
        diagnostics.report(
            .warning("policy.code-case", "code `\(text)` has lowercase letters, so no uppercase code can match it", at: range,
                hint: "codes are compared exactly, case and dot included, and CPT, HCPCS and ICD-10 codes are uppercase: write `\(text.uppercased())`"))
    }

    /// How to fix a comparison of two types that cannot be compared, in words a policy author
    /// can act on: quote a number meant as a code, write a date as a date.
    static func comparisonFix(_ lt: ValueType, _ rt: ValueType, left: Expr, right: Expr) -> String? {
        func isText(_ t: ValueType) -> Bool { t == .string || t == .code }
        func numberLiteral(_ e: Expr) -> String? {
            if case .literal(.number(let n)) = e.syntax { return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n) }
            return nil
        }
        if isText(lt), rt == .number, let n = numberLiteral(right) {
            return "quote the number: `\"\(n)\"`; codes and text are written in quotes"
        }
        if isText(rt), lt == .number, let n = numberLiteral(left) {
            return "quote the number: `\"\(n)\"`; codes and text are written in quotes"
        }
        if lt == .date && rt == .datetime || lt == .datetime && rt == .date {
            return "a date and a datetime are different types"
        }
        if lt == .date || rt == .date {
            let other = lt == .date ? right : left
            if case .literal(.string(let text)) = other.syntax, CivilDate(iso: text) != nil {
                return "write the date without quotes: `\(text)`"
            }
            return "compare with a date like `2026-05-20`, or with another date input"
        }
        if lt == .datetime || rt == .datetime {
            return "compare with another datetime input, or with one shifted by hours (`request.received_at + 72 hours`)"
        }
        if lt == .number || rt == .number {
            return "compare with a number such as `10`"
        }
        return nil
    }

    /// Orders decisions so that each follows those it reads; reports cycles.
    private mutating func orderDecisions(_ reads: [[Int]], sites: [[Int: SourceRange]]) -> [Int] {
        var order: [Int] = []
        var state = [Int](repeating: 0, count: reads.count)  // 0 new, 1 visiting, 2 done
        var reported = false
        func visit(_ node: Int, _ path: [Int]) {
            if state[node] == 2 { return }
            if state[node] == 1 {
                if !reported, let start = path.firstIndex(of: node) {
                    reported = true
                    let cycle = (path[start...] + [node]).map { "`\(syntax.decisions[$0].name.value)`" }
                    // Point at the expression that closes the circle: where the last decision
                    // of the cycle reads the first.
                    let reader = path.last ?? node
                    let site = sites.indices.contains(reader) ? sites[reader][node] : nil
                    error(
                        "policy.decision-cycle",
                        "decisions read each other in a cycle: \(cycle.joined(separator: " reads "))",
                        at: site ?? syntax.decisions[node].name.range,
                        hint: "a decision may read only decisions that do not read it back: `\(syntax.decisions[reader].name.value)` reads `\(syntax.decisions[node].name.value)` here",
                        notes: site == nil ? [] : [DiagnosticNote("`\(syntax.decisions[node].name.value)` is declared here", at: syntax.decisions[node].name.range)])
                }
                return
            }
            state[node] = 1
            for next in reads[node] { visit(next, path + [node]) }
            state[node] = 2
            order.append(node)
        }
        for index in reads.indices { visit(index, []) }
        return order
    }

    private mutating func reportUnused() {
        for (slot, input) in inputs.enumerated() where !usedInputs.contains(slot) {
            diagnostics.report(
                .warning("unused.input", "input `\(input.path)` is never used", at: SourceRange(input.location),
                    hint: "remove it, or use it in a rule"))
        }
        for (index, set) in codeSets.enumerated() where !usedSets.contains(index) {
            diagnostics.report(
                .warning("unused.set", "set `\(set.name)` is never used", at: SourceRange(set.location)))
        }
        for (index, condition) in syntax.conditions.enumerated() where !usedConditions.contains(index) {
            diagnostics.report(
                .warning("unused.condition", "condition `\(condition.name.value)` is never used",
                    at: condition.name.range))
        }
    }

    // MARK: Expressions

    /// Every name an expression could mean, in declaration order (never a dictionary's hash
    /// order, which differs from process to process).
    private func allNames(expected: ValueType?) -> [String] {
        var names = inputs.map(\.path) + syntax.conditions.map(\.name.value) + codeSets.map(\.name)
            + syntax.decisions.map(\.name.value)
        if case .enumeration(let values)? = expected { names += values }
        if !elementTypes.isEmpty { names.append("it") }
        return names
    }

    private mutating func unknownName(_ name: String, at range: SourceRange, expected: ValueType?) {
        let suggestion = Suggestion.closest(to: name, in: allNames(expected: expected))
        var hint = Suggestion.hint(suggestion)
        if hint == nil, case .enumeration(let values)? = expected {
            hint = "expected one of \(values.map { "`\($0)`" }.joined(separator: ", "))"
        }
        if hint == nil, ["if", "else", "then", "true", "false", "null", "nil"].contains(name) {
            hint = "the expression language has no `\(name)`"
        }
        error("name.unknown", "unknown name `\(name)`", at: range, hint: hint, suggestion: suggestion)
    }

    /// Whether a bare word resolves without an expected type.
    private func resolvesAlone(_ expression: Expr) -> Bool {
        guard case .name(let name) = expression.syntax else { return true }
        return inputIndex[name] != nil || conditionIndex[name] != nil || decisionIndex[name] != nil
            || setIndex[name] != nil || (name == "it" && !elementTypes.isEmpty)
    }

    private mutating func check(_ expression: Expr, expected: ValueType?) -> (CheckedExpr, ValueType)? {
        switch expression.syntax {
        case .literal(let literal):
            switch literal {
            case .bool(let b): return (.constant(.bool(b)), .bool)
            case .number(let n): return (.constant(.number(n)), .number)
            case .string(let s): return (.constant(.string(s)), expected == .code ? .code : .string)
            case .date(let d): return (.constant(.date(d)), .date)
            case .duration(let d): return (.constant(.duration(d)), .duration)
            }
        case .name(let name):
            return checkName(name, at: expression.range, expected: expected)
        case .list:
            error("type.misplaced-list", "a list can only follow `in` or `not in`", at: expression.range,
                hint: "write `x in [a, b]`")
            return nil
        case .not(let operand):
            guard let inner = checkBoolean(operand, "the operand of `not`") else { return nil }
            return (.not(inner), .bool)
        case .binary(let op, let left, let right):
            return checkBinary(op, left, right, at: expression.range)
        case .call(let name, let arguments):
            return checkCall(name, arguments, at: expression.range)
        }
    }

    private mutating func checkName(_ name: String, at range: SourceRange, expected: ValueType?) -> (CheckedExpr, ValueType)? {
        if name == "it", let element = elementTypes.last { return (.element, element) }
        if case .enumeration(let values)? = expected, let index = values.firstIndex(of: name) {
            return (.constant(.enumValue(index)), expected!)
        }
        if let slot = inputIndex[name] {
            usedInputs.insert(slot)
            return (.input(slot), inputs[slot].type)
        }
        if let index = conditionIndex[name] {
            usedConditions.insert(index)
            guard checkCondition(index) else {
                if conditionState[index] == false {
                    error("policy.condition-cycle", "condition `\(name)` refers to itself through other conditions",
                        at: range)
                }
                return nil
            }
            for read in conditionReads[index] ?? [] where currentReadSites[read] == nil { currentReadSites[read] = range }
            currentReads.formUnion(conditionReads[index] ?? [])
            referencedDepth = max(referencedDepth, conditionDepths[index] ?? 0)
            return (.condition(index), .bool)
        }
        if let index = decisionIndex[name] {
            guard let type = decisionTypes[index] else {
                error("type.duration-decision", "decision `\(name)` gives a duration and cannot be used in a condition",
                    at: range)
                return nil
            }
            if currentReadSites[index] == nil { currentReadSites[index] = range }
            currentReads.insert(index)
            return (.decision(index), type)
        }
        if setIndex[name] != nil {
            error("type.misplaced-set", "set `\(name)` can only follow `in` or `not in`", at: range,
                hint: "write `code in \(name)`")
            return nil
        }
        unknownName(name, at: range, expected: expected)
        return nil
    }

    private static func isOrdered(_ type: ValueType) -> Bool {
        [.number, .date, .datetime, .duration].contains(type)
    }

    private mutating func checkBinary(
        _ op: BinaryOperator, _ left: Expr, _ right: Expr, at range: SourceRange
    ) -> (CheckedExpr, ValueType)? {
        switch op {
        case .and, .or:
            let l = checkBoolean(left, "the left side of `\(op.rawValue)`")
            let r = checkBoolean(right, "the right side of `\(op.rawValue)`")
            guard let l, let r else { return nil }
            return (op == .and ? .and(l, r) : .or(l, r), .bool)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            // A bare enum word takes its type from the other side: `urgent == request.urgency`.
            let leftFirst = resolvesAlone(left) || !resolvesAlone(right)
            var l: (CheckedExpr, ValueType)?
            var r: (CheckedExpr, ValueType)?
            if leftFirst {
                l = check(left, expected: nil)
                r = check(right, expected: l?.1)
            } else {
                r = check(right, expected: nil)
                l = check(left, expected: r?.1)
            }
            guard let (le, lt) = l, let (re, rt) = r else { return nil }
            guard lt.isComparable(with: rt) else {
                error("type.mismatch", "cannot compare \(lt.withArticle) with \(rt.withArticle)", at: range,
                    hint: Self.comparisonFix(lt, rt, left: left, right: right))
                return nil
            }
            if op != .equal, op != .notEqual, !Self.isOrdered(lt) {
                error("type.not-ordered", "`\(op.rawValue)` does not apply to \(lt.withArticle)", at: range,
                    hint: "only numbers, dates, datetimes and durations are ordered; use `==`, `!=` or `in`")
                return nil
            }
            if lt == .code, case .constant(let value) = re { warnCodeCase(value, at: right.range) }
            if rt == .code, case .constant(let value) = le { warnCodeCase(value, at: left.range) }
            return (.compare(op, le, re), .bool)
        case .in, .notIn:
            guard let membership = checkMembership(left, right, at: range) else { return nil }
            return (op == .in ? membership : .not(membership), .bool)
        case .plus, .minus:
            guard let (le, lt) = check(left, expected: nil), let (re, rt) = check(right, expected: .duration) else {
                return nil
            }
            guard lt == .date || lt == .datetime else {
                error("type.arithmetic", "`\(op.rawValue)` needs a date or datetime on its left, not \(lt.withArticle)", at: left.range,
                    hint: "only dates and datetimes can be moved by a duration; numbers cannot be added")
                return nil
            }
            guard rt == .duration, case .constant(.duration(let duration)) = re else {
                error("type.arithmetic", "only a duration written out, like `1 year`, can be added to a date",
                    at: right.range)
                return nil
            }
            let sign = op == .plus ? 1 : -1
            switch (lt, duration.unit) {
            case (.date, .calendarDays), (.date, .months), (.date, .years):
                return (.shift(le, duration, sign: sign), .date)
            case (.datetime, .hours):
                return (.shift(le, duration, sign: sign), .datetime)
            case (.date, _), (.datetime, _):
                error("type.arithmetic", "cannot add `\(duration)` to \(lt.withArticle)", at: range,
                    hint: "dates move by calendar days, months or years; datetimes by hours; business days belong to a turnaround decision")
                return nil
            default:
                error("type.arithmetic", "`\(op.rawValue)` needs a date or datetime on its left, not \(lt.withArticle)", at: left.range)
                return nil
            }
        }
    }

    private mutating func checkMembership(_ left: Expr, _ right: Expr, at range: SourceRange) -> CheckedExpr? {
        if case .list(let items) = right.syntax {
            guard let (le, lt) = check(left, expected: nil) else { return nil }
            var values: [Value] = []
            for item in items {
                guard let (ie, it) = check(item, expected: lt) else { continue }
                guard it.isComparable(with: lt) else {
                    error("type.mismatch", "\(it.withArticle) in a list compared with \(lt.withArticle)", at: item.range)
                    continue
                }
                guard case .constant(let value) = ie else {
                    error("type.list-not-constant", "items of a list after `in` must be written out", at: item.range)
                    continue
                }
                if lt == .code { warnCodeCase(value, at: item.range) }
                values.append(value)
            }
            return .inValues(le, values)
        }
        if case .name(let name) = right.syntax, let index = setIndex[name] {
            usedSets.insert(index)
            guard let (le, lt) = check(left, expected: .code) else { return nil }
            guard lt == .code || lt == .string else {
                error("type.mismatch", "set `\(name)` holds codes, but this is \(lt.withArticle)", at: left.range,
                    hint: lt.elementType != nil ? "for a list of codes, write `any(\(sourceText(left)), it in \(name))`" : nil)
                return nil
            }
            return .inCodeSet(le, index)
        }
        guard let (re, rt) = check(right, expected: nil) else { return nil }
        guard let element = rt.elementType else {
            error("type.not-collection", "`in` needs a list, a set or a value set on its right, not \(rt.withArticle)",
                at: right.range)
            return nil
        }
        guard let (le, lt) = check(left, expected: element) else { return nil }
        guard lt.isComparable(with: element) else {
            error("type.mismatch", "cannot look for \(lt.withArticle) in \(rt.withArticle)", at: range)
            return nil
        }
        return .contains(collection: re, element: le)
    }

    private func sourceText(_ expression: Expr) -> String {
        if case .name(let name) = expression.syntax { return name }
        return "list"
    }

    private mutating func checkCall(_ name: String, _ arguments: [Expr], at range: SourceRange) -> (CheckedExpr, ValueType)? {
        func arity(_ count: Int, _ usage: String) -> Bool {
            if arguments.count == count { return true }
            error("type.arity", "`\(name)` takes \(count) argument\(count == 1 ? "" : "s"), not \(arguments.count)",
                at: range, hint: "write `\(usage)`")
            return false
        }
        switch name {
        case "any", "all":
            guard arity(2, "\(name)(service.cpt, it in covered_cpt)") else { return nil }
            guard let (collection, type) = check(arguments[0], expected: nil) else { return nil }
            guard let element = type.elementType else {
                error("type.not-collection", "`\(name)` needs a list or set first, not \(type.withArticle)", at: arguments[0].range)
                return nil
            }
            elementTypes.append(element)
            defer { elementTypes.removeLast() }
            guard let predicate = checkBoolean(arguments[1], "the condition of `\(name)`") else { return nil }
            return (name == "any" ? .any(collection, predicate) : .all(collection, predicate), .bool)
        case "len":
            guard arity(1, "len(clinical_notes)") else { return nil }
            guard let (value, type) = check(arguments[0], expected: nil) else { return nil }
            guard type == .string || type == .code || type.elementType != nil else {
                error("type.len", "`len` measures text, a list or a set, not \(type.withArticle)", at: arguments[0].range)
                return nil
            }
            return (.length(value), .number)
        case "has":
            guard arity(1, "has(member.id)") else { return nil }
            guard case .name(let path) = arguments[0].syntax, let slot = inputIndex[path] else {
                error("type.has", "`has` takes the name of a declared input", at: arguments[0].range)
                return nil
            }
            usedInputs.insert(slot)
            return (.has(slot), .bool)
        default:
            let suggestion = Suggestion.closest(to: name, in: ["any", "all", "len", "has"])
            let hint = Suggestion.hint(suggestion) ?? "functions: `any`, `all`, `len`, `has`"
            error("name.unknown-function", "unknown function `\(name)`", at: range, hint: hint, suggestion: suggestion)
            return nil
        }
    }
}
