import Foundation
import PrecertWorkloads
import Testing

@testable import Precert

/// The service's fast path: decision JSON from fragments plus a summary from the same walk.
@Suite("Decision summaries beside the fast path")
struct DecisionSummaryTests {
    @Test("the summarized call writes the same bytes as decisionJSON, and each decision's status, outcomes and rules are the full evaluation's")
    func summariesMatchFullEvaluation() throws {
        let catalog = try PolicyCatalog(paths: [Fixtures.repositoryRoot.appendingPathComponent("Policies").path])
        var corpus = CaseCorpus()
        var cases: [[UInt8]] = (0..<300).map { index in
            Array(corpus.next(payer: ["kaiser-norcal", "medicare", "aetna", "optum-uhc", "texas-medicaid"][index % 5]).utf8)
        }
        // Sparse cases (every decision open) and the shipped examples.
        cases.append(Array(#"{"case_id": "s-1", "payer": "kaiser-norcal", "request": {"received_at": "2026-07-01T09:00:00-07:00"}}"#.utf8))
        let examples = Fixtures.repositoryRoot.appendingPathComponent("Examples")
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() where name.hasSuffix(".json") {
            cases.append(Array(try Data(contentsOf: examples.appendingPathComponent(name))))
        }
        var compared = 0
        for bytes in cases {
            for explain in [false, true] {
                let options = EvaluationOptions(explain: explain)
                guard case .success(let full) = catalog.evaluate(bytes, options: options) else { continue }
                let (json, summary) = try catalog.decisionJSONSummarized(bytes, options: options).get()
                #expect(json == (try catalog.decisionJSON(bytes, options: options).get()))
                #expect(summary.policy.id == full.policyID && summary.caseID == full.caseID)
                #expect(summary.results.map(\.name) == full.decisions.map(\.name))
                #expect(summary.results.map(\.status) == full.decisions.map(\.status))
                #expect(summary.results.map(\.outcomes) == full.decisions.map(\.outcomes))
                #expect(summary.results.map { $0.rules.map(\.id) } == full.decisions.map { $0.rules.map(\.id) })
                compared += 1
            }
        }
        #expect(compared > 500)
    }
}
