/// Buffers reused across evaluations, so that a loop over many cases allocates nothing per case.
package struct EvaluationScratch: Sendable {
    /// Per diagram variable: -2 not yet read, -1 unknown, else the branch taken.
    ///
    /// `Int32`: an enum of 40,000 values (a 330 KB policy) has branches past `Int16.max`, which
    /// `truncatingIfNeeded` turned into "unknown" here and `clamping` into the wrong branch in `evaluate`.
    var cache: [Int32] = []
    /// Per decision, the leaf its diagram reached; 0 (a node, never a leaf) while not yet walked.
    package internal(set) var leaves: [NodeRef] = []
    /// When tracing, each tested variable and the branch taken, per decision in evaluation order.
    var trace: [(decision: Int32, variable: Int32, branch: Int32)] = []

    /// Creates empty buffers; they grow to fit the first policy they are used with.
    package init() {}
}

/// A diagram node as the fast path reads it: the variable tested and where its children start,
/// side by side so one load brings both.
struct WalkNode: Sendable {
    let variable: Int32
    let firstChild: Int32
}

/// A case's facts and the leaves reached so far, as raw buffers valid during one walk.
struct WalkState {
    let values: UnsafeBufferPointer<Value?>
    let present: UnsafeBufferPointer<Bool>
    let leaves: UnsafeMutableBufferPointer<NodeRef>
    /// The facts themselves, for atoms the general evaluator answers.
    let facts: CaseFacts
}

extension Evaluator {
    /// Walks every decision's diagram for a case whose tested inputs are all known, writing each
    /// decision's leaf into `scratch.leaves`. Returns `false` (and leaves the answer to `evaluate`)
    /// when an input the walk needs is unknown or a decision has no diagram.
    package func evaluateLeaves(_ facts: CaseFacts, scratch: inout EvaluationScratch) -> Bool {
        evaluateLeaves(facts, scratch: &scratch, tracing: false)
    }

    /// `evaluateLeaves`, recording the path taken in `scratch.trace` when `tracing`.
    func evaluateLeaves(_ facts: CaseFacts, scratch: inout EvaluationScratch, tracing: Bool) -> Bool {
        guard allDiagrams else { return false }
        if scratch.cache.count != variableKinds.count { scratch.cache = Array(repeating: -2, count: variableKinds.count) }
        if scratch.leaves.count != walkRoots.count { scratch.leaves = Array(repeating: 0, count: walkRoots.count) }
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
                        walkNodes.withUnsafeBufferPointer { nodes in
                            compiled.children.withUnsafeBufferPointer { children in
                                cache.update(repeating: -2)
                                leaves.update(repeating: 0)
                                let state = WalkState(values: values, present: present, leaves: leaves, facts: facts)
                                for (decision, root) in walkRoots {
                                    var ref = root
                                    while ref >= 0 {
                                        let node = nodes[Int(ref)]
                                        let v = Int(node.variable)
                                        var branch = cache[v]
                                        if branch == -2 {
                                            branch = knownBranch(v, state)
                                            cache[v] = branch
                                        }
                                        if branch < 0 { return false }
                                        if tracing { trace.append((decision, Int32(v), branch)) }
                                        ref = children[Int(node.firstChild) + Int(branch)]
                                    }
                                    leaves[Int(decision)] = ref
                                }
                                return true
                            }
                        }
                    }
                }
            }
        }
    }

    /// The branch variable `v` takes, or -1 when unknown.
    private func knownBranch(_ v: Int, _ state: WalkState) -> Int32 {
        switch variableKinds[v] {
        case 0:
            if case .enumValue(let index)? = state.values[Int(variableSlots[v])] { return Int32(index) }
            return -1
        case 1:
            if case .bool(let b)? = state.values[Int(variableSlots[v])] { return b ? 1 : 0 }
            return -1
        case 2:
            let key: Double
            switch state.values[Int(variableSlots[v])] {
            case .date(let date)?: key = Double(date.dayNumber)
            case .number(let n)?: key = n
            case .datetime(let t)?: key = Double(t.epochSeconds)
            default: return -1
            }
            return variableThresholds[v].withUnsafeBufferPointer { thresholds in
                Int32(DiagramVariable.region(of: key, in: thresholds))
            }
        default:
            guard let truth = fastAtoms[v].truth(state, self) else { return -1 }
            return truth ? 1 : 0
        }
    }

    /// The value each decision gives expressions that read it, from the leaves a walk reached
    /// (`nil` for decisions not walked yet).
    func decisionValues(leaves: UnsafeBufferPointer<NodeRef>) -> [DecisionValue?] {
        leaves.indices.map { d in leaves[d] < 0 ? leafValues[d][Int(-leaves[d] - 1)] : nil }
    }

    /// The full results from the leaves of a fast-path walk.
    func materialize(_ scratch: EvaluationScratch, _ facts: CaseFacts) -> [DecisionResult] {
        let policy = compiled.checked
        var results: [DecisionResult] = []
        results.reserveCapacity(policy.decisions.count)
        for (index, decision) in policy.decisions.enumerated() {
            var result = leafInfo[index][Int(-scratch.leaves[index] - 1)]!.template
            if let duration = result.duration, result.status == .decided, let slot = decision.dueFromSlot, slot >= 0 {
                if case .datetime(let received)? = facts.values[slot] {
                    result.due = dueDate(receivedAt: received, duration: duration, zone: policy.timeZone, calendar: calendar)
                } else {
                    result.status = .needsInformation
                    result.missing = [policy.inputs[slot].path]
                    result.possible = [duration.description]
                }
            }
            results.append(result)
        }
        return results
    }
}
