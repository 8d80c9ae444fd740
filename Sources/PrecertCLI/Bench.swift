import ArgumentParser
import Foundation
import Precert
import PrecertWorkloads

extension PrecertCommand {
    /// `precert bench`: measures the workloads of the performance issue and prints medians.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure evaluation, JSON Lines and compile speed (build with -c release).",
            discussion: """
                Prints the median of several runs for: (a) evaluation of decoded cases, (b) JSON Lines \
                end to end against JSONSerialization merely parsing the same lines, a JSON Lines file on \
                one and two threads (jobs), (c) compiling a generated 1,000-rule policy, and --explain \
                against plain evaluation. For peak memory, write a corpus with --write-corpus and run \
                `precert eval --jsonl` on it under GNU time (`command time -f %M`).
                """
        )

        @OptionGroup var policyOptions: PolicyOptions

        @Option(help: "How many generated cases to measure with.")
        var cases = 100_000

        @Option(help: "How many runs to take the median of.")
        var runs = 5

        @Option(name: .customLong("write-corpus"), help: "Print this many generated case lines and stop.")
        var writeCorpus: Int?

        @Option(help: "The rule count of the generated policy for the compile measurement.")
        var rules = 1_000

        @Option(help: "Run only these measurements: a comma-separated subset of a, explain, b, jobs, c.")
        var only: String = "a,explain,b,jobs,c"

        func validate() throws {
            if cases < 1 { throw ValidationError("--cases must be at least 1") }
            if runs < 1 { throw ValidationError("--runs must be at least 1") }
        }

        func run() throws {
            if let count = writeCorpus {
                var corpus = CaseCorpus()
                var out: [UInt8] = []
                for _ in 0..<count {
                    out += Array(corpus.next().utf8)
                    out.append(UInt8(ascii: "\n"))
                    if out.count > 1 << 20 {
                        writeOut(out)
                        out.removeAll(keepingCapacity: true)
                    }
                }
                writeOut(out)
                return
            }
            let (catalog, kaiser) = try Workloads.kaiser(policies: policyOptions.policies)
            let lines = Workloads.caseLines(cases)
            let decoded = try Workloads.decoded(lines, policy: kaiser)
            let bytes = lines.reduce(0) { $0 + $1.count }
            print("corpus: \(cases) cases, \(bytes / cases) bytes each on average; \(runs) runs, medians")

            let selected = Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            if selected.contains("a") {
                let evaluate = median(runs) { _ = Workloads.evaluateAll(decoded, policy: kaiser) }
                print(String(format: "(a) evaluation only:        %10.0f cases/s  (%d decisions each)", Double(cases) / evaluate, kaiser.policy.decisions.count))
            }
            if selected.contains("explain") {
                let full = median(runs) { _ = Workloads.evaluateInFull(decoded, policy: kaiser, explain: false) }
                print(String(format: "    full results:           %10.0f cases/s", Double(cases) / full))
                let explain = median(runs) { _ = Workloads.evaluateInFull(decoded, policy: kaiser, explain: true) }
                print(String(format: "    full with --explain:    %10.0f cases/s  (%.2fx slower than full)", Double(cases) / explain, explain / full))
            }
            if selected.contains("b") {
                let endToEnd = median(runs) { _ = Workloads.jsonLines(lines, catalog: catalog) }
                print(String(format: "(b) JSON Lines end to end:  %10.0f cases/s", Double(cases) / endToEnd))
                let foundation = median(runs) { _ = Workloads.foundationParse(lines) }
                print(String(format: "    JSONSerialization parse: %9.0f lines/s  (end to end is %.2fx faster)", Double(cases) / foundation, foundation / endToEnd))
            }
            if selected.contains("jobs") {
                // Through a file, as `precert eval --jsonl FILE --jobs N` reads it.
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("precert-bench-\(getpid()).jsonl").path
                try Data(lines.flatMap { $0 + [UInt8(ascii: "\n")] }).write(to: URL(fileURLWithPath: path))
                defer { try? FileManager.default.removeItem(atPath: path) }
                let second = try policyOptions.loadCatalog()
                let one = median(runs) { _ = try? Workloads.jsonLinesFile(path, catalogs: [catalog]) }
                let two = median(runs) { _ = try? Workloads.jsonLinesFile(path, catalogs: [catalog, second]) }
                print(String(format: "    JSON Lines file, 1 thread: %8.0f lines/s", Double(cases) / one))
                print(String(format: "    JSON Lines file, 2 threads:%8.0f lines/s  (%.2fx one thread)", Double(cases) / two, one / two))
            }
            if selected.contains("c") {
                let yaml = SyntheticPolicy.yaml(ruleCount: rules)
                let compile = median(runs) { _ = try? Workloads.compile(yaml: yaml, calendars: catalog.calendars) }
                print(String(format: "(c) compile %d rules:      %10.1f ms (YAML text to diagrams)", rules, compile * 1000))
                let analyzed = median(runs) { _ = try? Workloads.compile(yaml: yaml, calendars: catalog.calendars, analyze: true) }
                print(String(format: "    with the analysis:      %10.1f ms (what precert check adds)", analyzed * 1000))
            }
        }

        private func median(_ runs: Int, _ body: () -> Void) -> Double {
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
}
