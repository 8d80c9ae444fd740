import Precert

/// A payer's provider directory (`precert-provider-directory: 1`): which providers, by NPI, are
/// in which of the payer's networks. An NPI it does not list is unknown, never assumed.
package struct ProviderDirectory: Sendable {
    /// What the directory says of one provider.
    package struct Entry: Sendable, Hashable {
        /// A value of the case field `provider.network`.
        package var network: String
        /// Whether the payer's public directory lists the provider (`provider.in_directory`).
        package var listed: Bool
    }

    /// The payer id.
    package var payer: String
    /// The file it was read from.
    package var file: String
    /// Entries by NPI.
    package var entries: [String: Entry]
}

/// Reads a provider directory file, reporting every problem at its place.
package struct ProviderDirectoryLoader {
    static let topKeys = ["precert-provider-directory", "payer", "title", "sources", "providers"]
    static let entryKeys = ["npi", "network", "listed", "name"]
    private var diagnostics = DiagnosticBag()

    /// The directory in `text` (named `file`), its networks checked against the case format's
    /// `provider.network` values; `nil` with the errors that keep it out.
    package static func load(text: String, file: String, caseFormat: CaseFormat) -> (ProviderDirectory?, [Diagnostic]) {
        let yaml = YAMLLoader.load(text, file: file)
        guard let root = yaml.root, !yaml.diagnostics.containsErrors else { return (nil, yaml.diagnostics) }
        var loader = ProviderDirectoryLoader()
        let directory = loader.read(root, file: file, networks: caseFormat.field("provider.network")?.values ?? [])
        return (loader.diagnostics.hasErrors ? nil : directory, yaml.diagnostics + loader.diagnostics.all)
    }

    private mutating func error(_ id: DiagnosticID, _ message: String, at range: SourceRange, hint: String? = nil) {
        diagnostics.report(.error(id, message, at: range, hint: hint))
    }

    private mutating func fields(_ node: YAMLNode, of what: String, allowed: [String], required: [String]) -> [String: YAMLNode.Pair]? {
        MappingFields.read(
            node, of: what, allowed: allowed, required: required,
            codes: .init(wrongKind: "directory.wrong-kind", unknownKey: "directory.unknown-key", missingKey: "directory.missing-key"),
            into: &diagnostics)
    }

    private mutating func read(_ root: YAMLNode, file: String, networks: [String]) -> ProviderDirectory? {
        guard let top = fields(root, of: "the provider directory", allowed: Self.topKeys, required: ["precert-provider-directory", "payer", "title", "sources", "providers"])
        else { return nil }
        if let node = top["precert-provider-directory"]?.value, !(node.scalar == "1" && node.scalarStyle == .plain) {
            error("directory.format", "unsupported provider directory format `\(node.scalar ?? node.kindDescription)`", at: node.range,
                hint: "this version of Precert reads `precert-provider-directory: 1`")
        }
        var directory = ProviderDirectory(payer: "", file: file, entries: [:])
        if let node = top["payer"]?.value {
            if let payer = node.scalar, !payer.isEmpty, !node.isNull { directory.payer = payer } else {
                error("directory.wrong-kind", "`payer` must be a payer id", at: node.range)
            }
        }
        guard let items = top["providers"]?.value.sequence else {
            if let node = top["providers"]?.value { error("directory.wrong-kind", "`providers` must be a list, not \(node.kindDescription)", at: node.range) }
            return directory
        }
        for item in items {
            guard let keys = fields(item, of: "a provider", allowed: Self.entryKeys, required: ["npi", "network"]),
                let npiNode = keys["npi"]?.value, let networkNode = keys["network"]?.value
            else { continue }
            guard let npi = npiNode.scalar, Self.isNPI(npi) else {
                error("directory.bad-npi", "`\(npiNode.scalar ?? "")` is not an NPI", at: npiNode.range,
                    hint: "an NPI is 10 digits whose last is the Luhn check digit (prefix 80840)")
                continue
            }
            guard let network = networkNode.scalar, networks.contains(network) else {
                let suggestion = Suggestion.closest(to: networkNode.scalar ?? "", in: networks)
                error("directory.bad-network", "`\(networkNode.scalar ?? "")` is not a value of `provider.network`", at: networkNode.range,
                    hint: Suggestion.hint(suggestion) ?? "its values are \(networks.map { "`\($0)`" }.joined(separator: ", "))")
                continue
            }
            var listed = true
            if let node = keys["listed"]?.value {
                switch node.scalar {
                case "true": listed = true
                case "false": listed = false
                default: error("directory.wrong-kind", "`listed` must be `true` or `false`", at: node.range)
                }
            }
            if directory.entries[npi] != nil {
                error("directory.duplicate-npi", "NPI `\(npi)` is listed twice", at: npiNode.range)
                continue
            }
            directory.entries[npi] = ProviderDirectory.Entry(network: network, listed: listed)
        }
        return directory
    }

    /// Whether `text` is 10 digits with a valid NPI check digit (Luhn over `80840` + the first 9 digits).
    package static func isNPI(_ text: String) -> Bool {
        let digits = text.compactMap(\.wholeNumberValue)
        guard digits.count == 10, text.count == 10 else { return false }
        var sum = 24  // the prefix 80840, doubled as Luhn requires
        for (index, digit) in digits.prefix(9).reversed().enumerated() {
            if index % 2 == 0 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return (10 - sum % 10) % 10 == digits[9]
    }
}
