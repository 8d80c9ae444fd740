/// A covering set of cases for one policy version, generated from its decision diagrams: for every
/// decision, a case down each path to each leaf it can reach (each rule, default, "no rule" and
/// "does not apply"), with the values on both sides of every date and number threshold the
/// diagrams test, and inputs left absent where a path needs them unknown or unset. Every case is
/// evaluated before it is kept, and kept only when it really reaches the leaf it was built for:
/// the corpus a new payer lacks, and what `precert test --record` turns into a test file.
public struct CoveringCases: Sendable {
    /// One generated case.
    public struct Case: Sendable, Hashable {
        /// Its `case_id`: the policy, the decision and the path's number.
        public let id: String
        /// The decision whose path it was built for.
        public let decision: String
        /// The rules (or `default`) at the leaf it reaches; empty for "does not apply" and "no rule".
        public let rules: [String]
        /// The case as one line of JSON, in the shape of the case format.
        public let json: String
    }

    /// The cases, in decision order, then path order; no two with the same fields.
    public let cases: [Case]
    /// Leaves of some decision's diagram for which no case could be built (an atom no tried value
    /// settles the way the path needs), as `decision: rules`.
    public let unreached: [String]
    /// Decisions evaluated rule by rule (their diagram was too large), which no path covers.
    public let withoutDiagram: [String]

    /// The covering cases of `policy`, with at most `pathsPerDecision` paths per decision.
    public init(_ policy: LoadedPolicy, pathsPerDecision: Int = 64) {
        var generator = CaseGenerator(policy)
        (cases, unreached, withoutDiagram) = generator.run(pathsPerDecision: max(1, pathsPerDecision))
    }

    /// The cases as JSON Lines, each line ending with a newline.
    public var jsonLines: String { cases.map { $0.json + "\n" }.joined() }

    /// The cases as JSON Lines with `prefix` before each `case_id` (`old:`), so that the cases
    /// of two versions can share a corpus and still be told apart.
    public func jsonLines(idPrefix prefix: String) -> String {
        let opening = "{\"case_id\": \""
        return cases.map { opening + prefix + $0.json.dropFirst(opening.count) + "\n" }.joined()
    }
}

/// Builds `CoveringCases`.
struct CaseGenerator {
    let loaded: LoadedPolicy
    let policy: CheckedPolicy
    let compiled: CompiledPolicy
    /// Values worth trying per slot (`nil`: absent), from the constants the policy compares with.
    var candidates: [[Value?]]
    /// The values each collection input is tested for holding.
    var members: [Int: [Value]] = [:]
    /// A deterministic pseudo-random sequence, so the same policy gives the same cases.
    var random = SplitMix64()

    init(_ loaded: LoadedPolicy) {
        self.loaded = loaded
        policy = loaded.policy
        compiled = loaded.compiled
        candidates = Array(repeating: [nil], count: policy.inputs.count)
        collectCandidates()
    }

    mutating func run(pathsPerDecision: Int) -> ([CoveringCases.Case], [String], [String]) {
        var cases: [CoveringCases.Case] = []
        var seen: Set<String> = []
        var unreached: [String] = []
        var withoutDiagram: [String] = []
        for (index, decision) in policy.decisions.enumerated() {
            guard let root = compiled.roots[index] else {
                withoutDiagram.append(decision.name)
                continue
            }
            var reachedLeaves: Set<NodeRef> = []
            var missedLeaves: [NodeRef] = []
            for (number, path) in paths(from: root, limit: pathsPerDecision).enumerated() {
                guard let (json, rules) = witness(path.steps, decision: index, leaf: path.leaf) else {
                    if !missedLeaves.contains(path.leaf) { missedLeaves.append(path.leaf) }
                    continue
                }
                reachedLeaves.insert(path.leaf)
                guard seen.insert(json).inserted else { continue }
                let id = "\(policy.id)/\(decision.name)/\(number + 1)"
                cases.append(CoveringCases.Case(id: id, decision: decision.name, rules: rules, json: withID(json, id)))
            }
            for leaf in missedLeaves where !reachedLeaves.contains(leaf) {
                unreached.append("\(decision.name): \(leafWords(leaf, decision: index))")
            }
        }
        return (cases, unreached, withoutDiagram)
    }

    // MARK: Paths

    /// Root-to-leaf paths of a diagram, depth first, at most `limit`; every leaf reachable is the
    /// end of at least one path when the limit allows.
    func paths(from root: NodeRef, limit: Int) -> [(steps: [(variable: Int, branch: Int)], leaf: NodeRef)] {
        var found: [(steps: [(variable: Int, branch: Int)], leaf: NodeRef)] = []
        var leavesSeen: Set<NodeRef> = []
        // First one path per leaf (so a limit never hides a leaf), then the other paths.
        for pass in 0..<2 {
            var stack: [(ref: NodeRef, steps: [(variable: Int, branch: Int)])] = [(root, [])]
            while let (ref, steps) = stack.popLast(), found.count < limit {
                if ref < 0 {
                    let fresh = leavesSeen.insert(ref).inserted
                    if pass == 0 ? fresh : !found.contains(where: { $0.leaf == ref && $0.steps.elementsEqual(steps, by: ==) }) {
                        found.append((steps, ref))
                    }
                    continue
                }
                let variable = Int(compiled.nodeVariable[Int(ref)])
                let first = Int(compiled.nodeFirstChild[Int(ref)])
                for branch in (0..<compiled.variables[variable].domainSize).reversed() {
                    stack.append((compiled.children[first + branch], steps + [(variable, branch)]))
                }
            }
        }
        return found
    }

    // MARK: Witnesses

    /// A case following `steps` that reaches `leaf` of decision `index` when evaluated, as JSON
    /// and the rules it cites; `nil` when none of the tried values does.
    mutating func witness(_ steps: [(variable: Int, branch: Int)], decision index: Int, leaf: NodeRef) -> (String, [String])? {
        var values: [Value?] = Array(repeating: nil, count: policy.inputs.count)
        var fixed: Set<Int> = []
        var free: Set<Int> = []
        for (v, branch) in steps {
            switch compiled.variables[v] {
            case .enumSlot(let slot, _): values[slot] = .enumValue(branch); fixed.insert(slot)
            case .boolSlot(let slot): values[slot] = .bool(branch == 1); fixed.insert(slot)
            case .intervalSlot(let slot, let thresholds):
                values[slot] = DiagramVariable.representative(region: branch, thresholds: thresholds, type: policy.inputs[slot].type)
                fixed.insert(slot)
            case .atom(let expression):
                inputsRead(by: expression, policy: policy, into: &free)
                var decisions: Set<Int> = []
                decisionsRead(by: expression, policy: policy, into: &decisions)
                for decision in decisions { Self.slotsRead(byDecision: decision, policy: policy, presence: false, into: &free) }
            }
        }
        free.subtract(fixed)
        var random = self.random
        defer { self.random = random }
        return Self.climb(from: values, free: free.sorted(), candidates: candidates, random: &random) { trial in
            attempt(trial, steps: steps, decision: index, leaf: leaf)
        }
    }

    /// Hill climbing over the `free` slots: from `start`, a candidate value is kept when it brings
    /// `score` (0: found) lower, then again from a few random starts; the first `found` wins. What
    /// `precert cases` and the symbolic diff build their witnesses with.
    static func climb<Found>(
        from start: [Value?], free order: [Int], candidates: [[Value?]], random: inout SplitMix64, tries: Int = .max,
        score: ([Value?]) -> (Int, Found?)
    ) -> Found? {
        var tries = tries
        func measure(_ values: [Value?]) -> (Int, Found?) {
            tries -= 1
            return tries < 0 ? (0, nil) : score(values)
        }
        var start = start
        for round in 0..<6 {
            if tries <= 0 { return nil }
            if round > 0 {
                guard !order.isEmpty else { return nil }
                for slot in order { start[slot] = candidates[slot][random.next(candidates[slot].count)] }
            }
            var (best, hit) = measure(start)
            if let hit { return hit }
            var current = start
            for _ in 0..<3 {
                var improved = false
                for slot in order {
                    for candidate in candidates[slot] where candidate != current[slot] {
                        if tries < 0 { return nil }
                        var trial = current
                        trial[slot] = candidate
                        let (distance, found) = measure(trial)
                        if let found { return found }
                        if distance < best {
                            (best, current, improved) = (distance, trial, true)
                        }
                    }
                }
                if !improved { break }
            }
        }
        return nil
    }

    /// How far evaluating `values` lands from `leaf` of decision `index` (0: there), with the
    /// case's JSON and cited rules when it is there. The distance counts the path's tests that go
    /// the other way (a test of a list decision's length by how far the length is off, so that
    /// removing one missing item is progress), then the rules too many or missing.
    func attempt(
        _ values: [Value?], steps: [(variable: Int, branch: Int)], decision index: Int, leaf: NodeRef
    ) -> (Int, (String, [String])?) {
        var values = values
        if let slot = policy.slot(of: "request.received_at") {
            // Cases are dated inside the version they cover, at noon in the policy's time zone,
            // unless the path needs another time; one dated outside the version would be answered
            // by another.
            if values[slot] == nil {
                values[slot] = .datetime(policy.timeZone.instant(localDate: policy.effective, secondsOfDay: 12 * 3600))
            } else if case .datetime(let instant)? = values[slot], !loaded.isInForce(on: policy.timeZone.localDate(of: instant)) {
                return (Int.max, nil)
            }
        }
        let facts = CaseFacts(values: values)
        let body = CaseJSON.sketch(facts, policy: policy, onlyPresent: true)
        let json = body == "{}" ? "{\"payer\": \(CaseJSON.quote(policy.payer))}" : "{\"payer\": \(CaseJSON.quote(policy.payer)), " + body.dropFirst()
        guard case .success(let decoded) = loaded.decoder.decode(Array(json.utf8)) else { return (Int.max, nil) }
        let results = loaded.evaluate(decoded).decisions
        let result = results[index]
        let off = pathDistance(steps, facts: decoded.facts, results: results) * 100
        let payload = compiled.leaves[LeafRef.position(leaf)]
        let expected = payload.filter { $0 >= 0 }.map { rule(Int($0), of: index) }
        let status: DecisionStatus = switch payload.first {
        case LeafMarker.notApplicable?: .notApplicable
        case LeafMarker.noRule?: .noMatch
        default: .decided
        }
        guard result.status == status else { return (off + 50, nil) }
        let cited = result.rules.map(\.id)
        if cited == expected { return (0, (json, expected)) }
        return (off + Set(cited).symmetricDifference(expected).count + 1, nil)
    }

    /// How many of the path's tests of other conditions and decisions go the other way for a
    /// case, a length of a list decision counting by how far it is off.
    func pathDistance(_ steps: [(variable: Int, branch: Int)], facts: CaseFacts, results: [DecisionResult]) -> Int {
        let evaluator = Self.evaluator(policy, facts: facts, results: results)
        var total = 0
        for (v, branch) in steps {
            guard case .atom(let expression) = compiled.variables[v] else { continue }
            let wanted = branch == 1
            guard evaluator.truth(expression) != wanted else { continue }
            total += lengthGap(expression, wanted: wanted, results: results) ?? 1
        }
        return total
    }

    /// An evaluator of `policy`'s expressions over a case's facts and the decisions it was
    /// answered with, as the diagrams read them.
    static func evaluator(_ policy: CheckedPolicy, facts: CaseFacts, results: [DecisionResult]) -> ExpressionEvaluator {
        let decisions: [DecisionValue?] = results.enumerated().map { index, result in
            switch result.status {
            case .notApplicable, .noMatch: return DecisionValue.none
            case .needsInformation: return .unknown
            case .decided:
                if let duration = result.duration { return .value(.duration(duration)) }
                let words = policy.decisions[index].outcomes
                let values = result.outcomes.compactMap { words.firstIndex(of: $0) }.map(Value.enumValue)
                return .value(result.isList ? .list(values) : values.first ?? .list([]))
            }
        }
        return ExpressionEvaluator(policy: policy, facts: facts, decisions: decisions)
    }

    /// For `len(decision) <op> n`, how many outcomes the decision must gain or lose for the test
    /// to be `wanted`.
    func lengthGap(_ expression: CheckedExpr, wanted: Bool, results: [DecisionResult]) -> Int? {
        if case .not(let inner) = expression { return lengthGap(inner, wanted: !wanted, results: results) }
        guard case .compare(let op, .length(.decision(let d)), .constant(.number(let n))) = expression, results[d].status == .decided else {
            return nil
        }
        let length = Double(results[d].outcomes.count)
        let holds: (Double) -> Bool = { value in
            switch op {
            case .equal: value == n
            case .notEqual: value != n
            case .less: value < n
            case .lessOrEqual: value <= n
            case .greater: value > n
            case .greaterOrEqual: value >= n
            default: false
            }
        }
        for gap in 1...64 where holds(length - Double(gap)) == wanted || holds(length + Double(gap)) == wanted { return gap }
        return nil
    }

    /// The id of rule `index` of a decision (`default` past the written rules).
    func rule(_ index: Int, of decision: Int) -> String {
        let rules = policy.decisions[decision].rules
        return index < rules.count ? rules[index].id : "default"
    }

    /// A leaf in words: its rules, or what it means without one.
    func leafWords(_ leaf: NodeRef, decision: Int) -> String {
        let payload = compiled.leaves[LeafRef.position(leaf)]
        switch payload.first {
        case LeafMarker.notApplicable?: return "does not apply"
        case LeafMarker.noRule?: return "no rule"
        case nil: return "no rule matches (empty list)"
        default: return payload.map { "`\(rule(Int($0), of: decision))`" }.joined(separator: ", ")
        }
    }

    /// `{"payer": …` with the case id first.
    func withID(_ json: String, _ id: String) -> String { "{\"case_id\": \(CaseJSON.quote(id)), " + json.dropFirst() }

    /// The inputs the rules of a decision (and the decisions they read) test, with those whose
    /// presence they test (`has()`) when `presence`.
    static func slotsRead(byDecision index: Int, policy: CheckedPolicy, presence: Bool, into slots: inout Set<Int>, visited: Set<Int> = []) {
        guard !visited.contains(index) else { return }
        let decision = policy.decisions[index]
        var read: Set<Int> = []
        for expression in decision.rules.map(\.when) + [decision.appliesWhen].compactMap({ $0 }) {
            if presence { slotsTouched(by: expression, policy: policy, into: &slots) } else { inputsRead(by: expression, policy: policy, into: &slots) }
            decisionsRead(by: expression, policy: policy, into: &read)
        }
        for other in read { slotsRead(byDecision: other, policy: policy, presence: presence, into: &slots, visited: visited.union([index])) }
    }

    /// The slots an expression reads, `has()` included.
    static func slotsTouched(by expression: CheckedExpr, policy: CheckedPolicy, into slots: inout Set<Int>) {
        inputsRead(by: expression, policy: policy, into: &slots)
        func visit(_ e: CheckedExpr, depth: Int) {
            guard depth < 64 else { return }
            switch e {
            case .has(let slot): slots.insert(slot)
            case .condition(let c) where policy.conditions.indices.contains(c): visit(policy.conditions[c].expression, depth: depth + 1)
            case .not(let a), .length(let a), .shift(let a, _, _), .inValues(let a, _), .inCodeSet(let a, _): visit(a, depth: depth + 1)
            case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .contains(let a, let b), .any(let a, let b), .all(let a, let b):
                visit(a, depth: depth + 1)
                visit(b, depth: depth + 1)
            default: break
            }
        }
        visit(expression, depth: 0)
    }

    // MARK: Candidate values

    /// Fills `candidates` from every expression of the policy: the constants each input is
    /// compared with (and one unit on each side), the values of its lists, members and
    /// non-members of the code sets it is tested against, texts and lists one shorter and longer
    /// than the lengths it is compared with, and a spread of dates around the version's start.
    mutating func collectCandidates() {
        var expressions = policy.conditions.map(\.expression)
        for decision in policy.decisions {
            expressions += decision.rules.map(\.when) + [decision.appliesWhen].compactMap { $0 }
        }
        for expression in expressions { scan(expression) }
        for (slot, values) in members.sorted(by: { $0.key < $1.key }) {
            if values.count <= 4 {
                add(slot, (1..<(1 << values.count)).map { mask in .list(values.indices.filter { mask & (1 << $0) != 0 }.map { values[$0] }) })
            } else {
                add(slot, values.map { .list([$0]) } + [.list(values)])
            }
        }
        let start = Int64(policy.effective.dayNumber)
        for (slot, input) in policy.inputs.enumerated() {
            switch input.type {
            case .bool: add(slot, [.bool(true), .bool(false)])
            case .enumeration(let values): add(slot, values.indices.map { .enumValue($0) })
            case .date:
                add(slot, [-800, -400, -30, 0, 30, 364, 365, 366, 400].map { .date(CivilDate(dayNumber: Int32(start + $0))) })
            case .string: add(slot, [.string(""), .string("x")])
            case .list, .set: add(slot, [.list([])])
            default: break
            }
        }
    }

    mutating func add(_ slot: Int, _ values: [Value]) {
        for value in values where !candidates[slot].contains(value) { candidates[slot].append(value) }
    }

    mutating func scan(_ expression: CheckedExpr) {
        switch expression {
        case .compare(_, .input(let slot), .constant(let value)), .compare(_, .constant(let value), .input(let slot)):
            add(slot, Self.around(value))
        case .compare(_, .length(.input(let slot)), .constant(.number(let n))), .compare(_, .constant(.number(let n)), .length(.input(let slot))):
            let lengths = [n - 1, n, n + 1, 0].filter { $0 >= 0 && $0 <= 10_000 }.map { Int($0) }
            switch policy.inputs[slot].type {
            case .string: add(slot, lengths.map { .string(String(repeating: "x", count: $0)) })
            case .list(let element), .set(let element):
                add(slot, lengths.map { count in .list((0..<count).compactMap { i in Self.filler(element, i) }) })
            default: break
            }
        case .inValues(.input(let slot), let values): add(slot, values)
        case .inCodeSet(.input(let slot), let set):
            add(slot, Self.codes(policy.codeSets[set]).map { .string($0) })
        case .any(.input(let slot), let predicate), .all(.input(let slot), let predicate):
            var members: [String] = []
            collectCodes(predicate, into: &members)
            let outside = "ZZZ99"
            add(slot, [.list([.string(outside)])] + members.map { .list([.string($0)]) } + members.map { .list([.string($0), .string(outside)]) })
            scan(predicate)
        case .contains(collection: .input(let slot), element: .constant(let value)):
            // Every combination of the values tested (up to four; beyond, each alone and all).
            if !members[slot, default: []].contains(value) { members[slot, default: []].append(value) }
        case .has(let slot):
            if policy.inputs[slot].defaultValue == nil, let value = Self.filler(policy.inputs[slot].type) { add(slot, [value]) }
        case .not(let inner), .length(let inner), .shift(let inner, _, _): scan(inner)
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .contains(let a, let b): scan(a); scan(b)
        case .inValues(let inner, _), .inCodeSet(let inner, _), .any(let inner, _), .all(let inner, _): scan(inner)
        case .constant, .input, .element, .condition, .decision: break
        }
    }

    /// The codes a predicate over elements tests (`it in set`, `it == "X1"`).
    func collectCodes(_ predicate: CheckedExpr, into codes: inout [String]) {
        switch predicate {
        case .inCodeSet(.element, let set): codes += Self.codes(policy.codeSets[set])
        case .compare(.equal, .element, .constant(.string(let code))), .compare(.equal, .constant(.string(let code)), .element): codes.append(code)
        case .inValues(.element, let values): codes += values.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
        case .not(let inner): collectCodes(inner, into: &codes)
        case .and(let a, let b), .or(let a, let b): collectCodes(a, into: &codes); collectCodes(b, into: &codes)
        default: break
        }
    }

    /// A few members of a code set (an exact code, a prefix as a code that starts with it) and a
    /// code in none of it.
    static func codes(_ set: CodeSet) -> [String] {
        Array(set.exact.sorted().prefix(3)) + set.prefixes.prefix(3).map { $0 + "0" }
    }

    /// A constant and the values one unit on each side of it.
    static func around(_ value: Value) -> [Value] {
        switch value {
        case .number(let n): return [.number(n - 1), .number(n), .number(n + 1)]
        case .date(let d): return [d.adding(days: -1), d, d.adding(days: 1)].map(Value.date)
        case .datetime(let t):
            return [-1, 0, 1].map { Value.datetime(Timestamp(epochSeconds: t.epochSeconds + $0, utcOffsetSeconds: t.utcOffsetSeconds)) }
        default: return [value]
        }
    }

    /// A value of `type` to give where the value does not matter, only that it is there.
    static func filler(_ type: ValueType, _ index: Int = 0) -> Value? {
        switch type {
        case .bool: .bool(true)
        case .number: .number(1)
        case .string, .code: .string("X\(index)")
        case .date: .date(CivilDate(dayNumber: 20_000))
        case .datetime: .datetime(Timestamp(epochSeconds: 1_780_000_000))
        case .enumeration: .enumValue(0)
        case .list(let element), .set(let element): filler(element).map { .list([$0]) }
        case .duration, .valueSet: nil
        }
    }
}

/// SplitMix64: a deterministic pseudo-random sequence, good enough to spread tries, so the same
/// policies give the same cases in every process.
struct SplitMix64 {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// A number in `0..<bound`.
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
