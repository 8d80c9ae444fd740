/// What the branch cache holds besides branches.
enum CachedBranch {
    /// The variable has not been read for this case yet.
    static let unread: Int32 = -2
    /// The variable is unknown for this case.
    static let unknown: Int32 = -1
}

/// Buffers reused across evaluations, so that a loop over many cases allocates nothing per case.
package struct EvaluationScratch: Sendable {
    /// Per diagram variable: `CachedBranch.unread`, `CachedBranch.unknown`, or the branch taken.
    ///
    /// `Int32`: an enum of 40,000 values (a 330 KB policy) has branches past `Int16.max`, which
    /// `truncatingIfNeeded` turned into "unknown" here and `clamping` into the wrong branch in `evaluate`.
    var cache: [Int32] = []
    /// Per decision, the leaf its diagram reached; `WalkRoot.notAtLeaf` (0, a node, never a leaf)
    /// while not walked yet or when the answer is in `combined`.
    package internal(set) var leaves: [NodeRef] = []
    /// Per decision, its answer where no single leaf gives it (unknown inputs left several paths
    /// open, or it was answered rule by rule); `.none` elsewhere.
    var combined: [CombinedAnswer] = []
    /// Whether `combined` holds anything to clear before the next case.
    var combinedInUse = false
    /// When tracing, each tested variable and the branch taken, per decision in evaluation order.
    var trace: [(decision: Int32, variable: Int32, branch: Int32)] = []
    /// Buffers for following every open path.
    var exploration = Exploration()

    /// Creates empty buffers; they grow to fit the first policy they are used with.
    package init() {}
}

/// Buffers for following every branch of an unknown variable through one decision's diagram.
struct Exploration: Sendable {
    /// Per node, leaf and input slot: the `stamp` of the exploration that last saw it.
    var nodeSeen: [UInt32] = []
    var leafSeen: [UInt32] = []
    var slotSeen: [UInt32] = []
    var stamp: UInt32 = 0
    var stack: [NodeRef] = []
    /// The leaves reached, as leaf positions.
    var leaves: [Int] = []
    /// The unknown inputs met.
    var slots: [Int] = []
    /// The answer-table positions of the leaves reached.
    var ranks: [Int] = []
    /// The words and missing inputs of the open answers of the case so far (`CombinedAnswer.open`).
    var parts: [Int] = []

    /// Starts a new exploration.
    mutating func begin(nodes: Int, leaves leafCount: Int, slots slotCount: Int) {
        if nodeSeen.count != nodes { nodeSeen = Array(repeating: 0, count: nodes) }
        if leafSeen.count != leafCount { leafSeen = Array(repeating: 0, count: leafCount) }
        if slotSeen.count != slotCount { slotSeen = Array(repeating: 0, count: slotCount) }
        if stamp == .max {
            stamp = 0
            nodeSeen.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            leafSeen.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            slotSeen.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        stamp += 1
        stack.removeAll(keepingCapacity: true)
        leaves.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        ranks.removeAll(keepingCapacity: true)
    }

    /// Notes an unknown input.
    @inline(__always)
    mutating func unknown(_ slot: Int) {
        if slotSeen[slot] != stamp {
            slotSeen[slot] = stamp
            slots.append(slot)
        }
    }
}

/// A diagram node as the walk reads it: the variable tested and where its children start,
/// side by side so one load brings both.
struct WalkNode: Sendable {
    let variable: Int32
    let firstChild: Int32
}

/// Leaves are negative node references: the leaf at position `p` of `CompiledPolicy.leaves` is `-(p + 1)`.
enum LeafRef {
    /// The position of leaf `ref`.
    @inline(__always)
    static func position(_ ref: NodeRef) -> Int { Int(-ref - 1) }

    /// The reference of the leaf at `position`.
    @inline(__always)
    static func ref(_ position: Int) -> NodeRef { NodeRef(-position - 1) }
}

/// A decision in evaluation order and where its walk starts.
struct WalkRoot: Sendable {
    /// What `EvaluationScratch.leaves` holds for a decision not at a single leaf.
    static let notAtLeaf: NodeRef = 0
    let decision: Int32
    /// The diagram's root (a leaf when the diagram is a single leaf).
    let root: NodeRef
    /// Whether the decision has a diagram; without one it is answered rule by rule.
    let hasDiagram: Bool
}

/// A diagram variable as the walk reads it, plain data.
struct WalkVariable: Sendable {
    let kind: DiagramVariable.Kind
    /// The input slot tested (-1 for atoms).
    let slot: Int32
    /// How many branches a node on it has.
    let domainSize: Int32
    /// Where its thresholds are in `Evaluator.thresholdPool`, and how many (interval variables).
    let thresholdStart: Int32
    let thresholdCount: Int32
}

/// A case's facts and the answers so far, as raw buffers valid during one walk.
struct WalkState {
    let values: UnsafeBufferPointer<Value?>
    let present: UnsafeBufferPointer<Bool>
    let leaves: UnsafeMutableBufferPointer<NodeRef>
    let combined: UnsafeMutableBufferPointer<CombinedAnswer>
    /// The facts themselves, for atoms the general evaluator answers.
    let facts: CaseFacts
}

extension Evaluator {
    /// Walks every decision's diagram for a case whose tested inputs are all known, writing each
    /// decision's leaf into `scratch.leaves`. Returns `false` (and leaves the answer to
    /// `answer(_:scratch:tracing:)`) when an input the walk needs is unknown or a decision has no diagram.
    package func evaluateLeaves(_ facts: CaseFacts, scratch: inout EvaluationScratch) -> Bool {
        walk(facts, &scratch, exploring: false, tracing: false)
    }

    /// Answers every decision for a case: the leaf reached in `scratch.leaves`, or where no single
    /// leaf answers, the combined answer in `scratch.combined`. Records the path taken in
    /// `scratch.trace` when `tracing`.
    func answer(_ facts: CaseFacts, scratch: inout EvaluationScratch, tracing: Bool) {
        _ = walk(facts, &scratch, exploring: true, tracing: tracing)
    }

    /// The one walk: each decision in evaluation order follows its diagram while the tested
    /// variables are known; at an unknown one it follows every branch (`exploring`) or gives up.
    @inline(__always)
    private func walk(_ facts: CaseFacts, _ scratch: inout EvaluationScratch, exploring: Bool, tracing: Bool) -> Bool {
        if scratch.cache.count != variables.count { scratch.cache = Array(repeating: CachedBranch.unread, count: variables.count) }
        if scratch.leaves.count != walkRoots.count {
            scratch.leaves = Array(repeating: WalkRoot.notAtLeaf, count: walkRoots.count)
            scratch.combined = Array(repeating: .none, count: walkRoots.count)
        }
        if scratch.combinedInUse {
            scratch.combined.withUnsafeMutableBufferPointer { $0.update(repeating: .none) }
            scratch.exploration.parts.removeAll(keepingCapacity: true)
            scratch.combinedInUse = false
        }
        var trace: [(decision: Int32, variable: Int32, branch: Int32)] = []
        if tracing {
            swap(&trace, &scratch.trace)
            trace.removeAll(keepingCapacity: true)
        }
        defer { if tracing { swap(&trace, &scratch.trace) } }
        // Raw buffers keep bounds checks, uniqueness checks and reference counting out of the walk,
        // which is a few dozen steps per case.
        return facts.values.withUnsafeBufferPointer { values in
            facts.present.withUnsafeBufferPointer { present in
                scratch.cache.withUnsafeMutableBufferPointer { cache in
                    scratch.leaves.withUnsafeMutableBufferPointer { leaves in
                        scratch.combined.withUnsafeMutableBufferPointer { combined in
                            walkNodes.withUnsafeBufferPointer { nodes in
                                compiled.children.withUnsafeBufferPointer { children in
                                    cache.update(repeating: CachedBranch.unread)
                                    leaves.update(repeating: WalkRoot.notAtLeaf)
                                    let state = WalkState(values: values, present: present, leaves: leaves, combined: combined, facts: facts)
                                    for entry in walkRoots {
                                        let decision = Int(entry.decision)
                                        guard entry.hasDiagram else {
                                            if !exploring { return false }
                                            combined[decision] = .answer(answerByRules(decision, state, scratch.exploration))
                                            scratch.combinedInUse = true
                                            continue
                                        }
                                        var ref = entry.root
                                        while ref >= 0 {
                                            let node = nodes[Int(ref)]
                                            let v = Int(node.variable)
                                            var branch = cache[v]
                                            if branch == CachedBranch.unread {
                                                branch = self.branch(v, state)
                                                cache[v] = branch
                                            }
                                            if tracing { trace.append((entry.decision, Int32(v), branch)) }
                                            if branch < 0 { break }
                                            ref = children[Int(node.firstChild) + Int(branch)]
                                        }
                                        if ref < 0 {
                                            leaves[decision] = ref
                                            continue
                                        }
                                        if !exploring { return false }
                                        combined[decision] = explore(decision, from: ref, state, cache, nodes, children, &scratch.exploration)
                                        if case .none = combined[decision] {} else { scratch.combinedInUse = true }
                                    }
                                    return true
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The branch variable `v` takes, or `CachedBranch.unknown`.
    @inline(__always)
    private func branch(_ v: Int, _ state: WalkState) -> Int32 {
        let variable = variables[v]
        if variable.kind == .atom {
            guard let truth = fastAtoms[v].truth(state, self) else { return CachedBranch.unknown }
            return truth ? 1 : 0
        }
        let slot = Int(variable.slot)
        let branch: Int?
        if variable.kind == .interval {
            branch = thresholdPool.withUnsafeBufferPointer { pool in
                let start = Int(variable.thresholdStart)
                let thresholds = UnsafeBufferPointer(rebasing: pool[start..<(start + Int(variable.thresholdCount))])
                return DiagramVariable.branch(.interval, of: state.values[slot], thresholds: thresholds)
            }
        } else {
            branch = DiagramVariable.branch(variable.kind, of: state.values[slot], thresholds: UnsafeBufferPointer(start: nil, count: 0))
        }
        return branch.map { Int32($0) } ?? CachedBranch.unknown
    }

    /// Follows every branch of the unknown variables below `ref` in decision `decision`'s diagram;
    /// sets the decision's leaf when all paths reach one leaf, else returns the combined answer.
    @inline(never)
    private func explore(
        _ decision: Int, from ref: NodeRef, _ state: WalkState, _ cache: UnsafeMutableBufferPointer<Int32>,
        _ nodes: UnsafeBufferPointer<WalkNode>, _ children: UnsafeBufferPointer<NodeRef>, _ exploration: inout Exploration
    ) -> CombinedAnswer {
        exploration.begin(nodes: nodes.count, leaves: leafCount, slots: state.values.count)
        let stamp = exploration.stamp
        exploration.stack.append(ref)
        while let next = exploration.stack.popLast() {
            if next < 0 {
                let position = LeafRef.position(next)
                if exploration.leafSeen[position] != stamp {
                    exploration.leafSeen[position] = stamp
                    exploration.leaves.append(position)
                }
                continue
            }
            guard exploration.nodeSeen[Int(next)] != stamp else { continue }
            exploration.nodeSeen[Int(next)] = stamp
            let node = nodes[Int(next)]
            let v = Int(node.variable)
            var branch = cache[v]
            if branch == CachedBranch.unread {
                branch = self.branch(v, state)
                cache[v] = branch
            }
            let first = Int(node.firstChild)
            if branch >= 0 {
                exploration.stack.append(children[first + Int(branch)])
            } else {
                noteUnknown(v, state, &exploration)
                for b in 0..<Int(variables[v].domainSize) { exploration.stack.append(children[first + b]) }
            }
        }
        if exploration.leaves.count == 1 {
            state.leaves[decision] = LeafRef.ref(exploration.leaves[0])
            return .none
        }
        exploration.leaves.sort()
        let base = decision * leafCount
        for position in exploration.leaves { exploration.ranks.append(leafRanks[Int(leafIndex[base + position])]) }
        if exploration.ranks.allSatisfy({ $0 == exploration.ranks[0] }) {
            let meanings = exploration.leaves.map { leafMeanings[Int(leafIndex[base + $0])] }
            return .answer(meaning.merge(decision, meanings, values: state.values))
        }
        // Different answers: the decision needs what was found unknown on the way.
        let words = exploration.parts.count
        meaning.openWords(exploration.ranks, answerTables[decision], into: &exploration.parts)
        let missing = exploration.parts.count
        exploration.parts += exploration.slots.sorted()
        return .open(words: words..<missing, missing: missing..<exploration.parts.count)
    }

    /// Notes the inputs that leave variable `v` unknown: its input, or for an atom the unknown
    /// inputs it reads and what is missing for the unknown decisions it reads.
    private func noteUnknown(_ v: Int, _ state: WalkState, _ exploration: inout Exploration) {
        let variable = variables[v]
        guard variable.kind == .atom else {
            exploration.unknown(Int(variable.slot))
            return
        }
        for slot in atomInputs[v] where state.values[slot] == nil { exploration.unknown(slot) }
        for d in atomDecisions[v] where decisionValue(d, state) == .unknown {
            for slot in missing(d, state, exploration) { exploration.unknown(slot) }
        }
    }

    /// Answers decision `decision` rule by rule (the reference semantics, and decisions whose
    /// diagram outgrew its budget).
    @inline(never)
    private func answerByRules(_ decision: Int, _ state: WalkState, _ exploration: Exploration) -> DecisionAnswer {
        let values = (0..<walkRoots.count).map { decisionValue($0, state) }
        let evaluator = ExpressionEvaluator(policy: policy, facts: state.facts, decisions: values)
        var unknownSlots: Set<Int> = []
        var unknownDecisions: Set<Int> = []
        let payloads = evaluateRules(policy.decisions[decision], evaluator, unknownSlots: &unknownSlots, unknownDecisions: &unknownDecisions)
        for d in unknownDecisions { unknownSlots.formUnion(missing(d, state, exploration)) }
        let meanings = payloads.map { meaning.meaning(decision, payload: $0) }
        let table = AnswerTable(meanings.map(\.answer), policy.decisions[decision])
        let ranks = meanings.map { table.rank(of: $0.answer) }
        if ranks.allSatisfy({ $0 == ranks.first }) { return meaning.merge(decision, meanings, values: state.values) }
        var words: [Int] = []
        meaning.openWords(ranks, table, into: &words)
        return meaning.open(decision, possible: words.map { table.words[$0] }, missing: unknownSlots.sorted())
    }

    /// The value decision `d` gives expressions that read it (`nil` when not answered yet).
    @inline(__always)
    func decisionValue(_ d: Int, _ state: WalkState) -> DecisionValue? {
        let leaf = state.leaves[d]
        if leaf < 0 {
            let index = leafMeaning(d, leaf)
            return leafMeanings[index].with(leafMeanings[index].start(state.values)) { $0.value }
        }
        switch state.combined[d] {
        case .none: return nil
        case .open: return .unknown
        case .answer(let answer): return answer.value
        }
    }

    /// The inputs that would settle decision `d`.
    private func missing(_ d: Int, _ state: WalkState, _ exploration: Exploration) -> ArraySlice<Int> {
        let leaf = state.leaves[d]
        if leaf < 0 {
            let index = leafMeaning(d, leaf)
            return leafMeanings[index].with(leafMeanings[index].start(state.values)) { $0.missing[...] }
        }
        switch state.combined[d] {
        case .none: return []
        case .open(_, let missing): return exploration.parts[missing]
        case .answer(let answer): return answer.missing[...]
        }
    }

    /// What `len(decision)` reads for decision `d`: `nil` when unknown.
    @inline(__always)
    func decisionLength(_ d: Int, _ state: WalkState) -> Double? {
        let leaf = state.leaves[d]
        if leaf < 0 {
            let index = leafMeaning(d, leaf)
            // A list's length is the same with or without the due date (only durations have one).
            return leafLengths[index]
        }
        if case .answer(let answer) = state.combined[d] { return answer.value.read.flatMap(ExpressionEvaluator.length(of:)) }
        return nil
    }

    /// The value of every decision, for the general evaluator.
    func decisionValues(_ state: WalkState) -> [DecisionValue?] {
        (0..<state.leaves.count).map { decisionValue($0, state) }
    }
}

extension Evaluator {
    /// Answers a case, then tests every atom both ways with the decisions' values at the end of
    /// the walk: in its specialized form and with the general evaluator (for the property tests,
    /// which hold the two to the same answers).
    func atomTruths(_ facts: CaseFacts) -> [(atom: String, fast: Bool?, general: Bool?)] {
        var scratch = EvaluationScratch()
        answer(facts, scratch: &scratch, tracing: false)
        var leaves = scratch.leaves
        var combined = scratch.combined
        return facts.values.withUnsafeBufferPointer { values in
            facts.present.withUnsafeBufferPointer { present in
                leaves.withUnsafeMutableBufferPointer { leaves in
                    combined.withUnsafeMutableBufferPointer { combined in
                        let state = WalkState(values: values, present: present, leaves: leaves, combined: combined, facts: facts)
                        let general = ExpressionEvaluator(policy: policy, facts: facts, decisions: decisionValues(state))
                        return compiled.variables.indices.compactMap { v in
                            guard case .atom(let expression) = compiled.variables[v] else { return nil }
                            return (variableTests[v], fastAtoms[v].truth(state, self), general.truth(expression))
                        }
                    }
                }
            }
        }
    }
}
