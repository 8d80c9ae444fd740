import Benchmark
import Foundation
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

    // The shipped catalog and a seeded corpus for the Kaiser policy, the same as `precert-bench`'s.
    let work = try! Workloads(policies: policies, cases: caseCount)

    // (a) evaluation only: cases already decoded, all decisions, no trace.
    Benchmark("a: evaluate \(caseCount) decoded cases", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(work.evaluateAll()) }
    }

    Benchmark("a: evaluate \(caseCount) decoded cases in full with --explain") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(work.evaluateInFull(explain: true)) }
    }

    // (b) JSON Lines end to end through one session: route, decode, evaluate, encode.
    Benchmark("b: JSON Lines end to end, \(caseCount) cases") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(work.jsonLines()) }
    }

    // The reference for (b): the same lines merely parsed by JSONSerialization.
    Benchmark("b: JSONSerialization parse only, \(caseCount) lines") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(work.foundationParse()) }
    }

    // (one) one case at a time through the one-case call, PolicyCatalog.decisionJSON (a session of
    // its own per case), against (b)'s session kept from case to case.
    Benchmark("one: decisionJSON one case at a time, \(caseCount) cases") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(work.oneCaseJSON()) }
    }

    // Cases whose inputs are unknown (only case_id, payer and the received date given): every
    // decision takes the full path, through one session as in (b).
    Benchmark("sparse: JSON Lines, \(caseCount) cases with only the payer known") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(work.jsonLines(work.sparseLines)) }
    }

    // (c) compiling a generated 1,000-rule policy from YAML text to diagrams.
    let yaml = Workloads.syntheticPolicy(rules: 1_000)
    Benchmark("c: compile a 1,000-rule policy") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? work.compile(yaml: yaml)) }
    }
}
