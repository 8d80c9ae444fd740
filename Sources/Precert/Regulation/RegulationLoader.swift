/// Reads a regulation file (`precert-regulation: 1`) from its YAML tree, reporting every problem
/// at its place, as policies and calendars are read.
package struct RegulationLoader {
    /// The keys a regulation file may have at its top level.
    static let topKeys = [
        "precert-regulation", "regulation", "title", "citation", "sources", "effective", "expires", "governs", "limits",
        "calendar", "timezone", "uncertain",
    ]
    static let requiredTopKeys = ["precert-regulation", "regulation", "title", "citation", "sources", "governs", "limits"]
    static let governsKeys = ["plans", "states", "requests"]
    /// The request scopes a regulation may govern; only pre-service decisions are modelled.
    static let requestScopes = ["pre-service"]
    /// The units a legal limit may be written in (months and years are not turnaround limits).
    static let limitUnits: [ClockUnit] = [.hours, .calendarDays, .businessDays]

    private let file: String
    private var diagnostics = DiagnosticBag()

    /// The regulation in `root` (read from `file`), or `nil` with the errors that keep it out.
    /// `calendars` names the holiday calendars that exist (`nil`: do not check the name).
    package static func load(_ root: YAMLNode, file: String, calendars: Set<String>?) -> (Regulation?, [Diagnostic]) {
        var loader = RegulationLoader(file: file)
        let regulation = loader.read(root, calendars: calendars)
        return (loader.diagnostics.hasErrors ? nil : regulation, loader.diagnostics.all)
    }

    private init(file: String) { self.file = file }

    private mutating func error(_ id: DiagnosticID, _ message: String, at range: SourceRange, hint: String? = nil, suggestion: String? = nil) {
        diagnostics.report(.error(id, message, at: range, hint: hint, facts: DiagnosticFacts(suggestion: suggestion)))
    }

    private mutating func fields(_ node: YAMLNode, of what: String, allowed: [String], required: [String]) -> [String: YAMLNode.Pair]? {
        MappingFields.read(
            node, of: what, allowed: allowed, required: required,
            codes: .init(wrongKind: "regulation.wrong-kind", unknownKey: "regulation.unknown-key", missingKey: "regulation.missing-key"),
            into: &diagnostics)
    }

    private mutating func text(_ node: YAMLNode, _ what: String) -> Located<String>? {
        MappingFields.text(node, what, wrongKind: "regulation.wrong-kind", into: &diagnostics)
    }

    private mutating func textList(_ node: YAMLNode, _ what: String) -> [Located<String>] {
        if node.scalar != nil, !node.isNull { return text(node, what).map { [$0] } ?? [] }
        guard let items = node.sequence else {
            error("regulation.wrong-kind", "\(what) must be a list, not \(node.kindDescription)", at: node.range)
            return []
        }
        return items.compactMap { text($0, "an item of \(what)") }
    }

    private mutating func date(_ node: YAMLNode, _ what: String) -> CivilDate? {
        guard let written = text(node, what) else { return nil }
        switch CivilDate.policyDate(written.value) {
        case .success(let date): return date
        case .failure(let problem):
            error("regulation.bad-date", "\(what): \(problem.reason)", at: written.range,
                hint: "write a real date YYYY-MM-DD, such as `2026-05-20`")
            return nil
        }
    }

    private mutating func read(_ root: YAMLNode, calendars: Set<String>?) -> Regulation? {
        guard let top = fields(root, of: "the regulation", allowed: Self.topKeys, required: Self.requiredTopKeys) else { return nil }
        if let node = top["precert-regulation"]?.value, !(node.scalar == "1" && node.scalarStyle == .plain) {
            error("regulation.format", "unsupported regulation format `\(node.scalar ?? node.kindDescription)`", at: node.range,
                hint: "this version of Precert reads `precert-regulation: 1`")
        }
        var regulation = Regulation(
            id: "", title: "", citation: "", sources: [], effective: nil, expires: nil, plans: [], states: nil, limits: [:],
            calendarName: nil, calendar: nil, timeZone: nil, uncertain: [], file: file, limitRanges: [:], range: SourceRange(root.location))
        if let pair = top["regulation"], let id = text(pair.value, "`regulation`") {
            regulation.id = id.value
            regulation.range = id.range
            let allowed = id.value.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
            if !allowed {
                error("regulation.bad-id", "the regulation id `\(id.value)` may hold only lowercase letters, digits and `-`", at: id.range)
            }
        }
        regulation.title = top["title"].flatMap { text($0.value, "`title`") }?.value ?? ""
        regulation.citation = top["citation"].flatMap { text($0.value, "`citation`") }?.value ?? ""
        if let pair = top["sources"] {
            regulation.sources = textList(pair.value, "`sources`").map(\.value)
            if regulation.sources.isEmpty {
                error("regulation.no-sources", "`sources` lists no document", at: pair.key.range,
                    hint: "cite the documents the limits are read from, so that a reader can check them")
            }
        }
        regulation.uncertain = top["uncertain"].map { textList($0.value, "`uncertain`").map(\.value) } ?? []
        regulation.effective = top["effective"].flatMap { date($0.value, "`effective`") }
        if let pair = top["expires"], let expires = date(pair.value, "`expires`") {
            regulation.expires = expires
            if let effective = regulation.effective, expires <= effective {
                error("regulation.expires-before-effective", "`expires` must be after `effective`", at: pair.value.range)
            }
        }
        if let pair = top["governs"], let governs = fields(pair.value, of: "`governs`", allowed: Self.governsKeys, required: ["plans", "requests"]) {
            readGoverns(governs, into: &regulation, at: pair.key.range)
        }
        if let pair = top["limits"], let limits = fields(pair.value, of: "`limits`", allowed: RequestKind.allCases.map(\.rawValue), required: []) {
            for kind in RequestKind.allCases {
                guard let written = limits[kind.rawValue], let duration = text(written.value, "the `\(kind.rawValue)` limit") else { continue }
                if let problem = ClockDuration.clockProblem(duration.value), problem.id != "type.bad-duration" {
                    let id: DiagnosticID = problem.id == "policy.duration-kind" ? "regulation.duration-kind" : "regulation.duration-too-long"
                    error(id, problem.message, at: duration.range, hint: problem.hint)
                    continue
                }
                guard let limit = ClockDuration(text: duration.value), Self.limitUnits.contains(limit.unit) else {
                    error("regulation.bad-limit", "`\(duration.value)` is not a turnaround limit", at: duration.range,
                        hint: "write a number of hours, calendar days or business days, such as `72 hours` or `7 calendar days`")
                    continue
                }
                regulation.limits[kind] = limit
                regulation.limitRanges[kind] = duration.range
            }
            if limits.isEmpty {
                error("regulation.no-limits", "`limits` gives no limit", at: pair.key.range,
                    hint: "give the `standard` and `urgent` limits the regulation sets")
            }
        }
        if let written = top["timezone"].flatMap({ text($0.value, "`timezone`") }) {
            regulation.timeZone = PolicyTimeZone(identifier: written.value)
            if regulation.timeZone == nil {
                error("regulation.unknown-timezone", "unknown time zone `\(written.value)`", at: written.range,
                    hint: "use an IANA zone name such as `America/Los_Angeles`")
            }
        }
        let calendarName = top["calendar"].flatMap { text($0.value, "`calendar`") }
        regulation.calendarName = calendarName?.value
        if let calendarName, let calendars, !calendars.contains(calendarName.value) {
            let suggestion = Suggestion.closest(to: calendarName.value, in: calendars.sorted())
            error("regulation.unknown-calendar", "no holiday calendar named `\(calendarName.value)`", at: calendarName.range,
                hint: Suggestion.hint(suggestion) ?? "holiday calendars live under `Policies/calendars/`; check them together with the regulation",
                suggestion: suggestion)
        }
        if calendarName == nil, let kind = RequestKind.allCases.first(where: { regulation.limits[$0]?.unit == .businessDays }) {
            error("regulation.needs-calendar", "the `\(kind.rawValue)` limit counts business days, but the regulation names no holiday calendar",
                at: regulation.limitRanges[kind]!, hint: "add `calendar:` with the calendar whose holidays the regulation skips, such as `us-federal`")
        }
        return regulation
    }

    private mutating func readGoverns(_ governs: [String: YAMLNode.Pair], into regulation: inout Regulation, at range: SourceRange) {
        if let pair = governs["plans"] {
            for plan in textList(pair.value, "`governs.plans`") {
                if let problem = PlanTypes.unknownPlan(plan, in: "regulation") {
                    diagnostics.report(problem)
                    continue
                }
                if !regulation.plans.contains(plan.value) { regulation.plans.append(plan.value) }
            }
            if regulation.plans.isEmpty, !diagnostics.hasErrors {
                error("regulation.no-plans", "`governs.plans` names no plan type", at: pair.key.range)
            }
        }
        if let pair = governs["states"] {
            var states: [String] = []
            for state in textList(pair.value, "`governs.states`") {
                if let problem = PlanTypes.badState(state, in: "regulation") {
                    diagnostics.report(problem)
                    continue
                }
                if !states.contains(state.value) { states.append(state.value) }
            }
            regulation.states = states
        }
        if let pair = governs["requests"], let scope = text(pair.value, "`governs.requests`"), !Self.requestScopes.contains(scope.value) {
            error("regulation.unknown-requests", "unknown request scope `\(scope.value)`", at: scope.range,
                hint: "Precert models limits on pre-service decisions: write `requests: pre-service`")
        }
    }
}
