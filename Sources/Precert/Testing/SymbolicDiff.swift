/// What changes between two versions of a policy, read from their decision diagrams rather than
/// from cases: the two diagrams of each decision are walked together, and every region of cases
/// (a set of tests on inputs, in the policy's own words) where the two versions give different
/// answers, or the same answers for other reasons, is reported with the rules on each side and a
/// counterexample case that both versions have evaluated. A region for which no witness is found
/// is reported as possible, not certain, as the analysis does with gaps.
///
/// The walk prunes wherever the two diagrams are the same below (the same tests leading to the same
/// answers and reasons), so an edit costs what it touches. Cases with unknown inputs are compared
/// by the corpus diff (`PolicyDiff`), whose covering cases leave inputs absent where that matters.
public struct SymbolicDiff: Sendable {
    /// A rule as a change names it: its id and where it is written.
    public struct RuleAt: Sendable, Hashable {
        /// The rule's id (`default` for a decision's default).
        public let id: String
        /// `file:line`.
        public let location: String
    }

    /// One region of cases whose answer (or only its explanation) changes.
    public struct Region: Sendable, Hashable {
        /// The decision.
        public let decision: String
        /// The tests that define the region, in the policy language (`service.urgency == urgent`);
        /// a test whose meaning differs between the versions (a code set that was edited) says
        /// which version it is read in.
        public let conditions: [String]
        /// The old answer, in the words of the corpus diff (`approved`, `[a, b]`, `72 hours`,
        /// `not applicable`, `no rule matches`).
        public let from: String
        /// The new answer.
        public let to: String
        /// The rules that decide it in the old version.
        public let oldRules: [RuleAt]
        /// The rules that decide it in the new version.
        public let newRules: [RuleAt]
        /// Whether the answer changes (otherwise only the rules cited, their reasons, sources or
        /// messages).
        public let changesAnswer: Bool
        /// A case in the region, as one line of JSON, which both versions evaluated to these
        /// answers; `nil` when none was found (the region is possible, not certain).
        public let example: String?
    }

    /// Answer changes, by decision (in the new version's order), each region once.
    public let answers: [Region]
    /// Explanation-only changes.
    public let explanations: [Region]
    /// Decisions compared by corpus only: one version evaluates them rule by rule (no diagram),
    /// or the walk met its budget before it saw every region.
    public let incomplete: [String]
    /// Regions found but not listed: more of the same two answers and rules past the first 3,
    /// past the limit, or without an example beside a listed one that has one.
    public let omitted: Int
    /// Decisions of one version that the other does not have.
    public let onlyOld: [String], onlyNew: [String]

    /// Whether some answer changes, certainly or possibly.
    public var changesAnswers: Bool { !answers.isEmpty }

    /// Compares the diagrams of `old` and `new`, decision by decision (matched by name). At most
    /// `regionLimit` regions are kept per decision, and each walk visits at most `visitLimit`
    /// pairs of nodes.
    public init(old: LoadedPolicy, new: LoadedPolicy, regionLimit: Int = 200, visitLimit: Int = 2_000_000) {
        var comparison = DiagramComparison(old: old, new: new)
        var answers: [Region] = [], explanations: [Region] = [], incomplete: [String] = []
        var omitted = 0
        // Which decisions answer alike in both versions, in evaluation order, so that a test of
        // such a decision's answer means the same in both.
        for newIndex in new.policy.evaluationOrder {
            let name = new.policy.decisions[newIndex].name
            guard let oldIndex = old.policy.decisions.firstIndex(where: { $0.name == name }),
                let oldRoot = old.compiled.roots[oldIndex], let newRoot = new.compiled.roots[newIndex]
            else { continue }
            if comparison.id(oldRoot, side: 0, decision: oldIndex, answersOnly: true)
                == comparison.id(newRoot, side: 1, decision: newIndex, answersOnly: true) {
                comparison.unchanged.insert(name)
            }
        }
        for (newIndex, decision) in new.policy.decisions.enumerated() {
            guard let oldIndex = old.policy.decisions.firstIndex(where: { $0.name == decision.name }) else { continue }
            guard let oldRoot = old.compiled.roots[oldIndex], let newRoot = new.compiled.roots[newIndex] else {
                incomplete.append(decision.name)
                continue
            }
            let (regions, complete, unlisted) = comparison.regions(
                old: (oldIndex, oldRoot), new: (newIndex, newRoot), limit: regionLimit, visits: visitLimit)
            omitted += unlisted
            if !complete { incomplete.append(decision.name) }
            answers += regions.filter(\.changesAnswer)
            explanations += regions.filter { !$0.changesAnswer }
        }
        self.answers = answers
        self.explanations = explanations
        self.incomplete = incomplete
        self.omitted = omitted
        let oldNames = Set(old.policy.decisions.map(\.name)), newNames = Set(new.policy.decisions.map(\.name))
        onlyOld = old.policy.decisions.map(\.name).filter { !newNames.contains($0) }
        onlyNew = new.policy.decisions.map(\.name).filter { !oldNames.contains($0) }
    }
}

/// The two versions' diagrams, their tests named so that the same test in both is recognised,
/// and the walk over both.
struct DiagramComparison {
    /// One version.
    struct Side {
        let loaded: LoadedPolicy
        let policy: CheckedPolicy
        let compiled: CompiledPolicy
        let printer: ExpressionPrinter
        /// `old` or `new`, for a test whose meaning is this version's own.
        let name: String

        init(_ loaded: LoadedPolicy, name: String) {
            self.loaded = loaded
            policy = loaded.policy
            compiled = loaded.compiled
            printer = ExpressionPrinter(policy: loaded.policy)
            self.name = name
        }

        /// What diagram variable `variable` tests; an atom that reads a decision is this
        /// version's own unless every decision it reads is in `unchanged` (answers alike in both).
        func test(_ variable: Int, unchanged: Set<String>) -> Test {
            switch compiled.variables[variable] {
            case .enumSlot(let slot, _):
                guard case .enumeration(let words) = policy.inputs[slot].type else {
                    return .atom(key: "\(name)\u{0}\(variable)", text: "?", expression: .constant(.bool(true)))
                }
                return .enumeration(path: policy.inputs[slot].path, words: words)
            case .boolSlot(let slot): return .boolean(path: policy.inputs[slot].path)
            case .intervalSlot(let slot, let thresholds):
                return .interval(path: policy.inputs[slot].path, thresholds: thresholds, type: policy.inputs[slot].type)
            case .atom(let expression):
                let text = printer.expression(expression)
                return .atom(key: Self.meaning(of: expression, policy: policy, text: text, side: name, unchanged: unchanged), text: text, expression: expression)
            }
        }

        /// What an atom means, as a key equal in both versions exactly when the test is the same:
        /// its text, the members of the code sets and the conditions it reads; one that reads a
        /// decision whose answers changed is this version's own.
        static func meaning(of expression: CheckedExpr, policy: CheckedPolicy, text: String, side: String, unchanged: Set<String>) -> String {
            var key = text
            var sets: Set<Int> = [], conditions: Set<Int> = [], readsDecision = false
            func visit(_ e: CheckedExpr, depth: Int) {
                guard depth < 64 else { return }
                switch e {
                case .inCodeSet(let inner, let set): sets.insert(set); visit(inner, depth: depth + 1)
                case .condition(let c):
                    if conditions.insert(c).inserted, policy.conditions.indices.contains(c) { visit(policy.conditions[c].expression, depth: depth + 1) }
                case .decision(let d): if !unchanged.contains(policy.decisions[d].name) { readsDecision = true }
                case .not(let a), .length(let a), .shift(let a, _, _), .inValues(let a, _): visit(a, depth: depth + 1)
                case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .contains(let a, let b), .any(let a, let b), .all(let a, let b):
                    visit(a, depth: depth + 1)
                    visit(b, depth: depth + 1)
                case .constant, .input, .element, .has: break
                }
            }
            visit(expression, depth: 0)
            let printer = ExpressionPrinter(policy: policy)
            for c in conditions.sorted() where policy.conditions.indices.contains(c) {
                key += "\u{0}\(policy.conditions[c].name)=\(printer.expression(policy.conditions[c].expression))"
            }
            for s in sets.sorted() {
                let set = policy.codeSets[s]
                key += "\u{0}\(set.name)={\(set.exact.sorted().joined(separator: ","))|\(set.prefixes.joined(separator: ","))}"
            }
            if readsDecision { key += "\u{0}@\(side)" }
            return key
        }

        /// The rules a leaf cites.
        func rules(_ payload: [Int32], decision: Int) -> [Rule] {
            payload.filter { $0 >= 0 }.map { policy.decisions[decision].rule(at: Int($0)) }
        }

        /// A leaf's answer in the corpus diff's words.
        func answerWords(_ payload: [Int32], decision index: Int) -> String {
            let decision = policy.decisions[index]
            switch Answer(decision, payload: payload) {
            case .notApplicable: return "not applicable"
            case .noRule: return "no rule matches"
            case .duration(let rule): return decision.rule(at: rule).duration?.description ?? ""
            case .outcomes(let outcomes):
                let words = outcomes.map { decision.outcomes[$0] }
                return decision.hit == .all ? "[" + words.joined(separator: ", ") + "]" : words.first ?? ""
            }
        }

        /// What an explanation-only change compares at a leaf: each rule cited with its reason,
        /// sources and next step, and the messages of the outcomes.
        func explanation(_ payload: [Int32], decision index: Int) -> [String] {
            let decision = policy.decisions[index]
            let cited = rules(payload, decision: index)
            return cited.map { rule in
                let step = (rule.nextStep ?? []).map { part in
                    switch part {
                    case .text(let text): text
                    case .input(let slot): "{\(policy.inputs[slot].path)}"
                    case .decision(let d): "{\(policy.decisions[d].name)}"
                    }
                }.joined()
                let message = decision.isDuration ? "" : decision.messages[rule.outcome] ?? ""
                return [rule.id, rule.because ?? "", rule.sources.joined(separator: "\u{1}"), step, message].joined(separator: "\u{0}")
            }
        }
    }

    /// What a diagram variable tests, in terms both versions share.
    enum Test {
        case enumeration(path: String, words: [String])
        case boolean(path: String)
        case interval(path: String, thresholds: [Double], type: ValueType)
        case atom(key: String, text: String, expression: CheckedExpr)

        /// Equal for the same test in either version.
        var key: String {
            switch self {
            case .enumeration(let path, let words): "e\u{0}\(path)\u{0}\(words.joined(separator: ","))"
            case .boolean(let path): "b\u{0}\(path)"
            case .interval(let path, let thresholds, _): "i\u{0}\(path)\u{0}\(thresholds.map { String($0) }.joined(separator: ","))"
            case .atom(let key, _, _): "a\u{0}\(key)"
            }
        }
    }

    /// The range of order keys an interval test leaves an input (`ExpressionEvaluator.orderKey`).
    struct KeyRange: Hashable {
        var low = -Double.infinity, lowIncluded = false
        var high = Double.infinity, highIncluded = false

        /// Branch `region` of a test with `thresholds`.
        init(region: Int, thresholds: [Double]) {
            if region % 2 == 1 {
                (low, high, lowIncluded, highIncluded) = (thresholds[region / 2], thresholds[region / 2], true, true)
            } else {
                let i = region / 2
                if i > 0 { low = thresholds[i - 1] }
                if i < thresholds.count { high = thresholds[i] }
            }
        }

        init() {}

        func intersection(_ other: KeyRange) -> KeyRange {
            var out = self
            if other.low > low || (other.low == low && !other.lowIncluded) { (out.low, out.lowIncluded) = (other.low, other.lowIncluded) }
            if other.high < high || (other.high == high && !other.highIncluded) { (out.high, out.highIncluded) = (other.high, other.highIncluded) }
            return out
        }

        /// A key inside, whole where the input's keys are (dates count days, datetimes seconds);
        /// `nil` when there is none.
        func representative(whole: Bool) -> Double? {
            if whole {
                let first = lowIncluded ? low.rounded(.up) : (low.rounded(.down) + 1)
                let last = highIncluded ? high.rounded(.down) : (high.rounded(.up) - 1)
                if low == -.infinity && high == .infinity { return 0 }
                if low == -.infinity { return last.isFinite ? last : nil }
                if high == .infinity { return first.isFinite ? first : nil }
                return first <= last ? first : nil
            }
            if low == high { return lowIncluded && highIncluded ? low : nil }
            if low > high { return nil }
            if low == -.infinity { return high == .infinity ? 0 : high - 1 }
            if high == .infinity { return low + 1 }
            return (low + high) / 2
        }
    }

    /// The tests a path has taken so far.
    struct Store {
        var words: [String: String] = [:]
        var flags: [String: Bool] = [:]
        var ranges: [String: KeyRange] = [:]
        var atoms: [String: Bool] = [:]
        /// The tests in the order taken: side (0 old, 1 new), test, branch.
        var steps: [(side: Int, test: Test, branch: Int)] = []
    }

    let sides: [Side]
    /// The decisions that answer alike in both versions.
    var unchanged: Set<String> = []
    /// What each side's variables test, once asked.
    private var tests: [[Int: Test]] = [[:], [:]]
    /// Canonical ids of subdiagrams: equal ids in the two versions mean the same tests leading to
    /// the same answers (and, but for `answersOnly`, the same reasons).
    private var interned: [String: Int] = [:]
    private var ids: [[NodeAt: Int]] = [[:], [:], [:], [:]]
    /// A node of one decision's diagram (a leaf's meaning depends on the decision).
    private struct NodeAt: Hashable {
        let decision: Int
        let ref: NodeRef
    }
    /// Values worth trying per input path (both versions' candidates and the codes one version's
    /// set has and the other's lacks), for witnesses.
    private var paths: [String] = []
    private var pathIndex: [String: Int] = [:]
    private var pathInputs: [Input] = []
    private var candidates: [[Value?]] = []
    private var random = SplitMix64()
    /// Atoms by text, per side, while their partners are sought.
    private var sidedAtoms: [String: [(key: String, expression: CheckedExpr, path: String)?]] = [:]
    /// For an atom whose text the other version reads differently: the other's key and the
    /// pairs of truths (old, new) some case gives.
    private var atomPairs: [String: (partner: String, combos: Set<[Bool]>)] = [:]

    init(old: LoadedPolicy, new: LoadedPolicy) {
        sides = [Side(old, name: "old"), Side(new, name: "new")]
        collectCandidates()
    }

    // MARK: The walk

    /// The regions of one decision, whether the walk saw all of them, and how many it found but
    /// does not list (past 3 between the same two leaves, or past the limit, or without an
    /// example beside one that has one).
    mutating func regions(
        old: (index: Int, root: NodeRef), new: (index: Int, root: NodeRef), limit: Int, visits: Int
    ) -> ([SymbolicDiff.Region], Bool, Int) {
        let decisions = [old.index, new.index]
        var found: [(store: Store, leaves: [NodeRef])] = []
        var seenLeafPairs: [String: Int] = [:]
        var budget = visits
        var complete = true
        func walk(_ refs: [NodeRef], _ store: Store) {
            guard complete else { return }
            budget -= 1
            if budget < 0 || found.count >= limit * 4 {
                complete = false
                return
            }
            if id(refs[0], side: 0, decision: decisions[0]) == id(refs[1], side: 1, decision: decisions[1]) { return }
            // (Leaves with different ids differ in answer or reasons.)
            if refs[0] < 0 && refs[1] < 0 {
                found.append((store, refs))
                return
            }
            // Branch on the old version's test first; the new one's next when the old is at a
            // leaf, or both together when they test the same.
            let side = refs[0] >= 0 ? 0 : 1
            let ref = refs[side]
            let compiled = sides[side].compiled
            let variable = Int(compiled.nodeVariable[Int(ref)])
            let first = Int(compiled.nodeFirstChild[Int(ref)])
            let test = self.test(variable, side: side)
            var lockstep: (variable: Int, first: Int)?
            let other = 1 - side
            if refs[other] >= 0 {
                let otherCompiled = sides[other].compiled
                let otherVariable = Int(otherCompiled.nodeVariable[Int(refs[other])])
                if self.test(otherVariable, side: other).key == test.key {
                    lockstep = (otherVariable, Int(otherCompiled.nodeFirstChild[Int(refs[other])]))
                }
            }
            for branch in 0..<compiled.variables[variable].domainSize {
                guard var next = constrain(store, test, branch: branch, side: side) else { continue }
                next.steps.append((side, test, branch))
                var children = refs
                children[side] = compiled.children[first + branch]
                if let lockstep {
                    children[other] = sides[other].compiled.children[lockstep.first + branch]
                }
                walk(children, next)
            }
        }
        walk([old.root, new.root], Store())
        var regions: [SymbolicDiff.Region] = []
        var kept: [String: Int] = [:]
        // A region whose tests read decisions that changed may be one no case reaches; after
        // many such searches in a row find nothing, the rest are reported possible unsearched.
        var fruitless = 0
        var omitted = 0
        for (store, leaves) in found {
            let payloads = (0..<2).map { sides[$0].compiled.leaves[LeafRef.position(leaves[$0])] }
            let words = (0..<2).map { sides[$0].answerWords(payloads[$0], decision: decisions[$0]) }
            let changesAnswer = words[0] != words[1]
            if !changesAnswer && sides[0].explanation(payloads[0], decision: decisions[0]) == sides[1].explanation(payloads[1], decision: decisions[1]) {
                continue
            }
            // One region per pair of leaves is enough to show, and then others of the same
            // transition only while under the limit.
            let pairKey = "\(leaves[0]),\(leaves[1])"
            seenLeafPairs[pairKey, default: 0] += 1
            guard seenLeafPairs[pairKey]! <= 3, regions.count < limit else {
                omitted += 1
                continue
            }
            let transitionKey = words.joined(separator: "\u{0}") + pairKey
            let rules = (0..<2).map { side in
                sides[side].rules(payloads[side], decision: decisions[side]).map {
                    SymbolicDiff.RuleAt(id: $0.id, location: "\($0.location.file):\($0.location.line)")
                }
            }
            let example = fruitless >= 12 ? nil : witness(store, decisions: decisions, payloads: payloads, changesAnswer: changesAnswer)
            fruitless = example == nil ? fruitless + 1 : 0
            // Of several regions between the same two leaves, those without a witness add nothing.
            if example == nil, kept[transitionKey] != nil {
                omitted += 1
                continue
            }
            kept[transitionKey, default: 0] += 1
            regions.append(
                SymbolicDiff.Region(
                    decision: sides[1].policy.decisions[decisions[1]].name, conditions: conditions(store), from: words[0], to: words[1],
                    oldRules: rules[0], newRules: rules[1], changesAnswer: changesAnswer, example: example))
        }
        return (regions, complete, omitted)
    }

    /// `store` with the test of one side taking `branch`, or `nil` when the path already rules
    /// that out (or no case gives that pair of truths to a test both versions read differently).
    func constrain(_ store: Store, _ test: Test, branch: Int, side: Int) -> Store? {
        var store = store
        switch test {
        case .enumeration(let path, let words):
            let word = words[branch]
            if let known = store.words[path], known != word { return nil }
            store.words[path] = word
        case .boolean(let path):
            if let known = store.flags[path], known != (branch == 1) { return nil }
            store.flags[path] = branch == 1
        case .interval(let path, let thresholds, let type):
            let range = (store.ranges[path] ?? KeyRange()).intersection(KeyRange(region: branch, thresholds: thresholds))
            guard range.representative(whole: type != .number) != nil else { return nil }
            store.ranges[path] = range
        case .atom(let key, _, _):
            if let known = store.atoms[key], known != (branch == 1) { return nil }
            store.atoms[key] = branch == 1
            if let pair = atomPairs[key], let other = store.atoms[pair.partner] {
                let combo = side == 0 ? [branch == 1, other] : [other, branch == 1]
                if !pair.combos.contains(combo) { return nil }
            }
        }
        return store
    }

    /// What variable `variable` of one side tests.
    mutating func test(_ variable: Int, side: Int) -> Test {
        if let known = tests[side][variable] { return known }
        let test = sides[side].test(variable, unchanged: unchanged)
        tests[side][variable] = test
        if case .atom(let key, let text, let expression) = test { pairAtom(key: key, text: text, expression: expression, side: side) }
        return test
    }

    /// Registers an atom; when the other version has an atom of the same text but another
    /// meaning (a code set or condition it reads was edited) and both read one and the same
    /// input, tries every candidate value of that input to learn which pairs of truths a case can
    /// give, so that the walk does not follow pairs no case gives (a code added to a set cannot
    /// take a case out of it).
    mutating func pairAtom(key: String, text: String, expression: CheckedExpr, side: Int) {
        var slots: Set<Int> = []
        CaseGenerator.slotsTouched(by: expression, policy: sides[side].policy, into: &slots)
        var read: Set<Int> = []
        decisionsRead(by: expression, policy: sides[side].policy, into: &read)
        guard slots.count == 1, read.isEmpty, let slot = slots.first else { return }
        let path = sides[side].policy.inputs[slot].path
        if sidedAtoms[text] == nil { sidedAtoms[text] = [nil, nil] }
        sidedAtoms[text]![side] = (key, expression, path)
        guard let old = sidedAtoms[text]![0], let new = sidedAtoms[text]![1], old.key != new.key, old.path == new.path,
            let p = pathIndex[path]
        else { return }
        var combos: Set<[Bool]> = []
        for candidate in candidates[p] {
            let truths = [old, new].enumerated().map { side, atom -> Bool? in
                let policy = sides[side].policy
                guard let slot = policy.slot(of: path) else { return nil }
                var facts = CaseFacts(slotCount: policy.inputs.count)
                if let candidate {
                    facts.values[slot] = Self.sided(candidate, type: policy.inputs[slot].type)
                    facts.present[slot] = true
                }
                return ExpressionEvaluator(policy: policy, facts: facts, decisions: Array(repeating: nil, count: policy.decisions.count))
                    .truth(atom.expression)
            }
            if let a = truths[0], let b = truths[1] { combos.insert([a, b]) }
        }
        atomPairs[old.key] = (new.key, combos)
        atomPairs[new.key] = (old.key, combos)
    }

    /// The canonical id of the subdiagram at `ref` of one side (leaves by answer and, unless
    /// `answersOnly`, reasons).
    mutating func id(_ ref: NodeRef, side: Int, decision: Int, answersOnly: Bool = false) -> Int {
        let table = side + (answersOnly ? 2 : 0)
        let at = NodeAt(decision: decision, ref: ref)
        if let known = ids[table][at] { return known }
        let key: String
        if ref < 0 {
            let payload = sides[side].compiled.leaves[LeafRef.position(ref)]
            key = "L" + sides[side].answerWords(payload, decision: decision) + "\u{1}"
                + (answersOnly ? "" : sides[side].explanation(payload, decision: decision).joined(separator: "\u{1}"))
        } else {
            let compiled = sides[side].compiled
            let variable = Int(compiled.nodeVariable[Int(ref)])
            let first = Int(compiled.nodeFirstChild[Int(ref)])
            var children: [Int] = []
            for branch in 0..<compiled.variables[variable].domainSize {
                children.append(id(compiled.children[first + branch], side: side, decision: decision, answersOnly: answersOnly))
            }
            key = "N" + test(variable, side: side).key + "\u{1}" + children.map(String.init).joined(separator: ",")
        }
        let value = interned[key] ?? interned.count
        interned[key] = value
        ids[table][at] = value
        return value
    }

    // MARK: Words

    /// The region's tests in the policy language, each once, in the order the walk took them; a
    /// test read differently by the two versions says which one it is read in.
    func conditions(_ store: Store) -> [String] {
        var out: [String] = []
        var seen: Set<String> = []
        var atomTexts: [String: Set<String>] = [:]
        for step in store.steps {
            if case .atom(let key, let text, _) = step.test { atomTexts[text, default: []].insert(key) }
        }
        for step in store.steps {
            let side = sides[step.side]
            let test = step.test
            let words: String
            switch test {
            case .enumeration(let path, _): words = "\(path) == \(store.words[path]!)"
            case .boolean(let path): words = "\(path) == \(store.flags[path]! ? "true" : "false")"
            case .interval(let path, _, let type):
                words = Self.rangeWords(path, store.ranges[path]!, type: type, printer: side.printer)
            case .atom(let key, let text, let expression):
                let truth = store.atoms[key]!
                var phrase = truth ? text : side.printer.expression(.not(expression))
                if atomTexts[text, default: []].count > 1 { phrase += " (as the \(side.name) version reads it)" }
                words = phrase
            }
            if seen.insert(words).inserted { out.append(words) }
        }
        return out
    }

    /// An interval in the policy language: `x == v`, `x < v`, `x >= a and x < b`.
    static func rangeWords(_ path: String, _ range: KeyRange, type: ValueType, printer: ExpressionPrinter) -> String {
        func value(_ key: Double) -> String {
            let v: Value? = switch type {
            case .number: .number(key)
            case .date: .date(CivilDate(dayNumber: Int32(clamping: Int64(exactly: key.rounded()) ?? 0)))
            case .datetime: .datetime(Timestamp(epochSeconds: Int64(exactly: key.rounded()) ?? 0))
            default: nil
            }
            return v.map { printer.value($0, type: type) } ?? String(key)
        }
        if range.low == range.high { return "\(path) == \(value(range.low))" }
        var parts: [String] = []
        if range.low > -.infinity { parts.append("\(path) \(range.lowIncluded ? ">=" : ">") \(value(range.low))") }
        if range.high < .infinity { parts.append("\(path) \(range.highIncluded ? "<=" : "<") \(value(range.high))") }
        return parts.joined(separator: " and ")
    }

    // MARK: Witnesses

    /// A case in the region that both versions answer as its leaves do (and differently, for an
    /// answer change), as one line of JSON; `nil` when the search finds none.
    mutating func witness(_ store: Store, decisions: [Int], payloads: [[Int32]], changesAnswer: Bool) -> String? {
        let sides = sides
        var values: [Value?] = Array(repeating: nil, count: paths.count)
        var fixed: Set<Int> = []
        for (path, word) in store.words { if let p = pathIndex[path] { values[p] = .string(word); fixed.insert(p) } }
        for (path, flag) in store.flags { if let p = pathIndex[path] { values[p] = .bool(flag); fixed.insert(p) } }
        for (path, range) in store.ranges {
            guard let p = pathIndex[path] else { continue }
            let type = pathInputs[p].type
            guard let key = range.representative(whole: type != .number) else { return nil }
            values[p] = switch type {
            case .number: .number(key)
            case .date: .date(CivilDate(dayNumber: Int32(clamping: Int64(exactly: key.rounded()) ?? 0)))
            default: .datetime(Timestamp(epochSeconds: Int64(exactly: key.rounded()) ?? 0))
            }
            fixed.insert(p)
        }
        // The inputs the region's other tests read, and those the decisions they read depend on.
        var free: Set<Int> = []
        for step in store.steps {
            guard case .atom(_, _, let expression) = step.test else { continue }
            let policy = sides[step.side].policy
            var slots: Set<Int> = []
            CaseGenerator.slotsTouched(by: expression, policy: policy, into: &slots)
            var read: Set<Int> = []
            decisionsRead(by: expression, policy: policy, into: &read)
            for decision in read { CaseGenerator.slotsRead(byDecision: decision, policy: policy, presence: true, into: &slots) }
            for slot in slots { if let p = pathIndex[policy.inputs[slot].path] { free.insert(p) } }
        }
        free.subtract(fixed)
        let expected = (0..<2).map { side in sides[side].rules(payloads[side], decision: decisions[side]).map(\.id) }
        let statuses: [DecisionStatus] = payloads.map { payload in
            switch payload.first {
            case LeafMarker.notApplicable?: .notApplicable
            case LeafMarker.noRule?: .noMatch
            default: .decided
            }
        }
        let atoms = store.steps.compactMap { step -> (side: Int, expression: CheckedExpr, truth: Bool)? in
            guard case .atom(let key, _, let expression) = step.test else { return nil }
            return (step.side, expression, store.atoms[key]!)
        }
        var random = self.random
        defer { self.random = random }
        let received = pathIndex["request.received_at"]
        let slotPaths = (0..<2).map { side in sides[side].policy.inputs.map { pathIndex[$0.path]! } }
        // Inputs neither the region nor the decisions its tests read look at get a value, so that
        // the other decisions reach a leaf instead of following every branch of an unknown input.
        var filled = values
        for p in paths.indices where filled[p] == nil && !free.contains(p) && !fixed.contains(p) {
            filled[p] = CaseGenerator.filler(pathInputs[p].type).map { Self.neutral($0, type: pathInputs[p].type) }
        }
        var scratches = [EvaluationScratch(), EvaluationScratch()]
        /// Both versions' results for `trial`, from facts built as the decoder builds them (the
        /// given values, else the inputs' defaults), without writing and reading JSON.
        func evaluate(_ trial: [Value?]) -> [(facts: CaseFacts, results: [DecisionResult])] {
            (0..<2).map { side in
                let inputs = sides[side].policy.inputs
                var facts = CaseFacts(slotCount: inputs.count)
                for (slot, input) in inputs.enumerated() {
                    if let value = trial[slotPaths[side][slot]] {
                        facts.values[slot] = Self.sided(value, type: input.type)
                        facts.present[slot] = true
                    } else {
                        facts.values[slot] = input.defaultValue
                    }
                }
                // The walk's results without due instants or messages: enough to place the
                // case (the example found is evaluated in full below).
                let evaluator = sides[side].loaded.evaluator
                evaluator.answer(facts, scratch: &scratches[side], tracing: false)
                return (facts, evaluator.summaries(scratches[side], facts))
            }
        }
        /// How far the results are from the region's (0: there), and whether the answers differ.
        func distance(_ both: [(facts: CaseFacts, results: [DecisionResult])]) -> Int {
            var off = 0
            for side in 0..<2 {
                let evaluator = CaseGenerator.evaluator(sides[side].policy, facts: both[side].facts, results: both[side].results)
                for atom in atoms where atom.side == side && evaluator.truth(atom.expression) != atom.truth { off += 100 }
                let result = both[side].results[decisions[side]]
                if result.status != statuses[side] { off += 50 } else if result.rules.map(\.id) != expected[side] { off += 1 }
            }
            guard off == 0 else { return off }
            let (old, new) = (both[0].results[decisions[0]], both[1].results[decisions[1]])
            return (PolicyDiff.answer(old) != PolicyDiff.answer(new)) == changesAnswer ? 0 : 1
        }
        let found = CaseGenerator.climb(from: filled, free: free.sorted(), candidates: candidates, random: &random, tries: 200) { trial -> (Int, [Value?]?) in
            var trial = trial
            if let received, trial[received] == nil {
                // Dated inside the new version, at noon in its time zone, unless the region says when.
                let policy = sides[1].policy
                trial[received] = .datetime(policy.timeZone.instant(localDate: policy.effective, secondsOfDay: 12 * 3600))
            }
            let off = distance(evaluate(trial))
            return off == 0 ? (0, trial) : (off, nil)
        }
        // The example as a user would give it: written as JSON, read back by both versions, and
        // kept only when that reading lands in the region too.
        guard let found else { return nil }
        // Without the values given only to spare the search (when it still lands in the region).
        var plain = found
        for p in paths.indices where values[p] == nil && filled[p] != nil && plain[p] == filled[p] { plain[p] = nil }
        for candidate in [plain, found] {
            let json = self.json(candidate)
            let both = (0..<2).compactMap { side -> (facts: CaseFacts, results: [DecisionResult])? in
                guard case .success(let decoded) = sides[side].loaded.decoder.decode(Array(json.utf8)) else { return nil }
                return (decoded.facts, sides[side].loaded.evaluate(decoded).decisions)
            }
            if both.count == 2 && distance(both) == 0 { return json }
        }
        return nil
    }

    /// The case as JSON: the payer, then each known input at its path, in path order.
    func json(_ values: [Value?]) -> String {
        let entries = paths.indices.compactMap { p in values[p].map { (pathInputs[p], $0) } }
        let body = CaseJSON.sketch(entries, printer: sides[1].printer)
        let payer = "{\"payer\": \(CaseJSON.quote(sides[1].policy.payer))"
        return body == "{}" ? payer + "}" : payer + ", " + body.dropFirst()
    }


    /// Every input path of either version with the values worth trying for it: each version's
    /// covering-case candidates (enum values by name, so both versions read them alike), and the
    /// codes one version's code set has and the other's of the same name lacks, so that a code
    /// added to a set gives a case holding that code.
    mutating func collectCandidates() {
        for side in sides.reversed() {
            for input in side.policy.inputs where pathIndex[input.path] == nil {
                pathIndex[input.path] = paths.count
                paths.append(input.path)
                pathInputs.append(input)
            }
        }
        candidates = Array(repeating: [nil], count: paths.count)
        func add(_ p: Int, _ value: Value?) {
            if !candidates[p].contains(value) { candidates[p].append(value) }
        }
        for side in sides {
            let generator = CaseGenerator(side.loaded)
            for (slot, values) in generator.candidates.enumerated() {
                let input = side.policy.inputs[slot]
                guard let p = pathIndex[input.path] else { continue }
                for value in values { add(p, value.map { Self.neutral($0, type: input.type) }) }
            }
        }
        let oldSets = Dictionary(sides[0].policy.codeSets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var changedCodes: Set<String> = []
        for set in sides[1].policy.codeSets {
            guard let before = oldSets[set.name], before != set else { continue }
            changedCodes.formUnion(set.exact.symmetricDifference(before.exact))
            changedCodes.formUnion(Set(set.prefixes).symmetricDifference(before.prefixes).map { $0 + "0" })
        }
        for code in changedCodes.sorted() {
            for (p, input) in pathInputs.enumerated() {
                switch input.type {
                case .code, .string: add(p, .string(code))
                case .list(.code), .set(.code), .list(.string), .set(.string): add(p, .list([.string(code)]))
                default: break
                }
            }
        }
    }

    /// A neutral value as one version holds it (enum names as indexes).
    static func sided(_ value: Value, type: ValueType) -> Value {
        switch (value, type) {
        case (.string(let word), .enumeration(let words)): return words.firstIndex(of: word).map(Value.enumValue) ?? value
        case (.list(let items), .list(let element)), (.list(let items), .set(let element)): return .list(items.map { sided($0, type: element) })
        default: return value
        }
    }

    /// A value with enum values as their names, which both versions read alike.
    static func neutral(_ value: Value, type: ValueType) -> Value {
        switch (value, type) {
        case (.enumValue(let i), .enumeration(let words)) where words.indices.contains(i): return .string(words[i])
        case (.list(let items), .list(let element)), (.list(let items), .set(let element)): return .list(items.map { neutral($0, type: element) })
        default: return value
        }
    }
}

extension SymbolicDiff {
    /// The regions for people: each answer change with its conditions, rules and example, then
    /// the explanation-only changes.
    public func text() -> String {
        var out = ""
        func write(_ regions: [Region]) {
            let (shown, possible) = Self.grouped(regions)
            for (region, others) in shown {
                out += "  \(region.decision): \(region.from) -> \(region.to)\n"
                out += "    where " + (region.conditions.isEmpty ? "any case" : region.conditions.joined(separator: " and "))
                out += others > 0 ? " (and \(others) other region\(others == 1 ? "" : "s"))\n" : "\n"
                out += "    rule before: \(Self.words(region.oldRules)); after: \(Self.words(region.newRules))\n"
                out += "    e.g. \(region.example ?? "")\n"
            }
            for (decision, count) in possible {
                out += "  \(decision): \(count) more region\(count == 1 ? "" : "s") possible, no case found that shows \(count == 1 ? "it" : "them") (--format json lists them)\n"
            }
        }
        if answers.isEmpty {
            out += "no answer changes in the diagrams\n"
        } else {
            out += "answers that change (\(answers.count) region\(answers.count == 1 ? "" : "s") of cases):\n"
            write(answers)
        }
        if !explanations.isEmpty {
            out += "explanations only (same answers, \(explanations.count) region\(explanations.count == 1 ? "" : "s")):\n"
            write(explanations)
        }
        for name in onlyOld { out += "decision `\(name)` is only in the old version\n" }
        for name in onlyNew { out += "decision `\(name)` is only in the new version\n" }
        if omitted > 0 { out += "\(omitted) more region\(omitted == 1 ? "" : "s") of the same changes not listed\n" }
        if !incomplete.isEmpty {
            out += "compared over cases only (too large to walk): \(incomplete.map { "`\($0)`" }.joined(separator: ", "))\n"
        }
        return out
    }

    /// What the text and Markdown show: per decision and transition, the first region with an
    /// example and how many others share the transition; then, per decision, how many regions no
    /// case was found for (JSON lists every region).
    static func grouped(_ regions: [Region]) -> (shown: [(region: Region, others: Int)], possible: [(decision: String, count: Int)]) {
        var shown: [(region: Region, others: Int)] = []
        var at: [String: Int] = [:]
        var possible: [(decision: String, count: Int)] = []
        for region in regions {
            guard region.example != nil else {
                if let last = possible.indices.last, possible[last].decision == region.decision {
                    possible[last].count += 1
                } else if let index = possible.firstIndex(where: { $0.decision == region.decision }) {
                    possible[index].count += 1
                } else {
                    possible.append((region.decision, 1))
                }
                continue
            }
            let key = "\(region.decision)\u{0}\(region.from)\u{0}\(region.to)"
            if let index = at[key] {
                shown[index].others += 1
            } else {
                at[key] = shown.count
                shown.append((region, 0))
            }
        }
        return (shown, possible)
    }

    /// The regions as Markdown tables, for a change record or a review comment.
    public func markdown() -> String {
        func cell(_ text: String) -> String { text.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }
        var out = ""
        for (title, regions) in [("Answers that change", answers), ("Explanations only (same answers)", explanations)] where !regions.isEmpty {
            let (shown, possible) = Self.grouped(regions)
            out += "#### \(title)\n\n| decision | where | before | after | rule before | rule after | for example |\n|---|---|---|---|---|---|---|\n"
            for (r, others) in shown {
                let more = others > 0 ? " (and \(others) other region\(others == 1 ? "" : "s"))" : ""
                out += "| `\(r.decision)` | \(r.conditions.map { "`\(cell($0))`" }.joined(separator: " and "))\(more) | \(cell(r.from)) | \(cell(r.to)) | \(cell(Self.words(r.oldRules))) | \(cell(Self.words(r.newRules))) | `\(cell(r.example ?? ""))` |\n"
            }
            for (decision, count) in possible {
                out += "| `\(decision)` | \(count) more region\(count == 1 ? "" : "s"), possible: no case found | | | | | |\n"
            }
            out += "\n"
        }
        if answers.isEmpty { out += "No answer changes in the diagrams.\n\n" }
        if !incomplete.isEmpty { out += "Compared over cases only: \(incomplete.map { "`\($0)`" }.joined(separator: ", ")).\n\n" }
        return out
    }

    /// Writes the regions as JSON members `regions` and `incomplete` of an open object.
    func write(to writer: inout JSONWriter) {
        writer.key("regions")
        writer.beginObject()
        for (key, regions) in [("answers", answers), ("explanations", explanations)] {
            writer.key(key)
            writer.beginArray()
            for r in regions {
                writer.beginObject()
                writer.key("decision"); writer.string(r.decision)
                writer.key("where"); writer.beginArray(); for c in r.conditions { writer.string(c) }; writer.endArray()
                writer.key("from"); writer.string(r.from)
                writer.key("to"); writer.string(r.to)
                for (name, rules) in [("old_rules", r.oldRules), ("new_rules", r.newRules)] {
                    writer.key(name)
                    writer.beginArray()
                    for rule in rules {
                        writer.beginObject()
                        writer.key("id"); writer.string(rule.id)
                        writer.key("at"); writer.string(rule.location)
                        writer.endObject()
                    }
                    writer.endArray()
                }
                writer.key("certain"); writer.bool(r.example != nil)
                if let example = r.example { writer.key("example"); writer.string(example) }
                writer.endObject()
            }
            writer.endArray()
        }
        writer.key("omitted"); writer.number(omitted)
        for (key, names) in [("incomplete", incomplete), ("only_old", onlyOld), ("only_new", onlyNew)] {
            writer.key(key); writer.beginArray(); for n in names { writer.string(n) }; writer.endArray()
        }
        writer.endObject()
    }

    /// Rules in words: `` `id` (file:line) ``, or `no rule`.
    static func words(_ rules: [RuleAt]) -> String {
        rules.isEmpty ? "no rule" : rules.map { "`\($0.id)` (\($0.location))" }.joined(separator: ", ")
    }
}
