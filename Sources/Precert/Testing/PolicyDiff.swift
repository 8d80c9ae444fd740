/// What changes between two versions of a policy, over a corpus of cases: every case is evaluated
/// by both, and each decision whose answer differs (status, outcome or outcomes, duration and due
/// date, missing inputs) is counted per transition (old answer -> new answer) with sample case ids;
/// each decision whose answer stays but whose explanation changes (the rules cited, their
/// `because`, their sources) is counted apart. Every change reported is a real case the engine
/// answered both ways: a counterexample, not a guess.
public struct PolicyDiff: Sendable {
    /// One kind of change of one decision, and the cases that show it.
    public struct Transition: Sendable, Hashable {
        /// The decision.
        public let decision: String
        /// The old answer (or explanation), in words.
        public let from: String
        /// The new one.
        public let to: String
        /// How many cases show it.
        public let count: Int
        /// Up to five of their `case_id`s (or `line N` for a case without one), in corpus order.
        public let samples: [String]
    }

    /// The cases evaluated by both versions.
    public let cases: Int
    /// The cases one version or the other could not evaluate, by `case_id` or line.
    public let failed: [String]
    /// The cases with at least one answer that changes.
    public let changedCases: Int
    /// Answer changes, by decision (in the new version's order) and transition.
    public let answers: [Transition]
    /// Explanation-only changes (same answer, other rules, reasons or sources).
    public let explanations: [Transition]

    /// The default corpus: the covering cases of both versions (`precert cases`), their ids
    /// marked `old:` and `new:`.
    public static func coveringCorpus(old: LoadedPolicy, new: LoadedPolicy) -> [UInt8] {
        Array((CoveringCases(old).jsonLines(idPrefix: "old:") + CoveringCases(new).jsonLines(idPrefix: "new:")).utf8)
    }

    /// Whether any answer changes.
    public var changesAnswers: Bool { !answers.isEmpty }

    /// Compares `old` with `new` over `corpus` (JSON Lines; blank lines skipped).
    public init(old: LoadedPolicy, new: LoadedPolicy, corpus: [UInt8]) {
        /// One transition, and whether it changes the answer or only the explanation.
        struct Key: Hashable {
            let changesAnswer: Bool
            let decision: String
            let from: String
            let to: String
        }
        var seen: [Key: (count: Int, samples: [String])] = [:]
        var failed: [String] = []
        var cases = 0
        var changed = 0
        // The fast path: both versions walk their diagrams to a leaf per decision, and a case
        // whose leaves mean the same answers for the same reasons in both is unchanged without
        // building its results. Only where clocks could count differently (another calendar or
        // time zone) or an input is unknown does every case take the full evaluation.
        let pairs: [(old: Int, new: Int)] = new.policy.decisions.indices.compactMap { index in
            old.policy.decisions.firstIndex { $0.name == new.policy.decisions[index].name }.map { ($0, index) }
        }
        let fast = old.calendarDigest == new.calendarDigest && old.policy.timeZone == new.policy.timeZone
        var interned: [String: Int] = [:]
        let keys = [Self.meaningKeys(old, &interned), Self.meaningKeys(new, &interned)]
        var scratch = [EvaluationScratch(), EvaluationScratch()]
        // Versions that read the same inputs the same way decode a case once.
        let sameInputs = old.payer == new.payer
            && old.policy.inputs.map { [$0.path, "\($0.type)", "\(String(describing: $0.defaultValue))"] }
                == new.policy.inputs.map { [$0.path, "\($0.type)", "\(String(describing: $0.defaultValue))"] }
        for (line, bytes) in CaseLines.read(corpus) {
            let decodedOld = old.decoder.decode(bytes)
            guard case .success(let oldCase) = decodedOld, case .success(let newCase) = sameInputs ? decodedOld : new.decoder.decode(bytes) else {
                failed.append("line \(line)")
                continue
            }
            cases += 1
            if fast, old.evaluator.evaluateLeaves(oldCase.facts, scratch: &scratch[0]), new.evaluator.evaluateLeaves(newCase.facts, scratch: &scratch[1]) {
                let same = pairs.allSatisfy { pair in
                    keys[0][old.evaluator.leafMeaning(pair.old, scratch[0].leaves[pair.old])]
                        == keys[1][new.evaluator.leafMeaning(pair.new, scratch[1].leaves[pair.new])]
                }
                if same { continue }
            }
            let name = newCase.caseID ?? oldCase.caseID ?? "line \(line)"
            let before = old.evaluate(oldCase), after = new.evaluate(newCase)
            var caseChanged = false
            for result in after.decisions {
                guard let previous = before[result.name] else { continue }
                let (from, to) = (Self.answer(previous), Self.answer(result))
                let key: Key
                if from != to {
                    key = Key(changesAnswer: true, decision: result.name, from: from, to: to)
                    caseChanged = true
                } else if Self.explanation(previous) != Self.explanation(result) {
                    let (before, after) = Self.explanationChange(previous, result)
                    key = Key(changesAnswer: false, decision: result.name, from: before, to: after)
                } else {
                    continue
                }
                var entry = seen[key] ?? (0, [])
                entry.count += 1
                if entry.samples.count < 5 { entry.samples.append(name) }
                seen[key] = entry
            }
            if caseChanged { changed += 1 }
        }
        let order = Dictionary(new.policy.decisions.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        let transitions = seen.map { key, entry in
            (key.changesAnswer, Transition(decision: key.decision, from: key.from, to: key.to, count: entry.count, samples: entry.samples))
        }.sorted { (order[$0.1.decision] ?? 0, $0.1.from, $0.1.to) < (order[$1.1.decision] ?? 0, $1.1.from, $1.1.to) }
        self.cases = cases
        self.failed = failed
        self.changedCases = changed
        self.answers = transitions.filter(\.0).map(\.1)
        self.explanations = transitions.filter { !$0.0 }.map(\.1)
    }

    /// Per leaf meaning of a version, one number for its answer and reasons (dated and undated),
    /// equal across versions exactly when those are.
    static func meaningKeys(_ loaded: LoadedPolicy, _ interned: inout [String: Int]) -> [Int] {
        loaded.evaluator.leafMeanings.map { meaning in
            var text = ""
            for settled in [meaning.dated, meaning.undated].compactMap({ $0 }) {
                text += answer(settled.result) + "\u{1}" + explanation(settled.result).joined(separator: "\u{1}") + "\u{2}"
            }
            if let known = interned[text] { return known }
            interned[text] = interned.count
            return interned.count - 1
        }
    }

    /// A decision's answer in words: what a change of answer compares.
    static func answer(_ result: DecisionResult) -> String {
        switch result.status {
        case .notApplicable: return "not applicable"
        case .noMatch: return "no rule matches"
        case .needsInformation: return "needs " + result.missing.joined(separator: ", ")
        case .decided:
            var words = result.isList ? "[" + result.outcomes.joined(separator: ", ") + "]" : result.outcomes.first ?? ""
            if let due = result.due { words += ", due \(due.rfc3339)" }
            return words
        }
    }

    /// An explanation-only change in words: the rules cited before and after, or, where they are
    /// the same rules, that their reasons or sources were reworded.
    static func explanationChange(_ before: DecisionResult, _ after: DecisionResult) -> (String, String) {
        let (old, new) = (rules(before), rules(after))
        return old == new ? (old, "\(new), its reason or sources reworded") : (old, new)
    }

    /// The rules cited, in words.
    static func rules(_ result: DecisionResult) -> String {
        result.rules.isEmpty ? "no rule" : result.rules.map { "`\($0.id)`" }.joined(separator: ", ")
    }

    /// What an explanation-only change compares: each rule cited with its reason and sources.
    static func explanation(_ result: DecisionResult) -> [String] {
        result.rules.map { "\($0.id)\u{0}\($0.because ?? "")\u{0}\($0.sources.joined(separator: "\u{0}"))" }
    }
}

extension PolicyDiff {
    /// The diff for people: the answer changes per decision and transition, then the
    /// explanation-only ones; `corpus` says which cases (`the covering cases of both versions`).
    public func text(corpus: String) -> String {
        var out = "over \(cases) cases (\(corpus)): \(changedCases) change their answers\n"
        if !failed.isEmpty { out += "  \(failed.count) cases could not be evaluated: \(failed.prefix(5).joined(separator: ", "))\n" }
        for transition in answers {
            out += "  \(transition.decision): \(transition.from) -> \(transition.to): \(transition.count) case\(transition.count == 1 ? "" : "s"), e.g. \(transition.samples.joined(separator: ", "))\n"
        }
        if !explanations.isEmpty {
            out += "explanations only (same answers):\n"
            for transition in explanations {
                out += "  \(transition.decision): \(transition.from) -> \(transition.to): \(transition.count) case\(transition.count == 1 ? "" : "s")\n"
            }
        }
        return out
    }

    /// The diff as Markdown, for a change record or a review comment.
    public func markdown(corpus: String) -> String {
        func cell(_ text: String) -> String { text.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }
        var out = "#### Over \(cases) cases (\(corpus))\n\n**\(changedCases) change their answers**.\n\n"
        if !answers.isEmpty {
            out += "| decision | before | after | cases | for example |\n|---|---|---|---|---|\n"
            for t in answers { out += "| `\(t.decision)` | \(cell(t.from)) | \(cell(t.to)) | \(t.count) | \(t.samples.map { "`\($0)`" }.joined(separator: ", ")) |\n" }
            out += "\n"
        }
        if !explanations.isEmpty {
            out += "Explanations only (same answers):\n\n| decision | rules before | rules after | cases |\n|---|---|---|---|\n"
            for t in explanations { out += "| `\(t.decision)` | \(cell(t.from)) | \(cell(t.to)) | \(t.count) |\n" }
        }
        return out
    }

    /// The diff as JSON, for tools: the regions of `symbolic` (when given), then the corpus's counts.
    public func json(old: String, new: String, corpus: String, symbolic: SymbolicDiff? = nil) -> [UInt8] {
        var writer = JSONWriter(style: .pretty)
        writer.beginObject()
        writer.key("old"); writer.string(old)
        writer.key("new"); writer.string(new)
        symbolic?.write(to: &writer)
        writer.key("corpus"); writer.string(corpus)
        writer.key("cases"); writer.number(Double(cases))
        writer.key("changed_cases"); writer.number(Double(changedCases))
        writer.key("failed"); writer.beginArray(); for name in failed { writer.string(name) }; writer.endArray()
        for (key, list) in [("answers", answers), ("explanations", explanations)] {
            writer.key(key)
            writer.beginArray()
            for t in list {
                writer.beginObject()
                writer.key("decision"); writer.string(t.decision)
                writer.key("from"); writer.string(t.from)
                writer.key("to"); writer.string(t.to)
                writer.key("count"); writer.number(Double(t.count))
                writer.key("samples"); writer.beginArray(); for s in t.samples { writer.string(s) }; writer.endArray()
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
        return writer.bytes + [UInt8(ascii: "\n")]
    }
}
