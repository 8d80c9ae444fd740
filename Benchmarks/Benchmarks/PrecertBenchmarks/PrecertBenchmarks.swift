import Benchmark
import Foundation
import Precert
import PrecertWorkloads

/// The policies directory, found from this file so the benchmarks run from any directory.
private let policies = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Policies").path

/// The corpus size; `PRECERT_BENCH_CASES` makes it smaller for a quick look.
private let caseCount = ProcessInfo.processInfo.environment["PRECERT_BENCH_CASES"].flatMap(Int.init) ?? 100_000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident, .mallocCountTotal],
        maxDuration: .seconds(20), maxIterations: 10)

    let (catalog, kaiser) = try! Workloads.kaiser(policies: policies)
    let lines = Workloads.caseLines(caseCount)
    let decoded = try! Workloads.decoded(lines, policy: kaiser)

    // (a) evaluation only: cases already decoded, all decisions, no trace.
    Benchmark("a: evaluate \(caseCount) decoded cases", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Workloads.evaluateAll(decoded, policy: kaiser)) }
    }

    Benchmark("a: evaluate \(caseCount) decoded cases in full with --explain") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Workloads.evaluateInFull(decoded, policy: kaiser, explain: true)) }
    }

    // (b) JSON Lines end to end: decode, evaluate, encode.
    Benchmark("b: JSON Lines end to end, \(caseCount) cases") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Workloads.jsonLines(lines, catalog: catalog)) }
    }

    // The reference for (b): the same lines merely parsed by JSONSerialization.
    Benchmark("b: JSONSerialization parse only, \(caseCount) lines") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Workloads.foundationParse(lines)) }
    }

    // (c) compiling a generated 1,000-rule policy from YAML text to diagrams.
    let yaml = SyntheticPolicy.yaml(ruleCount: 1_000)
    Benchmark("c: compile a 1,000-rule policy") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? Workloads.compile(yaml: yaml, calendars: catalog.calendars)) }
    }
}
