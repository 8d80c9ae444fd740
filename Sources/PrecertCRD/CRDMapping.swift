import Precert

/// The CRD mapping file (`precert-crd-mapping: 1`) as read: the CDS services offered, the payer
/// table, and how each case field is read from a hook's FHIR resources.
package struct CRDMapping: Sendable {
    /// One CDS service: one hook, with its prefetch templates.
    package struct Service: Sendable {
        /// The service id: it is served at `/cds-services/{id}`.
        package var id: String
        /// The hook it answers.
        package var hook: String
        /// Its title, for people.
        package var title: String
        /// What it does, for people.
        package var description: String
        /// Prefetch key, template and whether the service cannot answer without it.
        package var prefetch: [(key: String, query: String, required: Bool)]
    }

    /// Where one case field's value comes from.
    package struct Source: Sendable {
        /// What gives the value.
        package enum Kind: Sendable {
            /// A path into the request's resources.
            case path(FHIRPath)
            /// A fixed value.
            case constant(String)
            /// An attribute of the payer's provider directory entry for the case's `provider.npi`.
            case directory(DirectoryAttribute)
        }
        /// What gives the value.
        package var kind: Kind
        /// Values as FHIR writes them, and the case value each stands for.
        package var map: [String: String]?
        /// Whether the value is a payer named in the payer table (by name or identifier).
        package var lookupPayer: Bool
        /// The hooks this source applies to; `nil` for every hook.
        package var hooks: Set<String>?
        /// Where it is written.
        package var range: SourceRange
    }

    /// What a provider directory says of an NPI.
    package enum DirectoryAttribute: String, Sendable, CaseIterable {
        /// The provider's network (`provider.network`).
        case network
        /// Whether the payer's directory lists the provider (`provider.in_directory`).
        case listed
    }

    /// One case field and its sources, in order.
    package struct Field: Sendable {
        /// The case field's dotted path.
        package var path: String
        /// The field as the case format declares it.
        package var format: CaseFormat.Field
        /// Its sources, in order.
        package var sources: [Source]
        /// Whether the field holds a list (`list<…>`, `set<…>`): every source's values are gathered.
        package var isList: Bool { format.typeName.hasPrefix("list<") || format.typeName.hasPrefix("set<") }
    }

    /// How one CRD element is read from one decision.
    package struct OutcomeTable: Sendable {
        /// The policy decision read.
        package var decision: String
        /// Policy outcome -> CRD code.
        package var codes: [String: String]
        /// The CRD code when the decision needs information; `nil` to leave the element out.
        package var needsInformation: String?
        /// For `doc-needed`, the `doc-purpose`.
        package var purpose: String?
    }

    /// One card the service writes from a decision.
    package struct CardRule: Sendable {
        /// The policy decision the card is written from.
        package var decision: String
        /// For the checklist, the decision that says which items are still missing.
        package var missing: String?
        /// The card's `source.topic` code (`cdshooks-card-type`).
        package var topic: String
    }

    /// One payer of the table.
    package struct Payer: Sendable {
        /// The payer id (a policy's `payer`).
        package var id: String
        /// The name members know (each card's `source.label`).
        package var label: String
        /// The policy id that answers for the payer.
        package var policy: String
        /// The names a Coverage's payor may give (compared ignoring case).
        package var names: [String]
        /// The identifier values a Coverage's payor may give.
        package var identifiers: [String]
        /// The payer id of its provider directory.
        package var directory: String?
        /// How `covered` is read.
        package var covered: OutcomeTable
        /// How `pa-needed` is read.
        package var paNeeded: OutcomeTable?
        /// How `doc-needed` and `doc-purpose` are read.
        package var docNeeded: OutcomeTable?
        /// Case field -> `info-needed` code; a field not listed gives `OTH` with a reason.
        package var infoNeeded: [String: String]
        /// The denial-risk card.
        package var denialRisks: CardRule?
        /// The submission-checklist card.
        package var checklist: CardRule?
        /// The turnaround card.
        package var turnaround: CardRule?
    }

    /// The file it was read from.
    package var file: String
    /// Its title.
    package var title: String
    /// The CDS services, one per hook.
    package var services: [Service]
    /// The resource types answered.
    package var orderTypes: [String]
    /// The payer table.
    package var payers: [Payer]
    /// The case fields and their sources, in the file's order.
    package var fields: [Field]

    /// The payer whose name or identifier is `text` (names ignore case).
    package func payer(matching text: String) -> Payer? {
        let lowered = text.lowercased()
        return payers.first { $0.identifiers.contains(text) || $0.names.contains { $0.lowercased() == lowered } }
    }
}

/// The CRD value sets the mapping's codes are checked against (CRD 2.2.1 `CoverageInformationCodes.fsh`).
package enum CRDCodes {
    /// `covered` codes.
    package static let covered = ["covered", "not-covered", "conditional", "indeterminate"]
    /// `pa-needed` codes.
    package static let paNeeded = ["no-auth", "auth-needed", "satisfied", "performpa", "conditional", "indeterminate"]
    /// `doc-needed` codes.
    package static let docNeeded = ["clinical", "admin", "patient", "conditional", "indeterminate"]
    /// `doc-purpose` codes.
    package static let docPurpose = ["withpa", "withclaim", "withorder", "retain-doc", "OTH"]
    /// `info-needed` codes.
    package static let infoNeeded = ["performer", "location", "timeframe", "contract-window", "detail-code", "OTH"]
    /// CDS Hooks card types (THO `cdshooks-card-type`).
    package static let cardTopics = [
        "coverage-info", "unsolicited-determ", "claim", "insurance", "limits", "network", "appropriate-use", "cost",
        "therapy-alternatives-opt", "therapy-alternatives-req", "clinical-reminder", "duplicate-therapy", "contraindication",
        "guideline", "off-guideline",
    ]
    /// The hooks Precert answers.
    package static let hooks = ["order-sign", "order-select", "order-dispatch", "appointment-book"]
}

/// Reads a CRD mapping file, reporting every problem at its place, and checks its case fields
/// against the case format and its decisions against the payers' policies.
package struct CRDMappingLoader {
    static let topKeys = ["precert-crd-mapping", "title", "sources", "services", "orders", "payers", "fields"]
    static let serviceKeys = ["id", "hook", "title", "description", "prefetch"]
    static let prefetchKeys = ["query", "required"]
    static let payerKeys = ["label", "policy", "names", "identifiers", "directory", "coverage-information", "cards"]
    static let informationKeys = ["covered", "pa-needed", "doc-needed", "info-needed"]
    static let tableKeys = ["decision", "outcomes", "needs-information", "purpose"]
    static let cardKeys = ["denial-risks", "checklist", "turnaround"]
    static let cardRuleKeys = ["decision", "missing", "topic"]
    static let sourceKeys = ["path", "constant", "directory", "lookup", "map", "hooks", "because"]

    private var diagnostics = DiagnosticBag()
    private let caseFormat: CaseFormat
    private let catalog: PolicyCatalog?

    /// The mapping in `text` (named `file` in diagnostics), checked against `caseFormat` and, when
    /// given, the policies of `catalog`; `nil` with the errors that keep it out.
    package static func load(text: String, file: String, caseFormat: CaseFormat, catalog: PolicyCatalog?) -> (CRDMapping?, [Diagnostic]) {
        let yaml = YAMLLoader.load(text, file: file)
        guard let root = yaml.root, !yaml.diagnostics.containsErrors else {
            var problems = yaml.diagnostics
            if yaml.root == nil, !problems.containsErrors {
                problems.append(.error("crd-mapping.wrong-kind", "the file is empty", at: SourceRange(SourceLocation(file: file, line: 1, column: 1))))
            }
            return (nil, problems)
        }
        var loader = CRDMappingLoader(caseFormat: caseFormat, catalog: catalog)
        let mapping = loader.read(root, file: file)
        return (loader.diagnostics.hasErrors ? nil : mapping, yaml.diagnostics + loader.diagnostics.all)
    }

    private init(caseFormat: CaseFormat, catalog: PolicyCatalog?) {
        self.caseFormat = caseFormat
        self.catalog = catalog
    }

    private mutating func error(_ id: DiagnosticID, _ message: String, at range: SourceRange, hint: String? = nil, suggestion: String? = nil) {
        diagnostics.report(.error(id, message, at: range, hint: hint, facts: DiagnosticFacts(suggestion: suggestion)))
    }

    private mutating func fields(_ node: YAMLNode, of what: String, allowed: [String], required: [String]) -> [String: YAMLNode.Pair]? {
        MappingFields.read(
            node, of: what, allowed: allowed, required: required,
            codes: .init(wrongKind: "crd-mapping.wrong-kind", unknownKey: "crd-mapping.unknown-key", missingKey: "crd-mapping.missing-key"),
            into: &diagnostics)
    }

    private mutating func text(_ node: YAMLNode, _ what: String) -> Located<String>? {
        MappingFields.text(node, what, wrongKind: "crd-mapping.wrong-kind", into: &diagnostics)
    }

    private mutating func textList(_ node: YAMLNode, _ what: String) -> [Located<String>] {
        guard let items = node.sequence else {
            error("crd-mapping.wrong-kind", "\(what) must be a list, not \(node.isNull ? "empty" : node.kindDescription)", at: node.range)
            return []
        }
        return items.compactMap { text($0, "an item of \(what)") }
    }

    /// `code` must be one of `allowed`.
    private mutating func code(_ node: YAMLNode, _ what: String, allowed: [String]) -> String? {
        guard let written = text(node, what) else { return nil }
        guard allowed.contains(written.value) else {
            let suggestion = Suggestion.closest(to: written.value, in: allowed)
            error("crd-mapping.unknown-code", "`\(written.value)` is not a CRD code for \(what)", at: written.range,
                hint: Suggestion.hint(suggestion) ?? "the codes are \(allowed.map { "`\($0)`" }.joined(separator: ", "))", suggestion: suggestion)
            return nil
        }
        return written.value
    }

    private mutating func read(_ root: YAMLNode, file: String) -> CRDMapping? {
        guard let top = fields(root, of: "the CRD mapping", allowed: Self.topKeys, required: ["precert-crd-mapping", "title", "services", "payers", "fields"]) else {
            return nil
        }
        if let node = top["precert-crd-mapping"]?.value, !(node.scalar == "1" && node.scalarStyle == .plain) {
            error("crd-mapping.format", "unsupported CRD mapping format `\(node.scalar ?? node.kindDescription)`", at: node.range,
                hint: "this version of Precert reads `precert-crd-mapping: 1`")
        }
        var mapping = CRDMapping(file: file, title: "", services: [], orderTypes: ["ServiceRequest", "Appointment"], payers: [], fields: [])
        mapping.title = top["title"].flatMap { text($0.value, "`title`") }?.value ?? ""
        if let pair = top["sources"] { _ = textList(pair.value, "`sources`") }
        if let pair = top["services"] { mapping.services = readServices(pair.value) }
        if let pair = top["orders"] {
            mapping.orderTypes = textList(pair.value, "`orders`").map(\.value)
        }
        if let pair = top["fields"] { mapping.fields = readFields(pair.value) }
        if let pair = top["payers"] {
            guard let pairs = pair.value.mapping else {
                error("crd-mapping.wrong-kind", "`payers` must be a mapping of payer ids, not \(pair.value.kindDescription)", at: pair.value.range)
                return mapping
            }
            for entry in pairs {
                guard let id = entry.key.scalar else { continue }
                if let payer = readPayer(Located(id, at: entry.key.range), entry.value) { mapping.payers.append(payer) }
            }
        }
        return mapping
    }

    private mutating func readServices(_ node: YAMLNode) -> [CRDMapping.Service] {
        guard let items = node.sequence else {
            error("crd-mapping.wrong-kind", "`services` must be a list, not \(node.kindDescription)", at: node.range)
            return []
        }
        var services: [CRDMapping.Service] = []
        for item in items {
            guard let keys = fields(item, of: "a service", allowed: Self.serviceKeys, required: ["id", "hook", "description"]) else { continue }
            var service = CRDMapping.Service(id: "", hook: "", title: "", description: "", prefetch: [])
            if let id = keys["id"].flatMap({ text($0.value, "`id`") }) {
                service.id = id.value
                if services.contains(where: { $0.id == id.value }) {
                    error("crd-mapping.duplicate-service", "a second service with the id `\(id.value)`", at: id.range)
                }
            }
            if let pair = keys["hook"] { service.hook = code(pair.value, "`hook`", allowed: CRDCodes.hooks) ?? "" }
            service.title = keys["title"].flatMap { text($0.value, "`title`") }?.value ?? ""
            service.description = keys["description"].flatMap { text($0.value, "`description`") }?.value ?? ""
            if let pair = keys["prefetch"] {
                if let entries = pair.value.mapping {
                    for entry in entries {
                        guard let key = entry.key.scalar,
                            let spec = fields(entry.value, of: "prefetch `\(key)`", allowed: Self.prefetchKeys, required: ["query"]),
                            let query = spec["query"].flatMap({ text($0.value, "`query`") })
                        else { continue }
                        var required = false
                        if let flag = spec["required"]?.value {
                            switch flag.scalar {
                            case "true": required = true
                            case "false": required = false
                            default: error("crd-mapping.wrong-kind", "`required` must be `true` or `false`", at: flag.range)
                            }
                        }
                        service.prefetch.append((key, query.value, required))
                    }
                } else {
                    error("crd-mapping.wrong-kind", "`prefetch` must be a mapping of keys, not \(pair.value.kindDescription)", at: pair.value.range)
                }
            }
            services.append(service)
        }
        return services
    }

    private mutating func readFields(_ node: YAMLNode) -> [CRDMapping.Field] {
        guard let pairs = node.mapping else {
            error("crd-mapping.wrong-kind", "`fields` must be a mapping of case fields, not \(node.kindDescription)", at: node.range)
            return []
        }
        var result: [CRDMapping.Field] = []
        for pair in pairs {
            guard let path = pair.key.scalar else { continue }
            guard let format = caseFormat.field(path) else {
                let suggestion = Suggestion.closest(to: path, in: caseFormat.fields.map(\.path))
                error("crd-mapping.unknown-field", "the case format has no field `\(path)`", at: pair.key.range,
                    hint: Suggestion.hint(suggestion) ?? "map only the fields of `Policies/case-format.yaml`", suggestion: suggestion)
                continue
            }
            if result.contains(where: { $0.path == path }) {
                error("crd-mapping.duplicate-field", "`\(path)` is mapped twice", at: pair.key.range)
                continue
            }
            guard let items = pair.value.sequence else {
                error("crd-mapping.wrong-kind", "the sources of `\(path)` must be a list, not \(pair.value.isNull ? "empty" : pair.value.kindDescription)", at: pair.value.range)
                continue
            }
            var field = CRDMapping.Field(path: path, format: format, sources: [])
            for item in items {
                if let source = readSource(item, field: field) { field.sources.append(source) }
            }
            result.append(field)
        }
        return result
    }

    /// Whether `value` fits the case field `format` (a value of an enum, a date, …).
    private func fits(_ value: String, _ format: CaseFormat.Field) -> Bool {
        if !format.values.isEmpty { return format.values.contains(value) }
        switch format.typeName {
        case "date": return CivilDate(iso: value) != nil
        case "datetime": return Timestamp(rfc3339: value) != nil
        case "bool": return value == "true" || value == "false"
        case "number": return Double(value) != nil
        default: return true
        }
    }

    private mutating func valueProblem(_ value: Located<String>, _ field: CRDMapping.Field) {
        let format = field.format
        if !format.values.isEmpty {
            let suggestion = Suggestion.closest(to: value.value, in: format.values)
            error("crd-mapping.bad-value", "`\(value.value)` is not a value of `\(field.path)`", at: value.range,
                hint: Suggestion.hint(suggestion) ?? "its values are \(format.values.map { "`\($0)`" }.joined(separator: ", "))", suggestion: suggestion)
        } else {
            error("crd-mapping.bad-value", "`\(value.value)` is not a \(format.typeName) for `\(field.path)`", at: value.range)
        }
    }

    private mutating func readSource(_ node: YAMLNode, field: CRDMapping.Field) -> CRDMapping.Source? {
        guard let keys = fields(node, of: "a source of `\(field.path)`", allowed: Self.sourceKeys, required: []) else { return nil }
        let kinds = ["path", "constant", "directory"].filter { keys[$0] != nil }
        guard kinds.count == 1 else {
            error("crd-mapping.source-kind", kinds.isEmpty
                ? "a source of `\(field.path)` needs one of `path`, `constant` or `directory`"
                : "a source of `\(field.path)` has both \(kinds.map { "`\($0)`" }.joined(separator: " and ")); give one", at: node.range)
            return nil
        }
        var source = CRDMapping.Source(kind: .constant(""), map: nil, lookupPayer: false, hooks: nil, range: node.range)
        if let pair = keys["path"] {
            guard let written = text(pair.value, "`path`") else { return nil }
            do {
                source.kind = .path(try FHIRPath.parse(written.value))
            } catch {
                // A quoted scalar's text starts one column after its opening quote.
                let quoted = pair.value.scalarStyle == .singleQuoted || pair.value.scalarStyle == .doubleQuoted
                let start = written.range.start.advanced(byColumns: error.offset + (quoted ? 1 : 0))
                self.error("crd-mapping.bad-path", error.message, at: SourceRange(start))
                return nil
            }
        } else if let pair = keys["constant"] {
            guard let written = text(pair.value, "`constant`") else { return nil }
            if !fits(written.value, field.format) {
                valueProblem(written, field)
                return nil
            }
            source.kind = .constant(written.value)
        } else if let pair = keys["directory"] {
            guard let written = text(pair.value, "`directory`") else { return nil }
            guard let attribute = CRDMapping.DirectoryAttribute(rawValue: written.value) else {
                error("crd-mapping.bad-directory", "a provider directory gives `network` or `listed`, not `\(written.value)`", at: written.range)
                return nil
            }
            let expected = attribute == .network ? "provider.network" : "provider.in_directory"
            if field.path != expected {
                error("crd-mapping.bad-directory", "the directory's `\(attribute.rawValue)` fills `\(expected)`, not `\(field.path)`", at: written.range)
                return nil
            }
            source.kind = .directory(attribute)
        }
        if let pair = keys["lookup"], let written = text(pair.value, "`lookup`") {
            if written.value != "payer" {
                error("crd-mapping.bad-lookup", "the only lookup is `payer`, not `\(written.value)`", at: written.range)
            } else if field.path != "payer" {
                error("crd-mapping.bad-lookup", "`lookup: payer` fills the field `payer`, not `\(field.path)`", at: written.range)
            } else {
                source.lookupPayer = true
            }
        }
        if let pair = keys["map"] {
            if let entries = pair.value.mapping {
                var map: [String: String] = [:]
                for entry in entries {
                    guard let from = entry.key.scalar, let to = text(entry.value, "the value for `\(from)`") else { continue }
                    if fits(to.value, field.format) { map[from] = to.value } else { valueProblem(to, field) }
                }
                source.map = map
            } else {
                error("crd-mapping.wrong-kind", "`map` must be a mapping of values, not \(pair.value.kindDescription)", at: pair.value.range)
            }
        }
        if let pair = keys["hooks"] {
            var hooks: Set<String> = []
            for hook in textList(pair.value, "`hooks`") {
                if CRDCodes.hooks.contains(hook.value) {
                    hooks.insert(hook.value)
                } else {
                    let suggestion = Suggestion.closest(to: hook.value, in: CRDCodes.hooks)
                    error("crd-mapping.unknown-hook", "unknown hook `\(hook.value)`", at: hook.range,
                        hint: Suggestion.hint(suggestion) ?? "the hooks are \(CRDCodes.hooks.map { "`\($0)`" }.joined(separator: ", "))", suggestion: suggestion)
                }
            }
            source.hooks = hooks
        }
        if let pair = keys["because"] { _ = text(pair.value, "`because`") }
        return source
    }

    private mutating func readPayer(_ id: Located<String>, _ node: YAMLNode) -> CRDMapping.Payer? {
        guard let keys = fields(node, of: "payer `\(id.value)`", allowed: Self.payerKeys, required: ["label", "policy", "coverage-information"]) else {
            return nil
        }
        var payer = CRDMapping.Payer(
            id: id.value, label: "", policy: "", names: [], identifiers: [], directory: nil,
            covered: CRDMapping.OutcomeTable(decision: "", codes: [:], needsInformation: nil, purpose: nil), paNeeded: nil, docNeeded: nil,
            infoNeeded: [:], denialRisks: nil, checklist: nil, turnaround: nil)
        payer.label = keys["label"].flatMap { text($0.value, "`label`") }?.value ?? ""
        var policy: LoadedPolicy?
        if let written = keys["policy"].flatMap({ text($0.value, "`policy`") }) {
            payer.policy = written.value
            if let catalog {
                policy = catalog.policy(id: written.value)
                if policy == nil {
                    let suggestion = Suggestion.closest(to: written.value, in: Set(catalog.policies.map(\.id)))
                    error("crd-mapping.unknown-policy", "no policy `\(written.value)` in the catalog", at: written.range,
                        hint: Suggestion.hint(suggestion), suggestion: suggestion)
                } else if policy?.payer != id.value {
                    error("crd-mapping.policy-payer", "policy `\(written.value)` is for payer `\(policy?.payer ?? "")`, not `\(id.value)`", at: written.range)
                }
            }
        }
        payer.names = keys["names"].map { textList($0.value, "`names`").map(\.value) } ?? []
        payer.identifiers = keys["identifiers"].map { textList($0.value, "`identifiers`").map(\.value) } ?? []
        if payer.names.isEmpty, payer.identifiers.isEmpty {
            error("crd-mapping.payer-unnamed", "payer `\(id.value)` has neither `names` nor `identifiers`", at: id.range,
                hint: "a Coverage names its payer by the payor's name or identifier; list at least one")
        }
        payer.directory = keys["directory"].flatMap { text($0.value, "`directory`") }?.value
        if let pair = keys["coverage-information"], let info = fields(pair.value, of: "`coverage-information`", allowed: Self.informationKeys, required: ["covered"]) {
            if let table = info["covered"].flatMap({ readTable($0.value, "covered", codes: CRDCodes.covered, policy: policy) }) { payer.covered = table }
            payer.paNeeded = info["pa-needed"].flatMap { readTable($0.value, "pa-needed", codes: CRDCodes.paNeeded, policy: policy) }
            payer.docNeeded = info["doc-needed"].flatMap { readTable($0.value, "doc-needed", codes: CRDCodes.docNeeded, policy: policy) }
            if payer.paNeeded?.codes.values.contains("satisfied") == true, let node = info["pa-needed"] {
                error("crd-mapping.satisfied", "`satisfied` needs the authorization's number (`satisfied-pa-id`), which the case document does not hold",
                    at: node.key.range, hint: "map the outcome to another code")
            }
            if let node = info["info-needed"]?.value {
                if let entries = node.mapping {
                    for entry in entries {
                        guard let path = entry.key.scalar else { continue }
                        if caseFormat.field(path) == nil {
                            let suggestion = Suggestion.closest(to: path, in: caseFormat.fields.map(\.path))
                            error("crd-mapping.unknown-field", "the case format has no field `\(path)`", at: entry.key.range,
                                hint: Suggestion.hint(suggestion), suggestion: suggestion)
                        }
                        if let value = code(entry.value, "`info-needed`", allowed: CRDCodes.infoNeeded) { payer.infoNeeded[path] = value }
                    }
                } else {
                    error("crd-mapping.wrong-kind", "`info-needed` must be a mapping of case fields, not \(node.kindDescription)", at: node.range)
                }
            }
        }
        if let pair = keys["cards"], let cards = fields(pair.value, of: "`cards`", allowed: Self.cardKeys, required: []) {
            payer.denialRisks = cards["denial-risks"].flatMap { readCard($0.value, policy: policy) }
            payer.checklist = cards["checklist"].flatMap { readCard($0.value, policy: policy) }
            payer.turnaround = cards["turnaround"].flatMap { readCard($0.value, policy: policy) }
        }
        return payer
    }

    /// A decision name, checked against the policy when there is one.
    private mutating func decision(_ node: YAMLNode, policy: LoadedPolicy?) -> String? {
        guard let written = text(node, "`decision`") else { return nil }
        if let policy, !policy.decisionNames.contains(written.value) {
            let suggestion = Suggestion.closest(to: written.value, in: policy.decisionNames)
            error("crd-mapping.unknown-decision", "policy `\(policy.id)` has no decision `\(written.value)`", at: written.range,
                hint: Suggestion.hint(suggestion), suggestion: suggestion)
            return nil
        }
        return written.value
    }

    private mutating func readTable(_ node: YAMLNode, _ element: String, codes allowed: [String], policy: LoadedPolicy?) -> CRDMapping.OutcomeTable? {
        let keys = element == "doc-needed" ? Self.tableKeys : Self.tableKeys.filter { $0 != "purpose" }
        guard let spec = fields(node, of: "`\(element)`", allowed: keys, required: ["decision", "outcomes"]) else { return nil }
        guard let name = spec["decision"].flatMap({ decision($0.value, policy: policy) }) else { return nil }
        var table = CRDMapping.OutcomeTable(decision: name, codes: [:], needsInformation: nil, purpose: nil)
        let outcomes = policy.flatMap { Self.outcomes(of: name, in: $0) }
        if let node = spec["outcomes"]?.value {
            if let entries = node.mapping {
                for entry in entries {
                    guard let outcome = entry.key.scalar else { continue }
                    if let outcomes, !outcomes.contains(outcome) {
                        let suggestion = Suggestion.closest(to: outcome, in: outcomes)
                        error("crd-mapping.unknown-outcome", "decision `\(name)` has no outcome `\(outcome)`", at: entry.key.range,
                            hint: Suggestion.hint(suggestion) ?? "its outcomes are \(outcomes.map { "`\($0)`" }.joined(separator: ", "))", suggestion: suggestion)
                        continue
                    }
                    if let value = code(entry.value, "`\(element)`", allowed: allowed) { table.codes[outcome] = value }
                }
                if let outcomes {
                    let written = Set(entries.compactMap { $0.key.scalar })
                    let unmapped = outcomes.filter { !written.contains($0) }
                    if !unmapped.isEmpty {
                        error("crd-mapping.unmapped-outcome", "`\(element)` gives no CRD code for \(unmapped.map { "`\($0)`" }.joined(separator: ", "))",
                            at: node.range, hint: "map every outcome of decision `\(name)`")
                    }
                }
            } else {
                error("crd-mapping.wrong-kind", "`outcomes` must be a mapping of outcomes to CRD codes, not \(node.kindDescription)", at: node.range)
            }
        }
        if let node = spec["needs-information"]?.value { table.needsInformation = code(node, "`\(element)`", allowed: allowed) }
        if let node = spec["purpose"]?.value { table.purpose = code(node, "`doc-purpose`", allowed: CRDCodes.docPurpose) }
        return table
    }

    private mutating func readCard(_ node: YAMLNode, policy: LoadedPolicy?) -> CRDMapping.CardRule? {
        guard let spec = fields(node, of: "a card", allowed: Self.cardRuleKeys, required: ["decision", "topic"]),
            let name = spec["decision"].flatMap({ decision($0.value, policy: policy) }),
            let topic = spec["topic"].flatMap({ code($0.value, "a card's `topic`", allowed: CRDCodes.cardTopics) })
        else { return nil }
        let missing = spec["missing"].flatMap { decision($0.value, policy: policy) }
        return CRDMapping.CardRule(decision: name, missing: missing, topic: topic)
    }

    /// The outcome words of a decision, when the loaded policy says them.
    static func outcomes(of decision: String, in policy: LoadedPolicy) -> [String]? {
        let found = policy.policy.decisions.first { $0.name == decision }
        // A duration decision has no outcome words: nothing to check against.
        return found.flatMap { $0.outcomes.isEmpty ? nil : $0.outcomes }
    }
}
