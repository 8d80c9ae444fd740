import Foundation
import Testing

@testable import Precert

/// `Examples/README.md` is a walk-through: each `$ precert eval ARGS` command in it is followed by
/// the output the command prints. These tests run every such command again through the library,
/// the way `Sources/PrecertCLI/Eval.swift` does, and require the README's output to be
/// byte-identical to what the code prints today.
///
/// The CLI is run from the repository root with the default `--policies Policies`, so the rule
/// citations and `source` entries it prints start with `Policies/...`. The tests load the catalog
/// by its absolute path (the working directory of a test run is not the repository root, and
/// changing it would affect other suites running in parallel) and rewrite that absolute prefix to
/// the relative one the CLI prints.
enum Walkthrough {
    /// The repository root: three levels up from this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let readmePath = "Examples/README.md"

    /// The shipped policies, loaded once.
    static let loaded: PolicyCatalog.LoadResult = PolicyCatalog.load(paths: [root.appendingPathComponent("Policies").path])

    /// What the CLI prints instead of the absolute policy paths the tests load.
    static func asPrintedFromRoot(_ text: String) -> String {
        text.replacingOccurrences(of: root.appendingPathComponent("Policies").path + "/", with: "Policies/")
    }

    /// One `$ precert eval ...` command of the README and the output block below it.
    struct Command: Sendable, CustomTestStringConvertible {
        enum Mode: Sendable, Equatable {
            case text(explain: Bool, why: Bool)
            case json(explain: Bool)
            case jsonl(explain: Bool)
        }

        /// The command line as written, without the `$ `.
        var commandLine: String
        /// The 1-based README line of the command.
        var line: Int
        /// The case file (or JSON Lines file), relative to the repository root.
        var file: String
        var mode: Mode
        /// The info string of the output block (`text`, `json`, `jsonl`).
        var outputLanguage: String
        /// The output block's text, each line ending with a newline.
        var output: String
        /// The 1-based README line of the output block's first line.
        var outputLine: Int

        var testDescription: String { "\(Walkthrough.readmePath):\(line): \(commandLine)" }
    }

    /// A fenced code block of the README.
    struct Block {
        var info: String
        /// 1-based line of the opening fence.
        var openLine: Int
        /// 1-based line of the closing fence.
        var closeLine: Int
        var body: [String]
    }

    /// The README's lines, or nil when it cannot be read.
    static let readmeLines: [String]? = {
        guard let data = try? Data(contentsOf: root.appendingPathComponent(readmePath)) else { return nil }
        var lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }()

    /// Every fenced block of the README, in order (an unclosed block is an error).
    static func fencedBlocks(_ lines: [String]) -> (blocks: [Block], problems: [String]) {
        var blocks: [Block] = []
        var problems: [String] = []
        var open: (info: String, line: Int, body: [String])?
        for (index, line) in lines.enumerated() {
            if var current = open {
                if line.trimmingCharacters(in: .whitespaces) == "```" {
                    blocks.append(Block(info: current.info, openLine: current.line, closeLine: index + 1, body: current.body))
                    open = nil
                } else {
                    current.body.append(line)
                    open = current
                }
            } else if line.hasPrefix("```") {
                open = (String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), index + 1, [])
            }
        }
        if let open { problems.append("\(readmePath):\(open.line): code block is never closed") }
        return (blocks, problems)
    }

    /// The README's commands with their outputs, and every way the README breaks the format.
    static let parsed: (commands: [Command], problems: [String]) = {
        guard let lines = readmeLines else { return ([], ["cannot read \(readmePath)"]) }
        let (blocks, blockProblems) = fencedBlocks(lines)
        var problems = blockProblems
        var commands: [Command] = []
        var index = 0
        while index < blocks.count {
            let block = blocks[index]
            index += 1
            let prompts = block.body.filter { $0.hasPrefix("$ ") }
            guard !prompts.isEmpty else { continue }
            let at = "\(readmePath):\(block.openLine + 1)"
            guard block.body.count == 1, let commandLine = prompts.first.map({ String($0.dropFirst(2)) }) else {
                problems.append("\(at): a command block holds exactly one `$ precert eval ...` line")
                continue
            }
            let words = commandLine.split(separator: " ").map(String.init)
            guard words.count >= 2, words[0] == "precert", words[1] == "eval" else {
                problems.append("\(at): only `$ precert eval ...` commands are checked, not `\(commandLine)`")
                continue
            }
            var file: String?
            var explain = false
            var why = false
            var jsonl = false
            var format = "text"
            var rest = words.dropFirst(2).makeIterator()
            var argumentsOK = true
            while let word = rest.next() {
                switch word {
                case "--explain": explain = true
                case "--why": why = true
                case "--jsonl": jsonl = true
                case "--format":
                    guard let value = rest.next(), value == "text" || value == "json" else {
                        problems.append("\(at): `--format` takes `text` or `json`")
                        argumentsOK = false
                        continue
                    }
                    format = value
                default:
                    if word.hasPrefix("-") || file != nil {
                        problems.append("\(at): the walk-through test does not know the argument `\(word)`")
                        argumentsOK = false
                    } else {
                        file = word
                    }
                }
            }
            guard argumentsOK, let file else {
                if argumentsOK { problems.append("\(at): the command names no case file") }
                continue
            }
            guard index < blocks.count else {
                problems.append("\(at): the command has no output block below it")
                continue
            }
            let output = blocks[index]
            index += 1
            let between = lines[block.closeLine..<(output.openLine - 1)]
            if between.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                problems.append("\(at): the output block must come right below the command, with only a blank line between")
            }
            let mode: Command.Mode = jsonl ? .jsonl(explain: explain) : format == "json" ? .json(explain: explain) : .text(explain: explain, why: why)
            let language = jsonl ? "jsonl" : format
            if output.info != language {
                problems.append("\(readmePath):\(output.openLine): the output of `\(commandLine)` belongs in a ```\(language) block, not ```\(output.info)")
            }
            commands.append(
                Command(
                    commandLine: commandLine, line: block.openLine + 1, file: file, mode: mode, outputLanguage: output.info,
                    output: output.body.map { $0 + "\n" }.joined(), outputLine: output.openLine + 1))
        }
        return (commands, problems)
    }()

    /// Where `expected` (the README) and `actual` (the code) first differ, for a readable failure.
    static func firstDifference(expected: String, actual: String, firstLine: Int) -> String? {
        guard expected != actual else { return nil }
        let want = expected.components(separatedBy: "\n")
        let got = actual.components(separatedBy: "\n")
        for index in 0..<max(want.count, got.count) {
            let a = index < want.count ? want[index] : "<end of block>"
            let b = index < got.count ? got[index] : "<end of output>"
            if a != b {
                return """
                    \(readmePath):\(firstLine + index): the README shows
                      \(a.debugDescription)
                    but the code prints
                      \(b.debugDescription)
                    Today's whole output:
                    \(actual)
                    """
            }
        }
        return "\(readmePath):\(firstLine): the outputs differ (line endings or trailing whitespace)"
    }
}

@Suite("Examples walk-through")
struct ExamplesWalkthroughTests {
    @Test("the README parses: every command has its output block right below it")
    func readmeParses() {
        #expect(Walkthrough.readmeLines != nil, "cannot read \(Walkthrough.readmePath)")
        #expect(Walkthrough.parsed.problems == [])
        #expect(Walkthrough.parsed.commands.count >= 10)
    }

    @Test("the shipped policies load without errors")
    func policiesLoad() {
        let errors = Walkthrough.loaded.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map { "\($0.location?.fileAndLine ?? "") \($0.message)" })")
    }

    @Test("every example file is walked through in the README")
    func everyExampleIsShown() throws {
        let folder = Walkthrough.root.appendingPathComponent("Examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") }
            .sorted()
        #expect(names.filter { $0.hasSuffix(".json") }.count >= 10)
        let shown = Set(Walkthrough.parsed.commands.map(\.file))
        for name in names {
            #expect(shown.contains("Examples/\(name)"), "Examples/\(name) has no `$ precert eval Examples/\(name)` in the README")
        }
        var caseIDs: [String: String] = [:]
        for name in names where name.hasSuffix(".json") {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "Examples/\(name)")
            let id = try #require(object["case_id"] as? String, "Examples/\(name) has no case_id")
            #expect(caseIDs[id] == nil, "Examples/\(name) repeats the case_id `\(id)` of Examples/\(caseIDs[id] ?? "")")
            caseIDs[id] = name
        }
    }

    @Test("each command's output in the README is what the code prints today", arguments: Walkthrough.parsed.commands)
    func outputMatches(_ command: Walkthrough.Command) throws {
        let catalog = Walkthrough.loaded.catalog
        let bytes = Array(try Data(contentsOf: Walkthrough.root.appendingPathComponent(command.file)))
        switch command.mode {
        case .text(let explain, _), .json(let explain):
            let decision: CaseDecision
            switch catalog.evaluate(bytes, options: EvaluationOptions(explain: explain, file: command.file)) {
            case .success(let value): decision = value
            case .failure(let errors):
                Issue.record("\(command.file) does not evaluate: \(errors.diagnostics.map(\.message))")
                return
            }
            let printed: String
            if case .json = command.mode {
                printed = String(decoding: DecisionEncoder.encode(decision, style: .pretty) + [UInt8(ascii: "\n")], as: UTF8.self)
            } else {
                guard case .text(_, let why) = command.mode else { return }
                printed = DecisionText.render(decision, options: .init(why: why, explain: explain))
            }
            let actual = Walkthrough.asPrintedFromRoot(printed)
            let difference = Walkthrough.firstDifference(expected: command.output, actual: actual, firstLine: command.outputLine)
            #expect(difference == nil, "\(difference ?? "")")
        case .jsonl(let explain):
            // Through the evaluator `precert eval --jsonl` runs, byte for byte.
            let (output, failed) = try evaluateJSONLines(bytes, catalogs: [catalog], explain: explain)
            let shown = command.output.components(separatedBy: "\n").dropLast()
            let printed = Walkthrough.asPrintedFromRoot(output).components(separatedBy: "\n").dropLast()
            for (index, (expected, actual)) in zip(shown, printed).enumerated() {
                let difference = Walkthrough.firstDifference(expected: expected, actual: actual, firstLine: command.outputLine + index)
                #expect(difference == nil, "\(difference ?? "")")
            }
            #expect(shown.count == printed.count, "the README shows \(shown.count) output lines; the code prints \(printed.count)")
            // The walk-through's JSON Lines example shows a bad line and says the command exits with 1.
            #expect(failed, "\(command.file) has no bad line, so the command would exit with 0")
        }
    }
}
