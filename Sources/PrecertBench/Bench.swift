import ArgumentParser
import Foundation
import Precert
import PrecertWorkloads

/// `precert-bench`: measures the workloads of `Benchmarks/README.md` and prints medians. A tool of
/// its own so the shipped `precert` carries no benchmark code.
@main
struct PrecertBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precert-bench",
        abstract: "Measure evaluation, JSON Lines and compile speed (build with -c release).",
        discussion: """
            Prints the median of several runs for: (a) evaluation of decoded cases, (b) JSON Lines \
            end to end against JSONSerialization merely parsing the same lines, a JSON Lines file on \
            one and two threads (jobs), one case at a time through the library's one-case calls \
            (one), (c) compiling a generated 1,000-rule policy, --explain against plain \
            evaluation, and (proof) loading the policies with their regulations, so with the \
            turnaround proof, against loading them without, and (diff) `precert diff` from the \
            diagrams of two generated 1,000-rule policies and over the corpus, against one JSON Lines \
            run over the same cases. For peak memory, write a corpus with --write-corpus and run \
            `precert eval --jsonl` on it under GNU time (`command time -f %M`).
            """
    )

    @Option(help: "The directory of policies and calendars.")
    var policies = "Policies"

    @Option(help: "How many generated cases to measure with.")
    var cases = 100_000

    @Option(help: "How many runs to take the median of.")
    var runs = 5

    @Option(name: .customLong("write-corpus"), help: "Print this many generated case lines and stop.")
    var writeCorpus: Int?

    @Option(help: "The rule count of the generated policy for the compile measurement.")
    var rules = 1_000

    @Option(help: "Run only these measurements: a comma-separated subset of a, explain, b, jobs, one, c, proof, diff.")
    var only: String = "a,explain,b,jobs,one,c,proof,diff"

    func validate() throws {
        if cases < 1 { throw ValidationError("--cases must be at least 1") }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        let known: Set = ["a", "explain", "b", "jobs", "one", "c", "proof", "diff"]
        for name in selected where !known.contains(name) {
            throw ValidationError("--only: unknown measurement `\(name)`; choose from a, explain, b, jobs, one, c, proof, diff")
        }
    }

    private var selected: Set<String> {
        Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    func run() throws {
        if let count = writeCorpus {
            var out: [UInt8] = []
            Workloads.generateCorpus(count) { line in
                out += Array(line.utf8)
                out.append(UInt8(ascii: "\n"))
                if out.count > 1 << 20 {
                    FileHandle.standardOutput.write(Data(out))
                    out.removeAll(keepingCapacity: true)
                }
            }
            FileHandle.standardOutput.write(Data(out))
            return
        }
        if selected.contains("proof") { try measureProof() }
        guard !selected.subtracting(["proof"]).isEmpty else { return }
        let work = try Workloads(policies: policies, cases: cases)
        let bytes = work.lines.reduce(0) { $0 + $1.count }
        print("corpus: \(cases) cases, \(bytes / cases) bytes each on average; \(runs) runs, medians")

        if selected.contains("a") {
            let evaluate = median { _ = work.evaluateAll() }
            print(String(format: "(a) evaluation only:        %10.0f cases/s  (%d decisions each)", Double(cases) / evaluate, work.decisionCount))
        }
        if selected.contains("explain") {
            let full = median { _ = work.evaluateInFull(explain: false) }
            print(String(format: "    full results:           %10.0f cases/s", Double(cases) / full))
            let explain = median { _ = work.evaluateInFull(explain: true) }
            print(String(format: "    full with --explain:    %10.0f cases/s  (%.2fx slower than full)", Double(cases) / explain, explain / full))
        }
        if selected.contains("b") {
            let endToEnd = median { _ = work.jsonLines() }
            print(String(format: "(b) JSON Lines end to end:  %10.0f cases/s", Double(cases) / endToEnd))
            let foundation = median { _ = work.foundationParse() }
            print(String(format: "    JSONSerialization parse: %9.0f lines/s  (end to end is %.2fx faster)", Double(cases) / foundation, foundation / endToEnd))
        }
        if selected.contains("jobs") {
            // Through a file, as `precert eval --jsonl FILE --jobs N` reads it.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("precert-bench-\(getpid()).jsonl").path
            try Data(work.lines.flatMap { $0 + [UInt8(ascii: "\n")] }).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let second = try PolicyCatalog(paths: [policies])
            let one = median { _ = try? Workloads.jsonLinesFile(path, catalogs: [work.catalog]) }
            let two = median { _ = try? Workloads.jsonLinesFile(path, catalogs: [work.catalog, second]) }
            print(String(format: "    JSON Lines file, 1 thread: %8.0f lines/s", Double(cases) / one))
            print(String(format: "    JSON Lines file, 2 threads:%8.0f lines/s  (%.2fx one thread)", Double(cases) / two, one / two))
        }
        if selected.contains("one") {
            // Side by side in one run: the session (the reference), the documented one-case call,
            // and the typed decision then encoding; then cases whose inputs are all unknown.
            let session = median { _ = work.jsonLines() }
            let oneCase = median { _ = work.oneCaseJSON() }
            let typed = median { _ = work.oneCaseDecision() }
            let sparseSession = median { _ = work.jsonLines(work.sparseLines) }
            let sparseOne = median { _ = work.oneCaseJSON(work.sparseLines) }
            let perCase = { (seconds: Double) in seconds / Double(cases) * 1e6 }
            print(String(format: "(one) session, known inputs:    %6.2f µs/case", perCase(session)))
            print(String(format: "      decisionJSON, known:      %6.2f µs/case  (%.2fx the session)", perCase(oneCase), oneCase / session))
            print(String(format: "      evaluate + encode, known: %6.2f µs/case  (%.2fx the session)", perCase(typed), typed / session))
            print(String(format: "      session, only payer known:%6.2f µs/case  (%.2fx known)", perCase(sparseSession), sparseSession / session))
            print(String(format: "      decisionJSON, payer only: %6.2f µs/case  (%.2fx decisionJSON known)", perCase(sparseOne), sparseOne / oneCase))
        }
        if selected.contains("diff") { try measureDiff(work) }
        if selected.contains("c") {
            let yaml = Workloads.syntheticPolicy(rules: rules)
            let compile = median { _ = try? work.compile(yaml: yaml) }
            print(String(format: "(c) compile %d rules:      %10.1f ms (YAML text to diagrams)", rules, compile * 1000))
            let analyzed = median { _ = try? work.compile(yaml: yaml, analyze: true) }
            print(String(format: "    with the analysis:      %10.1f ms (what precert check adds)", analyzed * 1000))
        }
    }

    /// (proof): the files under `policies` loaded as `precert check` loads them, with the
    /// regulations (so every turnaround is proved) and without them, alternating in one run.
    private func measureProof() throws {
        let root = URL(fileURLWithPath: policies)
        let names = try FileManager.default.subpathsOfDirectory(atPath: policies)
            .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }.sorted()
        let files = try names.map { PolicyFile(path: $0, bytes: Array(try Data(contentsOf: root.appendingPathComponent($0)))) }
        let withoutRegulations = files.filter { !$0.path.hasPrefix("regulations/") }
        var with: [Double] = []
        var without: [Double] = []
        func time(_ files: [PolicyFile]) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            let loaded = PolicyCatalog.load(files: files)
            precondition(!loaded.hasErrors, "the policies do not load")
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        for _ in 0..<max(runs, 5) {
            without.append(time(withoutRegulations))
            with.append(time(files))
        }
        let proved = with.sorted()[with.count / 2]
        let plain = without.sorted()[without.count / 2]
        print(String(format: "(proof) load %d files with %d regulations: %7.1f ms, without: %7.1f ms (the proof adds %.1f ms)",
            files.count, files.count - withoutRegulations.count, proved * 1000, plain * 1000, (proved - plain) * 1000))
    }

    /// (diff): the diagram diff of a generated policy against itself with one rule's outcome and
    /// one code-set member changed (and against an identical copy); then the Kaiser policy against
    /// itself with the urgent clock at 48 hours over the corpus, beside one JSON Lines run (b) over
    /// the same cases, in the same run.
    private func measureDiff(_ work: Workloads) throws {
        func load(_ text: String, _ name: String) throws -> LoadedPolicy {
            let calendar = PolicyFile(path: "us-federal.yaml", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: policies).appendingPathComponent("calendars/us-federal.yaml"))))
            let loaded = PolicyCatalog.load(files: [PolicyFile(path: name, text: text), calendar])
            guard let policy = loaded.catalog.policies.first else { throw ValidationError("\(name) does not load") }
            return policy
        }
        let yaml = Workloads.syntheticPolicy(rules: rules)
        guard let edit = yaml.range(of: "then: b, because: generated}") else { throw ValidationError("no rule to edit") }
        let edited = yaml.replacingCharacters(in: edit, with: "then: c, because: generated}")
            .replacingOccurrences(of: "\"9084*\"]", with: "\"9084*\", \"90785\"]")
        let old = try load(yaml, "old.yaml"), new = try load(edited, "new.yaml"), same = try load(yaml, "same.yaml")
        var regions = 0
        let symbolic = median { regions = SymbolicDiff(old: old, new: new).answers.count }
        let identical = median { _ = SymbolicDiff(old: old, new: same) }
        print(String(format: "(diff) diagrams, %d rules, 2 edits: %8.1f ms (%d answer regions); identical: %.1f ms", rules, symbolic * 1000, regions, identical * 1000))

        let kaiser = try String(contentsOfFile: (policies as NSString).appendingPathComponent("kaiser-norcal/behavioral-health.yaml"), encoding: .utf8)
        let before = try load(kaiser, "kaiser.yaml"), after = try load(kaiser.replacingOccurrences(of: "        then: 72 hours", with: "        then: 48 hours"), "kaiser-48.yaml")
        let corpus = work.lines.flatMap { $0 + [UInt8(ascii: "\n")] }
        var changed = 0
        let diff = median { changed = PolicyDiff(old: before, new: after, corpus: corpus).changedCases }
        let one = median { _ = work.jsonLines() }
        print(String(format: "       corpus, %d cases: %8.0f ms (%d change); one JSON Lines run: %.0f ms; diff/eval %.2fx", cases, diff * 1000, changed, one * 1000, diff / one))
    }

    private func median(_ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        return times[times.count / 2]
    }
}
