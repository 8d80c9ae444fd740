import Foundation
import Testing

@testable import Precert

/// Drawings of decisions (`precert graph`): one small diagram per rule of a hit-`all` decision,
/// reads of other decisions as one node, shared tests, the policy's words, escaped DOT.
@Suite("Decision drawings")
struct DiagramDrawingTests {
    /// A small policy: `authorization` (hit first) that the others read, `risks` (hit all) whose
    /// compiled diagram is the product of its rules, `pathway` (hit first) that reads
    /// `authorization`, and `band` over a number input.
    static let policy = policyText(
        """
        inputs:
          provider.network: {enum: [payer, affiliate, out_of_network]}
          referral.status: {enum: [none, authorized]}
          referral.valid_until: {type: date}
          service.date: {type: date}
          documents: {type: set<string>, default: []}
          member.id: {type: string}
          urgent: {type: bool}
          visits: {type: number}
        conditions:
          auth_needed: authorization in [required, expired]
        decisions:
          authorization:
            outcomes: [not_required, on_file, expired, required]
            rules:
              - {id: in-house, when: provider.network == payer, then: not_required}
              - id: on-file
                when: referral.status == authorized and has(referral.valid_until) and service.date <= referral.valid_until
                then: on_file
              - {id: lapsed, when: referral.status == authorized, then: expired}
            default: {then: required}
          risks:
            hit: all
            outcomes:
              NO_NOTES: {label: "Say \\"hi\\" \\\\ now\\nplease", message: Attach the notes.}
              OUT_OF_NETWORK: The provider is out of network.
              NO_ID: The member ID is missing.
              LATE: The letter is missing.
              DOCS: A document is missing.
            rules:
              - {id: risk-notes, when: 'auth_needed and "notes" not in documents', then: NO_NOTES}
              - {id: risk-network, when: auth_needed and provider.network == out_of_network, then: OUT_OF_NETWORK}
              - {id: risk-id, when: not has(member.id) or len(member.id) != 10, then: NO_ID}
              - {id: risk-late, when: 'auth_needed and "letter" not in documents and provider.network != payer', then: LATE}
              - id: risk-docs
                when: '(urgent and "notes" not in documents) or (not urgent and "letter" not in documents)'
                then: DOCS
          pathway:
            outcomes: [none, call, refer]
            rules:
              - {id: pathway-none, when: 'authorization in [not_required, on_file]', then: none}
              - {id: pathway-refer, when: provider.network == out_of_network, then: refer}
            default: {then: call}
          followup:
            hit: unique
            outcomes: [call, write]
            rules:
              - {id: followup-id, when: NO_ID in risks, then: call}
              - {id: followup-any, when: len(risks) > 0, then: write}
          band:
            outcomes: [low, mid, high]
            rules:
              - {id: band-low, when: visits < 5, then: low}
              - {id: band-high, when: visits >= 10, then: high}
            default: {then: mid}
        """)

    static func drawing(_ decision: String) throws -> (DecisionDrawing, LoadedPolicy) {
        let loaded = try compilePolicy(policy)
        let index = try #require(loaded.policy.decisionIndex(named: decision))
        return (try #require(DecisionDrawing(loaded.policy, decision: index)), loaded)
    }

    @Test("a hit-all decision is one small cluster per rule, not the product of its rules")
    func hitAllClusters() throws {
        let (drawing, loaded) = try Self.drawing("risks")
        #expect(drawing.clusters.map(\.title) == ["rule risk-notes", "rule risk-network", "rule risk-id", "rule risk-late", "rule risk-docs"])
        #expect(drawing.nodes.isEmpty && drawing.edges.isEmpty)
        // Each cluster: its condition's tests, one "adds" box and one "adds nothing" box.
        #expect(drawing.clusters.map { $0.nodes.count } == [4, 4, 4, 5, 5])
        for cluster in drawing.clusters {
            #expect(cluster.nodes.filter { $0.kind == .outcome }.count == 1, "\(cluster.title)")
            #expect(cluster.nodes.filter { $0.kind == .nothing }.map(\.label) == ["adds nothing"], "\(cluster.title)")
        }
        #expect(drawing.clusters[1].nodes.first { $0.kind == .outcome }?.label == "adds OUT_OF_NETWORK")
        // The compiled diagram, every combination of matches, is several times larger.
        let index = try #require(loaded.policy.decisionIndex(named: "risks"))
        let tests = drawing.allNodes.filter { $0.kind == .test || $0.kind == .decisionTest }.count
        #expect(tests == 12)
        #expect(loaded.compiled.nodeCount(ofDecision: index) > 2 * tests)
    }

    @Test("a hit-all decision's applies_when is a cluster of its own, before the rules")
    func hitAllApplies() throws {
        let text = Self.policy.replacingOccurrences(of: "    hit: all\n", with: "    hit: all\n    applies_when: urgent\n")
        let loaded = try compilePolicy(text)
        let index = try #require(loaded.policy.decisionIndex(named: "risks"))
        let drawing = try #require(DecisionDrawing(loaded.policy, decision: index))
        #expect(drawing.clusters.count == 6)
        #expect(drawing.clusters[0].title == "applies when")
        #expect(drawing.clusters[0].nodes.map(\.label) == ["urgent", "the rules below apply", "not applicable"])
        #expect(drawing.clusters[0].edges.map(\.label) == ["true", "false"])
    }

    @Test("a test of another decision's answer is one node naming that decision, not its inner tests")
    func decisionReadIsOneNode() throws {
        let (risks, _) = try Self.drawing("risks")
        let notes = risks.clusters[0]
        let read = try #require(notes.nodes.first { $0.kind == .decisionTest })
        #expect(read.label == "authorization is required or expired")
        // None of authorization's own tests appears where it is read.
        for label in ["referral.status", "has(referral.valid_until)", "service.date <= referral.valid_until"] {
            #expect(!risks.allNodes.contains { $0.label == label }, "\(label)")
        }

        let (pathway, _) = try Self.drawing("pathway")
        #expect(pathway.clusters.isEmpty)
        #expect(pathway.nodes.map(\.label) == ["authorization is not_required or on_file", "none\nrule pathway-none", "provider.network", "call\ndefault", "refer\nrule pathway-refer"])
        #expect(pathway.nodes.filter { $0.kind == .decisionTest }.count == 1)
        #expect(pathway.edges.map(\.label) == ["yes", "no", "payer, affiliate", "out_of_network"])
    }

    @Test("a unique decision is one diagram; reads of a hit-all decision name it; overlapping rules are shown")
    func uniqueDecision() throws {
        let (followup, _) = try Self.drawing("followup")
        #expect(followup.clusters.isEmpty)
        // `len(risks) > 0` twice: under "yes" it tells an overlap from followup-id alone, under
        // "no" write from no rule, so the two share no answer and cannot be one node.
        #expect(followup.nodes.filter { $0.kind == .decisionTest }.map(\.label) == ["risks includes NO_ID", "len(risks) > 0", "len(risks) > 0"])
        #expect(followup.nodes.contains { $0.label == "call\nrule followup-id\noverlaps: followup-any" })
        #expect(followup.nodes.contains { $0.kind == .noRule && $0.label == "no rule matches" })
    }

    @Test("only a diagram past the node budget is not drawn; hit all needs the budget per rule")
    func budget() throws {
        let loaded = try compilePolicy(Self.policy)
        let authorization = try #require(loaded.policy.decisionIndex(named: "authorization"))
        let risks = try #require(loaded.policy.decisionIndex(named: "risks"))
        func options(_ perRule: Int) -> CompileOptions { CompileOptions(nodesPerRule: perRule, minimumNodeBudget: 1) }
        // The smallest allowance that draws `risks`: each rule's diagram, on its own, within it ...
        let perRule = try #require((1...100).first { DecisionDrawing(loaded.policy, decision: risks, options: options($0)) != nil })
        #expect(DecisionDrawing(loaded.policy, decision: risks, options: options(perRule))?.clusters.count == 5)
        // ... is less than its compiled product needs, and too small for authorization's diagram.
        #expect(loaded.compiled.nodeCount(ofDecision: risks) > perRule * (5 + 1))
        #expect(DecisionDrawing(loaded.policy, decision: authorization, options: options(perRule)) == nil)
        #expect(GraphvizExport.dot(loaded.policy, decision: authorization, options: options(perRule)) == nil)
        #expect(GraphvizExport.dot(loaded.policy, decision: authorization) != nil)
    }

    @Test("a test repeated in a drawing is one node")
    func sharedTests() throws {
        let (authorization, _) = try Self.drawing("authorization")
        let labels = authorization.nodes.map(\.label)
        // referral.status is read by two rules; provider.network by one; each is one node.
        #expect(labels.filter { $0 == "referral.status" }.count == 1)
        #expect(labels.filter { $0 == "provider.network" }.count == 1)
        #expect(labels.filter { $0 == "has(referral.valid_until)" }.count == 1)

        // Within one rule: `urgent` is tested on both sides of the `or`, once in the drawing.
        let (risks, _) = try Self.drawing("risks")
        let docs = risks.clusters[4]
        #expect(docs.nodes.filter { $0.label == "urgent" }.count == 1)
        #expect(docs.nodes.filter { $0.kind == .test }.count == 3)
    }

    @Test("a number input is one node whose arrows are ranges")
    func intervals() throws {
        let (band, _) = try Self.drawing("band")
        #expect(band.nodes.filter { $0.kind == .test }.map(\.label) == ["visits"])
        #expect(band.edges.map(\.label) == ["< 5", ">= 5 and < 10", ">= 10"])
    }

    @Test("the title names the policy, its version and the decision")
    func title() throws {
        let (drawing, _) = try Self.drawing("risks")
        #expect(drawing.title == "test/policy (effective 2026-01-01)\nrisks (hit all): each rule that matches adds its outcome")
        let dot = GraphvizExport.dot(drawing)
        #expect(dot.contains(#"label="test/policy (effective 2026-01-01)\nrisks (hit all): each rule that matches adds its outcome""#))
        let (pathway, _) = try Self.drawing("pathway")
        #expect(pathway.title.hasSuffix("\npathway (hit first): the first rule that matches decides"))
    }

    @Test("policy text is escaped for DOT: quotes, backslashes, line breaks, control characters")
    func escaping() throws {
        #expect(GraphvizExport.escape(#"a "b" \c"# + "\nd\r\u{7}e") == #"a \"b\" \\c\nd e"#)
        #expect(GraphvizExport.escape(#"\N \G \l"#) == #"\\N \\G \\l"#)
        let (drawing, _) = try Self.drawing("risks")
        let dot = GraphvizExport.dot(drawing)
        #expect(dot.contains(#"[label="adds Say \"hi\" \\ now\nplease""#))
        // Every line is a whole statement: no label broke a line or ended a string early.
        for line in dot.split(separator: "\n") {
            #expect(line.hasSuffix(";") || line.hasSuffix("{") || line == "}" || line == "  }", "\(line)")
            let unescapedQuotes = line.replacingOccurrences(of: #"\\"#, with: "").replacingOccurrences(of: #"\""#, with: "")
                .filter { $0 == "\"" }.count
            #expect(unescapedQuotes % 2 == 0, "\(line)")
        }
    }

    @Test("the same policy gives the same DOT, byte for byte")
    func deterministic() throws {
        let first = try compilePolicy(Self.policy)
        let second = try compilePolicy(Self.policy)
        for name in ["authorization", "risks", "pathway", "band"] {
            let index = try #require(first.policy.decisionIndex(named: name))
            let a = try #require(GraphvizExport.dot(first.policy, decision: index))
            let b = try #require(GraphvizExport.dot(second.policy, decision: index))
            #expect(Array(a.utf8) == Array(b.utf8), "\(name)")
        }
    }

    @Test("every decision of every shipped policy is drawn, and Kaiser's hit-all decisions stay small")
    func shippedPolicies() throws {
        let catalog = try PolicyCatalog(paths: [Fixtures.repositoryRoot.appendingPathComponent("Policies").path])
        for loaded in catalog.policies {
            for (index, decision) in loaded.policy.decisions.enumerated() {
                let drawing = try #require(DecisionDrawing(loaded.policy, decision: index), "\(loaded.id) \(decision.name)")
                if decision.hit == .all { #expect(drawing.clusters.count == decision.rules.count + (decision.appliesWhen == nil ? 0 : 1)) }
            }
        }
        let kaiser = try #require(catalog.policy(id: "kaiser-norcal/behavioral-health"))
        let index = try #require(kaiser.policy.decisionIndex(named: "denial_risks"))
        let risks = try #require(DecisionDrawing(kaiser.policy, decision: index))
        #expect(risks.clusters.count == 5)
        #expect(risks.allNodes.count <= 30)
        #expect(risks.allNodes.filter { $0.label == "authorization is required or expired" }.count == 4)
    }
}
