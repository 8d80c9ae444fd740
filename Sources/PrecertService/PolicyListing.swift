import Precert

/// The JSON of `GET /v1/policies` and `GET /v1/policies/{id}`: what each loaded version decides
/// and reads, so a caller can tell which version answers which dates and what a case must hold.
enum PolicyListing {
    /// Every policy, each with its versions: `{"policy_set", "policies": [{"id", "payer", "title", "versions": [...]}]}`.
    static func catalog(_ catalog: PolicyCatalog) -> [UInt8] {
        var writer = JSONWriter(style: .compact)
        writer.beginObject()
        writer.key("policy_set")
        writer.string(catalog.digest)
        writer.key("policies")
        writer.beginArray()
        var ids: [String] = []
        for policy in catalog.policies where ids.last != policy.id { ids.append(policy.id) }
        for id in ids { write(id: id, versions: catalog.policies.filter { $0.id == id }, to: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// One policy and its versions.
    static func policy(id: String, versions: [LoadedPolicy]) -> [UInt8] {
        var writer = JSONWriter(style: .compact)
        write(id: id, versions: versions, to: &writer)
        return writer.bytes
    }

    private static func write(id: String, versions: [LoadedPolicy], to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("payer")
        writer.string(versions[0].payer)
        writer.key("versions")
        writer.beginArray()
        for version in versions { write(version, to: &writer) }
        writer.endArray()
        writer.endObject()
    }

    private static func write(_ version: LoadedPolicy, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("title")
        writer.string(version.title)
        writer.key("effective")
        writer.string(version.effective.description)
        writer.key("expires")
        if let expires = version.expires { writer.string(expires.description) } else { writer.null() }
        writer.key("digest")
        writer.string("sha256:" + version.digest)
        writer.key("file")
        writer.string(version.file)
        writer.key("time_zone")
        writer.string(version.provenance.timeZone)
        writer.key("calendar")
        writer.string(version.provenance.calendar)
        writer.key("decisions")
        writer.beginArray()
        for decision in version.policy.decisions {
            writer.beginObject()
            writer.key("name")
            writer.string(decision.name)
            writer.key("hit")
            writer.string(decision.hit.rawValue)
            writer.key("outcomes")
            writer.beginArray()
            for outcome in decision.outcomes { writer.string(outcome) }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.key("inputs")
        writer.beginArray()
        for input in version.policy.inputs {
            writer.beginObject()
            writer.key("path")
            writer.string(input.path)
            writer.key("type")
            writer.string(input.type.description)
            writer.key("has_default")
            writer.bool(input.defaultValue != nil)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }
}
