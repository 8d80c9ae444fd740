/// Writes a decision's drawing (`DecisionDrawing`) as Graphviz DOT, so people can look at it.
///
/// Every piece of policy text is written as an escaped DOT string, and ids are the drawing's own
/// (letters, digits, `_`), so no policy can change the graph's structure or Graphviz's settings.
/// The output depends only on the policy: the same bytes on every run.
package enum GraphvizExport {
    /// The DOT text of decision `index`, or `nil` when its diagram is too large to draw.
    package static func dot(_ policy: CheckedPolicy, decision index: Int, options: CompileOptions = CompileOptions()) -> String? {
        DecisionDrawing(policy, decision: index, options: options).map(dot)
    }

    /// The DOT text of a drawing. A drawing of frames (one per rule of a hit-`all` decision)
    /// runs left to right, so the frames stack from top to bottom and the picture grows down,
    /// not sideways, with the number of rules; a single diagram runs top to bottom.
    package static func dot(_ drawing: DecisionDrawing) -> String {
        let direction = drawing.clusters.isEmpty ? "TB" : "LR"
        var lines = [
            "digraph \(quoted(drawing.name)) {",
            "  graph [label=\(quoted(drawing.title)), labelloc=t, labeljust=l, fontname=\"Helvetica\", fontsize=13, "
                + "rankdir=\(direction), nodesep=0.2, ranksep=0.3];",
            "  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=rounded, margin=\"0.12,0.05\"];",
            "  edge [fontname=\"Helvetica\", fontsize=10, color=\"#555555\"];",
        ]
        // Left to right, Graphviz stacks unconnected frames from the bottom up in the order they
        // are written, so they are written last first for the first rule to be drawn on top.
        for cluster in drawing.clusters.reversed() {
            lines.append("  subgraph \(cluster.id) {")
            lines.append("    graph [label=\(quoted(cluster.title)), labeljust=l, style=\"rounded\", color=\"#aaaaaa\", fontsize=11];")
            lines += cluster.nodes.map { "    " + node($0) }
            lines += cluster.edges.map { "    " + edge($0) }
            lines.append("  }")
        }
        lines += drawing.nodes.map { "  " + node($0) }
        lines += drawing.edges.map { "  " + edge($0) }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func node(_ node: DecisionDrawing.Node) -> String {
        let look =
            switch node.kind {
            case .test: ""
            case .decisionTest: ", style=\"rounded,filled,bold\", fillcolor=\"#fff2cc\""
            case .outcome: ", style=filled, fillcolor=\"#dbe9ff\""
            case .applies: ", style=filled, fillcolor=\"#e2f0d9\""
            case .nothing, .notApplicable, .noRule: ", style=filled, fillcolor=\"#eeeeee\", fontcolor=\"#555555\", color=\"#999999\""
            }
        return "\(node.id) [label=\(quoted(node.label))\(look)];"
    }

    private static func edge(_ edge: DecisionDrawing.Edge) -> String {
        "\(edge.from) -> \(edge.to) [label=\(quoted(edge.label))];"
    }

    /// `text` as a DOT quoted string.
    static func quoted(_ text: String) -> String { "\"" + escape(text) + "\"" }

    /// Escapes text for a DOT quoted string: a backslash and a quote are escaped (so Graphviz's
    /// own escapes such as `\N` or `\l` cannot be written by a policy), a line break becomes
    /// DOT's `\n`, and other control characters become spaces.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": break
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    out += " "
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
