import Precert

/// Writes the CDS Hooks response of one call: a coverage-information system action per in-scope
/// order, and the cards a clinician should read.
struct ResponseWriter {
    static let extensionURL = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"
    static let reasonSystem = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp"
    static let detailSystem = "http://terminology.hl7.org/CodeSystem/crd-coverage-detail"
    static let cardTypeSystem = "http://terminology.hl7.org/CodeSystem/cdshooks-card-type"

    let service: CRDService
    let call: HookCall
    let now: Timestamp
    var actions: [JSONValue] = []
    var cards: [JSONValue] = []
    /// Each order the policy answered: its assertion id, case and decision, for the audit trail.
    var assertions: [CRDAnswer.Assertion] = []

    init(service: CRDService, call: HookCall, now: Timestamp) {
        self.service = service
        self.call = call
        self.now = now
    }

    /// The response object.
    mutating func respond() throws(CRDError) -> JSONValue {
        let mapper = CaseMapper(mapping: service.mapping, directories: service.directories)
        let coverageOn = call.configuration["coverage-info"] != .bool(false)
        guard !call.coverages.isEmpty else {
            // coverage-information needs a Coverage to reference (1..1): with none, say so in a card.
            cards.append(card(
                kind: "no-coverage", seed: "no-coverage|\(now.rfc3339)", label: "Precert", topic: "insurance", indicator: "info",
                summary: "No coverage was sent with this request, so no coverage requirements could be looked up",
                detail: nil, orders: call.orders))
            return finish()
        }
        // CRD sends the one primary Coverage (dev-29); with several, the first whose payer is known.
        let scopes = call.coverages.map { coverage in scope(order: .null, coverage: coverage) }
        let chosen = scopes.first { mapper.payer(in: $0, hook: call.hook) != nil } ?? scopes[0]
        let coverage = chosen.coverage ?? call.coverages[0]
        let coverageReference = "Coverage/\(JSON.string(coverage["id"]) ?? "")"
        let payer = mapper.payer(in: chosen, hook: call.hook)
        for order in call.orders {
            let orderScope = scope(order: order, coverage: coverage)
            let target = updateTarget(order, scope: orderScope)
            let targetReference = "\(JSON.string(target["resourceType"]) ?? "")/\(JSON.string(target["id"]) ?? "")"
            guard let payer else {
                if coverageOn { actions.append(update(target, with: refusal("coverage-not-found", coverage: coverageReference, order: targetReference))) }
                continue
            }
            guard JSON.string(coverage["status"]) == "active" else {
                if coverageOn { actions.append(update(target, with: refusal("no-active-coverage", coverage: coverageReference, order: targetReference))) }
                continue
            }
            let document = mapper.caseDocument(scope: orderScope, hook: call.hook, payer: payer)
            let caseBytes = document.jsonBytes()
            let decision: CaseDecision
            switch service.catalog.evaluate(caseBytes, options: EvaluationOptions(policyID: payer.policy, file: "<crd order>")) {
            case .success(let answer):
                decision = answer
            case .failure(let errors):
                if errors.fault == .deployment {
                    throw CRDError(.deployment, "the policy `\(payer.policy)` cannot answer: \(errors.diagnostics.first.map { $0.id.code } ?? "not loaded")")
                }
                // A case the mapping built that the policy refuses is the service's own failure (resp-43).
                if coverageOn {
                    actions.append(update(target, with: refusal("technical", coverage: coverageReference, order: targetReference, covered: "indeterminate")))
                }
                continue
            }
            let assertionID = String(Digest.sha256Hex(parts: ["precert-crd", decision.provenance.digest, String(decoding: caseBytes, as: UTF8.self), coverageReference, targetReference]).prefix(32))
            assertions.append(CRDAnswer.Assertion(id: assertionID, order: targetReference, caseBytes: caseBytes, decision: decision))
            if coverageOn {
                let information = coverageInformation(decision, payer: payer, coverage: coverageReference, assertionID: assertionID, caseDocument: document, scope: orderScope)
                actions.append(update(target, with: information))
            }
            cards += decisionCards(decision, payer: payer, assertionID: assertionID, order: target, caseDocument: document)
        }
        return finish()
    }

    func finish() -> JSONValue {
        var kept = cards.filter { card in
            guard let topic = JSON.string(card["source"]?["topic"]?["code"]) else { return true }
            return call.configuration[topic] != .bool(false)
        }
        if case .number(let most)? = call.configuration["max-cards"], most >= 0, kept.count > Int(most) { kept = Array(kept.prefix(Int(most))) }
        var members: [String: JSONValue] = ["cards": .array(kept)]
        if !actions.isEmpty { members["systemActions"] = .array(actions) }
        return JSON.object(members)
    }

    func scope(order: JSONValue, coverage: JSONValue?) -> FHIRScope {
        FHIRScope(order: order, coverage: coverage, context: call.context, resources: call.resources, now: now, today: now.localDateUTC)
    }

    /// The resource the coverage information goes on: the order itself, or for an Appointment
    /// based on a ServiceRequest, that ServiceRequest (CRD FHIR-50318).
    func updateTarget(_ order: JSONValue, scope: FHIRScope) -> JSONValue {
        guard order["resourceType"] == .string("Appointment") else { return order }
        for based in JSON.items(order["basedOn"]) {
            if let request = scope.resolve(based), request["resourceType"] == .string("ServiceRequest") { return request }
        }
        return order
    }

    /// An `update` system action of `resource` with `information` added to its extensions,
    /// nothing else changed.
    func update(_ resource: JSONValue, with information: JSONValue) -> JSONValue {
        var members = JSON.members(resource)
        if let index = members.firstIndex(where: { $0.key == "extension" }) {
            members[index].value = .array(JSON.items(members[index].value) + [information])
        } else {
            members.append(JSONValue.Member("extension", .array([information])))
        }
        let type = JSON.string(resource["resourceType"]) ?? "resource"
        return JSON.object([
            "type": .string("update"), "description": .string("Adds coverage information to the \(type)"), "resource": .object(members),
        ])
    }

    static func sub(_ url: String, _ valueKey: String, _ value: JSONValue) -> JSONValue {
        JSON.object(["url": .string(url), valueKey: value])
    }

    static func reason(code: String? = nil, text: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if let code { members["coding"] = .array([JSON.object(["system": .string(reasonSystem), "code": .string(code)])]) }
        if let text { members["text"] = .string(text) }
        return JSON.object(members)
    }

    /// The answer date: today in UTC (a call has no payer time zone before a policy is chosen).
    var today: String { now.localDateUTC.description }

    /// `not-covered` (or `indeterminate`) with a coded reason, for a call no policy answers.
    func refusal(_ reason: String, coverage: String, order: String, covered: String = "not-covered") -> JSONValue {
        let id = String(Digest.sha256Hex(parts: ["precert-crd", reason, coverage, order, now.rfc3339]).prefix(32))
        var parts: [JSONValue] = [
            Self.sub("coverage", "valueReference", JSON.object(["reference": .string(coverage)])),
            Self.sub("covered", "valueCode", .string(covered)),
            Self.sub("reason", "valueCodeableConcept", Self.reason(code: reason)),
            Self.sub("date", "valueDate", .string(today)),
            Self.sub("coverage-assertion-id", "valueString", .string(id)),
        ]
        if covered == "indeterminate" {
            parts[2] = Self.sub("reason", "valueCodeableConcept", Self.reason(code: reason, text: "Precert could not evaluate this order against the payer's policy"))
        }
        return JSON.object(["url": .string(Self.extensionURL), "extension": .array(parts)])
    }

    /// The CRD code `table` gives `result`: the outcome's code, or when the result needs
    /// information, the one code every possible outcome shares, else the table's `needs-information`.
    static func code(_ table: CRDMapping.OutcomeTable, _ result: DecisionResult?) -> String? {
        guard let result else { return nil }
        switch result.status {
        case .decided:
            return result.outcome.flatMap { table.codes[$0] }
        case .needsInformation:
            let possible = Set(result.possible.compactMap { table.codes[$0] })
            if possible.count == 1, result.possible.allSatisfy({ table.codes[$0] != nil }) { return possible.first }
            return table.needsInformation
        case .notApplicable, .noMatch:
            return nil
        }
    }

    func coverageInformation(
        _ decision: CaseDecision, payer: CRDMapping.Payer, coverage: String, assertionID: String, caseDocument: JSONValue, scope: FHIRScope
    ) -> JSONValue {
        var parts: [JSONValue] = [Self.sub("coverage", "valueReference", JSON.object(["reference": .string(coverage)]))]
        var reasons: [JSONValue] = []
        let coveredResult = decision[payer.covered.decision]
        let covered = Self.code(payer.covered, coveredResult) ?? "indeterminate"
        parts.append(Self.sub("covered", "valueCode", .string(covered)))
        // The answers left open for want of an input: their inputs are the information needed.
        var waiting: [DecisionResult] = []
        if let coveredResult, coveredResult.status == .needsInformation, covered == payer.covered.needsInformation { waiting.append(coveredResult) }
        var conditional = covered == "conditional"
        if covered == "not-covered" {
            // crd-ci-q2: nothing about authorization for a service that is not covered.
            for rule in coveredResult?.rules ?? [] { if let because = rule.because { reasons.append(Self.reason(text: because)) } }
        } else {
            var paNeeded: String?
            if let table = payer.paNeeded {
                let result = decision[table.decision]
                paNeeded = Self.code(table, result)
                if let result, result.status == .needsInformation, paNeeded == table.needsInformation { waiting.append(result) }
                if let paNeeded { parts.append(Self.sub("pa-needed", "valueCode", .string(paNeeded))) }
                conditional = conditional || paNeeded == "conditional"
            }
            if let table = payer.docNeeded {
                let result = decision[table.decision]
                var codes: [String] = []
                if result?.status == .decided {
                    for outcome in result?.outcomes ?? [] { if let code = table.codes[outcome], !codes.contains(code) { codes.append(code) } }
                } else if let result, result.status == .needsInformation, let code = table.needsInformation {
                    codes = [code]
                    waiting.append(result)
                }
                for code in codes { parts.append(Self.sub("doc-needed", "valueCode", .string(code))) }
                conditional = conditional || codes.contains("conditional")
                // crd-ci-q4: no `withpa` when no authorization is needed; crd-ci-q8: a purpose needs a reason.
                let noPA = paNeeded == "no-auth" || paNeeded == "satisfied"
                if let purpose = table.purpose, codes.contains(where: { $0 != "conditional" }), !(purpose == "withpa" && noPA) {
                    parts.append(Self.sub("doc-purpose", "valueCode", .string(purpose)))
                    let labels = Self.labels(result)
                    reasons.append(Self.reason(text: "\(payer.label)'s review needs: \(labels.joined(separator: "; "))"))
                }
            }
        }
        // info-needed: the inputs the undecided answers wait for.
        var infoNeeded: [String] = []
        var otherFields: [String] = []
        for result in waiting {
            for field in result.missing {
                if let code = payer.infoNeeded[field] {
                    if !infoNeeded.contains(code) { infoNeeded.append(code) }
                } else if !otherFields.contains(field) {
                    otherFields.append(field)
                }
            }
        }
        if conditional, infoNeeded.isEmpty, otherFields.isEmpty { otherFields.append("more information") }
        if !otherFields.isEmpty, covered != "not-covered" {
            infoNeeded.append("OTH")
            reasons.append(Self.reason(text: "\(payer.label)'s rules need information the request does not give: \(otherFields.map { "`\($0)`" }.joined(separator: ", "))"))
        }
        if covered != "not-covered" {
            for code in infoNeeded { parts.append(Self.sub("info-needed", "valueCode", .string(code))) }
        }
        for coding in billingCodes(caseDocument: caseDocument, scope: scope) { parts.append(Self.sub("billingCode", "valueCoding", coding)) }
        if covered == "indeterminate" { reasons.append(Self.reason(code: "technical", text: "the policy gave no coverage answer for this order")) }
        for reason in reasons { parts.append(Self.sub("reason", "valueCodeableConcept", reason)) }
        for step in decision.nextSteps {
            parts.append(JSON.object(["url": .string("detail"), "extension": .array([
                Self.sub("category", "valueCode", .string("cat-other")),
                Self.sub("code", "valueCodeableConcept", JSON.object(["coding": .array([JSON.object(["system": .string(Self.detailSystem), "code": .string("instructions")])])])),
                Self.sub("value", "valueString", .string(step)),
            ])]))
        }
        var links: [String] = []
        for result in decision.decisions {
            for rule in result.rules {
                for source in rule.sources where (source.hasPrefix("https://") || source.hasPrefix("http://")) && !links.contains(source) { links.append(source) }
            }
        }
        for link in links {
            parts.append(JSON.object(["url": .string("detail"), "extension": .array([
                Self.sub("category", "valueCode", .string("cat-other")),
                Self.sub("code", "valueCodeableConcept", JSON.object(["coding": .array([JSON.object(["system": .string(Self.detailSystem), "code": .string("policy-link")])])])),
                Self.sub("value", "valueUrl", .string(link)),
            ])]))
        }
        let date = PolicyTimeZone(identifier: decision.provenance.timeZone)?.localDate(of: now) ?? now.localDateUTC
        parts.append(Self.sub("date", "valueDate", .string(date.description)))
        parts.append(Self.sub("coverage-assertion-id", "valueString", .string(assertionID)))
        return JSON.object(["url": .string(Self.extensionURL), "extension": .array(parts)])
    }

    /// The labels of a result's outcomes (the policy's plain words).
    static func labels(_ result: DecisionResult?) -> [String] {
        guard let result else { return [] }
        return result.outcomes.indices.map { index in index < result.outcomeLabels.count ? result.outcomeLabels[index] : result.outcomes[index] }
    }

    /// An outcome word in the policy's plain words: its label in the first of `decisions` that
    /// labels it, else its message there, else the word itself.
    static func plainWords(_ outcome: String, decisions: [String], policy: LoadedPolicy?) -> String {
        let found = decisions.compactMap { name in policy?.policy.decisions.first { $0.name == name } }
        for decision in found {
            if let index = decision.outcomes.firstIndex(of: outcome), let label = decision.labels[index] { return label }
        }
        for decision in found {
            if let index = decision.outcomes.firstIndex(of: outcome), let message = decision.messages[index] { return message }
        }
        return outcome
    }

    /// The billing codes the assertion is about: each code of `service.cpt` with the system the
    /// order wrote it under.
    func billingCodes(caseDocument: JSONValue, scope: FHIRScope) -> [JSONValue] {
        let codes = JSON.items(caseDocument["service"]?["cpt"]).compactMap { JSON.string($0) }
        var codings: [JSONValue] = []
        if let path = try? FHIRPath.parse("order.code.coding") { codings += scope.evaluate(path) }
        if let path = try? FHIRPath.parse("order.code.extension.valueCodeableConcept.coding") { codings += scope.evaluate(path) }
        if let path = try? FHIRPath.parse("order.basedOn.resolve().code.coding") { codings += scope.evaluate(path) }
        if let path = try? FHIRPath.parse("order.serviceType.coding") { codings += scope.evaluate(path) }
        return codes.map { code in
            let system = codings.first { JSON.string($0["code"]) == code }.flatMap { JSON.string($0["system"]) } ?? "http://www.ama-assn.org/go/cpt"
            return JSON.object(["system": .string(system), "code": .string(code)])
        }
    }

    /// A deterministic UUID (version 5 layout) from `seed`.
    static func uuid(_ seed: String) -> String {
        var hex = Array(Digest.sha256Hex(parts: ["precert-crd-card", seed]).prefix(32))
        hex[12] = "5"
        let variant = Int(String(hex[16]), radix: 16)! & 0x3 | 0x8
        hex[16] = Character(String(variant, radix: 16))
        let text = String(hex)
        func part(_ from: Int, _ to: Int) -> Substring { text.dropFirst(from).prefix(to - from) }
        return "\(part(0, 8))-\(part(8, 12))-\(part(12, 16))-\(part(16, 20))-\(part(20, 32))"
    }

    func card(kind: String, seed: String, label: String, topic: String, indicator: String, summary: String, detail: String?, orders: [JSONValue]) -> JSONValue {
        var members: [String: JSONValue] = [
            "uuid": .string(Self.uuid("\(kind)|\(seed)")),
            "summary": .string(summary.count < 140 ? summary : String(summary.prefix(136)) + "…"),
            "indicator": .string(indicator),
            "source": JSON.object([
                "label": .string(label),
                "topic": JSON.object(["system": .string(Self.cardTypeSystem), "code": .string(topic), "display": .string(Self.topicDisplay(topic))]),
            ]),
        ]
        if let detail { members["detail"] = .string(detail) }
        let references = orders.compactMap { order -> JSONValue? in
            guard let type = JSON.string(order["resourceType"]), let id = JSON.string(order["id"]) else { return nil }
            return JSON.object(["reference": .string("\(type)/\(id)")])
        }
        if !references.isEmpty { members["extension"] = JSON.object(["davinci-crd.associated-resource": .array(references)]) }
        return JSON.object(members)
    }

    static func topicDisplay(_ code: String) -> String {
        switch code {
        case "coverage-info": "Coverage Information"
        case "insurance": "Insurance"
        case "network": "Network"
        case "limits": "Limits"
        case "claim": "Claim"
        case "cost": "Cost"
        default: code
        }
    }

    /// Words naming an order for a card (CRD dev-24): its codes.
    static func orderWords(_ caseDocument: JSONValue) -> String {
        let codes = JSON.items(caseDocument["service"]?["cpt"]).compactMap { JSON.string($0) }
        return codes.isEmpty ? "this order" : "the order for \(codes.map { "CPT \($0)" }.joined(separator: ", "))"
    }

    func decisionCards(_ decision: CaseDecision, payer: CRDMapping.Payer, assertionID: String, order: JSONValue, caseDocument: JSONValue) -> [JSONValue] {
        var result: [JSONValue] = []
        let words = Self.orderWords(caseDocument)
        if let rule = payer.denialRisks, let risks = decision[rule.decision], risks.status == .decided, !risks.outcomes.isEmpty {
            let labels = Self.labels(risks)
            var lines: [String] = []
            for (index, outcome) in risks.outcomes.enumerated() {
                let fix = risks.messages.first { $0.outcome == outcome }?.message
                lines.append("- **\(labels[index])**" + (fix.map { ": \($0)" } ?? ""))
            }
            let count = risks.outcomes.count
            result.append(card(
                kind: "denial-risks", seed: assertionID, label: payer.label, topic: rule.topic, indicator: "warning",
                summary: "\(count) common \(payer.label) denial reason\(count == 1 ? " applies" : "s apply"); each has a fix",
                detail: "For \(words), \(payer.label) commonly denies requests like this one for:\n\n" + lines.joined(separator: "\n"), orders: [order]))
        }
        if let rule = payer.checklist, let items = decision[rule.decision], items.status == .decided, !items.outcomes.isEmpty {
            let missing = rule.missing.flatMap { decision[$0] }
            let missingOutcomes = missing?.status == .decided ? Set(missing?.outcomes ?? []) : []
            let undecided = missing != nil && missing?.status != .decided
            let policy = service.catalog.policy(id: decision.policyID, on: decision.effective)
            let names = [rule.missing, rule.decision].compactMap { $0 }
            let lines = items.outcomes.map { outcome in
                let words = Self.plainWords(outcome, decisions: names, policy: policy)
                return undecided ? "- \(words)" : "- [\(missingOutcomes.contains(outcome) ? " " : "x")] \(words)"
            }
            let stillNeeded = items.outcomes.filter { missingOutcomes.contains($0) }.count
            let summary = undecided
                ? "\(payer.label) authorization request checklist: \(items.outcomes.count) items"
                : "\(payer.label) authorization request checklist: \(stillNeeded) of \(items.outcomes.count) items still needed"
            result.append(card(
                kind: "checklist", seed: assertionID, label: payer.label, topic: rule.topic, indicator: "info", summary: summary,
                detail: "What an authorization request for \(words) must include:\n\n" + lines.joined(separator: "\n"), orders: [order]))
        }
        if let rule = payer.turnaround, let clock = decision[rule.decision], clock.status == .decided, let due = clock.due, let duration = clock.outcome {
            result.append(card(
                kind: "turnaround", seed: assertionID, label: payer.label, topic: rule.topic, indicator: "info",
                summary: "\(payer.label) decides an authorization request sent now by \(due.rfc3339) (\(duration))",
                detail: "The clock starts when \(payer.label) receives the request; for a request received at \(now.rfc3339) the decision is due by \(due.rfc3339).",
                orders: [order]))
        }
        return result
    }
}

extension Timestamp {
    /// The UTC calendar date of the instant.
    var localDateUTC: CivilDate { localDate(offsetSeconds: 0) }
}
