/// Evaluates a compiled policy against case facts. Immutable and `Sendable`: share one across threads.
package final class Evaluator: Sendable {
    /// The compiled policy.
    package let compiled: CompiledPolicy
    /// The policy's holiday calendar.
    package let calendar: HolidayCalendar
    /// Whether to evaluate rule by rule instead of walking the diagrams (the reference semantics).
    package let ruleByRule: Bool
    /// The policy file as decisions cite it (relative to the policies root), or `nil` for the file
    /// as it was given.
    package let sourceFile: String?

    /// What each reachable leaf of each decision's diagram means, worked out once so that a case
    /// whose inputs are all known is answered without building anything.
    struct LeafInfo: Sendable {
        /// The result, without a due date.
        var template: DecisionResult
        /// The value other decisions read.
        var value: DecisionValue
    }

    /// Per decision, the meaning of each leaf by leaf index (`nil` for leaves it cannot reach).
    let leafInfo: [[LeafInfo?]]
    /// Per decision, the value each leaf gives readers, apart from the templates so the hot path
    /// copies no results.
    let leafValues: [[DecisionValue?]]
    /// Per decision and leaf, the `next_step` templates of the rules the leaf cites, in order.
    let leafSteps: [[[[TemplatePart]]]]
    /// The same steps JSON-escaped, where a step has no placeholder.
    let leafStepBytes: [[[[UInt8]?]]]
    /// The most next steps one case can have (every decision's longest list of steps).
    let maxStepsPerCase: Int
    /// Per variable, what the fast path reads: 0 enum, 1 bool, 2 interval, 3 atom.
    let variableKinds: [UInt8]
    /// Per variable, the input slot it reads (-1 for atoms).
    let variableSlots: [Int32]
    /// Per variable, what it tests in the policy's words, for `--explain`.
    let variableTests: [String]
    /// Per variable, the name of each branch where branches have fixed names (enums, booleans, atoms).
    let branchNames: [[String]?]
    /// Per variable, its atom in specialized form (`.general(-1)` for input variables).
    let fastAtoms: [FastAtom]
    /// The payloads of `fastAtoms`.
    let fastAtomTable: FastAtoms
    /// Per variable, the thresholds of an interval variable (empty for others).
    let variableThresholds: [[Double]]
    /// Whether every decision has a diagram, so the fast path can answer every case with known inputs.
    let allDiagrams: Bool
    /// The diagram's nodes in the fast path's layout.
    let walkNodes: [WalkNode]
    /// Each decision with its diagram's root, in evaluation order (empty unless `allDiagrams`).
    let walkRoots: [(decision: Int32, root: NodeRef)]
    /// Per decision and leaf, what `len(decision)` is there: the count of a list outcome, -1 for
    /// no outcome (comparisons are false), -2 for anything else (unknown).
    let leafListLengths: [[Int32]]

    /// Creates an evaluator.
    package init(compiled: CompiledPolicy, calendar: HolidayCalendar, ruleByRule: Bool = false, sourceFile: String? = nil) {
        self.compiled = compiled
        self.calendar = calendar
        self.ruleByRule = ruleByRule
        self.sourceFile = sourceFile
        self.allDiagrams = !ruleByRule && compiled.roots.allSatisfy { $0 != nil }
        var info: [[LeafInfo?]] = []
        let policy = compiled.checked
        for (index, root) in compiled.roots.enumerated() {
            var row: [LeafInfo?] = Array(repeating: nil, count: compiled.leaves.count)
            if let root {
                for leaf in compiled.reachable(from: root).leaves {
                    let payload = compiled.leaves[Int(-leaf - 1)]
                    let (template, _, value) = Self.summarize(
                        policy, index, payloads: [payload], unknownSlots: [], trace: [], received: nil, calendar: calendar,
                        sourceFile: sourceFile)
                    row[Int(-leaf - 1)] = LeafInfo(template: template, value: value)
                }
            }
            info.append(row)
        }
        leafInfo = info
        leafValues = info.map { row in row.map { $0?.value } }
        leafListLengths = info.map { row in
            row.map { leaf in
                switch leaf?.value {
                case .value(.list(let items))?: Int32(clamping: items.count)
                case .none?: -1
                default: -2
                }
            }
        }
        walkNodes = zip(compiled.nodeVariable, compiled.nodeFirstChild).map { WalkNode(variable: $0, firstChild: $1) }
        walkRoots = allDiagrams ? policy.evaluationOrder.map { (Int32($0), compiled.roots[$0]!) } : []
        leafSteps = info.enumerated().map { index, row in
            row.map { leaf in
                guard let template = leaf?.template, template.status == .decided else { return [] }
                let decision = policy.decisions[index]
                return template.rules.compactMap { citation in
                    (decision.rules.first { $0.id == citation.id } ?? decision.defaultRule)?.nextStep
                }
            }
        }
        maxStepsPerCase = Swift.max(1, leafSteps.reduce(0) { total, row in total + (row.map(\.count).max() ?? 0) })
        leafStepBytes = leafSteps.map { row in
            row.map { templates in
                templates.map { template -> [UInt8]? in
                    guard template.count == 1, case .text(let text) = template[0] else { return nil }
                    return JSONWriter.escaped(text)
                }
            }
        }
        variableKinds = compiled.variables.map { variable in
            switch variable {
            case .enumSlot: 0
            case .boolSlot: 1
            case .intervalSlot: 2
            case .atom: 3
            }
        }
        variableSlots = compiled.variables.map { Int32($0.slot ?? -1) }
        let printer = ExpressionPrinter(policy: policy)
        variableTests = compiled.variables.map { variable in
            if case .atom(let expression) = variable { return printer.expression(expression) }
            return policy.inputs[variable.slot!].path
        }
        branchNames = compiled.variables.map { variable in
            switch variable {
            case .enumSlot(let slot, _):
                if case .enumeration(let names) = policy.inputs[slot].type { return names }
                return nil
            case .boolSlot, .atom: return ["false", "true"]
            case .intervalSlot: return nil
            }
        }
        var table = FastAtoms()
        table.matchers = policy.codeSets.map(\.matcher)
        fastAtoms = compiled.variables.map { variable in
            if case .atom(let expression) = variable { return FastAtom(expression, table: &table) }
            return .general(-1)
        }
        fastAtomTable = table
        variableThresholds = compiled.variables.map { variable in
            if case .intervalSlot(_, let thresholds) = variable { return thresholds }
            return []
        }
    }

    private var policy: CheckedPolicy { compiled.checked }

    /// The result of every decision, in declaration order, and the next steps.
    package func evaluate(_ facts: CaseFacts, explain: Bool = false) -> (decisions: [DecisionResult], nextSteps: [String]) {
        if allDiagrams {
            var scratch = EvaluationScratch()
            if evaluateLeaves(facts, scratch: &scratch, tracing: explain) {
                var decisions = materialize(scratch, facts)
                if explain {
                    let values = scratch.leaves.withUnsafeBufferPointer { decisionValues(leaves: $0) }
                    let evaluator = ExpressionEvaluator(policy: policy, facts: facts, decisions: values)
                    for (decision, variable, branch) in scratch.trace {
                        decisions[Int(decision)].trace.append(step(variable, branch, evaluator))
                    }
                }
                return (decisions, nextSteps(decisions, facts))
            }
        }
        var state = EvaluationState(
            evaluator: ExpressionEvaluator(policy: policy, facts: facts, decisions: Array(repeating: nil, count: policy.decisions.count)),
            cache: Array(repeating: -2, count: compiled.variables.count))
        var results: [DecisionResult?] = Array(repeating: nil, count: policy.decisions.count)
        var missingByDecision: [Int: Set<Int>] = [:]
        for index in policy.evaluationOrder {
            let (result, missingSlots, value) = evaluateDecision(index, &state, explain: explain, missingByDecision: missingByDecision)
            results[index] = result
            missingByDecision[index] = missingSlots
            state.evaluator.decisions[index] = value
        }
        let decisions = results.map { $0! }
        return (decisions, nextSteps(decisions, facts))
    }

    struct EvaluationState {
        var evaluator: ExpressionEvaluator
        /// Per variable: -2 not yet read, -1 unknown, else the branch.
        var cache: [Int32]
    }

    // MARK: One decision

    /// What a set of reachable leaves (or matched rules) amounts to.
    private enum Answer: Hashable {
        case notApplicable
        case noRule
        case outcomes([Int])
    }

    private static func answer(_ decision: Decision, _ payload: [Int32]) -> Answer {
        if payload.first == LeafMarker.notApplicable { return .notApplicable }
        if payload.first == LeafMarker.noRule { return .noRule }
        let rules = payload.map { rule(decision, Int($0)) }
        if decision.hit == .all {
            return .outcomes(Array(Set(rules.map(\.outcome))).sorted())
        }
        guard let first = rules.first else { return .noRule }
        if decision.isDuration { return .outcomes([decision.rules.firstIndex(of: first).map { $0 + 1_000_000 } ?? -1]) }
        return .outcomes([first.outcome])
    }

    private static func rule(_ decision: Decision, _ index: Int) -> Rule {
        index < decision.rules.count ? decision.rules[index] : decision.defaultRule!
    }

    private func evaluateDecision(
        _ index: Int, _ state: inout EvaluationState, explain: Bool, missingByDecision: [Int: Set<Int>]
    ) -> (DecisionResult, Set<Int>, DecisionValue) {
        let decision = policy.decisions[index]
        var payloads: [[Int32]] = []
        var unknownSlots: Set<Int> = []
        var unknownDecisions: Set<Int> = []
        var trace: [TraceStep] = []
        if let root = compiled.roots[index], !ruleByRule {
            walk(root, &state, payloads: &payloads, unknownSlots: &unknownSlots, unknownDecisions: &unknownDecisions,
                trace: &trace, explain: explain)
        } else {
            payloads = evaluateRules(decision, state.evaluator, unknownSlots: &unknownSlots, unknownDecisions: &unknownDecisions)
        }
        for d in unknownDecisions { unknownSlots.formUnion(missingByDecision[d] ?? []) }
        var received: Timestamp?
        if let slot = decision.dueFromSlot, slot >= 0, case .datetime(let instant)? = state.evaluator.facts.values[slot] {
            received = instant
        }
        return Self.summarize(
            policy, index, payloads: payloads, unknownSlots: unknownSlots, trace: trace, received: received,
            calendar: calendar, sourceFile: sourceFile, dueKnown: true)
    }

    /// What a set of reached leaves (or matched rule sets) amounts to for decision `index`.
    ///
    /// With `dueKnown` false (precomputing a leaf), a duration decision is summarized without its due date.
    private static func summarize(
        _ policy: CheckedPolicy, _ index: Int, payloads: [[Int32]], unknownSlots: Set<Int>, trace: [TraceStep],
        received: Timestamp?, calendar: HolidayCalendar, sourceFile: String?, dueKnown: Bool = false
    ) -> (DecisionResult, Set<Int>, DecisionValue) {
        let decision = policy.decisions[index]
        var answers: [Answer] = []
        var ruleIndexes: [Int] = []
        var certain: Set<Int>?
        for payload in payloads {
            let a = answer(decision, payload)
            if !answers.contains(a) { answers.append(a) }
            for r in payload where r >= 0 && !ruleIndexes.contains(Int(r)) { ruleIndexes.append(Int(r)) }
            let here = Set(payload.filter { $0 >= 0 }.map(Int.init))
            certain = certain.map { $0.intersection(here) } ?? here
        }
        // When unknown inputs leave several paths to one outcome, cite the rules every path shares;
        // if none is shared, cite all candidates but mark them so their next steps are not given.
        var alternatives = false
        if payloads.count > 1, let certain {
            if certain.isEmpty { alternatives = true } else { ruleIndexes = ruleIndexes.filter(certain.contains) }
        }
        var result = DecisionResult(
            name: decision.name, status: .decided, outcomes: [], isList: decision.hit == .all, rules: [],
            duration: nil, due: nil, missing: [], possible: [], messages: [], trace: trace)
        if answers.count > 1 {
            answers.sort(by: Self.answerOrder)
            result.status = .needsInformation
            result.missing = unknownSlots.sorted().map { policy.inputs[$0].path }
            var possible: [String] = []
            for a in answers {
                for name in names(of: a, decision) where !possible.contains(name) { possible.append(name) }
            }
            result.possible = possible
            return (result, unknownSlots, .unknown)
        }
        switch answers.first ?? .noRule {
        case .notApplicable:
            result.status = .notApplicable
            return (result, [], .none)
        case .noRule:
            result.status = .noMatch
            return (result, [], .none)
        case .outcomes(let outcomes):
            let rules = ruleIndexes.map { rule(decision, $0) }
            result.rules = rules.map { rule in
                var location = rule.location
                if let sourceFile { location.file = sourceFile }
                return RuleCitation(id: rule.id, because: rule.because, location: location)
            }
            result.rulesAreAlternatives = alternatives
            if decision.isDuration, let deciding = rules.first, let duration = deciding.duration {
                result.duration = duration
                result.outcomes = [duration.description]
                if let received {
                    result.due = dueDate(receivedAt: received, duration: duration, zone: policy.timeZone, calendar: calendar)
                } else if dueKnown, let slot = decision.dueFromSlot, slot >= 0 {
                    result.status = .needsInformation
                    result.missing = [policy.inputs[slot].path]
                    result.possible = [duration.description]
                    return (result, [slot], .unknown)
                }
                return (result, [], .value(.duration(duration)))
            }
            result.outcomes = outcomes.map { decision.outcomes[$0] }
            result.messages = outcomes.compactMap { o in decision.messages[o].map { (decision.outcomes[o], $0) } }
            let value: Value = decision.hit == .all ? .list(outcomes.map(Value.enumValue)) : .enumValue(outcomes[0])
            return (result, [], .value(value))
        }
    }

    /// Outcomes in declaration order, then not applicable, then no rule: a stable order for `possible`.
    private static func answerOrder(_ a: Answer, _ b: Answer) -> Bool {
        func key(_ answer: Answer) -> [Int] {
            switch answer {
            case .outcomes(let outcomes): return [0] + outcomes
            case .notApplicable: return [1]
            case .noRule: return [2]
            }
        }
        return key(a).lexicographicallyPrecedes(key(b))
    }

    private static func names(of answer: Answer, _ decision: Decision) -> [String] {
        switch answer {
        case .notApplicable: return [DecisionStatus.notApplicable.rawValue]
        case .noRule: return [DecisionStatus.noMatch.rawValue]
        case .outcomes(let outcomes):
            if decision.isDuration {
                return outcomes.compactMap { o in
                    let index = o - 1_000_000
                    return decision.rules.indices.contains(index) ? decision.rules[index].duration?.description : decision.defaultRule?.duration?.description
                }
            }
            return outcomes.map { decision.outcomes[$0] }
        }
    }

    // MARK: Diagrams

    /// The branch variable `v` takes for this case (cached), or -1 when unknown.
    private func branch(_ v: Int32, _ state: inout EvaluationState, unknownSlots: inout Set<Int>, unknownDecisions: inout Set<Int>) -> Int32 {
        let cached = state.cache[Int(v)]
        if cached >= 0 { return cached }
        if cached == -1 {
            noteUnknown(compiled.variables[Int(v)], state.evaluator, &unknownSlots, &unknownDecisions)
            return -1
        }
        let variable = compiled.variables[Int(v)]
        var result: Int32 = -1
        switch variable {
        case .atom(let expression):
            if let truth = state.evaluator.truth(expression) { result = truth ? 1 : 0 }
        default:
            if let slot = variable.slot, let value = state.evaluator.facts.values[slot],
                let branch = variable.branch(for: value)
            {
                result = Int32(branch)
            }
        }
        state.cache[Int(v)] = result
        if result == -1 { noteUnknown(variable, state.evaluator, &unknownSlots, &unknownDecisions) }
        return result
    }

    private func noteUnknown(
        _ variable: DiagramVariable, _ evaluator: ExpressionEvaluator, _ slots: inout Set<Int>, _ decisions: inout Set<Int>
    ) {
        switch variable {
        case .atom(let expression):
            var read: Set<Int> = []
            inputsRead(by: expression, policy: policy, into: &read)
            slots.formUnion(read.filter { evaluator.facts.values[$0] == nil })
            var readDecisions: Set<Int> = []
            decisionsRead(by: expression, policy: policy, into: &readDecisions)
            decisions.formUnion(readDecisions.filter { evaluator.decisions[$0] == .unknown })
        default:
            if let slot = variable.slot { slots.insert(slot) }
        }
    }

    private func walk(
        _ root: NodeRef, _ state: inout EvaluationState, payloads: inout [[Int32]], unknownSlots: inout Set<Int>,
        unknownDecisions: inout Set<Int>, trace: inout [TraceStep], explain: Bool
    ) {
        var ref = root
        // The common case: every tested variable is known, one path to one leaf.
        while ref >= 0 {
            let v = compiled.nodeVariable[Int(ref)]
            let b = branch(v, &state, unknownSlots: &unknownSlots, unknownDecisions: &unknownDecisions)
            if explain { trace.append(step(v, b, state.evaluator)) }
            if b < 0 { break }
            ref = compiled.children[Int(compiled.nodeFirstChild[Int(ref)]) + Int(b)]
        }
        if ref < 0 {
            payloads.append(compiled.leaves[Int(-ref - 1)])
            return
        }
        // An unknown variable: every branch is possible.
        var seen: Set<NodeRef> = []
        var leaves: Set<NodeRef> = []
        var stack = [ref]
        while let next = stack.popLast() {
            if next < 0 {
                leaves.insert(next)
                continue
            }
            guard seen.insert(next).inserted else { continue }
            let v = compiled.nodeVariable[Int(next)]
            let b = branch(v, &state, unknownSlots: &unknownSlots, unknownDecisions: &unknownDecisions)
            let first = Int(compiled.nodeFirstChild[Int(next)])
            if b >= 0 {
                stack.append(compiled.children[first + Int(b)])
            } else {
                for branch in 0..<compiled.variables[Int(v)].domainSize { stack.append(compiled.children[first + branch]) }
            }
        }
        payloads = leaves.sorted(by: >).map { compiled.leaves[Int(-$0 - 1)] }
    }

    private func step(_ v: Int32, _ branch: Int32, _ evaluator: ExpressionEvaluator) -> TraceStep {
        let test = variableTests[Int(v)]
        if branch < 0 { return TraceStep(test: test, value: "unknown") }
        // Enum, boolean and atom branches have fixed names; only numbers and dates are printed.
        if let names = branchNames[Int(v)] { return TraceStep(test: test, value: names[Int(branch)]) }
        let slot = Int(variableSlots[Int(v)])
        guard let value = evaluator.facts.values[slot] else { return TraceStep(test: test, value: "unknown") }
        return TraceStep(test: test, value: ExpressionPrinter(policy: policy).value(value, type: policy.inputs[slot].type))
    }

    // MARK: Rule by rule

    /// The reference semantics: each rule's condition in order with three-valued logic.
    private func evaluateRules(
        _ decision: Decision, _ evaluator: ExpressionEvaluator, unknownSlots: inout Set<Int>, unknownDecisions: inout Set<Int>
    ) -> [[Int32]] {
        func truth(_ expression: CheckedExpr) -> Bool? {
            let t = evaluator.truth(expression)
            if t == nil { noteUnknown(.atom(expression), evaluator, &unknownSlots, &unknownDecisions) }
            return t
        }
        var payloads: [[Int32]] = []
        let applies = decision.appliesWhen.map(truth) ?? true
        if applies != true { payloads.append([LeafMarker.notApplicable]) }
        if applies == false { return payloads }
        let fallback: [Int32] = decision.defaultRule != nil ? [Int32(decision.rules.count)] : [LeafMarker.noRule]
        switch decision.hit {
        case .first:
            for (i, rule) in decision.rules.enumerated() {
                switch truth(rule.when) {
                case true?:
                    payloads.append([Int32(i)])
                    return payloads
                case nil: payloads.append([Int32(i)])
                case false?: break
                }
            }
            payloads.append(fallback)
        case .all, .unique:
            var sure: [Int32] = []
            var maybe: [Int32] = []
            for (i, rule) in decision.rules.enumerated() {
                switch truth(rule.when) {
                case true?: sure.append(Int32(i))
                case nil: maybe.append(Int32(i))
                case false?: break
                }
            }
            // Every subset of the uncertain rules is possible; the two extremes show the spread.
            let lowest = sure
            let highest = (sure + maybe).sorted()
            for payload in maybe.isEmpty ? [lowest] : [lowest, highest] {
                if decision.hit == .unique {
                    // Overlapping rules are all cited, so a conflict the checker warned about is visible.
                    payloads.append(payload.isEmpty ? fallback : payload)
                } else {
                    payloads.append(payload)
                }
            }
            if decision.hit == .unique, !maybe.isEmpty {
                for m in maybe { payloads.append([m]) }
            }
        }
        return payloads
    }

    // MARK: Next steps

    private func nextSteps(_ decisions: [DecisionResult], _ facts: CaseFacts) -> [String] {
        var steps: [String] = []
        for (index, result) in decisions.enumerated() where result.status == .decided && !result.rulesAreAlternatives {
            let decision = policy.decisions[index]
            for citation in result.rules {
                let rule = decision.rules.first { $0.id == citation.id } ?? decision.defaultRule
                guard let template = rule?.nextStep else { continue }
                let text = render(template, facts)
                if !steps.contains(text) { steps.append(text) }
            }
        }
        return steps
    }

    /// Writes the next steps of a fast-path walk as JSON strings separated by commas, static texts
    /// from pre-escaped bytes; the same list as `nextSteps(_:_:)` gives for the materialized results
    /// (a test holds the two paths to the same bytes).
    func writeNextSteps(leaves: [NodeRef], _ facts: CaseFacts, to writer: inout JSONWriter) {
        // Repeats are found by comparing the escaped bytes already written (escaping is one to
        // one), so no string is built for a step without placeholders.
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: maxStepsPerCase) { written in
            var count = 0
            for (index, leaf) in leaves.enumerated() {
                let row = leafStepBytes[index][Int(-leaf - 1)]
                for position in row.indices {
                    let start = writer.bytes.count
                    if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                    let quoted = writer.bytes.count
                    if let bytes = row[position] {
                        writer.bytes.append(UInt8(ascii: "\""))
                        writer.bytes.append(contentsOf: bytes)
                        writer.bytes.append(UInt8(ascii: "\""))
                    } else {
                        writer.string(render(leafSteps[index][Int(-leaf - 1)][position], facts))
                    }
                    let step = quoted..<writer.bytes.count
                    let repeated = writer.bytes.withUnsafeBufferPointer { bytes in
                        let this = UnsafeBufferPointer(rebasing: bytes[step])
                        return written[..<count].contains { JSONText.bytesEqual(UnsafeBufferPointer(rebasing: bytes[$0]), this) }
                    }
                    if repeated {
                        writer.bytes.removeLast(writer.bytes.count - start)
                    } else {
                        written[count] = step
                        count += 1
                    }
                }
            }
        }
    }

    /// A `next_step` template with its placeholders filled from the case.
    private func render(_ template: [TemplatePart], _ facts: CaseFacts) -> String {
        if template.count == 1, case .text(let text) = template[0] { return text }
        var text = ""
        for part in template {
            switch part {
            case .text(let t): text += t
            case .input(let slot):
                switch facts.values[slot] {
                case .string(let s)?: text += s
                case let value?: text += ExpressionPrinter(policy: policy).value(value, type: policy.inputs[slot].type)
                case nil: text += "(\(policy.inputs[slot].path) not given)"
                }
            }
        }
        return text
    }
}
