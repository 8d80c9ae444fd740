/// The policy book: the loaded policies written out as self-contained XHTML pages for reviewers
/// who do not read YAML (medical directors, legal, provider relations), as `precert doc` writes it.
///
/// One index page lists the policies by payer; one page per policy version sets out its decisions
/// as tables of rules in plain words, with each rule's reasons, sources, place in the file and how
/// many test cases reach it. Pages need nothing from outside: the style sheet is inline, there is
/// no script, no font or image is fetched.
///
/// The same inputs give the same bytes: nothing depends on the time, the machine or the order of
/// a hash table.
package struct PolicyBook: Sendable {
    /// The most questions and answers a diagram may have to be drawn on its page; a larger one is
    /// unreadable at the width of a page (the Kaiser policy's `missing_requirements` has 359).
    static let largestDiagram = 60

    /// A decision's diagram, as the book shows it.
    package enum Diagram: Sendable, Hashable {
        /// Drawn: SVG markup to embed as it is (from `GraphvizRenderer`, or a test's stand-in).
        case svg(String)
        /// Graphviz is not installed: the book shows the DOT source and how to install it.
        case notInstalled
        /// Graphviz could not draw it, for this reason: the book shows the DOT source.
        case failed(String)
    }

    /// One page of the book.
    package struct Page: Sendable, Hashable {
        /// The file name, in the book's folder (`index.html`).
        package var name: String
        /// The page, XHTML5.
        package var text: String
    }

    /// One policy version and what the book says about it.
    struct Version: Sendable {
        /// The version.
        var loaded: LoadedPolicy
        /// Its page's file name.
        var fileName: String
        /// Which rules its tests reach.
        var coverage: PolicyCoverage?
    }

    /// The versions in the book, by payer, then policy id, then effective date.
    let versions: [Version]
    /// The test run whose coverage the pages show.
    let tests: PolicyTestRun
    /// The regulations loaded with the policies.
    let regulations: [Regulation]
    /// The turnaround proofs of every policy version.
    let proofs: [ClockProof]
    /// The digest of the whole policy set loaded.
    let setDigest: String

    /// The book of the policies in `loaded` (only those whose id is in `policyIDs`, every version
    /// of each; all of them when `nil`), with the coverage of `tests`, a run of the same set.
    package init(loaded: PolicyCatalog.LoadResult, tests: PolicyTestRun, policyIDs: [String]? = nil) {
        let chosen = loaded.catalog.policies
            .filter { policy in policyIDs.map { $0.contains(policy.id) } ?? true }
            .sorted { ($0.payer, $0.id, $0.effective) < ($1.payer, $1.id, $1.effective) }
        let names = Self.fileNames(chosen.map { ($0.id, $0.effective) })
        versions = zip(chosen, names).map { policy, name in
            Version(
                loaded: policy, fileName: name,
                coverage: tests.coverage.first { $0.policyID == policy.id && $0.effective == policy.effective })
        }
        self.tests = tests
        regulations = loaded.regulations.sorted { $0.id < $1.id }
        proofs = loaded.clockProofs
        setDigest = loaded.catalog.digest
    }

    /// Every page: the index first, then one per policy version in the index's order. `diagram`
    /// draws a decision's diagram from its DOT source (`GraphvizRenderer.svg`, or `.notInstalled`).
    package func pages(diagram: (String) -> Diagram) -> [Page] {
        [Page(name: "index.html", text: index())] + versions.indices.map { Page(name: versions[$0].fileName, text: page($0, diagram: diagram)) }
    }

    /// Stable file names for policy versions: the id and the effective date, in lowercase letters,
    /// digits and `-` (`kaiser-norcal/behavioral-health` of 2026-05-20 is
    /// `kaiser-norcal_behavioral-health_2026-05-20.html`); `/` becomes `_`, any other character
    /// `-`. Two versions whose names would be equal (ignoring case) get `-2`, `-3`, … in order.
    package static func fileNames(_ versions: [(id: String, effective: CivilDate)]) -> [String] {
        var taken: Set<String> = ["index"]
        return versions.map { version in
            var stem = ""
            for scalar in version.id.unicodeScalars {
                switch scalar {
                case "a"..."z", "0"..."9", "-": stem.unicodeScalars.append(scalar)
                case "A"..."Z": stem += String(scalar).lowercased()
                case "/": stem += "_"
                default: stem += "-"
                }
            }
            stem += "_\(version.effective)"
            var name = stem
            var suffix = 2
            while !taken.insert(name).inserted {
                name = "\(stem)-\(suffix)"
                suffix += 1
            }
            return name + ".html"
        }
    }

    // MARK: - The index

    private func index() -> String {
        var html = HTMLWriter()
        Self.head(&html, title: "Policy book")
        html.start("body")
        html.start("main")
        html.element("h1", text: "Policy book")
        html.element("p", [("class", "lead")]) { html in
            html.text(
                "The payer rules Precert applies, written out for people who review them. Each page is one version of one policy: "
                    + "what it decides, every rule in plain words with the reason and the sources it gives, and how many test cases check it.")
        }
        Self.legend(&html)
        if versions.isEmpty {
            html.element("p", text: "No policy was given.")
        }
        var payers: [String] = []
        for version in versions where payers.last != version.loaded.payer { payers.append(version.loaded.payer) }
        for payer in payers {
            html.element("section", [("id", "payer-" + Self.anchorText(payer))]) { html in
                html.element("h2") { html in
                    html.text("Payer ")
                    html.element("code", text: payer)
                }
                html.element("table", [("class", "index")]) { html in
                    html.element("thead") { html in
                        html.element("tr") { html in
                            for heading in ["Policy", "Version", "Decisions", "Rules tested", "Points to confirm"] {
                                html.element("th", [("scope", "col")], text: heading)
                            }
                        }
                    }
                    html.element("tbody") { html in
                        for version in versions where version.loaded.payer == payer {
                            indexRow(version, into: &html)
                        }
                    }
                }
            }
        }
        footer(&html, file: nil)
        html.end()
        html.end()
        html.end()
        return html.page
    }

    private func indexRow(_ version: Version, into html: inout HTMLWriter) {
        let policy = version.loaded.policy
        html.element("tr") { html in
            html.element("td") { html in
                html.element("a", [("href", version.fileName)], text: version.loaded.title)
                html.element("div", [("class", "small")]) { html in html.element("code", text: policy.id) }
            }
            html.element("td") { html in html.text(Self.validity(policy)) }
            html.element("td", [("class", "number")], text: "\(policy.decisions.count)")
            html.element("td", [("class", "number")]) { html in coverageSummary(version, into: &html) }
            let notes = reviewerNotes(policy).count
            html.element("td", [("class", "number")]) { html in
                if notes == 0 {
                    html.text("none")
                } else {
                    html.element("a", [("href", version.fileName + "#notes")]) { html in
                        html.element("mark", [("class", "uncertain")], text: "\(notes)")
                    }
                }
            }
        }
    }

    /// `12 of 14 (85%)`, the untested part marked.
    private func coverageSummary(_ version: Version, into html: inout HTMLWriter) {
        guard let coverage = version.coverage else {
            html.text("no tests")
            return
        }
        let text = "\(coverage.covered) of \(coverage.total) (\(PolicyTestReport.percentText(coverage.percent)))"
        if coverage.covered < coverage.total {
            html.element("span", [("class", "badge untested")], text: text)
        } else {
            html.text(text)
        }
    }

    // MARK: - A policy page

    private func page(_ position: Int, diagram: (String) -> Diagram) -> String {
        let version = versions[position]
        let loaded = version.loaded
        let policy = loaded.policy
        let syntax = policy.syntax
        let anchors = Anchors(policy)
        let words = PageWords(policy: policy, anchors: anchors)
        var html = HTMLWriter()
        Self.head(&html, title: "\(loaded.title) (from \(policy.effective))")
        html.start("body")
        html.start("main")
        html.element("nav", [("class", "top")]) { html in
            html.element("a", [("href", "index.html")], text: "All policies")
        }
        html.element("h1", text: loaded.title)
        html.element("dl", [("class", "meta")]) { html in
            Self.fact(&html, "Policy") { html in html.element("code", text: policy.id) }
            Self.fact(&html, "Payer") { html in html.element("code", text: policy.payer) }
            Self.fact(&html, "Version") { html in html.text(Self.validity(policy)) }
            Self.fact(&html, "Time zone") { html in html.text(policy.timeZone.identifier) }
            Self.fact(&html, "Holiday calendar") { html in html.element("code", text: policy.calendarName) }
            Self.fact(&html, "Serves") { html in html.text(Self.scope(policy.scope)) }
            Self.fact(&html, "File") { html in html.element("code", text: loaded.file) }
        }
        if let description = syntax.description {
            html.element("p", [("class", "lead")]) { html in Self.prose(description, into: &html) }
        }
        Self.legend(&html)
        contents(policy, anchors: anchors, into: &html)

        let notes = reviewerNotes(policy)
        html.element("section", [("id", "notes")]) { html in
            html.element("h2", text: "Points a reviewer should confirm")
            if notes.isEmpty {
                html.element("p", text: "No rule of this policy says that its reading of the sources is uncertain.")
            } else {
                html.element(
                    "p",
                    text: "Where a rule's reason says \u{201C}Uncertain:\u{201D}, the policy's authors read the sources one way and ask for that reading to be confirmed with the payer. Each such note, by rule:")
                html.element("ul", [("class", "notes")]) { html in
                    for note in notes {
                        html.element("li") { html in
                            html.element("a", [("href", "#" + anchors.rule(note.decision, note.rule))]) { html in
                                html.element("code", text: note.rule)
                            }
                            html.text(" (\(note.decision)): ")
                            html.element("mark", [("class", "uncertain")]) { html in Self.prose(note.text, into: &html) }
                        }
                    }
                }
            }
        }

        html.element("section", [("id", "sources")]) { html in
            html.element("h2", text: "Sources")
            html.element("p", text: "The documents this policy encodes, as it cites them:")
            html.element("ul") { html in
                for source in syntax.sources { html.element("li") { html in Self.prose(source, into: &html) } }
            }
        }

        for index in policy.decisions.indices {
            decisionSection(index, version: version, words: words, diagram: diagram, into: &html)
        }
        conditionsSection(policy, words: words, into: &html)
        setsSection(policy, anchors: anchors, into: &html)
        inputsSection(policy, anchors: anchors, into: &html)
        testsSection(version, anchors: anchors, into: &html)
        regulationsSection(policy, into: &html)
        versionsSection(position, into: &html)
        footer(&html, file: loaded)
        html.end()
        html.end()
        html.end()
        return html.page
    }

    private func contents(_ policy: CheckedPolicy, anchors: Anchors, into html: inout HTMLWriter) {
        html.element("nav", [("class", "contents")]) { html in
            html.element("h2", text: "Contents")
            html.element("ul") { html in
                html.element("li") { html in html.element("a", [("href", "#notes")], text: "Points a reviewer should confirm") }
                html.element("li") { html in html.element("a", [("href", "#sources")], text: "Sources") }
                html.element("li") { html in
                    html.text("Decisions: ")
                    for (index, decision) in policy.decisions.enumerated() {
                        if index > 0 { html.text(", ") }
                        html.element("a", [("href", "#" + anchors.decision(decision.name))], text: decision.name)
                    }
                }
                if !policy.conditions.isEmpty {
                    html.element("li") { html in html.element("a", [("href", "#conditions")], text: "Named conditions") }
                }
                if !policy.codeSets.isEmpty {
                    html.element("li") { html in html.element("a", [("href", "#sets")], text: "Code sets") }
                }
                html.element("li") { html in html.element("a", [("href", "#inputs")], text: "Case fields read") }
                html.element("li") { html in html.element("a", [("href", "#tests")], text: "Tests") }
                html.element("li") { html in html.element("a", [("href", "#regulations")], text: "Regulations") }
                html.element("li") { html in html.element("a", [("href", "#versions")], text: "Versions") }
            }
        }
    }

    // MARK: Decisions

    private func decisionSection(
        _ index: Int, version: Version, words: PageWords, diagram: (String) -> Diagram, into html: inout HTMLWriter
    ) {
        let policy = version.loaded.policy
        let decision = policy.decisions[index]
        let declaration = policy.syntax.decisions.first { $0.name.value == decision.name }
        html.element("section", [("id", words.anchors.decision(decision.name)), ("class", "decision")]) { html in
            html.element("h2") { html in
                html.text("Decision ")
                html.element("code", text: decision.name)
                // The plain words the text answer shows it under, at a glance.
                if let label = decision.label { html.text(": \(label)") }
            }
            if let description = declaration?.description {
                html.element("p", [("class", "lead")]) { html in Self.prose(description, into: &html) }
            }
            html.element("dl", [("class", "facts")]) { html in
                Self.fact(&html, "How rules combine") { html in html.text(Self.hitWords(decision.hit)) }
                Self.fact(&html, "When it applies") { html in
                    if let appliesWhen = decision.appliesWhen {
                        html.text("Only when ")
                        words.phrase(words.printer.phrase(appliesWhen), into: &html)
                        html.text("; otherwise the decision is not applicable.")
                    } else {
                        html.text("Always.")
                    }
                }
                Self.fact(&html, "Answers") { html in answers(decision, words: words, into: &html) }
            }
            ruleTable(decision, version: version, words: words, into: &html)
            diagramFigure(index, version: version, diagram: diagram, into: &html)
        }
    }

    /// What the decision may answer: its outcomes with their labels and messages, or a duration.
    private func answers(_ decision: Decision, words: PageWords, into html: inout HTMLWriter) {
        let policy = words.policy
        if decision.isDuration {
            let from = decision.dueFromSlot.flatMap { policy.inputs.indices.contains($0) ? policy.inputs[$0].path : nil } ?? "the request"
            html.text("A time limit, counted from ")
            words.parts([.input(from)], into: &html)
            html.text(
                " in the payer's time zone (\(policy.timeZone.identifier)). Hours are exact; calendar and business days do not count the day "
                    + "the clock starts and end at 23:59:59 on the last day; business days skip weekends and the holidays of the calendar ")
            html.element("code", text: policy.calendarName)
            html.text(".")
            return
        }
        if decision.hit == .all {
            html.text("A list of these outcomes (empty when no rule matches):")
        } else {
            html.text("One of these outcomes:")
        }
        let explained = !decision.labels.isEmpty || !decision.messages.isEmpty
        guard explained else {
            html.text(" ")
            for (index, outcome) in decision.outcomes.enumerated() {
                if index > 0 { html.text(", ") }
                html.element("code", text: outcome)
            }
            html.text(".")
            return
        }
        html.element("table", [("class", "outcomes")]) { html in
            html.element("thead") { html in
                html.element("tr") { html in
                    html.element("th", [("scope", "col")], text: "Outcome")
                    if !decision.labels.isEmpty { html.element("th", [("scope", "col")], text: "In plain words") }
                    if !decision.messages.isEmpty { html.element("th", [("scope", "col")], text: "Message shown with it") }
                }
            }
            html.element("tbody") { html in
                for (index, outcome) in decision.outcomes.enumerated() {
                    html.element("tr") { html in
                        html.element("td") { html in html.element("code", text: outcome) }
                        if !decision.labels.isEmpty { html.element("td", text: decision.labels[index] ?? "") }
                        if !decision.messages.isEmpty { html.element("td") { html in Self.prose(decision.messages[index] ?? "", into: &html) } }
                    }
                }
            }
        }
    }

    private func ruleTable(_ decision: Decision, version: Version, words: PageWords, into html: inout HTMLWriter) {
        let coverage = version.coverage
        html.element("table", [("class", "rules")]) { html in
            html.element("thead") { html in
                html.element("tr") { html in
                    html.element("th", [("scope", "col"), ("class", "n")], text: "#")
                    html.element("th", [("scope", "col")], text: "Rule")
                    html.element("th", [("scope", "col")], text: "When")
                    html.element("th", [("scope", "col")], text: "Then")
                    html.element("th", [("scope", "col")], text: "Why, and the sources")
                    html.element("th", [("scope", "col")], text: "Tests")
                }
            }
            html.element("tbody") { html in
                for (position, rule) in decision.rules.enumerated() {
                    let cases = coverage?.entries.first { $0.decision == decision.name && $0.ruleID == rule.id }?.cases ?? 0
                    ruleRow(
                        rule, number: "\(position + 1)", when: whenWords(rule, position: position, decision: decision, words: words),
                        decision: decision, version: version, cases: cases, words: words, into: &html)
                }
                if let rule = decision.defaultRule {
                    let cases = coverage?.entries.first { $0.decision == decision.name && $0.ruleID == rule.id }?.cases ?? 0
                    ruleRow(
                        rule, number: "\u{2014}",
                        when: .text("Otherwise: when no rule above matches (the decision's default)."),
                        decision: decision, version: version, cases: cases, words: words, into: &html)
                }
            }
        }
        if decision.rules.isEmpty && decision.defaultRule == nil {
            html.element("p", text: "This decision has no rules.")
        }
    }

    /// What the `When` cell says.
    private enum WhenCell {
        case text(String)
        case phrase(Phrase, written: String)
    }

    private func whenWords(_ rule: Rule, position: Int, decision: Decision, words: PageWords) -> WhenCell {
        if rule.when == .constant(.bool(true)) {
            if decision.hit == .first && position > 0 {
                return .text("Otherwise: every case no rule above decided.")
            }
            return .text("Always.")
        }
        return .phrase(words.printer.phrase(rule.when), written: words.printer.expression(rule.when))
    }

    private func ruleRow(
        _ rule: Rule, number: String, when: WhenCell, decision: Decision, version: Version, cases: Int, words: PageWords,
        into html: inout HTMLWriter
    ) {
        let anchor = words.anchors.rule(decision.name, rule.id)
        html.element("tr", [("id", anchor), ("class", rule.isDefault ? "default" : "rule")]) { html in
            html.element("td", [("class", "n")], text: number)
            html.element("td", [("class", "rule-id")]) { html in
                html.element("code", text: rule.id)
                html.element("div", [("class", "where")]) { html in Self.breakable("\(version.loaded.file):\(rule.location.line)", into: &html) }
            }
            html.element("td", [("class", "when")]) { html in
                switch when {
                case .text(let text):
                    html.element("em", text: text)
                case .phrase(let phrase, let written):
                    words.phrase(phrase, into: &html)
                    html.element("div", [("class", "written")]) { html in
                        html.text("in the policy language: ")
                        html.element("code", text: written)
                    }
                }
            }
            html.element("td", [("class", "then")]) { html in
                if let duration = rule.duration {
                    html.element("span", [("class", "outcome")], text: duration.description)
                } else if decision.outcomes.indices.contains(rule.outcome) {
                    let word = decision.outcomes[rule.outcome]
                    if let label = decision.labels[rule.outcome] {
                        html.element("span", [("class", "outcome")], text: label)
                        html.element("div", [("class", "word")]) { html in html.element("code", text: word) }
                    } else {
                        html.element("span", [("class", "outcome")]) { html in html.element("code", text: word) }
                    }
                    if let message = decision.messages[rule.outcome] {
                        html.element("div", [("class", "message")]) { html in Self.prose(message, into: &html) }
                    }
                }
            }
            html.element("td", [("class", "why")]) { html in
                if let because = rule.because {
                    html.element("div", [("class", "because")]) { html in Self.because(because, into: &html) }
                } else {
                    html.element("div", [("class", "because missing")], text: "No reason given.")
                }
                if let step = rule.nextStep {
                    html.element("div", [("class", "next-step")]) { html in
                        html.element("strong", text: "Next step: ")
                        for part in step {
                            switch part {
                            case .text(let text): Self.prose(text, into: &html)
                            case .input(let slot):
                                html.element("code", text: "{" + (words.policy.inputs.indices.contains(slot) ? words.policy.inputs[slot].path : "?") + "}")
                            case .decision(let index):
                                html.element("code", text: "{" + (words.policy.decisions.indices.contains(index) ? words.policy.decisions[index].name : "?") + "}")
                            }
                        }
                    }
                }
                if rule.sources.isEmpty {
                    html.element("div", [("class", "sources missing")], text: "No source cited.")
                } else {
                    html.element("ul", [("class", "sources")]) { html in
                        for source in rule.sources { html.element("li") { html in Self.prose(source, into: &html) } }
                    }
                }
            }
            html.element("td", [("class", "tests")]) { html in
                let text = cases == 1 ? "1 case" : "\(cases) cases"
                html.element("span", [("class", cases == 0 ? "badge untested" : "badge tested")], text: text)
            }
        }
    }

    private func diagramFigure(_ index: Int, version: Version, diagram: (String) -> Diagram, into html: inout HTMLWriter) {
        let decision = version.loaded.policy.decisions[index]
        html.element("figure", [("class", "diagram")]) { html in
            guard let dot = GraphvizExport.dot(version.loaded.policy, decision: index) else {
                html.element("p", [("class", "note")], text: "This decision is too large for a diagram; it is evaluated rule by rule, with the same answers.")
                return
            }
            // One line per node: `n3 [shape=ellipse, …]` or `leaf2 [shape=box, …]`.
            let nodes = dot.split(separator: "\n").filter { $0.contains(" [shape=") }.count
            guard nodes <= Self.largestDiagram else {
                html.element("p", [("class", "note")]) { html in
                    html.text("The diagram of ")
                    html.element("code", text: decision.name)
                    html.text(
                        " has \(nodes) questions and answers, too many to read on a page"
                            + (decision.hit == .all ? " (every rule that matches adds its outcome, so the diagram sets out every combination)" : "")
                            + "; the table above says the same in fewer words. To look at it anyway: ")
                    html.element("code", text: "precert graph \(version.loaded.id) \(decision.name) | dot -Tsvg > \(decision.name).svg")
                    html.text(".")
                }
                return
            }
            switch diagram(dot) {
            case .svg(let svg):
                html.element("figcaption", text: "The decision as a diagram: start at the top, follow the answers to the questions, and the box you reach gives the outcome and the rules that decide it.")
                html.element("div", [("class", "drawing")]) { html in html.raw(svg) }
            case .notInstalled:
                html.element("p", [("class", "note")]) { html in
                    html.text("Graphviz was not installed where this book was written, so the diagram of ")
                    html.element("code", text: decision.name)
                    html.text(" is shown as its source. To see it drawn, install Graphviz (")
                    html.element("code", text: "apt-get install graphviz")
                    html.text(") and write the book again.")
                }
                html.element("pre", [("class", "dot")], text: dot)
            case .failed(let reason):
                html.element("p", [("class", "note")], text: "The diagram could not be drawn (\(reason)); its source follows.")
                html.element("pre", [("class", "dot")], text: dot)
            }
        }
    }

    // MARK: Conditions, sets, inputs

    private func conditionsSection(_ policy: CheckedPolicy, words: PageWords, into html: inout HTMLWriter) {
        guard !policy.conditions.isEmpty else { return }
        html.element("section", [("id", "conditions")]) { html in
            html.element("h2", text: "Named conditions")
            html.element("p", text: "Names the rules use for conditions that come up more than once.")
            html.element("table", [("class", "conditions")]) { html in
                html.element("thead") { html in
                    html.element("tr") { html in
                        html.element("th", [("scope", "col")], text: "Name")
                        html.element("th", [("scope", "col")], text: "Holds when")
                    }
                }
                html.element("tbody") { html in
                    for condition in policy.conditions {
                        html.element("tr", [("id", words.anchors.condition(condition.name))]) { html in
                            html.element("td") { html in html.element("code", text: condition.name) }
                            html.element("td") { html in
                                words.phrase(words.printer.phrase(condition.expression), into: &html)
                                html.element("div", [("class", "written")]) { html in
                                    html.text("in the policy language: ")
                                    html.element("code", text: words.printer.expression(condition.expression))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func setsSection(_ policy: CheckedPolicy, anchors: Anchors, into html: inout HTMLWriter) {
        guard !policy.syntax.sets.isEmpty else { return }
        html.element("section", [("id", "sets")]) { html in
            html.element("h2", text: "Code sets")
            html.element("p") { html in
                html.text("Named lists of codes. A member ending in ")
                html.element("code", text: "*")
                html.text(" stands for every code that starts with the text before it (")
                html.element("code", text: "F32*")
                html.text(" matches ")
                html.element("code", text: "F32.9")
                html.text("); codes match exactly otherwise, capital letters and dots included.")
            }
            html.element("table", [("class", "sets")]) { html in
                html.element("thead") { html in
                    html.element("tr") { html in
                        html.element("th", [("scope", "col")], text: "Name")
                        html.element("th", [("scope", "col")], text: "Members")
                    }
                }
                html.element("tbody") { html in
                    for set in policy.syntax.sets {
                        html.element("tr", [("id", anchors.codeSet(set.name.value))]) { html in
                            html.element("td") { html in html.element("code", text: set.name.value) }
                            html.element("td") { html in
                                for (index, member) in set.members.enumerated() {
                                    if index > 0 { html.text(" ") }
                                    html.element("code", text: member.value)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func inputsSection(_ policy: CheckedPolicy, anchors: Anchors, into html: inout HTMLWriter) {
        html.element("section", [("id", "inputs")]) { html in
            html.element("h2", text: "Case fields read")
            html.element("p", text: "The fields of a case this policy reads; it ignores every other field. A field the case leaves out takes its default; without a default it is unknown, and a decision that depends on it asks for it (needs information) instead of guessing.")
            html.element("table", [("class", "inputs")]) { html in
                html.element("thead") { html in
                    html.element("tr") { html in
                        for heading in ["Field", "Type", "When the case leaves it out", "Description"] {
                            html.element("th", [("scope", "col")], text: heading)
                        }
                    }
                }
                html.element("tbody") { html in
                    let printer = ExpressionPrinter(policy: policy)
                    for input in policy.inputs {
                        let declaration = policy.syntax.inputs.first { $0.path.value == input.path }
                        html.element("tr", [("id", anchors.input(input.path))]) { html in
                            html.element("td") { html in html.element("code", text: input.path) }
                            html.element("td") { html in Self.typeWords(input.type, into: &html) }
                            html.element("td") { html in
                                if let value = input.defaultValue {
                                    html.text("taken as ")
                                    html.element("code", text: printer.value(value, type: input.type))
                                } else {
                                    html.element("em", text: "unknown")
                                }
                            }
                            html.element("td") { html in Self.prose(declaration?.description ?? "", into: &html) }
                        }
                    }
                }
            }
        }
    }

    /// A type in words, with the values of an enum.
    private static func typeWords(_ type: ValueType, into html: inout HTMLWriter) {
        switch type {
        case .enumeration(let values):
            html.text("one of ")
            for (index, value) in values.enumerated() {
                if index > 0 { html.text(", ") }
                html.element("code", text: value)
            }
        case .list(let element):
            html.text("a list of \(plural(element))")
        case .set(let element):
            html.text("a set of \(plural(element))")
        default:
            html.text(singular(type))
        }
    }

    private static func singular(_ type: ValueType) -> String {
        switch type {
        case .bool: "true or false"
        case .number: "a number"
        case .string: "text"
        case .code: "a code"
        case .date: "a date"
        case .datetime: "a date and time, with its UTC offset"
        case .duration: "a duration"
        case .enumeration(let values): "one of " + values.joined(separator: ", ")
        case .list(let element): "a list of \(plural(element))"
        case .set(let element): "a set of \(plural(element))"
        case .valueSet: "a code set"
        }
    }

    private static func plural(_ type: ValueType) -> String {
        switch type {
        case .bool: "true-or-false values"
        case .number: "numbers"
        case .string: "texts"
        case .code: "codes"
        case .date: "dates"
        case .datetime: "dates and times"
        case .duration: "durations"
        default: singular(type)
        }
    }

    // MARK: Tests, regulations, versions

    private func testsSection(_ version: Version, anchors: Anchors, into html: inout HTMLWriter) {
        let policy = version.loaded.policy
        let results = tests.results.filter { $0.policyID == policy.id }
        var files: [String] = []
        for result in results where !files.contains(result.file) { files.append(result.file) }
        html.element("section", [("id", "tests")]) { html in
            html.element("h2", text: "Tests")
            guard !results.isEmpty else {
                html.element("p") { html in
                    html.element("span", [("class", "badge untested")], text: "no tests")
                    html.text(" No test file names this policy, so no rule is checked by a test case. Test files sit beside the policy, named like it with ")
                    html.element("code", text: ".test.yaml")
                    html.text(".")
                }
                return
            }
            let passed = results.filter(\.passed).count
            let failed = results.filter { if case .failed = $0.outcome { return true } else { return false } }.count
            let notRun = results.count - passed - failed
            html.element("p") { html in
                html.text(results.count == 1 ? "1 test case" : "\(results.count) test cases")
                html.text(" name this policy, in ")
                for (index, file) in files.enumerated() {
                    if index > 0 { html.text(", ") }
                    html.element("code", text: displayPath(file, besides: version.loaded))
                }
                html.text(": \(passed) passed")
                if failed > 0 {
                    html.text(", ")
                    html.element("span", [("class", "badge untested")], text: "\(failed) failed")
                }
                if notRun > 0 {
                    html.text(", ")
                    html.element("span", [("class", "badge untested")], text: "\(notRun) could not run")
                }
                html.text(" (run ")
                html.element("code", text: "precert test")
                html.text(" for the details). Each case answers every decision; a rule counts as reached by a case when the case's answer cites it.")
            }
            if let coverage = version.coverage {
                let untested = coverage.entries.filter { !$0.covered }
                html.element("p") { html in
                    html.text("Rules and defaults reached by at least one test case of this version: \(coverage.covered) of \(coverage.total) (\(PolicyTestReport.percentText(coverage.percent))).")
                    if !untested.isEmpty {
                        html.text(" Not reached: ")
                        for (index, entry) in untested.enumerated() {
                            if index > 0 { html.text(", ") }
                            html.element("a", [("href", "#" + anchors.rule(entry.decision, entry.ruleID))]) { html in
                                html.element("code", text: entry.ruleID)
                            }
                            html.text(" (\(entry.decision))")
                        }
                        html.text(".")
                    }
                }
            }
        }
    }

    /// A test file's path as the book shows it: relative to the policies' root, as the policy's own.
    private func displayPath(_ path: String, besides policy: LoadedPolicy) -> String {
        let given = policy.source.file
        guard given.hasSuffix(policy.file) else { return path }
        let root = String(given.dropLast(policy.file.count))
        return !root.isEmpty && path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }

    private func regulationsSection(_ policy: CheckedPolicy, into html: inout HTMLWriter) {
        let governing = regulations.filter { $0.governs(policy) }
        html.element("section", [("id", "regulations")]) { html in
            html.element("h2", text: "Regulations")
            guard !governing.isEmpty else {
                html.element(
                    "p",
                    text: policy.scope.isDeclared
                        ? "No regulation loaded with this policy governs the plans and states it serves."
                        : "The policy does not say which plans and states it serves, so no regulation's limits are checked against it.")
                return
            }
            html.element("p", text: "The regulations that govern the plans and states this policy serves. Precert proves, for every day a request can be received, that no turnaround rule a request can reach ends after a regulation's limit; a policy that could is not loaded at all.")
            for regulation in governing {
                html.element("h3", text: regulation.title)
                html.element("dl", [("class", "facts")]) { html in
                    Self.fact(&html, "Citation") { html in html.text(regulation.citation) }
                    Self.fact(&html, "Limits") { html in
                        let limits = RequestKind.allCases.compactMap { kind in regulation.limits[kind].map { "\(kind.rawValue) requests \($0)" } }
                        html.text(limits.joined(separator: "; ") + ".")
                    }
                    let mine = proofs.filter { $0.policy == policy.id && $0.version == policy.effective && $0.regulation == regulation.id }
                        .sorted { $0.kind < $1.kind }
                    if !mine.isEmpty {
                        Self.fact(&html, "Closest clock") { html in
                            html.element("ul") { html in
                                for proof in mine {
                                    html.element("li") { html in
                                        html.text("\(proof.kind == .urgent ? "Urgent" : "Standard") requests: rule ")
                                        html.element("code", text: proof.rule)
                                        html.text(
                                            ", \(proof.clock), ends within \(proof.limit) for every receipt from \(proof.window.lowerBound) to \(proof.window.upperBound.adding(days: -1)), "
                                                + (proof.marginSeconds == 0 ? "with no time to spare." : "with at least \(ClockProof.words(seconds: proof.marginSeconds)) to spare."))
                                    }
                                }
                            }
                        }
                    }
                    if !regulation.uncertain.isEmpty {
                        Self.fact(&html, "Uncertain") { html in
                            html.element("ul") { html in
                                for note in regulation.uncertain {
                                    html.element("li") { html in html.element("mark", [("class", "uncertain")]) { html in Self.prose(note, into: &html) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private func versionsSection(_ position: Int, into html: inout HTMLWriter) {
        let current = versions[position]
        let siblings = versions.enumerated().filter { $0.element.loaded.id == current.loaded.id }
        html.element("section", [("id", "versions")]) { html in
            html.element("h2", text: "Versions")
            guard siblings.count > 1 else {
                html.element("p", text: "This is the only version of this policy in the book.")
                return
            }
            html.element("ul") { html in
                for (index, sibling) in siblings {
                    html.element("li") { html in
                        if index == position {
                            html.element("strong", text: Self.validity(sibling.loaded.policy))
                            html.text(" (this page)")
                        } else {
                            html.element("a", [("href", sibling.fileName)], text: Self.validity(sibling.loaded.policy))
                        }
                    }
                }
            }
            // Honest about what is not there yet: no comparison of two versions exists.
            let mine = siblings.firstIndex { $0.offset == position }!
            for (from, to) in [(mine - 1, mine), (mine, mine + 1)] where from >= 0 && to < siblings.count {
                let older = siblings[from].element.loaded.policy.effective
                let newer = siblings[to].element.loaded.policy.effective
                html.element("h3", text: "Changes from the version of \(older) to the version of \(newer)")
                html.element("p", [("class", "note")]) { html in
                    html.text("Not yet available: Precert cannot compare two versions of a policy yet (a ")
                    html.element("code", text: "precert diff")
                    html.text(" command does not exist yet). Compare the two pages side by side.")
                }
            }
        }
    }

    // MARK: - Shared pieces

    /// A reviewer note of one rule.
    struct Note {
        var decision: String
        var rule: String
        var text: String
    }

    /// Every reviewer note of a policy, decision by decision in rule order.
    func reviewerNotes(_ policy: CheckedPolicy) -> [Note] {
        policy.decisions.flatMap { decision in
            (decision.rules + (decision.defaultRule.map { [$0] } ?? [])).flatMap { rule in
                ReviewerNotes.notes(rule.because ?? "").map { Note(decision: decision.name, rule: rule.id, text: $0) }
            }
        }
    }

    /// A `because`, its reviewer notes marked.
    static func because(_ text: String, into html: inout HTMLWriter) {
        for run in ReviewerNotes.runs(text) {
            if run.isNote {
                html.element("mark", [("class", "uncertain")]) { html in prose(run.text, into: &html) }
            } else {
                prose(run.text, into: &html)
            }
        }
    }

    /// Text a policy's authors wrote for people: a word between backticks, as they write names
    /// (`` `referral.valid_until` ``), is set as code; everything is escaped.
    static func prose(_ text: String, into html: inout HTMLWriter) {
        let pieces = text.split(separator: "`", omittingEmptySubsequences: false)
        // An odd number of backticks leaves the text as it is.
        guard pieces.count > 2, pieces.count % 2 == 1 else {
            html.text(text)
            return
        }
        for (index, piece) in pieces.enumerated() {
            if index % 2 == 1 && !piece.isEmpty {
                html.element("code", text: String(piece))
            } else {
                html.text(String(piece))
            }
        }
    }

    /// A path that may break after each `/` (and nowhere else) when its column is narrow.
    static func breakable(_ path: String, into html: inout HTMLWriter) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            if index > 0 { html.empty("wbr") }
            html.element("span", text: String(part) + (index < parts.count - 1 ? "/" : ""))
        }
    }

    /// `from 2026-05-20, no end date` or `from 2026-01-01 until 2026-06-30`.
    static func validity(_ policy: CheckedPolicy) -> String {
        guard let expires = policy.expires else { return "in force from \(policy.effective), no end date" }
        return "in force from \(policy.effective) to \(expires.adding(days: -1))"
    }

    /// What the policy says it serves.
    static func scope(_ scope: PolicyScope) -> String {
        guard scope.isDeclared else { return "not stated" }
        let plans = scope.plans.isEmpty ? "no plan named" : "plans " + scope.plans.joined(separator: ", ")
        let states = scope.states.map { "states " + $0.joined(separator: ", ") } ?? "every state"
        return plans + "; " + states
    }

    /// The hit policy in words.
    static func hitWords(_ hit: HitPolicy) -> String {
        switch hit {
        case .first: "The first rule that matches decides: the rules are tried from the top, and the first whose condition holds gives the answer."
        case .all: "Every rule that matches adds its outcome: the answer is the list of all of them."
        case .unique: "Exactly one rule may match: the rules are meant not to overlap (precert check warns where two can match the same case)."
        }
    }

    /// One `<dt>`/`<dd>` pair.
    static func fact(_ html: inout HTMLWriter, _ term: String, _ body: (inout HTMLWriter) -> Void) {
        html.element("dt", text: term)
        html.element("dd", [], body)
    }

    /// The legend of the marks the pages use.
    static func legend(_ html: inout HTMLWriter) {
        html.element("aside", [("class", "legend")]) { html in
            html.element("strong", text: "How to read this book. ")
            html.element("mark", [("class", "uncertain")], text: "Highlighted text")
            html.text(" is a reading of the sources that a reviewer should confirm (where a rule's reason says \u{201C}Uncertain:\u{201D}, and what a regulation's file lists as uncertain). ")
            html.element("span", [("class", "badge untested")], text: "0 cases")
            html.text(" marks a rule that no test case reaches; ")
            html.element("span", [("class", "badge tested")], text: "3 cases")
            html.text(" says how many test cases reach a rule. ")
            html.element("code", text: "file:line")
            html.text(" is where a rule is written in the policy file, for the people who maintain it.")
        }
    }

    /// The `<!DOCTYPE>`, `<html>` and `<head>` with the inline style sheet.
    static func head(_ html: inout HTMLWriter, title: String) {
        html.raw("<!DOCTYPE html>\n")
        html.start("html", [("xmlns", "http://www.w3.org/1999/xhtml"), ("lang", "en"), ("xml:lang", "en")])
        html.raw("\n")
        html.element("head") { html in
            html.empty("meta", [("charset", "utf-8")])
            html.raw("\n")
            html.empty("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
            html.raw("\n")
            html.element("title", text: title)
            html.element("style") { html in html.raw(BookStyle.css) }
        }
    }

    private func footer(_ html: inout HTMLWriter, file: LoadedPolicy?) {
        html.element("footer") { html in
            html.text("Written by ")
            html.element("code", text: "precert doc")
            html.text(" (Precert \(PrecertEngine.version))")
            if let file {
                html.text(" from ")
                html.element("code", text: file.file)
                html.text(", sha256 ")
                html.element("code", [("class", "digest")], text: file.digest)
            }
            html.text("; policy set ")
            html.element("code", [("class", "digest")], text: setDigest)
            html.text(". The policy file is the authority: where this page and the file differ, the file decides.")
        }
    }

    /// `text` as the tail of an `id`: letters, digits, `-`, `_` and `.` kept, anything else `-`.
    static func anchorText(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": out.unicodeScalars.append(scalar)
            default: out += "-"
            }
        }
        return out
    }
}

/// The `id`s of one page: one per decision, rule, condition, code set and input, unique on the
/// page, made from the names in the order the policy declares them.
struct Anchors: Sendable {
    private var ids: [String: String] = [:]

    init(_ policy: CheckedPolicy) {
        var taken: Set<String> = ["notes", "sources", "conditions", "sets", "inputs", "tests", "regulations", "versions"]
        func claim(_ kind: String, _ name: String) {
            let stem = kind + "-" + PolicyBook.anchorText(name)
            var id = stem
            var suffix = 2
            while !taken.insert(id).inserted {
                id = "\(stem)-\(suffix)"
                suffix += 1
            }
            ids[kind + "\u{0}" + name] = id
        }
        for decision in policy.decisions {
            claim("decision", decision.name)
            for rule in decision.rules + (decision.defaultRule.map { [$0] } ?? []) {
                claim("rule", decision.name + "\u{0}" + rule.id)
            }
        }
        for condition in policy.conditions { claim("condition", condition.name) }
        for set in policy.syntax.sets { claim("set", set.name.value) }
        for input in policy.inputs { claim("input", input.path) }
    }

    private func id(_ kind: String, _ name: String) -> String { ids[kind + "\u{0}" + name] ?? kind }

    func decision(_ name: String) -> String { id("decision", name) }
    func rule(_ decision: String, _ rule: String) -> String { id("rule", decision + "\u{0}" + rule) }
    func condition(_ name: String) -> String { id("condition", name) }
    func codeSet(_ name: String) -> String { id("set", name) }
    func input(_ path: String) -> String { id("input", path) }
}

/// Writes conditions in plain words, with links to the names they use.
struct PageWords {
    let policy: CheckedPolicy
    let anchors: Anchors
    let printer: ExpressionPrinter

    init(policy: CheckedPolicy, anchors: Anchors) {
        self.policy = policy
        self.anchors = anchors
        printer = ExpressionPrinter(policy: policy)
    }

    /// A phrase: one statement inline; a group of two statements inline with "and"/"or"; larger
    /// groups, and groups of groups, as lists.
    func phrase(_ phrase: Phrase, into html: inout HTMLWriter) {
        switch phrase {
        case .words(let parts):
            self.parts(parts, into: &html)
        case .all(let items), .any(let items):
            let isAll: Bool = if case .all = phrase { true } else { false }
            if items.count <= 2 && items.allSatisfy(\.isStatement) {
                for (index, item) in items.enumerated() {
                    if index > 0 { html.element("span", [("class", "joiner")], text: isAll ? " and " : " or ") }
                    self.phrase(item, into: &html)
                }
                return
            }
            html.text(isAll ? "all of these hold:" : "at least one of these holds:")
            html.element("ul", [("class", isAll ? "all" : "any")]) { html in
                for item in items {
                    html.element("li") { html in self.phrase(item, into: &html) }
                }
            }
        case .not(let inner):
            html.text(inner.isStatement ? "not " : "it is not so that ")
            self.phrase(inner, into: &html)
        }
    }

    /// Words and names: a field as code linked to its row in the inputs table, a condition, code
    /// set or decision linked to its section, a value in the policy's own spelling.
    func parts(_ parts: [WordPart], into html: inout HTMLWriter) {
        for part in parts {
            switch part {
            case .text(let text):
                html.text(text)
            case .input(let path):
                html.element("a", [("class", "field"), ("href", "#" + anchors.input(path))]) { html in html.element("code", text: path) }
            case .value(let value):
                html.element("code", [("class", "value")], text: value)
            case .condition(let name):
                html.element("a", [("class", "condition"), ("href", "#" + anchors.condition(name))], text: name)
            case .codeSet(let name):
                html.element("a", [("class", "set"), ("href", "#" + anchors.codeSet(name))], text: name)
            case .decision(let name):
                html.element("a", [("class", "decision"), ("href", "#" + anchors.decision(name))], text: name)
            }
        }
    }
}
