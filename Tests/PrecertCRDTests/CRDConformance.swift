import Precert
@testable import PrecertCRD

/// Checks a CRD response against CDS Hooks and CRD 2.2: the coverage-information extension's
/// cardinalities, required value sets and invariants crd-ci-q1..q9, the card rules of
/// CRDHooksResponseBase, and that each update changes nothing but the extension. Returns every
/// violation found (empty when the response conforms).
enum CRDConformance {
    static let known = ["coverage", "covered", "pa-needed", "doc-needed", "doc-purpose", "info-needed", "billingCode", "reason", "detail",
        "dependency", "questionnaire", "date", "coverage-assertion-id", "satisfied-pa-id", "contact", "expiry-date"]
    static let reasonCodes = ["gold-card", "no-member-found", "no-active-coverage", "coverage-not-found", "auth-out-network", "technical"]

    static func violations(response: JSONValue, request: JSONValue) -> [String] {
        var found: [String] = []
        guard case .array? = response["cards"] else { return ["`cards` is required"] }
        for card in JSON.items(response["cards"]) {
            if JSON.string(card["uuid"]) == nil { found.append("a card has no uuid (CRD makes it 1..1)") }
            guard let summary = JSON.string(card["summary"]), summary.count < 140 else { found.append("a card's summary is missing or not under 140 characters"); continue }
            if !["info", "warning", "critical"].contains(JSON.string(card["indicator"]) ?? "") { found.append("a card's indicator is not info, warning or critical") }
            if (JSON.string(card["source"]?["label"]) ?? "").isEmpty { found.append("a card has no source.label") }
            if JSON.string(card["source"]?["topic"]?["code"]) == nil || JSON.string(card["source"]?["topic"]?["system"]) == nil {
                found.append("a card has no source.topic coding (CRD makes it 1..1)")
            }
        }
        var requestResources: [JSONValue] = []
        if case .object(let members)? = request["prefetch"] { for member in members { requestResources += HookCall.resources(in: member.value) } }
        if case .object(let context)? = request["context"] {
            for member in context { requestResources += HookCall.resources(in: member.value) }
        }
        for action in JSON.items(response["systemActions"]) {
            if JSON.string(action["type"]) != "update" { found.append("a system action is not an update") }
            if action["resourceId"] != nil { found.append("a coverage-information update has a resourceId (0..0)") }
            guard let resource = action["resource"] else { found.append("a system action has no resource"); continue }
            let informations = JSON.items(resource["extension"]).filter { JSON.string($0["url"]) == ResponseWriter.extensionURL }
            if informations.isEmpty { found.append("crd-respci1: the updated resource has no coverage-information extension") }
            // resp-37: nothing but the coverage information changes.
            let original = requestResources.first { $0["resourceType"] == resource["resourceType"] && $0["id"] == resource["id"] }
            if let original {
                let keep = { (value: JSONValue) -> JSONValue in
                    var members = JSON.members(value)
                    if let index = members.firstIndex(where: { $0.key == "extension" }) {
                        let others = JSON.items(members[index].value).filter { JSON.string($0["url"]) != ResponseWriter.extensionURL }
                        if others.isEmpty { members.remove(at: index) } else { members[index].value = .array(others) }
                    }
                    return .object(members)
                }
                if keep(original) != keep(resource) { found.append("resp-37: the update changes more than the coverage information") }
            } else {
                found.append("the updated resource is not one of the request's")
            }
            for information in informations { found += violations(information: information) }
        }
        return found
    }

    static func violations(information: JSONValue) -> [String] {
        var found: [String] = []
        let parts = JSON.items(information["extension"])
        func all(_ url: String) -> [JSONValue] { parts.filter { JSON.string($0["url"]) == url } }
        func codes(_ url: String) -> [String] { all(url).compactMap { JSON.string($0["valueCode"]) } }
        for part in parts where !known.contains(JSON.string(part["url"]) ?? "") { found.append("unknown sub-extension `\(JSON.string(part["url"]) ?? "")`") }
        func cardinality(_ url: String, _ min: Int, _ max: Int?) {
            let count = all(url).count
            if count < min || (max.map { count > $0 } ?? false) { found.append("`\(url)` appears \(count) times") }
        }
        cardinality("coverage", 1, 1)
        cardinality("covered", 1, 1)
        cardinality("pa-needed", 0, 1)
        cardinality("date", 1, 1)
        cardinality("coverage-assertion-id", 1, 1)
        cardinality("satisfied-pa-id", 0, 1)
        cardinality("expiry-date", 0, 1)
        if all("coverage").first?["valueReference"]?["reference"] == nil { found.append("`coverage` has no valueReference") }
        if let date = all("date").first.flatMap({ JSON.string($0["valueDate"]) }), CivilDate(iso: date) == nil { found.append("`date` is not a date") }
        if (all("coverage-assertion-id").first.flatMap { JSON.string($0["valueString"]) } ?? "").isEmpty { found.append("empty coverage-assertion-id") }
        func bound(_ url: String, _ set: [String]) {
            for code in codes(url) where !set.contains(code) { found.append("`\(url)` code `\(code)` is not in its required value set") }
            if codes(url).count != all(url).count { found.append("`\(url)` without valueCode") }
        }
        bound("covered", CRDCodes.covered)
        bound("pa-needed", CRDCodes.paNeeded)
        bound("doc-needed", CRDCodes.docNeeded)
        bound("doc-purpose", CRDCodes.docPurpose)
        bound("info-needed", CRDCodes.infoNeeded)
        for detail in all("detail") {
            let inner = JSON.items(detail["extension"])
            let categories = inner.filter { JSON.string($0["url"]) == "category" }.compactMap { JSON.string($0["valueCode"]) }
            if categories.count != 1 || !["cat-limitation", "cat-decisional", "cat-other"].contains(categories[0]) { found.append("a detail's category is wrong") }
            if inner.filter({ JSON.string($0["url"]) == "code" && $0["valueCodeableConcept"] != nil }).count != 1 { found.append("a detail has no code") }
            if inner.filter({ JSON.string($0["url"]) == "value" }).count != 1 { found.append("a detail has no value") }
        }
        let covered = codes("covered"), pa = codes("pa-needed"), doc = codes("doc-needed"), purpose = codes("doc-purpose"), info = codes("info-needed")
        let reasons = all("reason")
        if !all("questionnaire").isEmpty, doc.isEmpty { found.append("crd-ci-q1") }
        if covered.contains("not-covered"), !pa.isEmpty { found.append("crd-ci-q2") }
        if (covered + pa + doc).contains("conditional"), info.isEmpty { found.append("crd-ci-q3") }
        if pa.contains(where: { ["satisfied", "no-auth"].contains($0) }), purpose.contains("withpa") { found.append("crd-ci-q4") }
        if all("satisfied-pa-id").isEmpty == pa.contains("satisfied") { found.append("crd-ci-q5") }
        if info.contains("OTH"), reasons.isEmpty { found.append("crd-ci-q6") }
        for reason in reasons {
            let concept = reason["valueCodeableConcept"]
            if concept?["text"] == nil {
                let coded = JSON.items(concept?["coding"]).contains { JSON.string($0["system"]) == ResponseWriter.reasonSystem && reasonCodes.contains(JSON.string($0["code"]) ?? "") }
                if !coded { found.append("crd-ci-q7") }
            }
        }
        if !purpose.isEmpty, reasons.isEmpty { found.append("crd-ci-q8") }
        if (covered + pa + doc).contains("indeterminate"), reasons.isEmpty { found.append("crd-ci-q9") }
        return found
    }
}
