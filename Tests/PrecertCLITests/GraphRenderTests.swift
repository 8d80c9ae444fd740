import Foundation
import Testing

/// `precert graph --format svg|png`: pictures rendered by Graphviz's `dot`, run as a subprocess.
/// The tests that need Graphviz are skipped where it is not installed; the others stand in for it
/// with small scripts named by `PRECERT_DOT`.
@Suite("precert graph renders through Graphviz")
struct GraphRenderTests {
    /// Whether `dot` is on `PATH`, as `precert` looks for it.
    static let graphvizInstalled: Bool = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/dot") }
    }()

    static let coverage = ["graph", "kaiser-norcal/behavioral-health", "coverage"]

    /// A scratch directory, removed after `body`.
    static func inScratch<T>(_ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("precert-graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }

    /// An executable shell script in `directory`.
    static func script(_ name: String, _ body: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    @Test("svg goes to standard output as an SVG document", .enabled(if: graphvizInstalled, "Graphviz's dot is not installed"))
    func svgToStandardOutput() throws {
        let run = try CLI.run(Self.coverage + ["--format", "svg"])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.hasPrefix("<?xml") || run.out.hasPrefix("<svg"))
        #expect(run.out.contains("authorization is required or expired"))
        #expect(run.stderr.isEmpty)
    }

    @Test("png and svg go to --output, and nothing to standard output", .enabled(if: graphvizInstalled, "Graphviz's dot is not installed"))
    func picturesToFiles() throws {
        try Self.inScratch { directory in
            let png = directory.appendingPathComponent("coverage.png")
            let run = try CLI.run(Self.coverage + ["--format", "png", "--output", png.path])
            #expect(run.status == 0, "\(run.err)")
            #expect(run.stdout.isEmpty && run.stderr.isEmpty)
            #expect(Array(try Data(contentsOf: png).prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

            let svg = directory.appendingPathComponent("coverage.svg")
            #expect(try CLI.run(Self.coverage + ["--format", "svg", "--output", svg.path]).status == 0)
            let text = String(decoding: try Data(contentsOf: svg), as: UTF8.self)
            #expect(text.hasPrefix("<?xml") || text.hasPrefix("<svg"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["coverage.png", "coverage.svg"])
        }
    }

    @Test("--format dot --output writes what standard output would")
    func dotToFile() throws {
        try Self.inScratch { directory in
            let file = directory.appendingPathComponent("coverage.dot")
            let run = try CLI.run(Self.coverage + ["--output", file.path])
            #expect(run.status == 0 && run.stdout.isEmpty && run.stderr.isEmpty, "\(run.err)")
            try CLI.expectGolden(String(decoding: try Data(contentsOf: file), as: UTF8.self), "graph-shipped.stdout", owner: false)
        }
    }

    @Test("the DOT goes to dot on its standard input, with -Tsvg or -Tpng")
    func dotGetsTheText() throws {
        try Self.inScratch { directory in
            // A stand-in that echoes its arguments, then its input.
            let echo = try Self.script("dot", #"echo "$@"; cat"#, in: directory)
            let run = try CLI.run(Self.coverage + ["--format", "svg"], environment: ["PRECERT_DOT": echo])
            #expect(run.status == 0, "\(run.err)")
            let plain = try CLI.run(Self.coverage)
            #expect(run.out == "-Tsvg\n" + plain.out)
        }
    }

    @Test("a dot that fails, or runs past the time limit, is the deployment's fault (exit 3), and no file is left")
    func dotFailures() throws {
        try Self.inScratch { directory in
            let output = directory.appendingPathComponent("coverage.png")
            let failing = try Self.script("failing-dot", "cat > /dev/null; echo 'Error: syntax error in line 1' >&2; exit 1", in: directory)
            let failed = try CLI.run(Self.coverage + ["--format", "png", "--output", output.path], environment: ["PRECERT_DOT": failing])
            #expect(failed.status == 3)
            #expect(failed.err.contains("Graphviz's `dot` failed (exit status 1): Error: syntax error in line 1 [graph.render-failed]"), "\(failed.err)")

            // `exec`, so that terminating the script ends the sleep too.
            let slow = try Self.script("slow-dot", "exec sleep 30", in: directory)
            let started = Date()
            let late = try CLI.run(
                Self.coverage + ["--format", "svg", "--output", output.path], environment: ["PRECERT_DOT": slow, "PRECERT_DOT_TIMEOUT": "1"])
            #expect(late.status == 3)
            #expect(late.err.contains("Graphviz's `dot` did not finish within 1 second [graph.render-failed]"), "\(late.err)")
            #expect(Date().timeIntervalSince(started) < 20)
            #expect(!FileManager.default.fileExists(atPath: output.path))
        }
    }
}
