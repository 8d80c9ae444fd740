/// Leaf payload markers beside rule indexes.
enum LeafMarker {
    /// The decision does not apply (`applies_when` is false).
    static let notApplicable: Int32 = -1
    /// No rule matched and there is no default.
    static let noRule: Int32 = -2
}

/// A policy compiled to decision diagrams: immutable, `Sendable`, shared by every evaluation.
package struct CompiledPolicy: Sendable {
    /// The checked policy.
    package let checked: CheckedPolicy
    /// The variables inner nodes test, in diagram order.
    package let variables: [DiagramVariable]
    let nodeVariable: [Int32]
    let nodeFirstChild: [Int32]
    let children: [NodeRef]
    let leaves: [[Int32]]
    /// Each decision's diagram root, or `nil` where it fell back to rule-by-rule evaluation.
    package let roots: [NodeRef?]
    /// Findings of the analysis: shadowed rules, gaps, overlaps, constant conditions, fallbacks.
    package let findings: [Diagnostic]

    /// The number of inner nodes of decision `index`'s diagram (0 when it fell back).
    package func nodeCount(ofDecision index: Int) -> Int {
        guard let root = roots[index] else { return 0 }
        return reachable(from: root).inner.count
    }

    /// The inner nodes and leaves reachable from `root`.
    func reachable(from root: NodeRef) -> (inner: Set<NodeRef>, leaves: Set<NodeRef>) {
        DiagramBuilder.reachable(
            from: root, nodeVariable: nodeVariable, nodeFirstChild: nodeFirstChild, children: children, variables: variables)
    }
}

/// Options for compiling.
package struct CompileOptions: Sendable, Hashable {
    /// Inner nodes a decision may use per rule before it falls back to rule-by-rule evaluation.
    package var nodesPerRule: Int
    /// Nodes every decision may use whatever its rule count.
    package var minimumNodeBudget: Int
    /// Whether to run the analysis (shadowed rules, gaps, overlaps, constant conditions).
    package var analyze: Bool
    /// The most constants one number, date or datetime input may be compared with and still be
    /// tested by one interval node (2k + 1 branches); past it, its comparisons become atoms, so a
    /// policy comparing one input with 10,000 constants does not build nodes 20,001 branches wide
    /// (22 s and 3.9 GB for a 470 KB file).
    package var maxIntervalThresholds: Int

    /// Creates options.
    package init(
        nodesPerRule: Int = 200, minimumNodeBudget: Int = 20_000, analyze: Bool = true, maxIntervalThresholds: Int = 256
    ) {
        self.nodesPerRule = nodesPerRule
        self.minimumNodeBudget = minimumNodeBudget
        self.analyze = analyze
        self.maxIntervalThresholds = maxIntervalThresholds
    }
}

/// Compiles checked policies into decision diagrams.
package struct PolicyCompiler {
    var builder = DiagramBuilder()
    let policy: CheckedPolicy
    let options: CompileOptions
    private var thresholds: [Int: Set<Double>] = [:]
    private var conditionRoots: [Int: NodeRef] = [:]
    var decisionRoots: [NodeRef?]
    /// Each decision's `when` diagrams per rule, kept for the analysis.
    var ruleRoots: [[NodeRef]]
    var appliesRoots: [NodeRef?]

    /// Compiles `policy`.
    package static func compile(_ policy: CheckedPolicy, options: CompileOptions = CompileOptions()) -> CompiledPolicy {
        var compiler = PolicyCompiler(policy: policy, options: options)
        var findings: [Diagnostic] = []
        for index in policy.evaluationOrder {
            let decision = policy.decisions[index]
            let allowance = max(options.minimumNodeBudget, options.nodesPerRule * (decision.rules.count + 1))
            compiler.builder.budget = compiler.builder.nodeCount + allowance
            do {
                compiler.decisionRoots[index] = try compiler.buildDecision(index)
            } catch {
                compiler.decisionRoots[index] = nil
                findings.append(
                    .warning(
                        "analysis.fallback",
                        "decision `\(decision.name)` needs more than \(allowance) diagram nodes; it is evaluated rule by rule",
                        at: SourceRange(decision.location),
                        hint: "answers are the same; analysis of this decision is skipped"))
            }
        }
        compiler.builder.budget = Int.max
        if options.analyze { findings += compiler.analyze() }
        let b = compiler.builder
        return CompiledPolicy(
            checked: policy, variables: b.variables, nodeVariable: b.nodeVariable, nodeFirstChild: b.nodeFirstChild,
            children: b.children, leaves: b.leaves, roots: compiler.decisionRoots, findings: findings)
    }

    /// A compiler that has built nothing yet. `compile` builds every decision with it; a drawing
    /// (`DecisionDrawing`) builds one decision and none it reads, so those reads stay tests.
    init(policy: CheckedPolicy, options: CompileOptions) {
        self.policy = policy
        self.options = options
        decisionRoots = Array(repeating: nil, count: policy.decisions.count)
        ruleRoots = Array(repeating: [], count: policy.decisions.count)
        appliesRoots = Array(repeating: nil, count: policy.decisions.count)
        collectThresholds()
    }

    // MARK: Thresholds

    private mutating func collectThresholds() {
        var expressions: [CheckedExpr] = policy.conditions.map(\.expression)
        for decision in policy.decisions {
            expressions += decision.rules.map(\.when)
            if let applies = decision.appliesWhen { expressions.append(applies) }
        }
        for expression in expressions { collectThresholds(expression) }
    }

    private func isOrderedSlot(_ slot: Int) -> Bool {
        [.number, .date, .datetime].contains(policy.inputs[slot].type)
    }

    private mutating func collectThresholds(_ expression: CheckedExpr) {
        switch expression {
        case .compare(_, .input(let slot), .constant(let c)), .compare(_, .constant(let c), .input(let slot)):
            if isOrderedSlot(slot), let key = ExpressionEvaluator.orderKey(c) { thresholds[slot, default: []].insert(key) }
        case .inValues(.input(let slot), let values):
            if isOrderedSlot(slot) {
                for value in values { if let key = ExpressionEvaluator.orderKey(value) { thresholds[slot, default: []].insert(key) } }
            }
        case .not(let a): collectThresholds(a)
        case .and(let a, let b), .or(let a, let b):
            collectThresholds(a)
            collectThresholds(b)
        default: break
        }
    }

    // MARK: Boolean diagrams

    private static func flipped(_ op: BinaryOperator) -> BinaryOperator {
        switch op {
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        default: op
        }
    }

    /// A node on `variable` whose branch `k` is true exactly when `test(k)`.
    private mutating func split(_ variable: DiagramVariable, _ test: (Int) -> Bool) throws -> NodeRef {
        let index = builder.variable(variable)
        let branches = (0..<variable.domainSize).map { test($0) ? builder.trueLeaf : builder.falseLeaf }
        return try builder.node(index, branches)
    }

    /// The boolean diagram of an expression.
    mutating func boolean(_ expression: CheckedExpr) throws -> NodeRef {
        switch expression {
        case .constant(.bool(let b)):
            return b ? builder.trueLeaf : builder.falseLeaf
        case .not(let a):
            return try builder.not(boolean(a))
        case .and(let a, let b):
            let left = try boolean(a)
            if left == builder.falseLeaf { return left }
            return try builder.and(left, boolean(b))
        case .or(let a, let b):
            let left = try boolean(a)
            if left == builder.trueLeaf { return left }
            return try builder.or(left, boolean(b))
        case .condition(let index):
            if let done = conditionRoots[index] { return done }
            let root = try boolean(policy.conditions[index].expression)
            conditionRoots[index] = root
            return root
        case .input(let slot) where policy.inputs[slot].type == .bool:
            return try split(.boolSlot(slot)) { $0 == 1 }
        case .compare(let op, .constant(let c), .input(let slot)):
            return try compareSlot(Self.flipped(op), slot, c, original: expression)
        case .compare(let op, .input(let slot), .constant(let c)):
            return try compareSlot(op, slot, c, original: expression)
        case .inValues(.input(let slot), let values):
            switch policy.inputs[slot].type {
            case .enumeration(let names):
                return try split(.enumSlot(slot, count: names.count)) { values.contains(.enumValue($0)) }
            case .bool:
                return try split(.boolSlot(slot)) { values.contains(.bool($0 == 1)) }
            default:
                if isOrderedSlot(slot), let variable = intervalVariable(slot) {
                    let keys = values.compactMap(ExpressionEvaluator.orderKey)
                    let t = variableThresholds(variable)
                    return try split(variable) { region in region % 2 == 1 && keys.contains(t[region / 2]) }
                }
                return try atom(expression)
            }
        case .compare(let op, .decision(let d), .constant(let c)) where op == .equal || op == .notEqual:
            return try composed(d, original: expression) { outcomes in
                guard let outcomes else { return op == .notEqual }
                return (outcomes.first == c) == (op == .equal)
            }
        case .inValues(.decision(let d), let values):
            return try composed(d, original: expression) { outcomes in
                guard let first = outcomes?.first else { return false }
                return values.contains(first)
            }
        case .contains(.decision(let d), .constant(let c)):
            return try composed(d, original: expression) { outcomes in outcomes?.contains(c) ?? false }
        default:
            return try atom(expression)
        }
    }

    private func variableThresholds(_ variable: DiagramVariable) -> [Double] {
        if case .intervalSlot(_, let t) = variable { return t }
        return []
    }

    private func intervalVariable(_ slot: Int) -> DiagramVariable? {
        guard let keys = thresholds[slot], !keys.isEmpty, keys.count <= options.maxIntervalThresholds else { return nil }
        return .intervalSlot(slot, thresholds: keys.sorted())
    }

    private mutating func compareSlot(_ op: BinaryOperator, _ slot: Int, _ constant: Value, original: CheckedExpr) throws -> NodeRef {
        switch policy.inputs[slot].type {
        case .enumeration(let names) where op == .equal || op == .notEqual:
            return try split(.enumSlot(slot, count: names.count)) { (Value.enumValue($0) == constant) == (op == .equal) }
        case .bool where op == .equal || op == .notEqual:
            return try split(.boolSlot(slot)) { (Value.bool($0 == 1) == constant) == (op == .equal) }
        default:
            guard isOrderedSlot(slot), let variable = intervalVariable(slot),
                let key = ExpressionEvaluator.orderKey(constant)
            else { return try atom(original) }
            let t = variableThresholds(variable)
            guard let j = t.firstIndex(of: key) else { return try atom(original) }
            return try split(variable) { region in
                // Where the region lies relative to the constant: -1 below, 0 equal, 1 above.
                let position: Int
                if region % 2 == 1 {
                    let i = region / 2
                    position = i < j ? -1 : i > j ? 1 : 0
                } else {
                    position = region / 2 <= j ? -1 : 1
                }
                switch op {
                case .equal: return position == 0
                case .notEqual: return position != 0
                case .less: return position < 0
                case .lessOrEqual: return position <= 0
                case .greater: return position > 0
                case .greaterOrEqual: return position >= 0
                default: return false
                }
            }
        }
    }

    private mutating func atom(_ expression: CheckedExpr) throws -> NodeRef {
        try split(.atom(expression)) { $0 == 1 }
    }

    /// The outcome values a decision leaf stands for; `nil` when the decision has no value there.
    func leafOutcomes(_ decision: Decision, _ payload: [Int32]) -> [Value]? {
        if payload.first == LeafMarker.notApplicable || payload.first == LeafMarker.noRule { return nil }
        let values = payload.map { index -> Value in
            let rule = Int(index) < decision.rules.count ? decision.rules[Int(index)] : decision.defaultRule!
            return .enumValue(rule.outcome)
        }
        if decision.hit == .all {
            var unique: [Value] = []
            for value in values where !unique.contains(value) { unique.append(value) }
            return unique
        }
        return values.first.map { [$0] } ?? nil
    }

    /// A predicate on another decision's outcome, built from that decision's diagram; a test of
    /// its own (an atom) when that decision has no diagram (it fell back, or is not built).
    private mutating func composed(
        _ d: Int, original: CheckedExpr, _ predicate: ([Value]?) -> Bool
    ) throws -> NodeRef {
        guard let root = decisionRoots[d] else { return try atom(original) }
        let decision = policy.decisions[d]
        var answers: [NodeRef: NodeRef] = [:]
        for leaf in builder.reachableLeaves(root) {
            answers[leaf] = predicate(leafOutcomes(decision, builder.payload(leaf))) ? builder.trueLeaf : builder.falseLeaf
        }
        return try builder.mapLeaves(root) { answers[$0] ?? $0 }
    }

    // MARK: Decisions

    mutating func buildDecision(_ index: Int) throws -> NodeRef {
        let decision = policy.decisions[index]
        let rules = try decision.rules.map { try boolean($0.when) }
        ruleRoots[index] = rules
        let fallbackLeaf = builder.leaf(decision.defaultRule != nil ? [Int32(decision.rules.count)] : [LeafMarker.noRule])
        var root: NodeRef
        switch decision.hit {
        case .first:
            root = fallbackLeaf
            for (i, when) in rules.enumerated().reversed() {
                root = try builder.ite(when, builder.leaf([Int32(i)]), root)
            }
        case .all, .unique:
            // Pairwise unions keep the intermediate diagrams small (a running union would re-walk
            // an ever larger diagram for every rule).
            let empty = builder.leaf([])
            var parts = try rules.enumerated().map { i, when in try builder.ite(when, builder.leaf([Int32(i)]), empty) }
            while parts.count > 1 {
                var next: [NodeRef] = []
                next.reserveCapacity((parts.count + 1) / 2)
                for pair in stride(from: 0, to: parts.count, by: 2) {
                    next.append(pair + 1 < parts.count ? try builder.union(parts[pair], parts[pair + 1]) : parts[pair])
                }
                parts = next
            }
            root = parts.first ?? empty
            if decision.hit == .unique {
                let empty = builder.leaf([])
                root = try builder.mapLeaves(root) { $0 == empty ? fallbackLeaf : $0 }
            }
        }
        if let applies = decision.appliesWhen {
            let appliesRoot = try boolean(applies)
            appliesRoots[index] = appliesRoot
            root = try builder.ite(appliesRoot, root, builder.leaf([LeafMarker.notApplicable]))
        }
        return root
    }
}
