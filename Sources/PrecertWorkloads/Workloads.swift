import Foundation
import Precert

/// The measured workloads of issue 7, shared by `precert bench` and the Benchmarks package.
public enum Workloads {
    /// Loads the shipped catalog and returns the Kaiser policy.
    public static func kaiser(policies: String = "Policies") throws -> (PolicyCatalog, LoadedPolicy) {
        let loaded = PolicyCatalog.load(paths: [policies])
        guard let policy = loaded.catalog.policies.first(where: { $0.policy.id == "kaiser-norcal/behavioral-health" }) else {
            throw WorkloadError("the Kaiser policy did not load from `\(policies)`")
        }
        return (loaded.catalog, policy)
    }

    /// `count` generated case lines.
    public static func caseLines(_ count: Int, seed: UInt64 = 20_261_123) -> [[UInt8]] {
        var corpus = CaseCorpus(seed: seed)
        return (0..<count).map { _ in Array(corpus.next().utf8) }
    }

    /// The cases decoded for `policy`.
    public static func decoded(_ lines: [[UInt8]], policy: LoadedPolicy) throws -> [DecodedCase] {
        try lines.map { try policy.decoder.decode($0).get() }
    }

    /// (a) Evaluates every decoded case (all decisions, no trace), walking the diagrams with reused
    /// buffers and answering cases with unknown inputs in full; returns a checksum of the leaves.
    public static func evaluateAll(_ cases: [DecodedCase], policy: LoadedPolicy) -> Int {
        var scratch = EvaluationScratch()
        var checksum = 0
        for decoded in cases {
            if policy.evaluator.evaluateLeaves(decoded.facts, scratch: &scratch) {
                for leaf in scratch.leaves { checksum &+= Int(leaf) }
            } else {
                checksum &+= policy.evaluator.evaluate(decoded.facts).decisions.count
            }
        }
        return checksum
    }

    /// Evaluates every decoded case in full, with or without the path taken (`--explain`).
    public static func evaluateInFull(_ cases: [DecodedCase], policy: LoadedPolicy, explain: Bool) -> Int {
        var decided = 0
        for decoded in cases {
            decided &+= policy.evaluator.evaluate(decoded.facts, explain: explain).decisions.count
        }
        return decided
    }

    /// (b) JSON Lines end to end: route, decode, evaluate and encode each line; returns output bytes.
    public static func jsonLines(_ lines: [[UInt8]], catalog: PolicyCatalog, explain: Bool = false) -> Int {
        var writer = JSONWriter(style: .compact, capacity: 1 << 16)
        var session = CaseSession(catalog: catalog)
        var total = 0
        for line in lines {
            _ = session.write(line, explain: explain, to: &writer)
            writer.bytes.append(UInt8(ascii: "\n"))
            if writer.bytes.count > 1 << 16 {
                total += writer.bytes.count
                writer.reset()
            }
        }
        return total + writer.bytes.count
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
    public static func foundationParse(_ lines: [[UInt8]]) -> Int {
        var objects = 0
        for line in lines {
            if (try? JSONSerialization.jsonObject(with: Data(line))) != nil { objects += 1 }
        }
        return objects
    }

    /// (c) Compiles a generated policy from YAML text to diagrams (with `analyze`, also runs the
    /// analysis `precert check` reports); returns its node count.
    public static func compile(yaml: String, calendars: [String: HolidayCalendar], analyze: Bool = false) throws -> Int {
        let file = "synthetic.yaml"
        let loaded = YAMLLoader.load(yaml, file: file)
        guard let root = loaded.root else { throw WorkloadError("the synthetic policy did not parse") }
        let (syntax, _) = PolicyDecoder.decode(root, source: SourceText(file: file, text: yaml))
        guard let syntax else { throw WorkloadError("the synthetic policy did not decode") }
        let (checked, diagnostics) = PolicyChecker.check(syntax, context: .init(calendars: Set(calendars.keys)))
        guard let checked else { throw WorkloadError("the synthetic policy did not check: \(diagnostics.first?.message ?? "")") }
        let compiled = PolicyCompiler.compile(checked, options: CompileOptions(analyze: analyze))
        return checked.decisions.indices.reduce(0) { $0 + compiled.nodeCount(ofDecision: $1) }
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
