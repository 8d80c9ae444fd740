/// Renders a decision for people reading a terminal (what `precert eval` prints by default).
///
/// The answer comes first, for someone who must tell a member what to do: the answers that matter
/// at a glance (the policy's labelled decisions, outcomes in its plain words, the due date in local
/// words), then numbered actions that stand on their own, then the documents the answer rests on.
/// The rule-level detail (rule ids, `because`, reviewer notes, file:line) is behind `why`.
public enum DecisionText {
    /// How the text is laid out.
    public struct Options: Sendable, Hashable {
        /// Add, after the summary, every rule that decided with its `because` and file:line, and
        /// each regulation's limit on the turnaround.
        public var why: Bool
        /// Add the path taken through each decision diagram (shown with the detail of `why`).
        public var explain: Bool
        /// The widest line, in columns; words longer than a line are not broken.
        public var width: Int
        /// Emphasis with ANSI escapes (bold headings, dim hints), for a terminal.
        public var color: Bool

        /// Options for a summary of at most `width` columns, without color.
        public init(why: Bool = false, explain: Bool = false, width: Int = 100, color: Bool = false) {
            self.why = why
            self.explain = explain
            self.width = max(40, width)
            self.color = color
        }
    }

    /// The decision as text laid out by `options`.
    public static func render(_ decision: CaseDecision, options: Options = Options()) -> String {
        var out = TextLayout(width: options.width, color: options.color)
        summary(decision, into: &out)
        if options.why || options.explain {
            out.blank()
            out.heading("Why")
            detail(decision, explain: options.explain, into: &out)
        } else {
            out.line("Rules, reasons and where they are written: add --why.", style: .dim)
        }
        return out.text
    }

    // MARK: Summary

    private static func summary(_ decision: CaseDecision, into out: inout TextLayout) {
        out.heading(decision.title.isEmpty ? decision.policyID : decision.title)
        let caseName = decision.caseID.map { "case \($0), " } ?? ""
        out.line("\(caseName)policy \(decision.policyID) effective \(decision.effective)", style: .dim)
        out.blank()

        // A policy's labelled decisions are its summary; one that labels none shows them all.
        let labelled = decision.decisions.contains { $0.label != nil }
        let rows = decision.decisions.compactMap { result -> (String, [String])? in
            guard !labelled || result.label != nil, let value = glance(result, decision.provenance.timeZone) else { return nil }
            return (result.label ?? result.name, value)
        }
        let labelWidth = (rows.map(\.0.count).max() ?? 0) + 2
        for (label, lines) in rows {
            for (index, value) in lines.enumerated() {
                out.row(index == 0 ? label : "", value, labelWidth: labelWidth)
            }
        }

        // What the case lacks comes first: until it is given, the policy's own steps may change.
        let unsettled = decision.decisions.filter { $0.status == .needsInformation && (!labelled || $0.label != nil) }
        var steps = decision.nextSteps
        if !unsettled.isEmpty {
            var missing: [String] = []
            for result in unsettled { for path in result.missing where !missing.contains(path) { missing.append(path) } }
            let fields = missing.map { "`\($0)`" }.joined(separator: ", ")
            steps.insert("Add \(fields) to the case and ask again: the answers above marked unknown depend on it.", at: 0)
        }
        if !steps.isEmpty {
            out.blank()
            out.heading("What to do")
            for (index, step) in steps.enumerated() {
                out.numbered(index + 1, step)
            }
        }

        let sources = citedSources(decision)
        if !sources.isEmpty {
            out.blank()
            out.labelled("Sources", sources.joined(separator: "; "))
        }
    }

    /// A decision's answer in a summary row, one or more lines; `nil` to leave the row out (the
    /// decision does not apply to the case).
    private static func glance(_ result: DecisionResult, _ zone: String) -> [String]? {
        switch result.status {
        case .decided:
            if let due = result.due {
                var lines = ["\(plainDue(due, zone: zone)) (\(result.outcomes.first ?? ""))"]
                for limit in result.regulatory where limit.binding {
                    lines.append("the law binds first: \(plainDue(limit.due, zone: zone)) (\(limit.limit), \(limit.citation))")
                }
                return lines
            }
            if result.isList { return [result.outcomeLabels.isEmpty ? "None" : result.outcomeLabels.joined(separator: ", ")] }
            return [result.outcomeLabels.first ?? ""]
        case .needsInformation:
            return ["Unknown until the case gives \(result.missing.map { "`\($0)`" }.joined(separator: ", "))"]
        case .notApplicable:
            return nil
        case .noMatch:
            return ["No answer: no rule of the policy fits this case"]
        }
    }

    /// The documents the rules that decided cite, each once, in the order the answers cite them.
    /// A source is written `<document>: <the part of it cited>` (docs/LANGUAGE.md, "Writing rules
    /// that cite their sources"); the part is left to `why`, and so is a closing remark in
    /// parentheses (a date, a section), to keep the line short.
    private static func citedSources(_ decision: CaseDecision) -> [String] {
        var seen: Set<String> = []
        var titles: [String] = []
        for result in decision.decisions where result.status == .decided {
            for rule in result.rules {
                for source in rule.sources {
                    let title = documentTitle(document(source) ?? source)
                    if seen.insert(title).inserted { titles.append(title) }
                }
            }
        }
        return titles
    }

    /// The document a source `<document>: <part>` cites; `nil` when it has no `: `.
    static func document(_ source: String) -> String? {
        guard let colon = source.range(of: ": ") else { return nil }
        let document = String(source[..<colon.lowerBound]).trimmingSpaces
        return document.isEmpty ? nil : document
    }

    /// `Kaiser provider manual, Review Services (Turnaround)` without the closing remark: the
    /// document's title, as a reader finds it.
    static func documentTitle(_ source: String) -> String {
        var title = source.trimmingSpaces
        if title.hasSuffix(")"), let open = title.range(of: " (", options: .backwards), open.lowerBound > title.startIndex {
            let remark = title[open.upperBound...]
            // Only a trailing remark; a title that is itself parenthesized keeps its words.
            if !remark.dropLast().contains("(") { title = String(title[..<open.lowerBound]) }
        }
        return title
    }

    /// A due instant in plain local words: `Wed, Jul 8, 2026, end of day, Pacific time`.
    static func plainDue(_ due: Timestamp, zone: String) -> String {
        let date = due.localDate
        let weekday = String(date.weekday.name.prefix(3)).capitalized
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let seconds = Int(due.epochSeconds + Int64(due.utcOffsetSeconds)) % 86_400
        let time: String
        if seconds == 86_399 {
            time = "end of day"
        } else {
            let hour = seconds / 3600, minute = seconds / 60 % 60
            let clockHour = hour % 12 == 0 ? 12 : hour % 12
            time = "\(clockHour):\(minute < 10 ? "0" : "")\(minute) \(hour < 12 ? "AM" : "PM")"
        }
        return "\(weekday), \(months[date.month - 1]) \(date.day), \(date.year), \(time), \(zoneWords(zone))"
    }

    /// `America/Los_Angeles` as people in the US say it: `Pacific time`; other zones by their id.
    static func zoneWords(_ zone: String) -> String {
        let names = [
            "America/New_York": "Eastern", "America/Detroit": "Eastern", "America/Chicago": "Central",
            "America/Denver": "Mountain", "America/Phoenix": "Arizona", "America/Los_Angeles": "Pacific",
            "America/Anchorage": "Alaska", "Pacific/Honolulu": "Hawaii", "America/Puerto_Rico": "Atlantic",
        ]
        return "\(names[zone] ?? zone) time"
    }

    // MARK: Why

    /// Every decision with its outcome words, due date, each regulation's limit, the rules that
    /// decided with their `because` and file:line, the outcomes' messages, and with `explain` the
    /// path through its diagram.
    private static func detail(_ decision: CaseDecision, explain: Bool, into out: inout TextLayout) {
        let width = (decision.decisions.map(\.name.count).max() ?? 0) + 2
        for result in decision.decisions {
            var lines: [(indent: Int, text: String)] = []
            switch result.status {
            case .decided:
                var answer = result.isList
                    ? (result.outcomes.isEmpty ? "(none)" : result.outcomes.joined(separator: ", "))
                    : result.outcomes.first ?? ""
                if let due = result.due { answer += ", due \(due.rfc3339)" }
                lines.append((0, answer))
                for limit in result.regulatory {
                    let binds = limit.binding ? ": binding, earlier than the payer's clock" : ""
                    lines.append((0, "\(limit.regulation) (\(limit.citation)) allows \(limit.limit), due \(limit.due.rfc3339)\(binds)"))
                }
                if !result.regulatory.isEmpty, !result.regulatory.contains(where: \.binding) {
                    lines.append((0, "the payer's clock binds: it ends no later than any of these"))
                }
                for rule in result.rules {
                    lines.append((0, "rule `\(rule.id)` at \(rule.location.fileAndLine)"))
                    if let because = rule.because { lines.append((2, "because: \(because)")) }
                    for source in rule.sources { lines.append((2, "source: \(source)")) }
                }
                for (outcome, message) in result.messages { lines.append((0, "\(outcome): \(message)")) }
            case .needsInformation:
                lines.append((0, "needs information: missing \(result.missing.joined(separator: ", ")); possible \(result.possible.joined(separator: ", "))"))
            case .notApplicable:
                lines.append((0, "not applicable"))
            case .noMatch:
                lines.append((0, "no rule matched (the policy has no default for this decision)"))
            }
            if explain, !result.trace.isEmpty {
                lines.append((0, "path: " + result.trace.map { "\($0.test) = \($0.value)" }.joined(separator: " -> ")))
            }
            for (index, line) in lines.enumerated() {
                out.row(index == 0 ? result.name : "", line.text, labelWidth: width, extraIndent: line.indent, bold: false)
            }
        }
    }
}

/// Lines of text no wider than a width: words wrapped with hanging indents, emphasis as ANSI
/// escapes when asked for (applied after wrapping, so they never count toward the width).
struct TextLayout {
    let width: Int
    let color: Bool
    private(set) var text = ""

    enum Style { case plain, bold, dim }

    init(width: Int, color: Bool) {
        self.width = width
        self.color = color
    }

    mutating func blank() { text += "\n" }

    mutating func line(_ words: String, style: Style = .plain) {
        for (index, piece) in Self.wrap(words, width: width - 2).enumerated() {
            text += (index == 0 ? "" : "  ") + styled(piece, style) + "\n"
        }
    }

    mutating func heading(_ words: String) { line(words, style: .bold) }

    /// `  label     value`, the value wrapped under itself, `extraIndent` further in. When the
    /// label column would leave the value too narrow a column, the label gets a line of its own
    /// and the value goes below it.
    mutating func row(_ label: String, _ value: String, labelWidth: Int, extraIndent: Int = 0, bold: Bool = true) {
        let narrow = width - (2 + labelWidth + extraIndent) < Self.narrowest
        if narrow, !label.isEmpty { text += "  " + styled(label, bold ? .bold : .plain) + "\n" }
        let indent = (narrow ? 4 : 2 + labelWidth) + extraIndent
        let padding = String(repeating: " ", count: max(1, labelWidth - label.count) + extraIndent)
        for (index, piece) in Self.wrap(value, width: width - indent).enumerated() {
            let lead = index == 0 && !narrow ? "  " + (label.isEmpty ? "" : styled(label, bold ? .bold : .plain)) + padding : String(repeating: " ", count: indent)
            text += lead + piece + "\n"
        }
    }

    /// The narrowest column words are wrapped to.
    static let narrowest = 24

    /// `  1. step`, wrapped under its first word.
    mutating func numbered(_ number: Int, _ step: String) {
        let mark = "  \(number). "
        let indent = String(repeating: " ", count: mark.count)
        for (index, piece) in Self.wrap(step, width: width - mark.count).enumerated() {
            text += (index == 0 ? styled(mark, .bold) : indent) + piece + "\n"
        }
    }

    /// `Heading  words`, the words wrapped under themselves.
    mutating func labelled(_ heading: String, _ words: String) {
        let indent = heading.count + 2
        for (index, piece) in Self.wrap(words, width: width - indent).enumerated() {
            text += (index == 0 ? styled(heading, .bold) + "  " : String(repeating: " ", count: indent)) + piece + "\n"
        }
    }

    private func styled(_ words: String, _ style: Style) -> String {
        guard color, !words.isEmpty else { return words }
        switch style {
        case .plain: return words
        case .bold: return "\u{1B}[1m\(words)\u{1B}[0m"
        case .dim: return "\u{1B}[2m\(words)\u{1B}[0m"
        }
    }

    /// Greedy word wrap to `width` columns (at least `narrowest`); a word longer than a line
    /// stands alone.
    static func wrap(_ words: String, width: Int) -> [String] {
        let width = max(narrowest, width)
        var lines: [String] = []
        var current = ""
        for word in words.split(separator: " ", omittingEmptySubsequences: true) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}
