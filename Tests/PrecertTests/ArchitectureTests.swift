import Foundation
import Testing

/// The library's shape, checked by the compiler: the public API against its committed listing,
/// and the stages of the pipeline depending one way.
@Suite("Architecture", .serialized)
struct ArchitectureTests {
    /// The stages of `Sources/Precert`, bottom to top: each may use the ones before it, never one
    /// after it. README.md's layout section describes them.
    static let stages = [
        "JSON", "Diagnostics", "YAML", "Calendar", "Language", "Checking", "Semantics", "CaseFormat", "Regulation", "Compiling", "Evaluation",
        "Catalog", "Testing", "Book", "Schema",
    ]

    /// The committed listing of the public API.
    static let listing = Fixtures.repositoryRoot.appendingPathComponent("api/Precert.txt")

    @Test("every folder of Sources/Precert is a stage of the list")
    func stagesCoverTheSources() throws {
        let folders = try FileManager.default.contentsOfDirectory(
            atPath: Fixtures.repositoryRoot.appendingPathComponent("Sources/Precert").path)
        #expect(Set(folders) == Set(Self.stages), "add a new folder to `ArchitectureTests.stages`, in its place")
    }

    /// Each stage is type-checked with only the stages below it: a reference to anything above
    /// is a compile error ("cannot find … in scope"), so the direction is the compiler's to enforce,
    /// while the library stays one module (whole-module optimization across the hot path). The
    /// stage's files are the frontend's primary files, so the stages below are only read for their
    /// declarations (each was checked in full in its own turn): about a second a stage.
    @Test("each stage compiles with only the stages below it")
    func stagesDependOneWay() throws {
        let toolchain = try Toolchain()
        let root = Fixtures.repositoryRoot
        var below: [String] = []
        var failures: [String] = []
        for stage in Self.stages {
            let folder = root.appendingPathComponent("Sources/Precert/\(stage)")
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }.sorted()
                .map { folder.appendingPathComponent($0).path }
            let result = try toolchain.run(
                toolchain.swiftc,
                ["-frontend", "-typecheck"] + files.flatMap { ["-primary-file", $0] } + below
                    + ["-parse-as-library", "-swift-version", "6", "-module-name", "Precert", "-package-name", "precert",
                       "-I", root.appendingPathComponent("Sources/CYAML").path, "-I", toolchain.modules.path])
            if result.status != 0 {
                let errors = result.output.split(separator: "\n").filter { $0.contains("error:") }.prefix(5)
                failures.append("`\(stage)` uses a stage above it:\n" + errors.joined(separator: "\n"))
            }
            below += files
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("the public API is the committed listing (api/Precert.txt); PRECERT_UPDATE_API=1 rewrites it")
    func publicAPIListing() throws {
        let toolchain = try Toolchain()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("precert-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try toolchain.run(
            toolchain.swift,
            ["symbolgraph-extract", "-module-name", "Precert", "-minimum-access-level", "public", "-output-dir", output.path,
             "-I", toolchain.modules.path, "-I", Fixtures.repositoryRoot.appendingPathComponent("Sources/CYAML").path])
        try #require(result.status == 0, "symbolgraph-extract failed: \(result.output)")
        let current = try APIListing.make(from: output)
        if ProcessInfo.processInfo.environment["PRECERT_UPDATE_API"] == "1" {
            try current.write(to: Self.listing, atomically: true, encoding: .utf8)
        }
        let committed = (try? String(contentsOf: Self.listing, encoding: .utf8)) ?? ""
        let added = Set(current.split(separator: "\n")).subtracting(committed.split(separator: "\n")).sorted()
        let removed = Set(committed.split(separator: "\n")).subtracting(current.split(separator: "\n")).sorted()
        #expect(
            added.isEmpty && removed.isEmpty,
            """
            the public API changed; if that is meant, run `PRECERT_UPDATE_API=1 swift test --filter Architecture`, \
            commit api/Precert.txt and say so in docs/LIBRARY.md
            added: \(added.joined(separator: "\n  "))
            removed: \(removed.joined(separator: "\n  "))
            """)
    }
}

/// The public API as sorted text, one declaration a line, from a symbol graph.
enum APIListing {
    static func make(from directory: URL) throws -> String {
        var lines: Set<String> = []
        var declared = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".symbols.json") {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            guard let graph = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let symbols = graph["symbols"] as? [[String: Any]]
            else { continue }
            for symbol in symbols {
                let path = (symbol["pathComponents"] as? [String] ?? []).joined(separator: ".")
                let fragments = symbol["declarationFragments"] as? [[String: Any]] ?? []
                let declaration = fragments.compactMap { $0["spelling"] as? String }.joined()
                    .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
                lines.insert("\(path): \(declaration)")
                // Members the standard library's protocols supply (`!=`, `...`) have no place in our source.
                if symbol["location"] != nil { declared += 1 }
            }
        }
        let header = """
            # The public API of the Precert library, one declaration a line (from the compiler's symbol graph).
            # ArchitectureTests fails when it differs from the built module; `PRECERT_UPDATE_API=1 swift test
            # --filter Architecture` rewrites it. See docs/LIBRARY.md for the stability policy.
            # \(declared) declarations in the source; \(lines.count) with what the standard library's protocols add

            """
        return header + lines.sorted().joined(separator: "\n") + "\n"
    }
}

/// The Swift toolchain that built the tests, and the modules it built.
struct Toolchain {
    /// `swiftc`.
    let swiftc: URL
    /// `swift` (for `symbolgraph-extract`).
    let swift: URL
    /// The build's module directory (Precert and its dependencies, such as Crypto).
    let modules: URL

    struct ToolchainMissing: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        guard let directory = path.split(separator: ":").map({ URL(fileURLWithPath: String($0)) })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("swiftc").path) })
        else { throw ToolchainMissing(description: "no `swiftc` on PATH") }
        swiftc = directory.appendingPathComponent("swiftc")
        swift = directory.appendingPathComponent("swift")
        // The test bundle sits in the build's products folder, beside `Modules`.
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Modules/Precert.swiftmodule").path) { break }
            folder.deleteLastPathComponent()
        }
        modules = folder.appendingPathComponent("Modules")
        guard FileManager.default.fileExists(atPath: modules.appendingPathComponent("Precert.swiftmodule").path) else {
            throw ToolchainMissing(description: "no built Precert module near \(CommandLine.arguments[0])")
        }
    }

    /// Runs a tool and returns its exit status and combined output.
    func run(_ tool: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
