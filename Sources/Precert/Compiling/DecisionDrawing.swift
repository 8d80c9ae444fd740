/// A picture of one decision for people: the tests its rules make, in the policy's words, leading
/// to its answers. Plain data: `GraphvizExport` writes it as DOT, and tests count its nodes and
/// clusters without reading DOT.
///
/// How a decision is drawn, and why not straight from its compiled diagram:
///
/// - The compiler reads another decision (`authorization in [required, expired]`) by inlining
///   that decision's whole diagram, so the compiled diagram of `coverage` repeats every test of
///   `authorization`. A drawing is compiled on its own instead, from the checked rules, by a
///   compiler that has built no other decision: it then keeps each read of a decision as one
///   test (an atom, as it does for any decision it cannot inline), drawn as one node naming that
///   decision ("authorization is required or expired"). Everything else is what the compiler
///   does: an enum input is one node with a branch per value, a number or date input one node
///   over the constants it is compared with, named conditions are their tests, and equal
///   sub-diagrams are one, so a test repeated in a drawing is one node where the order of tests
///   allows it.
/// - A hit-`all` decision's compiled diagram is the product of its rules: every combination of
///   matches has its own path and its own leaf (4 rules gave 32 tests and 17 outcome boxes). Each
///   rule adds its outcome on its own, so it is drawn as one small diagram per rule, a cluster:
///   its condition's tests leading to "adds OUTCOME" or "adds nothing" (and an `applies_when` as a
///   cluster of its own before them).
/// - A `first` or `unique` decision is drawn as its diagram, with reads of other decisions
///   collapsed as above: the rules in order, each path ending at the rule that decides. Drawn rule
///   by rule, a `first` decision would repeat in each rule the tests of the rules before it that
///   must fail; its diagram shows that order once.
package struct DecisionDrawing: Sendable, Hashable {
    /// What a node stands for; it decides how the node looks.
    package enum Kind: String, Sendable, Hashable {
        /// A test of the case's facts.
        case test
        /// A test of another decision's answer, drawn as one node naming that decision.
        case decisionTest
        /// An answer: an outcome or duration with its rule, or a hit-`all` rule's "adds OUTCOME".
        case outcome
        /// A hit-`all` rule that does not match: it adds nothing.
        case nothing
        /// A hit-`all` decision's `applies_when` holds: its rules apply.
        case applies
        /// The decision does not apply.
        case notApplicable
        /// No rule matches and there is no default.
        case noRule
    }

    /// One box.
    package struct Node: Sendable, Hashable {
        /// Its DOT id: letters, digits and `_` only, never policy text.
        package var id: String
        package var kind: Kind
        /// Its text, lines separated by `\n`.
        package var label: String
    }

    /// One arrow, labelled with the branch it takes.
    package struct Edge: Sendable, Hashable {
        package var from: String
        package var to: String
        package var label: String
    }

    /// A group of nodes drawn in a frame: one rule of a hit-`all` decision, or its `applies_when`.
    package struct Cluster: Sendable, Hashable {
        /// Its DOT id, starting with `cluster` as Graphviz requires for a frame.
        package var id: String
        package var title: String
        package var nodes: [Node]
        package var edges: [Edge]
    }

    /// The decision's name.
    package var name: String
    /// The graph's title: the policy, its version and the decision.
    package var title: String
    /// Frames, in rule order (hit `all`); empty for a decision drawn as one diagram.
    package var clusters: [Cluster]
    /// Nodes outside any frame.
    package var nodes: [Node]
    /// Edges outside any frame.
    package var edges: [Edge]

    /// Every node, in frames or not.
    package var allNodes: [Node] { nodes + clusters.flatMap(\.nodes) }

    /// Draws decision `index` of `policy`; `nil` when its diagram needs more nodes than the
    /// compiler allows a decision (`options`), which only a `first` or `unique` decision can.
    package init?(_ policy: CheckedPolicy, decision index: Int, options: CompileOptions = CompileOptions()) {
        let decision = policy.decisions[index]
        let words = DrawingWords(policy: policy, decision: decision)
        // A compiler of its own that has built no other decision, so that reads of them stay
        // tests; a fresh one per diagram, so each orders its tests by their first use in it.
        func compiler() -> PolicyCompiler {
            var compiler = PolicyCompiler(policy: policy, options: options)
            compiler.builder.budget = max(options.minimumNodeBudget, options.nodesPerRule * (decision.rules.count + 1))
            return compiler
        }
        name = decision.name
        title = words.title
        clusters = []
        nodes = []
        edges = []
        do {
            guard decision.hit == .all else {
                // Tests are ordered by first use: `applies_when`'s first puts it at the top, once,
                // instead of under every path of the rules.
                var compiler = compiler()
                if let applies = decision.appliesWhen { _ = try compiler.boolean(applies) }
                let root = try compiler.buildDecision(index)
                let builder = compiler.builder
                var sketch = Sketch(builder: builder, words: words, prefix: "")
                sketch.draw(root) { words.answer(builder.payload($0)) }
                nodes = sketch.nodes
                edges = sketch.edges
                return
            }
            if let applies = decision.appliesWhen {
                var compiler = compiler()
                let root = try compiler.boolean(applies)
                let builder = compiler.builder
                var sketch = Sketch(builder: builder, words: words, prefix: "a_")
                sketch.draw(root) { leaf in
                    builder.payload(leaf).isEmpty
                        ? (.notApplicable, "not applicable")
                        : (.applies, "the rules below apply")
                }
                clusters.append(Cluster(id: "cluster_applies", title: "applies when", nodes: sketch.nodes, edges: sketch.edges))
            }
            for (number, rule) in decision.rules.enumerated() {
                var compiler = compiler()
                let root = try compiler.boolean(rule.when)
                let builder = compiler.builder
                var sketch = Sketch(builder: builder, words: words, prefix: "r\(number + 1)_")
                let outcome = words.outcome(rule)
                sketch.draw(root) { leaf in
                    let matches = !builder.payload(leaf).isEmpty
                    // A rule whose condition is a constant has no test to show, so its box says so.
                    let (kind, text): (DecisionDrawing.Kind, String) =
                        switch (root < 0, matches) {
                        case (false, true): (.outcome, "adds \(outcome)")
                        case (false, false): (.nothing, "adds nothing")
                        case (true, true): (.outcome, "always adds \(outcome)")
                        case (true, false): (.nothing, "never adds \(outcome)")
                        }
                    return (kind, DrawingWords.wrap(text, DrawingWords.width))
                }
                clusters.append(Cluster(id: "cluster_r\(number + 1)", title: "rule \(rule.id)", nodes: sketch.nodes, edges: sketch.edges))
            }
        } catch {
            return nil
        }
    }
}

/// Walks a diagram from its root and records a node per inner node and leaf, each once, in the
/// order met (depth first, branches in order), so the same diagram gives the same ids.
private struct Sketch {
    let builder: DiagramBuilder
    let words: DrawingWords
    /// Put before every id, so that clusters drawn from shared diagram nodes keep apart.
    let prefix: String
    var nodes: [DecisionDrawing.Node] = []
    var edges: [DecisionDrawing.Edge] = []
    private var ids: [NodeRef: String] = [:]

    init(builder: DiagramBuilder, words: DrawingWords, prefix: String) {
        self.builder = builder
        self.words = words
        self.prefix = prefix
    }

    /// Draws the diagram under `root`; `leaf` says what each leaf reached stands for.
    mutating func draw(_ root: NodeRef, leaf: (NodeRef) -> (DecisionDrawing.Kind, String)) {
        _ = visit(root, leaf)
    }

    private mutating func visit(_ ref: NodeRef, _ leaf: (NodeRef) -> (DecisionDrawing.Kind, String)) -> String {
        if let id = ids[ref] { return id }
        let id = "\(prefix)n\(ids.count + 1)"
        ids[ref] = id
        if ref < 0 {
            let (kind, label) = leaf(ref)
            nodes.append(.init(id: id, kind: kind, label: label))
            return id
        }
        let variable = builder.variables[Int(builder.nodeVariable[Int(ref)])]
        nodes.append(.init(id: id, kind: words.kind(variable), label: words.test(variable)))
        // Branches that lead to the same place share one arrow; a yes/no test shows yes first.
        let order: [Int] =
            switch variable {
            case .atom, .boolSlot: [1, 0]
            case .enumSlot, .intervalSlot: Array(0..<variable.domainSize)
            }
        var groups: [(child: NodeRef, branches: [Int])] = []
        for branch in order {
            let child = builder.child(ref, branch)
            if let index = groups.firstIndex(where: { $0.child == child }) {
                groups[index].branches.append(branch)
            } else {
                groups.append((child, [branch]))
            }
        }
        // This node's arrows come before those of the nodes under it, so the DOT reads top down.
        let first = edges.count
        var arrows: [DecisionDrawing.Edge] = []
        for group in groups {
            let target = visit(group.child, leaf)
            arrows.append(.init(from: id, to: target, label: words.branches(variable, group.branches.sorted())))
        }
        edges.insert(contentsOf: arrows, at: first)
        return id
    }
}

/// The words of a drawing: the policy's own (ExpressionPrinter's text of each test, outcome labels
/// where the policy gives them), wrapped so that no box grows too wide.
struct DrawingWords {
    let policy: CheckedPolicy
    let decision: Decision
    let printer: ExpressionPrinter

    /// The widest line of a node's text, in characters, before it wraps at a space.
    static let width = 40
    /// The widest line of an arrow's text.
    static let branchWidth = 24

    init(policy: CheckedPolicy, decision: Decision) {
        self.policy = policy
        self.decision = decision
        self.printer = ExpressionPrinter(policy: policy)
    }

    /// The policy, the version (its effective date, and the day it ends if it does) and the
    /// decision with what its hit policy means.
    var title: String {
        var version = "effective \(policy.effective)"
        if let expires = policy.expires { version += ", expires \(expires)" }
        let hit = switch decision.hit {
        case .first: "the first rule that matches decides"
        case .unique: "the one rule that matches decides"
        case .all: "each rule that matches adds its outcome"
        }
        return "\(policy.id) (\(version))\n\(decision.name) (hit \(decision.hit.rawValue)): \(hit)"
    }

    /// What a node on `variable` tests: an input's path, or the test in the policy's words.
    func test(_ variable: DiagramVariable) -> String {
        switch variable {
        case .atom(let expression): Self.wrap(decisionTest(expression) ?? printer.expression(expression), Self.width)
        default: policy.inputs[variable.slot!].path
        }
    }

    /// Whether the node tests another decision's answer.
    func kind(_ variable: DiagramVariable) -> DecisionDrawing.Kind {
        if case .atom(let expression) = variable, Self.readsDecision(expression) { return .decisionTest }
        return .test
    }

    /// A test of a decision's answer against outcome words, in words: "authorization is required
    /// or expired"; `nil` for any other expression.
    func decisionTest(_ expression: CheckedExpr) -> String? {
        func word(_ d: Int, _ value: Value) -> String {
            if case .enumValue(let index) = value, policy.decisions[d].outcomes.indices.contains(index) {
                return policy.decisions[d].outcomes[index]
            }
            return printer.value(value, type: nil)
        }
        switch expression {
        case .compare(.equal, .decision(let d), .constant(let value)), .compare(.equal, .constant(let value), .decision(let d)):
            return "\(policy.decisions[d].name) is \(word(d, value))"
        case .compare(.notEqual, .decision(let d), .constant(let value)), .compare(.notEqual, .constant(let value), .decision(let d)):
            return "\(policy.decisions[d].name) is not \(word(d, value))"
        case .inValues(.decision(let d), let values):
            return "\(policy.decisions[d].name) is \(Self.either(values.map { word(d, $0) }))"
        case .contains(.decision(let d), .constant(let value)):
            return "\(policy.decisions[d].name) includes \(word(d, value))"
        default:
            return nil
        }
    }

    /// Whether an expression reads a decision's answer anywhere.
    static func readsDecision(_ expression: CheckedExpr) -> Bool {
        switch expression {
        case .decision: true
        case .constant, .input, .element, .condition, .has: false
        case .not(let a), .length(let a), .inValues(let a, _), .inCodeSet(let a, _), .shift(let a, _, _): readsDecision(a)
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .contains(let a, let b), .any(let a, let b),
            .all(let a, let b):
            readsDecision(a) || readsDecision(b)
        }
    }

    /// `a`, `a or b`, `a, b or c`.
    static func either(_ words: [String]) -> String {
        guard let last = words.last else { return "" }
        return words.count == 1 ? last : words.dropLast().joined(separator: ", ") + " or " + last
    }

    /// The text of an arrow taking `branches` (sorted) of a node on `variable`.
    func branches(_ variable: DiagramVariable, _ branches: [Int]) -> String {
        switch variable {
        case .atom:
            return branches == [1] ? "yes" : "no"
        case .boolSlot:
            return branches == [1] ? "true" : "false"
        case .enumSlot(let slot, _):
            guard case .enumeration(let names) = policy.inputs[slot].type else { return branches.map(String.init).joined(separator: ", ") }
            return Self.wrap(branches.map { names[$0] }.joined(separator: ", "), Self.branchWidth)
        case .intervalSlot(let slot, let thresholds):
            return Self.wrap(regions(branches, thresholds, type: policy.inputs[slot].type), Self.branchWidth)
        }
    }

    /// Interval branches as ranges: runs of neighbouring branches become one range (`<= 10`,
    /// `> 2026-01-01 and < 2026-07-01`), several runs are joined with `or`.
    private func regions(_ branches: [Int], _ thresholds: [Double], type: ValueType) -> String {
        func show(_ key: Double) -> String {
            switch type {
            case .date: CivilDate(dayNumber: Int32(key)).description
            case .datetime: Timestamp(epochSeconds: Int64(key)).rfc3339
            default: ExpressionPrinter.number(key)
            }
        }
        var runs: [(first: Int, last: Int)] = []
        for branch in branches {
            if let last = runs.last, last.last == branch - 1 { runs[runs.count - 1].last = branch } else { runs.append((branch, branch)) }
        }
        let top = 2 * thresholds.count
        return runs.map { run -> String in
            if run.first == run.last, run.first % 2 == 1 { return "= \(show(thresholds[run.first / 2]))" }
            var parts: [String] = []
            if run.first > 0 {
                parts.append(run.first % 2 == 1 ? ">= \(show(thresholds[run.first / 2]))" : "> \(show(thresholds[run.first / 2 - 1]))")
            }
            if run.last < top {
                parts.append(run.last % 2 == 1 ? "<= \(show(thresholds[run.last / 2]))" : "< \(show(thresholds[run.last / 2]))")
            }
            return parts.isEmpty ? "any" : parts.joined(separator: " and ")
        }.joined(separator: " or ")
    }

    /// A rule's outcome for people: its label where the policy gives one, else its word; a
    /// duration decision's duration. Not wrapped.
    func outcome(_ rule: Rule) -> String {
        if let duration = rule.duration { return duration.description }
        return decision.labels[rule.outcome] ?? decision.outcomes[rule.outcome]
    }

    /// What a leaf of a `first` or `unique` decision's diagram answers, and the rule that says so.
    func answer(_ payload: [Int32]) -> (DecisionDrawing.Kind, String) {
        if payload.first == LeafMarker.notApplicable { return (.notApplicable, "not applicable") }
        guard !payload.isEmpty, payload.first != LeafMarker.noRule else { return (.noRule, "no rule matches") }
        let rules = payload.map { Int($0) < decision.rules.count ? decision.rules[Int($0)] : decision.defaultRule! }
        var label = Self.wrap(outcome(rules[0]), Self.width) + "\n" + (rules[0].isDefault ? "default" : "rule \(rules[0].id)")
        if rules.count > 1 {
            // Under `unique`, more than one rule here is an overlap `check` reports; the first decides.
            label += "\n" + Self.wrap("overlaps: " + rules.dropFirst().map(\.id).joined(separator: ", "), Self.width)
        }
        return (.outcome, label)
    }

    /// `text` broken at spaces into as few lines of at most `width` characters as it takes, as
    /// even in length as they can be (a longer word keeps a line of its own); line breaks already
    /// in it stay.
    static func wrap(_ text: String, _ width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { paragraph -> String in
            let words = paragraph.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let lines = greedy(words, width)
            // The narrowest width that needs no more lines.
            var narrow = width
            while narrow > 1, greedy(words, narrow - 1).count == lines.count { narrow -= 1 }
            return greedy(words, narrow).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Words filled into lines of at most `width` characters, each line as full as it goes.
    private static func greedy(_ words: [String], _ width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for (index, word) in words.enumerated() {
            if index == 0 {
                line = word
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = word
            }
        }
        lines.append(line)
        return lines
    }
}
