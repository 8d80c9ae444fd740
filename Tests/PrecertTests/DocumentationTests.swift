import Foundation
import Testing

/// The Swift examples of docs/LIBRARY.md compile against the built library, so the guide cannot
/// drift from the API.
@Suite("Documentation")
struct DocumentationTests {
    /// What the examples take as given: a case's JSON, policy texts, a descriptor, a responder.
    static let prelude = """
        import Foundation
        import Precert

        let caseJSON = #"{"payer": "kaiser-norcal"}"#
        let calendarText = ""
        let policyText = ""
        let lines: [[UInt8]] = []
        let descriptor: Int32 = 0
        let output = FileHandle.standardOutput
        struct CatalogLoadFailed: Error {}
        func respond(status: Int, body: [UInt8]) {}

        """

    @Test("every swift block of docs/LIBRARY.md compiles")
    func libraryGuideCompiles() throws {
        let guide = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/LIBRARY.md"), encoding: .utf8)
        let blocks = Self.swiftBlocks(guide)
        #expect(blocks.count >= 8)
        var source = Self.prelude
        for (index, block) in blocks.enumerated() {
            // Each block is the body of a function of its own, given a catalog as most examples are.
            source += "\nfunc example\(index)(catalog: PolicyCatalog) throws {\n\(block.code)\n}\n"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("precert-guide-\(UUID().uuidString).swift")
        try source.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let toolchain = try Toolchain()
        let result = try toolchain.run(
            toolchain.swiftc,
            ["-typecheck", "-swift-version", "6", "-I", toolchain.modules.path,
             "-I", Fixtures.repositoryRoot.appendingPathComponent("Sources/CYAML").path, file.path])
        #expect(result.status == 0, "docs/LIBRARY.md does not compile:\n\(Self.explain(result.output, blocks: blocks, prelude: Self.prelude))")
    }

    /// The ```swift blocks of a Markdown text, with the line each starts on.
    static func swiftBlocks(_ text: String) -> [(line: Int, code: String)] {
        var blocks: [(line: Int, code: String)] = []
        var current: [Substring]?
        var start = 0
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if current == nil, line == "```swift" {
                current = []
                start = number + 2
            } else if current != nil, line == "```" {
                blocks.append((start, current!.joined(separator: "\n")))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// Compiler errors with the guide's line numbers instead of the generated file's.
    static func explain(_ output: String, blocks: [(line: Int, code: String)], prelude: String) -> String {
        var firstLine: [Int] = []
        var line = prelude.split(separator: "\n", omittingEmptySubsequences: false).count
        for block in blocks {
            line += 1  // the blank line before the function
            firstLine.append(line + 1)
            line += block.code.split(separator: "\n", omittingEmptySubsequences: false).count + 2
        }
        return output.split(separator: "\n").filter { $0.contains("error:") }.map { error -> String in
            let parts = error.split(separator: ":")
            guard parts.count > 2, let generated = Int(parts[1]) else { return String(error) }
            guard let index = firstLine.lastIndex(where: { $0 <= generated }) else { return String(error) }
            let guideLine = blocks[index].line + generated - firstLine[index]
            return "docs/LIBRARY.md:\(guideLine): " + parts.dropFirst(3).joined(separator: ":")
        }.joined(separator: "\n")
    }
}
