import Precert

/// A CDS Hooks request checked against its service: the hook, the in-scope orders, the Coverage(s)
/// and every resource a path may resolve. Problems name fields and keys, never values.
package struct HookCall {
    /// The hook called.
    package var hook: String
    /// The hook's context object.
    package var context: JSONValue
    /// Every resource of the prefetch and of the context's bundles.
    package var resources: [JSONValue]
    /// The orders (or appointments) to answer, in request order.
    package var orders: [JSONValue]
    /// The Coverage resources of the prefetch.
    package var coverages: [JSONValue]
    /// `davinci-crd.configuration`: card type code -> on or off, and `max-cards`.
    package var configuration: [String: JSONValue]

    /// Checks `request` against `service`; a problem is `malformed` (400) or `missingPrefetch` (412).
    package init(_ request: JSONValue, service: CRDMapping.Service, orderTypes: [String]) throws(CRDError) {
        guard case .object = request else { throw CRDError(.malformed, "the request must be a JSON object") }
        guard let hook = JSON.string(request["hook"]) else { throw CRDError(.malformed, "the request has no `hook`") }
        guard hook == service.hook else {
            throw CRDError(.malformed, "the request is for hook `\(hook)`, but this service answers `\(service.hook)`")
        }
        guard let instance = JSON.string(request["hookInstance"]), !instance.isEmpty else {
            throw CRDError(.malformed, "the request has no `hookInstance`")
        }
        guard let context = request["context"], case .object = context else { throw CRDError(.malformed, "the request has no `context` object") }
        self.hook = hook
        self.context = context
        var prefetch: [JSONValue.Member] = []
        switch request["prefetch"] {
        case nil, .null?: break
        case .object(let members)?: prefetch = members
        default: throw CRDError(.malformed, "`prefetch` must be an object")
        }
        for key in service.prefetch where key.required && !prefetch.contains(where: { $0.key == key.key }) {
            throw CRDError(.missingPrefetch, "the prefetch key `\(key.key)` was not sent, and Precert does not query the EHR's FHIR server")
        }
        var resources: [JSONValue] = []
        var coverages: [JSONValue] = []
        for member in prefetch {
            let found = Self.resources(in: member.value)
            resources += found
            if member.key == "coverage" || !found.isEmpty {
                coverages += found.filter { $0["resourceType"] == .string("Coverage") }
            }
        }
        var orders: [JSONValue] = []
        switch hook {
        case "order-sign", "order-select":
            let bundle = try Self.bundle(context["draftOrders"], "draftOrders")
            resources += bundle
            var inScope = bundle
            if hook == "order-select" {
                guard case .array(let selections)? = context["selections"] else { throw CRDError(.malformed, "`context.selections` must be a list") }
                let wanted = selections.compactMap { JSON.string($0) }
                inScope = bundle.filter { resource in
                    guard let type = JSON.string(resource["resourceType"]), let id = JSON.string(resource["id"]) else { return false }
                    return wanted.contains("\(type)/\(id)")
                }
            }
            orders = inScope
        case "appointment-book":
            let bundle = try Self.bundle(context["appointments"], "appointments")
            resources += bundle
            orders = bundle
        case "order-dispatch":
            guard case .array(let dispatched)? = context["dispatchedOrders"] else {
                throw CRDError(.malformed, "`context.dispatchedOrders` must be a list of references")
            }
            if case .array(let tasks)? = context["fulfillmentTasks"] { resources += tasks }
            let scope = FHIRScope(order: .null, coverage: nil, context: context, resources: resources, now: Timestamp(epochSeconds: 0), today: CivilDate(year: 2000, month: 1, day: 1)!)
            for reference in dispatched {
                guard JSON.string(reference) != nil else { throw CRDError(.malformed, "`context.dispatchedOrders` must hold references such as `ServiceRequest/123`") }
                if let order = scope.resolve(reference) { orders.append(order) }
            }
        default:
            throw CRDError(.malformed, "hook `\(hook)` is not supported")
        }
        self.resources = resources
        self.orders = orders.filter { order in orderTypes.contains { order["resourceType"] == .string($0) } }
        self.coverages = coverages
        var configuration: [String: JSONValue] = [:]
        if case .object(let members)? = request["extension"]?["davinci-crd.configuration"] {
            for member in members { configuration[member.key] = member.value }
        }
        self.configuration = configuration
    }

    /// The resources of a bundle's entries, or `[]` when it has none; not a bundle is malformed.
    static func bundle(_ value: JSONValue?, _ name: String) throws(CRDError) -> [JSONValue] {
        guard let value, value["resourceType"] == .string("Bundle") else {
            throw CRDError(.malformed, "`context.\(name)` must be a FHIR Bundle")
        }
        return JSON.items(value["entry"]).compactMap { entry in
            guard let resource = entry["resource"], case .object = resource else { return nil }
            return resource
        }
    }

    /// A prefetch value's resources: a resource, a Bundle's entries, or none (`null`).
    static func resources(in value: JSONValue) -> [JSONValue] {
        guard case .object = value, let type = JSON.string(value["resourceType"]) else { return [] }
        if type == "Bundle" {
            return JSON.items(value["entry"]).compactMap { entry in
                guard let resource = entry["resource"], case .object = resource, JSON.string(resource["resourceType"]) != nil else { return nil }
                return resource
            }
        }
        return [value]
    }
}
