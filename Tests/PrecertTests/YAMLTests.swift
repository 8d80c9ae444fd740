import Foundation
import Testing

@testable import Precert

@Suite("YAML front end")
struct YAMLTests {
    private func load(_ text: String, limits: YAMLLimits = .default) -> YAMLLoadResult {
        YAMLLoader.load(text, file: "t.yaml", limits: limits)
    }

    @Test("scalars keep their style and text; yes/no/on/off stay text")
    func scalarStyles() throws {
        let result = load(
            """
            plain: yes
            single: 'no'
            double: "on"
            literal: |
              line one
              line two
            folded: >
              a
              b
            empty:
            """)
        #expect(result.diagnostics.isEmpty)
        let root = try #require(result.root)
        #expect(root["plain"]?.scalar == "yes")
        #expect(root["plain"]?.scalarStyle == .plain)
        #expect(root["single"]?.scalarStyle == .singleQuoted)
        #expect(root["double"]?.scalar == "on")
        #expect(root["double"]?.scalarStyle == .doubleQuoted)
        #expect(root["literal"]?.scalar == "line one\nline two\n")
        #expect(root["literal"]?.scalarStyle == .literal)
        #expect(root["folded"]?.scalar == "a b\n")
        #expect(root["folded"]?.scalarStyle == .folded)
        #expect(root["empty"]?.isNull == true)
        #expect(root["single"]?.isNull == false)
    }

    @Test("mappings keep key order and nodes carry 1-based start and end positions")
    func locations() throws {
        let result = load("b: 1\na:\n  - x\n  - [y, z]\n")
        let root = try #require(result.root)
        let pairs = try #require(root.mapping)
        #expect(pairs.map { $0.key.scalar } == ["b", "a"])
        let items = try #require(root["a"]?.sequence)
        #expect(items[0].location == SourceLocation(file: "t.yaml", line: 3, column: 5))
        #expect(items[1].range.start.column == 5)
        #expect(items[1].range.end == SourceLocation(file: "t.yaml", line: 4, column: 11))
        #expect(items[1].sequence?[1].location.column == 9)
    }

    @Test("a duplicate key is an error at the second key with a note at the first")
    func duplicateKey() throws {
        let result = YAMLLoader.load(
            try Fixtures.bytes("yaml-errors/duplicate-key.yaml"), file: "duplicate-key.yaml")
        let diagnostic = try #require(result.diagnostics.first)
        #expect(result.diagnostics.count == 1)
        #expect(diagnostic.id == "yaml.duplicate-key")
        #expect(diagnostic.message == "duplicate key `policy`")
        #expect(position(diagnostic) == "4:1")
        #expect(diagnostic.notes.first?.range?.start.line == 2)
        #expect(diagnostic.notes.first?.message == "`policy` first appears here")
    }

    /// Each malformed fixture, with the id, position and message it must produce.
    static let malformed: [(file: String, id: String, position: String, message: String)] = [
        ("two-documents.yaml", "yaml.multiple-documents", "2:1",
         "a policy file holds one YAML document, but a second one starts here"),
        ("tab-indent.yaml", "yaml.syntax", "3:1", "tab character in indentation"),
        ("unclosed-quote.yaml", "yaml.syntax", "2:8", "unclosed quote: this string is never closed"),
        ("bad-indentation.yaml", "yaml.syntax", "4:3",
         "bad indentation: this line does not line up with the keys above it"),
        ("missing-colon.yaml", "yaml.syntax", "2:1", "missing `:` after a key"),
        ("missing-space.yaml", "yaml.syntax", "4:5", "a space is missing after the colon in `then:required`"),
        ("custom-tag.yaml", "yaml.unsupported-tag", "2:8", "unsupported tag `!python/object`"),
        ("not-utf8.yaml", "yaml.invalid-utf8", "2:11", "the file is not valid UTF-8"),
        ("alias-bomb.yaml", "yaml.anchor", "1:4", "anchor `&a` is not allowed: Precert does not read YAML anchors"),
        ("anchor-in-text.yaml", "yaml.anchor", "3:12", "anchor `&an` is not allowed: Precert does not read YAML anchors"),
        ("alias.yaml", "yaml.alias", "2:8", "alias `*b` is not allowed: Precert does not read YAML aliases"),
        ("merge-key.yaml", "yaml.merge-key", "3:3", "merge key `<<` is not allowed: Precert does not read YAML merge keys"),
        ("too-deep.yaml", "yaml.too-deep", "1:67", "nesting is deeper than the limit of 64 levels"),
    ]

    @Test("each malformed file gives its diagnostic at the exact place", arguments: malformed)
    func malformedFile(_ expected: (file: String, id: String, position: String, message: String)) throws {
        let bytes = try Fixtures.bytes("yaml-errors/\(expected.file)")
        let result = YAMLLoader.load(bytes, file: expected.file)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.id.code == expected.id)
        #expect(position(diagnostic) == expected.position)
        #expect(diagnostic.message == expected.message)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.location?.file == expected.file)
    }

    @Test("anchors and aliases are refused, and the file is not read")
    func anchorsRefused() throws {
        let result = load("base: &b [a, b]\ncopy: *b\n")
        #expect(result.diagnostics.map(\.id.code) == ["yaml.anchor"])
        #expect(position(result.diagnostics.first) == "1:7")
        #expect(result.root == nil)
        let alias = load("a: *nowhere\n")
        #expect(alias.diagnostics.map(\.id.code) == ["yaml.alias"])
        #expect(position(alias.diagnostics.first) == "1:4")
    }

    @Test("quoted `&`, `*` and `<<` are plain text")
    func quotedMarkersAreText() throws {
        let result = load("a: \"&an:chor Members\"\nb: '*x'\nc: {\"<<\": 1}\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.root?["a"]?.scalar == "&an:chor Members")
        #expect(result.root?["b"]?.scalar == "*x")
        #expect(result.root?["c"]?["<<"]?.scalar == "1")
    }

    @Test("a 100,000-deep nesting and a billion-laughs file stop at their limits, not in recursion")
    func hostileInputsStop() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(load(deep).diagnostics.first?.id == "yaml.too-deep")
        let deepBlock = (0..<200).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
        #expect(load(deepBlock).diagnostics.first?.id == "yaml.too-deep")
        var laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
            laughs += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        #expect(load(laughs).diagnostics.map(\.id.code) == ["yaml.anchor"])
    }

    @Test("limits are configurable")
    func configurableLimits() {
        let nested = "a:\n  b:\n    c: 1\n"
        #expect(load(nested, limits: YAMLLimits(maxDepth: 2)).diagnostics.first?.id == "yaml.too-deep")
        #expect(load(nested, limits: YAMLLimits(maxDepth: 3)).diagnostics.isEmpty)
        let big = load(nested, limits: YAMLLimits(maxBytes: 4))
        #expect(big.diagnostics.first?.id == "yaml.file-too-large")
        #expect(big.diagnostics.first?.message == "file is 17 bytes, over the limit of 4 bytes")
    }

    @Test("core-schema tags are accepted")
    func coreTags() {
        let result = load("a: !!str 12\nb: !!int 3\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.root?["a"]?.tag == "tag:yaml.org,2002:str")
    }

    @Test("a non-scalar mapping key is rejected")
    func complexKey() {
        let result = load("? [a, b]\n: 1\n")
        #expect(result.diagnostics.first?.id == "yaml.complex-key")
        #expect(position(result.diagnostics.first) == "1:3")
    }

    @Test("control characters are reported at their place")
    func controlCharacter() {
        let result = load("a: b\u{7}c\n")
        #expect(result.diagnostics.first?.id == "yaml.syntax")
        #expect(position(result.diagnostics.first) == "1:5")
    }
}
