import Foundation

/// Draws a decision's diagram with Graphviz (`dot -Tsvg`), run as a separate process with a time
/// limit, for the policy book. Graphviz is optional: without it the book shows the DOT source.
package struct GraphvizRenderer: Sendable {
    /// The `dot` executable.
    package var executable: String
    /// How long one drawing may take, in seconds, before `dot` is stopped.
    package var timeout: Double

    /// A renderer for the `dot` at `executable`.
    package init(executable: String, timeout: Double = 20) {
        self.executable = executable
        self.timeout = timeout
    }

    /// The `dot` on `PATH`, or `nil` when Graphviz is not installed.
    package static func find(path: String? = ProcessInfo.processInfo.environment["PATH"], timeout: Double = 20) -> GraphvizRenderer? {
        for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
            let candidate = String(directory) + "/dot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return GraphvizRenderer(executable: candidate, timeout: timeout) }
        }
        return nil
    }

    /// The diagram drawn as SVG markup that can sit inside an XHTML page (no XML declaration, no
    /// DOCTYPE, no comments), or why it could not be drawn.
    package func svg(dot: String) -> PolicyBook.Diagram {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("precert-dot-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            return .failed("no temporary folder for Graphviz")
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("diagram.dot")
        let output = scratch.appendingPathComponent("diagram.svg")
        let errors = scratch.appendingPathComponent("errors.txt")
        guard (try? Data(dot.utf8).write(to: input)) != nil,
            FileManager.default.createFile(atPath: errors.path, contents: nil),
            let errorHandle = try? FileHandle(forWritingTo: errors)
        else { return .failed("no temporary folder for Graphviz") }
        defer { try? errorHandle.close() }

        // Files rather than pipes, so that neither side waits on the other whatever the sizes.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-Tsvg", "-o", output.path, input.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorHandle
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            return .failed("`\(executable)` could not be started")
        }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if finished.wait(timeout: .now() + 2) == .timedOut { kill(process.processIdentifier, SIGKILL) }
            let seconds = timeout == timeout.rounded() ? "\(Int(timeout))" : "\(timeout)"
            return .failed("Graphviz took longer than \(seconds) second\(timeout == 1 ? "" : "s")")
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8))?.split(separator: "\n").first.map(String.init)
            return .failed("Graphviz failed" + (message.map { ": \($0)" } ?? " (exit status \(process.terminationStatus))"))
        }
        guard let data = try? Data(contentsOf: output), let svg = String(data: data, encoding: .utf8) else {
            return .failed("Graphviz wrote no SVG")
        }
        guard let embeddable = Self.embeddable(svg) else { return .failed("Graphviz wrote SVG the book does not embed") }
        return .svg(embeddable)
    }

    /// `svg` from its `<svg` on, without comments, or `nil` when it holds anything that could run
    /// (a script, an event handler, embedded HTML): Graphviz writes none, so such a drawing is not
    /// embedded at all.
    package static func embeddable(_ svg: String) -> String? {
        guard let start = svg.range(of: "<svg") else { return nil }
        var body = String(svg[start.lowerBound...])
        while let open = body.range(of: "<!--") {
            guard let close = body.range(of: "-->", range: open.upperBound..<body.endIndex) else { return nil }
            body.removeSubrange(open.lowerBound..<close.upperBound)
        }
        let lowered = body.lowercased()
        for risky in ["<script", "<foreignobject", "<iframe", "javascript:", "<!doctype", "<!entity", "<?"] where lowered.contains(risky) {
            return nil
        }
        if hasEventAttribute(lowered) { return nil }
        // Blank lines left where comments were.
        let lines = body.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.allSatisfy(\.isWhitespace) }
        return lines.joined(separator: "\n")
    }

    /// Whether some tag of `svg` has an attribute whose name starts with `on` (an event handler).
    private static func hasEventAttribute(_ svg: String) -> Bool {
        var inTag = false
        var inQuote: Character?
        var previous: Character = " "
        var characters = svg.makeIterator()
        while let character = characters.next() {
            if let quote = inQuote {
                if character == quote { inQuote = nil }
            } else if inTag {
                switch character {
                case ">": inTag = false
                case "\"", "'": inQuote = character
                case "o" where previous.isWhitespace:
                    if characters.next() == "n" { return true }
                default: break
                }
            } else if character == "<" {
                inTag = true
            }
            previous = character
        }
        return false
    }
}
