import Foundation
import Precert

/// The measured workloads, shared by the `precert-bench` executable and the Benchmarks package:
/// the shipped catalog, a seeded corpus of generated cases, and what is measured on them.
public final class Workloads: Sendable {
    /// The shipped catalog.
    public let catalog: PolicyCatalog
    /// The Kaiser policy the corpus is written for.
    package let kaiser: LoadedPolicy
    /// The corpus, one case per line (no line ends).
    public let lines: [[UInt8]]
    /// The corpus decoded for the Kaiser policy.
    package let decoded: [DecodedCase]
    /// Cases that give only `case_id`, `payer` and the received date: every other input unknown.
    public let sparseLines: [[UInt8]]

    /// Loads the catalog under `policies` and generates `cases` case lines.
    public init(policies: String = "Policies", cases: Int, seed: UInt64 = 20_261_123) throws {
        let loaded = PolicyCatalog.load(paths: [policies])
        guard !loaded.hasErrors, let policy = loaded.catalog.policies.last(where: { $0.id == "kaiser-norcal/behavioral-health" }) else {
            throw WorkloadError("the Kaiser policy did not load cleanly from `\(policies)`")
        }
        catalog = loaded.catalog
        kaiser = policy
        var corpus = CaseCorpus(seed: seed)
        lines = (0..<cases).map { _ in Array(corpus.next().utf8) }
        decoded = try lines.map { try policy.decoder.decode($0).get() }
        sparseLines = (0..<cases).map { index in
            Array(#"{"case_id":"s-\#(index)","payer":"kaiser-norcal","request":{"received_at":"2026-07-06T10:00:00-07:00"}}"#.utf8)
        }
    }

    /// How many decisions the Kaiser policy has.
    public var decisionCount: Int { kaiser.decisionNames.count }

    /// (a) Evaluates every decoded case (all decisions, no trace), walking the diagrams with reused
    /// buffers and answering cases with unknown inputs in full; returns a checksum of the leaves.
    public func evaluateAll() -> Int {
        var scratch = EvaluationScratch()
        var checksum = 0
        for decoded in decoded {
            if kaiser.evaluator.evaluateLeaves(decoded.facts, scratch: &scratch) {
                for leaf in scratch.leaves { checksum &+= Int(leaf) }
            } else {
                checksum &+= kaiser.evaluator.evaluate(decoded.facts).decisions.count
            }
        }
        return checksum
    }

    /// Evaluates every decoded case in full, with or without the path taken (`--explain`).
    public func evaluateInFull(explain: Bool) -> Int {
        var decided = 0
        for decoded in decoded {
            decided &+= kaiser.evaluator.evaluate(decoded.facts, explain: explain).decisions.count
        }
        return decided
    }

    /// (b) JSON Lines end to end through one `CaseSession`: route, decode, evaluate and encode each
    /// line; returns output bytes.
    public func jsonLines(_ lines: [[UInt8]]? = nil, explain: Bool = false) -> Int {
        var output: [UInt8] = []
        output.reserveCapacity(1 << 17)
        var session = CaseSession(catalog: catalog)
        let options = EvaluationOptions(explain: explain)
        var total = 0
        for line in lines ?? self.lines {
            _ = session.write(line, options: options, to: &output)
            output.append(UInt8(ascii: "\n"))
            if output.count > 1 << 16 {
                total += output.count
                output.removeAll(keepingCapacity: true)
            }
        }
        return total + output.count
    }

    /// One case at a time through the documented one-case call, `PolicyCatalog.decisionJSON`;
    /// returns output bytes.
    public func oneCaseJSON(_ lines: [[UInt8]]? = nil) -> Int {
        var total = 0
        for line in lines ?? self.lines {
            if case .success(let bytes) = catalog.decisionJSON(line) { total += bytes.count }
        }
        return total
    }

    /// One case at a time as `evaluate` then `DecisionEncoder.encode`: the typed decision first;
    /// returns output bytes.
    public func oneCaseDecision(_ lines: [[UInt8]]? = nil) -> Int {
        var total = 0
        for line in lines ?? self.lines {
            if case .success(let decision) = catalog.evaluate(line) { total += DecisionEncoder.encode(decision).count }
        }
        return total
    }

    /// `precert eval --jsonl FILE --jobs N` without the process around it: the JSON Lines file at
    /// `path` through `JSONLinesEvaluator` on one thread per catalog; returns output bytes.
    public static func jsonLinesFile(_ path: String, catalogs: [PolicyCatalog]) throws -> Int {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw WorkloadError("cannot read `\(path)`") }
        defer { close(descriptor) }
        let total = OutputCount()
        _ = try JSONLinesEvaluator(catalogs: catalogs).run(reading: descriptor) { total.add($0.count) }
        return total.value
    }

    /// The reference for (b): the same lines merely parsed by Foundation's `JSONSerialization`.
    public func foundationParse() -> Int {
        var objects = 0
        for line in lines {
            if (try? JSONSerialization.jsonObject(with: Data(line))) != nil { objects += 1 }
        }
        return objects
    }

    /// (c) Compiles a generated policy from YAML text to diagrams through the one pipeline (with
    /// `analyze`, also runs the analysis `precert check` reports); returns its node count.
    public func compile(yaml: String, analyze: Bool = false) throws -> Int {
        let (policy, diagnostics) = PolicyPipeline.policy(
            yaml: yaml, file: "synthetic.yaml", calendars: catalog.calendars,
            settings: PolicyPipeline.Settings(compile: CompileOptions(analyze: analyze)))
        guard let policy else {
            throw WorkloadError("the synthetic policy did not compile: \(diagnostics.first?.message ?? "")")
        }
        return policy.policy.decisions.indices.reduce(0) { $0 + policy.compiled.nodeCount(ofDecision: $1) }
    }

    /// A generated policy of `rules` rules, as YAML text.
    public static func syntheticPolicy(rules: Int) -> String { SyntheticPolicy.yaml(ruleCount: rules) }

    /// Hands `count` generated case lines (no line ends) to `body`, one at a time, for `--write-corpus`.
    public static func generateCorpus(_ count: Int, seed: UInt64 = 20_261_123, _ body: (String) -> Void) {
        var corpus = CaseCorpus(seed: seed)
        for _ in 0..<count { body(corpus.next()) }
    }
}

/// Bytes of output counted from whichever thread writes them.
private final class OutputCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ bytes: Int) {
        lock.lock()
        count += bytes
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}

/// A workload that could not be set up.
public struct WorkloadError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
