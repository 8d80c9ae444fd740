import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import Precert

/// The books the tests read: the shipped policies, and the fixture under `Fixtures/book`.
enum BookFixtures {
    static let calendars = Fixtures.repositoryRoot.appendingPathComponent("Policies/calendars").path
    static let shipped = Fixtures.repositoryRoot.appendingPathComponent("Policies").path

    /// The set under `paths` loaded as `precert doc` loads it, and its test run.
    static func load(_ paths: [String]) -> (PolicyCatalog.LoadResult, PolicyTestRun) {
        let loaded = PolicyPipeline.load(paths: paths, settings: PolicyPipeline.Settings(compile: CompileOptions(analyze: false)))
        return (loaded, PolicyTestRunner.run(loaded: loaded))
    }

    /// The pages of the book of `paths`, diagrams shown as their source unless `diagram` draws them.
    static func pages(
        _ paths: [String], ids: [String]? = nil, diagram: (String) -> PolicyBook.Diagram = { _ in .notInstalled }
    ) throws -> [PolicyBook.Page] {
        let (loaded, tests) = load(paths)
        try #require(!loaded.hasErrors, "\(loaded.diagnostics.map(\.description))")
        return PolicyBook(loaded: loaded, tests: tests, policyIDs: ids).pages(diagram: diagram)
    }

    /// The fixture's pages: the index, then its two versions.
    static func fixture(diagram: (String) -> PolicyBook.Diagram = { _ in .notInstalled }) throws -> [PolicyBook.Page] {
        try pages([Fixtures.path("book"), calendars], diagram: diagram)
    }

    /// The page named `name`.
    static func page(_ pages: [PolicyBook.Page], _ name: String) throws -> PolicyBook.Page {
        try #require(pages.first { $0.name == name }, "no page \(name) among \(pages.map(\.name))")
    }
}

/// An element of a parsed page, for looking things up in tests.
final class XMLElement {
    let name: String
    let attributes: [String: String]
    var children: [XMLElement] = []
    /// The text directly inside, and the text of every descendant, in document order.
    var text = ""
    weak var parent: XMLElement?

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// Every element below this one, depth first, in document order.
    var descendants: [XMLElement] { children.flatMap { [$0] + $0.descendants } }

    /// The descendants named `name` (and with `class` containing `className`, when given).
    func all(_ name: String, class className: String? = nil) -> [XMLElement] {
        descendants.filter { element in
            element.name == name
                && (className.map { (element.attributes["class"] ?? "").split(separator: " ").contains(Substring($0)) } ?? true)
        }
    }

    /// The descendant with this `id`.
    func element(id: String) -> XMLElement? { descendants.first { $0.attributes["id"] == id } }

    /// The text with runs of white space made single spaces.
    var words: String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
}

/// Parses a page strictly as XML (Foundation's `XMLParser`: any error fails) into a tree.
final class StrictXHTML: NSObject, XMLParserDelegate {
    private var stack: [XMLElement] = []
    private(set) var root: XMLElement?
    private(set) var error: String?

    static func parse(_ text: String) throws -> XMLElement {
        let parser = XMLParser(data: Data(text.utf8))
        let delegate = StrictXHTML()
        parser.delegate = delegate
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        let line = parser.lineNumber
        guard ok, delegate.error == nil, let root = delegate.root else {
            throw ParseFailure(
                description: "not well-formed XML at line \(line): \(delegate.error ?? parser.parserError.map { "\($0)" } ?? "unknown")")
        }
        return root
    }

    struct ParseFailure: Error, CustomStringConvertible {
        var description: String
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let element = XMLElement(name: elementName, attributes: attributes)
        element.parent = stack.last
        stack.last?.children.append(element)
        if stack.isEmpty { root = element }
        stack.append(element)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for element in stack { element.text += string }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        error = error ?? "\(parseError)"
    }
}

@Suite("Policy book")
struct PolicyBookTests {
    /// Checks what every page must be: an XHTML5 document that XML parses strictly, that needs
    /// nothing from outside (no script, no link to a style sheet, font or image, no `src`).
    static func expectSelfContainedXHTML(_ page: PolicyBook.Page) throws -> XMLElement {
        #expect(page.text.hasPrefix("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\""), "\(page.name)")
        let root = try StrictXHTML.parse(page.text)
        #expect(root.name == "html")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/1999/xhtml")
        #expect(root.all("script").isEmpty, "\(page.name) has a script")
        #expect(root.all("link").isEmpty && root.all("img").isEmpty && root.all("iframe").isEmpty, "\(page.name) fetches something")
        #expect(root.descendants.allSatisfy { $0.attributes["src"] == nil }, "\(page.name) has a src attribute")
        for link in root.all("a") {
            let target = link.attributes["href"] ?? ""
            #expect(!target.contains("://") && !target.hasPrefix("//"), "\(page.name) links outside the book: \(target)")
        }
        return root
    }

    @Test("every page of the shipped policies' book is strict XHTML and self-contained, diagrams drawn or not")
    func shippedBookIsStrictXHTML() throws {
        let (loaded, tests) = BookFixtures.load([BookFixtures.shipped])
        try #require(!loaded.hasErrors)
        let book = PolicyBook(loaded: loaded, tests: tests)
        let graphviz = GraphvizRenderer.find()
        var drawn = 0
        for pages in [book.pages { _ in .notInstalled }, book.pages { dot in graphviz?.svg(dot: dot) ?? .notInstalled }] {
            #expect(pages.count == loaded.catalog.policies.count + 1)
            #expect(Set(pages.map(\.name)).count == pages.count)
            for page in pages {
                let root = try Self.expectSelfContainedXHTML(page)
                drawn += root.all("svg").count
            }
        }
        // With Graphviz installed, the diagrams are drawn inline (and were parsed with their pages).
        if graphviz != nil { #expect(drawn > 0) }
    }

    @Test("policy text is escaped: a `because` holding <script> and & shows as text")
    func escapesPolicyText() throws {
        let pages = try BookFixtures.fixture()
        let page = try BookFixtures.page(pages, "book_clinic_2026-01-01.html")
        #expect(!page.text.contains("<script"))
        #expect(!page.text.contains("<b>outpatient"))
        #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; that is that."))
        let root = try PolicyBookTests.expectSelfContainedXHTML(page)
        let row = try #require(root.element(id: "rule-authorization-in-house"))
        #expect(row.words.contains("In-house care needs no authorization <script>alert(1)</script> & that is that."))
        #expect(root.all("title").first?.text == "Book clinic <b>outpatient</b> & \"friends\" (from 2026-01-01)")
        #expect(root.all("h1").first?.text == "Book clinic <b>outpatient</b> & \"friends\"")
        #expect(root.element(id: "sources")?.words.contains("Clinic handbook <2026> & notes") == true)
        #expect(root.element(id: "input-provider.network")?.words.contains("Who the provider is <em>to</em> the clinic.") == true)
        let index = try PolicyBookTests.expectSelfContainedXHTML(try BookFixtures.page(pages, "index.html"))
        #expect(index.all("a").contains { $0.text == "Book clinic <b>outpatient</b> & \"friends\"" })
    }

    @Test("HTMLWriter escapes markup and replaces characters XML cannot hold")
    func escaping() throws {
        #expect(HTMLWriter.escape("a < b & c > \"d\" 'e'", attribute: false) == "a &lt; b &amp; c &gt; \"d\" 'e'")
        #expect(HTMLWriter.escape("\"d\" 'e'", attribute: true) == "&quot;d&quot; &#39;e&#39;")
        #expect(HTMLWriter.escape("bell\u{7}nul\u{0}\u{FFFE}", attribute: false) == "bell\u{FFFD}nul\u{FFFD}\u{FFFD}")
        var html = HTMLWriter()
        html.element("p", [("title", "x\"><script>")], text: "\u{1}<script>")
        let root = try StrictXHTML.parse(html.page)
        #expect(root.attributes["title"] == "x\"><script>")
        #expect(root.text == "\u{FFFD}<script>")
    }

    @Test("every rule of the Kaiser policy has its row: id, the condition in words, file:line, and its test cases")
    func kaiserRulesAppear() throws {
        let (loaded, tests) = BookFixtures.load([BookFixtures.shipped])
        let pages = PolicyBook(loaded: loaded, tests: tests, policyIDs: ["kaiser-norcal/behavioral-health"]).pages { _ in .notInstalled }
        #expect(pages.map(\.name) == ["index.html", "kaiser-norcal_behavioral-health_2026-05-20.html"])
        let root = try PolicyBookTests.expectSelfContainedXHTML(pages[1])
        let kaiser = try #require(loaded.catalog.policies.first { $0.id == "kaiser-norcal/behavioral-health" })
        let coverage = try #require(tests.coverage.first { $0.policyID == kaiser.id })
        var rows = 0
        for decision in kaiser.policy.decisions {
            let table = try #require(root.element(id: "decision-\(decision.name)")?.all("table", class: "rules").first)
            let ruleRows = table.all("tr").filter { $0.attributes["id"] != nil }
            let rules = decision.rules + (decision.defaultRule.map { [$0] } ?? [])
            #expect(ruleRows.map { $0.attributes["id"]! } == rules.map { "rule-\(decision.name)-\($0.id)" })
            for (row, rule) in zip(ruleRows, rules) {
                let cells = row.all("td")
                try #require(cells.count == 6)
                #expect(cells[1].all("code").first?.text == rule.id)
                #expect(cells[1].all("div", class: "where").first?.text == "kaiser-norcal/behavioral-health.yaml:\(rule.location.line)")
                let cases = try #require(coverage.entries.first { $0.decision == decision.name && $0.ruleID == rule.id }?.cases)
                #expect(cases > 0, "the shipped policies are fully covered")
                #expect(cells[5].words == (cases == 1 ? "1 case" : "\(cases) cases"))
                #expect(cells[5].all("span", class: "tested").count == 1)
                #expect(!cells[2].words.isEmpty && !cells[3].words.isEmpty)
                rows += 1
            }
        }
        #expect(rows == coverage.total)
        // A few rows in words.
        #expect(root.element(id: "rule-authorization-auth-kaiser-clinician")?.all("td")[2].words.hasPrefix("provider.network is payer") == true)
        #expect(root.element(id: "rule-authorization-auth-required")?.all("td")[2].words == "Otherwise: every case no rule above decided.")
        #expect(root.element(id: "rule-requirements-requires-member-id")?.all("td")[2].words == "Always.")
        #expect(
            root.element(id: "rule-parity_diagnosis-parity-yes")?.all("td")[2].words.hasPrefix(
                "at least one of service.icd10 is in the code set parity_diagnoses") == true)
        #expect(root.element(id: "decision-turnaround")?.words.contains("Only when auth_needed; otherwise the decision is not applicable.") == true)
        #expect(root.element(id: "decision-authorization")?.words.contains("The first rule that matches decides") == true)
        #expect(root.element(id: "decision-denial_risks")?.words.contains("Every rule that matches adds its outcome") == true)
        #expect(root.element(id: "condition-auth_needed")?.words.hasPrefix("auth_needed authorization is required or expired") == true)
        #expect(root.element(id: "set-parity_diagnoses")?.words == "parity_diagnoses F20* F25* F31* F32* F33* F41.0* F42* F84.0* F50.0* F50.2*")
    }

    @Test("the index lists the policies by payer, with versions, coverage and links to every page")
    func index() throws {
        let pages = try BookFixtures.pages([BookFixtures.shipped])
        let root = try PolicyBookTests.expectSelfContainedXHTML(pages[0])
        let payers = root.all("section").compactMap { $0.attributes["id"] }
        #expect(payers == ["payer-aetna", "payer-kaiser-norcal", "payer-medicare", "payer-optum-uhc", "payer-texas-medicaid"])
        let links = Set(root.all("a").compactMap { $0.attributes["href"] }.filter { !$0.contains("#") })
        #expect(links == Set(pages.dropFirst().map(\.name)))
        let kaiser = try #require(root.element(id: "payer-kaiser-norcal"))
        #expect(kaiser.words.contains("in force from 2026-05-20, no end date"))
        #expect(kaiser.words.contains("48 of 48 (100%)"))
    }

    @Test("reviewer notes: a sentence that starts with Uncertain: is marked, up to the end of its sentence")
    func reviewerNotes() throws {
        let runs = ReviewerNotes.runs(
            "Therapy needs it. Uncertain: the page does not say, e.g. for groups. (Knox-Keene allows more.) Then more.")
        #expect(runs == [
            .init(text: "Therapy needs it. ", isNote: false),
            .init(text: "Uncertain: the page does not say, e.g. for groups.", isNote: true),
            .init(text: " (Knox-Keene allows more.) Then more.", isNote: false),
        ])
        #expect(ReviewerNotes.notes("uncertain for now: lower case, at the start.") == ["uncertain for now: lower case, at the start."])
        #expect(ReviewerNotes.notes("A code such as `F33.1`. UNCERTAIN: codes need the dot, as in F33.1 and 1.5 days.")
            == ["UNCERTAIN: codes need the dot, as in F33.1 and 1.5 days."])
        #expect(ReviewerNotes.notes("Two.\nUncertain: one\nUncertain: two.") == ["Uncertain: one\nUncertain: two."])
        // Not after a sentence boundary, without the colon, or another word.
        #expect(ReviewerNotes.notes("It is Uncertain: not at a sentence start.").isEmpty)
        #expect(ReviewerNotes.notes("Outside care. UNCERTAIN - no colon.").isEmpty)
        #expect(ReviewerNotes.notes("Uncertainty: another word.").isEmpty)
        #expect(ReviewerNotes.runs("No note here.") == [.init(text: "No note here.", isNote: false)])

        let page = try BookFixtures.page(try BookFixtures.fixture(), "book_clinic_2026-01-01.html")
        let root = try PolicyBookTests.expectSelfContainedXHTML(page)
        let row = try #require(root.element(id: "rule-authorization-outside-therapy"))
        #expect(row.all("mark", class: "uncertain").map(\.words) == ["Uncertain: the handbook does not say whether group therapy counts."])
        #expect(row.words.contains("(Group therapy is rare.)"))
        #expect(root.element(id: "rule-risks-risk-outside")?.all("mark").isEmpty == true)
        let notes = try #require(root.element(id: "notes"))
        #expect(notes.all("li").map(\.words) == [
            "outside-therapy (authorization): Uncertain: the handbook does not say whether group therapy counts.",
            "standard (turnaround): uncertain for now: the handbook says three days.",
        ])
        // The legend explains the mark.
        #expect(root.all("aside", class: "legend").first?.all("mark", class: "uncertain").count == 1)
        // On the Kaiser page too.
        let kaiser = try PolicyBookTests.expectSelfContainedXHTML(
            try BookFixtures.page(try BookFixtures.pages([BookFixtures.shipped]), "kaiser-norcal_behavioral-health_2026-05-20.html"))
        #expect(
            kaiser.element(id: "rule-authorization-auth-kaiser-clinician")?.all("mark", class: "uncertain").first?.words
                == "Uncertain: the sources describe the in-house path but do not say in so many words that it needs no authorization.")
    }

    @Test("rules no test reaches are marked 0 cases, labels and messages stand beside outcome words")
    func coverageAndLabels() throws {
        let page = try BookFixtures.page(try BookFixtures.fixture(), "book_clinic_2026-01-01.html")
        let root = try PolicyBookTests.expectSelfContainedXHTML(page)
        func tests(_ id: String) -> String? { root.element(id: id)?.all("td").last?.words }
        #expect(tests("rule-authorization-in-house") == "1 case")
        #expect(tests("rule-authorization-default") == "0 cases")
        #expect(tests("rule-turnaround-urgent") == "0 cases")
        #expect(tests("rule-risks-risk-notes") == "0 cases")
        #expect(root.element(id: "rule-authorization-default")?.all("span", class: "untested").count == 1)
        #expect(root.element(id: "tests")?.words.contains("4 of 7 (57.1%)") == true)
        #expect(root.element(id: "tests")?.words.contains("3 test cases name this policy, in clinic.test.yaml: 3 passed") == true)
        #expect(root.element(id: "tests")?.words.contains("Not reached: default (authorization), urgent (turnaround), risk-notes (risks).") == true)

        let then = try #require(root.element(id: "rule-authorization-outside-therapy")?.all("td")[3])
        #expect(then.all("span", class: "outcome").first?.text == "Required")
        #expect(then.all("code").first?.text == "required")
        #expect(then.all("div", class: "message").first?.text == "Ask the clinic for an authorization.")
        #expect(root.element(id: "rule-authorization-outside-therapy")?.words.contains("Next step: Call the clinic about {provider.network} care.") == true)
        #expect(root.element(id: "rule-turnaround-standard")?.all("td")[3].words == "3 business days")
        #expect(root.element(id: "decision-turnaround")?.words.contains("Exactly one rule may match") == true)
        #expect(root.element(id: "rule-authorization-outside-therapy")?.all("td")[2].words.hasPrefix(
            "outside and at least one of service.cpt is in the code set therapy") == true)
        #expect(root.element(id: "rule-authorization-default")?.all("td")[2].words == "Otherwise: when no rule above matches (the decision's default).")
    }

    @Test("consecutive versions link to each other; their comparison says it is not yet available")
    func versions() throws {
        let pages = try BookFixtures.fixture()
        #expect(pages.map(\.name) == ["index.html", "book_clinic_2026-01-01.html", "book_clinic_2026-07-01.html"])
        let first = try PolicyBookTests.expectSelfContainedXHTML(pages[1])
        let second = try PolicyBookTests.expectSelfContainedXHTML(pages[2])
        #expect(first.element(id: "versions")?.all("a").compactMap { $0.attributes["href"] } == ["book_clinic_2026-07-01.html"])
        #expect(second.element(id: "versions")?.all("a").compactMap { $0.attributes["href"] } == ["book_clinic_2026-01-01.html"])
        for root in [first, second] {
            let section = try #require(root.element(id: "versions"))
            #expect(section.words.contains("Changes from the version of 2026-01-01 to the version of 2026-07-01"))
            #expect(section.words.contains("Not yet available"))
        }
        #expect(first.words.contains("in force from 2026-01-01 to 2026-06-30"))
        #expect(second.element(id: "rule-turnaround-urgent")?.all("td")[3].words == "48 hours")
    }

    @Test("without Graphviz a diagram is its DOT source with how to install Graphviz; Kaiser's largest decision is drawn")
    func diagramsWithoutGraphviz() throws {
        let pages = try BookFixtures.fixture()
        let root = try PolicyBookTests.expectSelfContainedXHTML(pages[1])
        let figure = try #require(root.element(id: "decision-authorization")?.all("figure").first)
        #expect(figure.words.contains("apt-get install graphviz"))
        #expect(figure.all("pre", class: "dot").first?.text.hasPrefix("digraph \"authorization\" {") == true)
        #expect(figure.all("svg").isEmpty)

        let failed = try BookFixtures.fixture { _ in .failed("Graphviz took longer than 20 seconds") }
        #expect(failed[1].text.contains("The diagram could not be drawn (Graphviz took longer than 20 seconds); its source follows."))

        let drawn = try BookFixtures.fixture { _ in .svg("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10pt\" height=\"10pt\"><g/></svg>") }
        let drawnRoot = try PolicyBookTests.expectSelfContainedXHTML(drawn[1])
        #expect(drawnRoot.all("svg").count == 3)
        #expect(drawnRoot.all("pre").isEmpty)

        let kaiser = try BookFixtures.pages([BookFixtures.shipped], ids: ["kaiser-norcal/behavioral-health"]) { _ in .svg("<svg/>") }
        let kaiserRoot = try PolicyBookTests.expectSelfContainedXHTML(kaiser[1])
        // Drawn one rule at a time (a cluster per rule), Kaiser's largest hit-`all` decision is
        // small enough for the page; it was 359 nodes when drawn as the product of its rules.
        let large = try #require(kaiserRoot.element(id: "decision-missing_requirements")?.all("figure").first)
        #expect(large.all("svg").count == 1)
        #expect(!large.words.contains("too many to read on a page"))
    }

    @Test("Graphviz's SVG embeds without its prolog, DOCTYPE and comments; SVG that could run is refused")
    func embeddableSVG() {
        let svg = """
            <?xml version="1.0" encoding="UTF-8" standalone="no"?>
            <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
             "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
            <!-- Generated by graphviz version 2.43.0 -->
            <!-- Title: authorization Pages: 1 -->
            <svg width="62pt" height="44pt" viewBox="0 0 62 44" xmlns="http://www.w3.org/2000/svg">
            <g id="graph0" class="graph"><title>authorization</title>
            <!-- n0 -->
            <text x="1" y="2">one &lt; two</text>
            </g>
            </svg>
            """
        #expect(GraphvizRenderer.embeddable(svg) == """
            <svg width="62pt" height="44pt" viewBox="0 0 62 44" xmlns="http://www.w3.org/2000/svg">
            <g id="graph0" class="graph"><title>authorization</title>
            <text x="1" y="2">one &lt; two</text>
            </g>
            </svg>
            """)
        #expect(GraphvizRenderer.embeddable("<svg><script>alert(1)</script></svg>") == nil)
        #expect(GraphvizRenderer.embeddable("<svg onload=\"alert(1)\"></svg>") == nil)
        #expect(GraphvizRenderer.embeddable("<svg><text>only words</text></svg>") == "<svg><text>only words</text></svg>")
        #expect(GraphvizRenderer.embeddable("no drawing") == nil)
    }

    @Test("a dot that takes too long is stopped, and the diagram falls back to its source")
    func graphvizTimeout() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("precert-fake-dot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let slow = folder.appendingPathComponent("dot")
        try "#!/bin/sh\nexec sleep 30\n".write(to: slow, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: slow.path)
        let renderer = try #require(GraphvizRenderer.find(path: folder.path, timeout: 0.5))
        let started = Date()
        #expect(renderer.svg(dot: "digraph x {}") == .failed("Graphviz took longer than 0.5 seconds"))
        #expect(Date().timeIntervalSince(started) < 10)

        let failing = folder.appendingPathComponent("failing")
        try FileManager.default.createDirectory(at: failing, withIntermediateDirectories: true)
        try "#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 1\n".write(
            to: failing.appendingPathComponent("dot"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: failing.appendingPathComponent("dot").path)
        let broken = try #require(GraphvizRenderer.find(path: failing.path))
        #expect(broken.svg(dot: "digraph x {}") == .failed("Graphviz failed: syntax error in line 1"))
        #expect(GraphvizRenderer.find(path: folder.appendingPathComponent("nowhere").path) == nil)
    }

    @Test("the same policies give the same bytes, written twice")
    func deterministic() throws {
        let graphviz = GraphvizRenderer.find()
        let first = try BookFixtures.pages([BookFixtures.shipped]) { graphviz?.svg(dot: $0) ?? .notInstalled }
        let second = try BookFixtures.pages([BookFixtures.shipped]) { graphviz?.svg(dot: $0) ?? .notInstalled }
        #expect(first == second)
        #expect(try BookFixtures.fixture() == BookFixtures.fixture())
    }

    @Test("page names come from the id and the effective date, stable and distinct")
    func fileNames() {
        let date = CivilDate(iso: "2026-05-20")!
        #expect(PolicyBook.fileNames([
            ("kaiser-norcal/behavioral-health", date), ("Kaiser-Norcal/Behavioral-Health", date), ("a b/c.d", date),
            ("a-b/c-d", date), ("index", date),
        ]) == [
            "kaiser-norcal_behavioral-health_2026-05-20.html", "kaiser-norcal_behavioral-health_2026-05-20-2.html",
            "a-b_c-d_2026-05-20.html", "a-b_c-d_2026-05-20-2.html", "index_2026-05-20.html",
        ])
    }

    @Test("conditions in plain words")
    func plainWords() throws {
        let text = """
            precert: 1
            policy: t/words
            payer: t
            title: words
            effective: 2026-01-01
            sources: [x]
            timezone: UTC
            calendar: us-federal
            inputs:
              n: {type: number}
              d: {type: date}
              e: {type: date}
              flag: {type: bool}
              codes: {type: list<code>}
              docs: {type: set<string>, default: []}
              kind: {enum: [a, b, c]}
              text: {type: string}
            sets:
              s: [X1, Y*]
            conditions:
              c: n > 3
            decisions:
              out:
                outcomes: [yes, no]
                hit: all
                rules:
                  - {id: r1, when: n >= 2 and n < 5, then: yes}
                  - {id: r2, when: d <= e + 1 year, then: yes}
                  - {id: r3, when: not (n == 1), then: yes}
                  - {id: r4, when: "kind in [a, b, c]", then: yes}
                  - {id: r5, when: "kind not in [a, b]", then: yes}
                  - {id: r6, when: '"x" in docs and "y" not in docs', then: yes}
                  - {id: r7, when: "all(codes, it in s) or len(codes) == 0", then: yes}
                  - {id: r8, when: not c and flag, then: yes}
                  - {id: r9, when: not flag or has(text) or len(text) > 2, then: yes}
                  - {id: r10, when: "any(codes, it == \\"X1\\" or it == \\"X2\\")", then: yes}
                  - {id: r11, when: not (c or flag), then: yes}
                  - {id: r12, when: d > e and (n < 1 or n > 9), then: yes}
            """
        let loaded = PolicyCatalog.load(files: [PolicyFile(path: "words.yaml", text: text)] + [
            PolicyFile(path: "us-federal.yaml", bytes: try Fixtures.bytes("../../../Policies/calendars/us-federal.yaml"))
        ])
        let policy = try #require(loaded.catalog.policies.first, "\(loaded.diagnostics.map(\.description))").policy
        let printer = ExpressionPrinter(policy: policy)
        let words = policy.decisions[0].rules.map { printer.words($0.when) }
        #expect(words == [
            "n is at least 2 and n is less than 5",
            "d is on or before 1 year after e",
            "n is not 1",
            "kind is one of a, b or c",
            "kind is neither a nor b",
            "docs includes \"x\" and docs does not include \"y\"",
            "every one of codes is in the code set s or codes is empty",
            "not c and flag is true",
            "flag is false or text is given or the number of characters in text is more than 2",
            "at least one item of codes is such that it is \"X1\" or it is \"X2\"",
            "not (c or flag is true)",
            "d is after e and (n is less than 1 or n is more than 9)",
        ])
        #expect(printer.words(policy.conditions[0].expression) == "n is more than 3")
    }
}
