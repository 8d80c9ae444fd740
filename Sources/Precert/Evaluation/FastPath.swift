/// Buffers reused across evaluations, so that a loop over many cases allocates nothing per case.
public struct EvaluationScratch: Sendable {
    /// Per diagram variable: -2 not yet read, -1 unknown, else the branch taken.
    ///
    /// `Int32`: an enum of 40,000 values (a 330 KB policy) has branches past `Int16.max`, which
    /// `truncatingIfNeeded` turned into "unknown" here and `clamping` into the wrong branch in `evaluate`.
    var cache: [Int32] = []
    /// The value each decision gives expressions that read it.
    var decisionValues: [DecisionValue?] = []
    /// Per decision, the leaf its diagram reached.
    public internal(set) var leaves: [NodeRef] = []
    /// When tracing, each tested variable and the branch taken, per decision in evaluation order.
    var trace: [(decision: Int32, variable: Int32, branch: Int32)] = []

    /// Creates empty buffers; they grow to fit the first policy they are used with.
    public init() {}
}

extension Evaluator {
    /// Walks every decision's diagram for a case whose tested inputs are all known, writing each
    /// decision's leaf into `scratch.leaves`. Returns `false` (and leaves the answer to `evaluate`)
    /// when an input the walk needs is unknown or a decision has no diagram.
    public func evaluateLeaves(_ facts: CaseFacts, scratch: inout EvaluationScratch) -> Bool {
        evaluateLeaves(facts, scratch: &scratch, tracing: false)
    }

    /// `evaluateLeaves`, recording the path taken in `scratch.trace` when `tracing`.
    func evaluateLeaves(_ facts: CaseFacts, scratch: inout EvaluationScratch, tracing: Bool) -> Bool {
        guard allDiagrams else { return false }
        let policy = compiled.checked
        let variableCount = compiled.variables.count
        let decisionCount = policy.decisions.count
        if scratch.cache.count != variableCount {
            scratch.cache = Array(repeating: -2, count: variableCount)
        } else {
            for i in 0..<variableCount { scratch.cache[i] = -2 }
        }
        if scratch.leaves.count != decisionCount {
            scratch.leaves = Array(repeating: 0, count: decisionCount)
            scratch.decisionValues = Array(repeating: nil, count: decisionCount)
        } else {
            for i in 0..<decisionCount { scratch.decisionValues[i] = nil }
        }
        if tracing { scratch.trace.removeAll(keepingCapacity: true) }
        // Unsafe buffers keep array bounds checks and reference counting out of the walk.
        let walked = compiled.nodeVariable.withUnsafeBufferPointer { nodeVariable in
            compiled.nodeFirstChild.withUnsafeBufferPointer { nodeFirstChild in
                compiled.children.withUnsafeBufferPointer { children in
                    for index in policy.evaluationOrder {
                        var ref = compiled.roots[index]!
                        while ref >= 0 {
                            let v = Int(nodeVariable[Int(ref)])
                            var branch = scratch.cache[v]
                            if branch == -2 {
                                branch = knownBranch(v, facts, scratch.decisionValues)
                                scratch.cache[v] = branch
                            }
                            if branch < 0 { return false }
                            if tracing { scratch.trace.append((Int32(index), Int32(v), branch)) }
                            ref = children[Int(nodeFirstChild[Int(ref)]) + Int(branch)]
                        }
                        scratch.leaves[index] = ref
                        scratch.decisionValues[index] = leafValues[index][Int(-ref - 1)]
                    }
                    return true
                }
            }
        }
        if !walked { return false }
        return true
    }

    /// The branch variable `v` takes, or -1 when unknown.
    private func knownBranch(_ v: Int, _ facts: CaseFacts, _ decisions: [DecisionValue?]) -> Int32 {
        switch variableKinds[v] {
        case 0:
            if case .enumValue(let index)? = facts.values[Int(variableSlots[v])] { return Int32(index) }
            return -1
        case 1:
            if case .bool(let b)? = facts.values[Int(variableSlots[v])] { return b ? 1 : 0 }
            return -1
        case 2:
            let key: Double
            switch facts.values[Int(variableSlots[v])] {
            case .date(let date)?: key = Double(date.dayNumber)
            case .number(let n)?: key = n
            case .datetime(let t)?: key = Double(t.epochSeconds)
            default: return -1
            }
            return variableThresholds[v].withUnsafeBufferPointer { thresholds in
                Int32(DiagramVariable.region(of: key, in: thresholds))
            }
        default:
            guard let truth = fastAtoms[v].truth(facts, compiled.checked, decisions, fastAtomTable) else { return -1 }
            return truth ? 1 : 0
        }
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
