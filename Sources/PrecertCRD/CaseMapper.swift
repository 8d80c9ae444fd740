import Precert

/// Reads a case document from one order of a CDS Hooks request, by the mapping's field sources.
package struct CaseMapper {
    let mapping: CRDMapping
    let directories: [String: ProviderDirectory]

    /// The payer the Coverage in `scope` names, by the sources of the field `payer`; `nil` when
    /// none of them names a payer of the table.
    package func payer(in scope: FHIRScope, hook: String) -> CRDMapping.Payer? {
        guard let field = mapping.fields.first(where: { $0.path == "payer" }) else { return nil }
        for source in field.sources where source.hooks?.contains(hook) ?? true {
            guard case .path(let path) = source.kind else {
                if case .constant(let value) = source.kind, let payer = mapping.payers.first(where: { $0.id == value }) { return payer }
                continue
            }
            for value in scope.evaluate(path).compactMap(FHIRScope.text) {
                if source.lookupPayer {
                    if let payer = mapping.payer(matching: value) { return payer }
                } else if let payer = mapping.payers.first(where: { $0.id == (source.map?[value] ?? value) }) {
                    return payer
                }
            }
        }
        return nil
    }

    /// The case document for the order in `scope`, for `payer`'s policy: every mapped field that a
    /// source gives a value of the field's type; fields without one are left out (unknown).
    package func caseDocument(scope: FHIRScope, hook: String, payer: CRDMapping.Payer) -> JSONValue {
        var values: [(path: String, value: JSONValue)] = [("payer", .string(payer.id))]
        var read: [String: JSONValue] = [:]
        for field in mapping.fields where field.path != "payer" {
            var gathered: [String] = []
            sources: for source in field.sources where source.hooks?.contains(hook) ?? true {
                var found: [String] = []
                switch source.kind {
                case .constant(let value):
                    found = [value]
                case .path(let path):
                    found = scope.evaluate(path).compactMap(FHIRScope.text).map { source.map?[$0] ?? $0 }
                case .directory(let attribute):
                    guard let name = payer.directory, let directory = directories[name],
                        case .string(let npi)? = read["provider.npi"], let entry = directory.entries[npi]
                    else { continue sources }
                    found = [attribute == .network ? entry.network : (entry.listed ? "true" : "false")]
                }
                for value in found {
                    guard let typed = Self.typed(value, field.format) else { continue }
                    if field.isList {
                        if !gathered.contains(typed) { gathered.append(typed) }
                    } else {
                        gathered = [typed]
                        break sources
                    }
                }
            }
            guard !gathered.isEmpty else { continue }
            let value: JSONValue
            if field.isList {
                value = .array(gathered.map { .string($0) })
            } else {
                switch field.format.typeName {
                case "bool": value = .bool(gathered[0] == "true")
                case "number": value = .number(Double(gathered[0]) ?? 0)
                default: value = .string(gathered[0])
                }
            }
            read[field.path] = value
            values.append((field.path, value))
        }
        return Self.nest(values)
    }

    /// `value` as the case field `format` holds it, or `nil` when it is not of its type: a date is
    /// the date part of a FHIR dateTime as written, a date-time a full RFC 3339 instant.
    static func typed(_ value: String, _ format: CaseFormat.Field) -> String? {
        if !format.values.isEmpty { return format.values.contains(value) ? value : nil }
        switch format.typeName {
        case "date":
            let day = String(value.prefix(10))
            return CivilDate(iso: day) != nil ? day : nil
        case "datetime": return Timestamp(rfc3339: value) != nil ? value : nil
        case "bool": return value == "true" || value == "false" ? value : nil
        case "number": return Double(value) != nil ? value : nil
        default: return value.isEmpty ? nil : value
        }
    }

    /// Dotted paths and values as nested objects, keys sorted.
    static func nest(_ values: [(path: String, value: JSONValue)]) -> JSONValue {
        var leaves: [String: JSONValue] = [:]
        var groups: [String: [(path: String, value: JSONValue)]] = [:]
        for (path, value) in values {
            if let dot = path.firstIndex(of: ".") {
                groups[String(path[..<dot]), default: []].append((String(path[path.index(after: dot)...]), value))
            } else {
                leaves[path] = value
            }
        }
        for (name, members) in groups { leaves[name] = nest(members) }
        return JSON.object(leaves)
    }
}
