/// Builds one XHTML5 page as text: every element closed, every attribute quoted, every piece of
/// text escaped, so that the page is well-formed XML as well as HTML.
///
/// Text from a policy is untrusted (a `because` may hold `<script>`): it only ever goes in
/// through `text(_:)` or an attribute, which escape it. `raw(_:)` is for the book's own markup
/// (its style sheet, a diagram Graphviz drew), never for policy text.
struct HTMLWriter {
    /// The page so far.
    private(set) var output = ""
    /// The elements open, innermost last.
    private var open: [String] = []

    /// Elements after whose end tag a line break keeps the page's source readable.
    private static let blocks: Set<String> = [
        "html", "head", "body", "main", "header", "footer", "nav", "section", "div", "p", "h1", "h2", "h3", "h4",
        "table", "thead", "tbody", "tr", "td", "th", "ul", "ol", "li", "dl", "dt", "dd", "figure", "pre", "style", "title", "aside",
        "details", "summary", "figcaption", "blockquote",
    ]

    /// Starts an element; `end()` closes it.
    mutating func start(_ tag: String, _ attributes: [(String, String)] = []) {
        output += "<" + tag
        for (name, value) in attributes {
            output += " " + name + "=\"" + Self.escape(value, attribute: true) + "\""
        }
        output += ">"
        open.append(tag)
    }

    /// Closes the innermost open element.
    mutating func end() {
        let tag = open.removeLast()
        output += "</" + tag + ">"
        if Self.blocks.contains(tag) { output += "\n" }
    }

    /// An element around whatever `body` writes.
    mutating func element(_ tag: String, _ attributes: [(String, String)] = [], _ body: (inout HTMLWriter) -> Void) {
        start(tag, attributes)
        body(&self)
        end()
    }

    /// An element holding only text.
    mutating func element(_ tag: String, _ attributes: [(String, String)] = [], text: String) {
        start(tag, attributes)
        self.text(text)
        end()
    }

    /// An element that has no content and no end tag in HTML (`meta`, `br`), written `<meta …/>`.
    mutating func empty(_ tag: String, _ attributes: [(String, String)] = []) {
        output += "<" + tag
        for (name, value) in attributes {
            output += " " + name + "=\"" + Self.escape(value, attribute: true) + "\""
        }
        output += "/>"
    }

    /// Text, escaped.
    mutating func text(_ text: String) {
        output += Self.escape(text, attribute: false)
    }

    /// Markup the book itself made (its style sheet, a diagram Graphviz drew). Never policy text.
    mutating func raw(_ markup: String) {
        output += markup
    }

    /// The finished page; every element must have been closed.
    var page: String {
        precondition(open.isEmpty, "unclosed elements: \(open)")
        return output
    }

    /// `text` safe in XHTML content or in a double-quoted attribute: `&`, `<`, `>`, `"` and `'`
    /// become references, and characters XML does not allow at all (control characters other
    /// than tab and line breaks, U+FFFE, U+FFFF) become U+FFFD, so a page always parses.
    static func escape(_ text: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&#39;"
            case "\t", "\n":
                out.unicodeScalars.append(scalar)
            case "\r":
                // In content a parser folds a carriage return into the line break after it anyway.
                if attribute { out += "&#13;" }
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF || (0x7F...0x9F).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
