import Foundation
import Testing

@testable import Precert

/// Sources a reader can open: every `sources` entry of the shipped policies, regulations,
/// calendars and case format is written `<document>: <the part of it the rule rests on>`; a
/// document that is a file of the repository exists; a rule cites only documents its policy's
/// own top-level `sources` lists; and docs/SOURCES.md describes every document cited.
@Suite("Sources")
struct SourcesTests {
    /// One `sources` entry and where it is written.
    struct Citation {
        var text: String
        var file: String
        var line: Int
        /// Whether it is an entry of the file's top-level `sources` (else a rule's or a default's).
        var topLevel: Bool

        /// The document: the words before the first `: ` (the whole text when there is none).
        var document: String {
            guard let colon = text.range(of: ": ") else { return text }
            return String(text[..<colon.lowerBound])
        }

        /// The part of the document cited: the words after the first `: `.
        var part: String? {
            guard let colon = text.range(of: ": ") else { return nil }
            return String(text[colon.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
    }

    /// Every `sources` entry of one YAML file, and whether the file is a policy (`precert:`).
    static func citations(yaml text: String, file: String) -> (citations: [Citation], isPolicy: Bool) {
        guard let root = YAMLLoader.load(text, file: file).root, case .mapping(let top) = root.content else { return ([], false) }
        var found: [Citation] = []
        func texts(_ node: YAMLNode, topLevel: Bool) {
            switch node.content {
            case .scalar(let value, _):
                found.append(Citation(text: value, file: file, line: node.range.start.line, topLevel: topLevel))
            case .sequence(let items):
                for item in items { texts(item, topLevel: topLevel) }
            case .mapping:
                break
            }
        }
        func walk(_ node: YAMLNode, depth: Int) {
            switch node.content {
            case .mapping(let pairs):
                for pair in pairs {
                    if case .scalar("sources", _) = pair.key.content {
                        texts(pair.value, topLevel: depth == 0)
                    } else {
                        walk(pair.value, depth: depth + 1)
                    }
                }
            case .sequence(let items):
                for item in items { walk(item, depth: depth + 1) }
            case .scalar:
                break
            }
        }
        walk(root, depth: 0)
        let isPolicy = top.contains { if case .scalar("precert", _) = $0.key.content { true } else { false } }
        return (found, isPolicy)
    }

    /// The path a citation starts with, when its first word looks like a file: it holds a `/` or
    /// ends in a file extension (`docs/CASE.md`, `seeds/000.txt`, `FACTS.md`).
    static func pathToken(_ text: String) -> String? {
        guard var first = text.split(separator: " ", maxSplits: 1).first.map(String.init) else { return nil }
        while let last = first.last, ":,;".contains(last) { first.removeLast() }
        let extensions = [".md", ".txt", ".yaml", ".yml", ".json", ".pdf", ".html"]
        guard first.contains("/") || extensions.contains(where: { first.lowercased().hasSuffix($0) }) else { return nil }
        // A web address is a document a reader opens in a browser, not a file of the repository.
        if first.contains("://") { return nil }
        return first
    }

    /// What is wrong with the citations of the files given (path relative to the repository, text):
    /// an entry not in the form `<document>: <part>`, a file cited that is not in the repository,
    /// a rule citing a document its policy's top-level `sources` does not list, and a document
    /// docs/SOURCES.md does not name.
    static func problems(files: [(path: String, text: String)], sourcesGuide: String, exists: (String) -> Bool) -> [String] {
        var problems: [String] = []
        for (path, text) in files {
            let (citations, isPolicy) = citations(yaml: text, file: path)
            let listed = Set(citations.filter(\.topLevel).map(\.document))
            for citation in citations {
                let at = "\(path):\(citation.line)"
                guard let part = citation.part, !part.isEmpty, !citation.document.isEmpty else {
                    problems.append("\(at): `\(citation.text)` is not written `<document>: <the part cited>`")
                    continue
                }
                if let file = pathToken(citation.text), !exists(file) {
                    problems.append("\(at): cites `\(file)`, which is not a file of the repository")
                }
                if isPolicy, !citation.topLevel, !listed.contains(citation.document) {
                    problems.append("\(at): a rule cites `\(citation.document)`, which the policy's top-level `sources` does not list")
                }
                if !sourcesGuide.contains(citation.document) {
                    problems.append("\(at): `\(citation.document)` is not in docs/SOURCES.md")
                }
            }
        }
        return problems
    }

    static let root = Fixtures.repositoryRoot

    /// The shipped policies, regulations, calendars and case format (not the test files).
    static func shippedFiles() throws -> [(path: String, text: String)] {
        let policies = root.appendingPathComponent("Policies")
        let names = try FileManager.default.subpathsOfDirectory(atPath: policies.path)
            .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }
            .sorted()
        return try names.map { name in
            ("Policies/\(name)", try String(contentsOf: policies.appendingPathComponent(name), encoding: .utf8))
        }
    }

    static func existsInRepository(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
    }

    static var guide: String {
        (try? String(contentsOf: root.appendingPathComponent("docs/SOURCES.md"), encoding: .utf8)) ?? ""
    }

    @Test("the shipped files cite documents a reader can open, each named as docs/SOURCES.md names it")
    func shippedSources() throws {
        let files = try Self.shippedFiles()
        #expect(files.contains { $0.path == "Policies/case-format.yaml" })
        #expect(files.contains { $0.path.hasPrefix("Policies/regulations/") })
        #expect(files.contains { $0.path.hasPrefix("Policies/calendars/") })
        let all = files.flatMap { Self.citations(yaml: $0.text, file: $0.path).citations }
        #expect(all.count > 100)
        #expect(!Self.guide.isEmpty, "docs/SOURCES.md is missing")
        let problems = Self.problems(files: files, sourcesGuide: Self.guide, exists: Self.existsInRepository)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("the files the shipped policies cite are in the repository: docs/PAYER-FACTS.md and docs/CASE.md")
    func citedFilesExist() throws {
        let cited = Set(try Self.shippedFiles().flatMap { Self.citations(yaml: $0.text, file: $0.path).citations }.compactMap { Self.pathToken($0.text) })
        #expect(cited == ["docs/PAYER-FACTS.md", "docs/CASE.md"])
        for path in cited { #expect(Self.existsInRepository(path), "\(path)") }
    }

    @Test("a missing file, a document the policy does not list, one docs/SOURCES.md lacks and a bare text are each found")
    func problemsAreFound() {
        let policy = """
            precert: 1
            policy: p/q
            sources:
              - "Listed manual, section 4 (undated): the whole section"
              - "domain/FACTS.md: Other payers"
            decisions:
              d:
                rules:
                  - id: a
                    sources: ["Listed manual, section 4 (undated): 4.2"]
                  - id: b
                    sources:
                      - "Unlisted letter (2026): its second paragraph"
                      - "seeds/000_22ba535081af9742.txt: therapy platform help page"
                default:
                  then: x
                  sources: ["a text with no document"]
            """
        let calendar = """
            precert-calendar: 1
            sources: ["Some law: section 1", "docs/CASE.md: the fields"]
            """
        let guide = "`Listed manual, section 4 (undated)` `domain/FACTS.md` `docs/CASE.md`"
        let problems = Self.problems(
            files: [("p.yaml", policy), ("c.yaml", calendar)], sourcesGuide: guide, exists: { $0 == "docs/CASE.md" })
        #expect(problems == [
            "p.yaml:5: cites `domain/FACTS.md`, which is not a file of the repository",
            "p.yaml:13: a rule cites `Unlisted letter (2026)`, which the policy's top-level `sources` does not list",
            "p.yaml:13: `Unlisted letter (2026)` is not in docs/SOURCES.md",
            "p.yaml:14: cites `seeds/000_22ba535081af9742.txt`, which is not a file of the repository",
            "p.yaml:14: a rule cites `seeds/000_22ba535081af9742.txt`, which the policy's top-level `sources` does not list",
            "p.yaml:14: `seeds/000_22ba535081af9742.txt` is not in docs/SOURCES.md",
            "p.yaml:17: `a text with no document` is not written `<document>: <the part cited>`",
            "c.yaml:2: `Some law` is not in docs/SOURCES.md",
        ])
    }
}
