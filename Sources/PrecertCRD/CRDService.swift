import Foundation
import Precert

/// Answers Da Vinci CRD calls over CDS Hooks from Precert's policies: reads each order of a hook
/// request into a case by the CRD mapping, evaluates it with the catalog, and writes the decisions
/// as CRD coverage information (a `systemActions` update of the order) and cards.
///
/// Pure functions of the request, the time and the loaded files: an HTTP handler calls
/// `discovery()` and `answer(serviceID:request:now:)` and writes what they return.
public struct CRDService: Sendable {
    /// The policies.
    public let catalog: PolicyCatalog
    package let mapping: CRDMapping
    package let directories: [String: ProviderDirectory]

    /// Loading the CRD files failed: every problem, and the files' text to render them.
    public struct LoadError: Error, Sendable {
        /// Every problem of every file.
        public let diagnostics: [Diagnostic]
        /// The files' text, for `DiagnosticRenderer`.
        public let sources: [SourceText]
    }

    /// Loads the CRD mapping (`precert-crd-mapping: 1`) and provider directories
    /// (`precert-provider-directory: 1`) among `files`, checked against the catalog's case format
    /// and policies; other files are ignored.
    public static func load(catalog: PolicyCatalog, files: [PolicyFile]) -> Result<CRDService, LoadError> {
        var diagnostics: [Diagnostic] = []
        var sources: [SourceText] = []
        guard let format = catalog.caseFormat else {
            return .failure(LoadError(diagnostics: [.error("crd.no-case-format", "the catalog has no case format to check the CRD mapping against", at: nil,
                hint: "load the policies folder that holds `case-format.yaml`")], sources: []))
        }
        var mapping: CRDMapping?
        var directories: [String: ProviderDirectory] = [:]
        for file in files {
            let text = String(decoding: file.bytes, as: UTF8.self)
            guard let root = YAMLLoader.load(file.bytes, file: file.path).root, let keys = root.mapping?.compactMap(\.key.scalar) else { continue }
            if keys.contains("precert-crd-mapping") {
                sources.append(SourceText(file: file.path, text: text))
                let (read, problems) = CRDMappingLoader.load(text: text, file: file.path, caseFormat: format, catalog: catalog)
                diagnostics += problems
                if mapping != nil, read != nil {
                    diagnostics.append(.error("crd.duplicate-mapping", "a second CRD mapping", at: SourceRange(root.location)))
                } else if let read {
                    mapping = read
                }
            } else if keys.contains("precert-provider-directory") {
                sources.append(SourceText(file: file.path, text: text))
                let (read, problems) = ProviderDirectoryLoader.load(text: text, file: file.path, caseFormat: format)
                diagnostics += problems
                if let read {
                    if directories[read.payer] != nil {
                        diagnostics.append(.error("crd.duplicate-directory", "a second provider directory for payer `\(read.payer)`", at: SourceRange(root.location)))
                    } else {
                        directories[read.payer] = read
                    }
                }
            }
        }
        if mapping == nil, !diagnostics.containsErrors {
            diagnostics.append(.error("crd.no-mapping", "no CRD mapping (`precert-crd-mapping: 1`) among the files", at: nil))
        }
        if let mapping {
            for payer in mapping.payers {
                if let name = payer.directory, directories[name] == nil {
                    diagnostics.append(.error("crd.unknown-directory", "payer `\(payer.id)` names the provider directory `\(name)`, which no file gives", at: nil,
                        hint: "add a `precert-provider-directory: 1` file with `payer: \(name)`"))
                }
            }
        }
        guard let mapping, !diagnostics.containsErrors else { return .failure(LoadError(diagnostics: diagnostics, sources: sources)) }
        return .success(CRDService(catalog: catalog, mapping: mapping, directories: directories))
    }

    /// Loads the CRD files found under `paths` (files or folders, found as the catalog finds
    /// policies: every `.yaml`/`.yml`, hidden entries skipped, links followed).
    public static func load(catalog: PolicyCatalog, paths: [String]) -> Result<CRDService, LoadError> {
        let (files, problems) = frontEndFiles(paths)
        guard !problems.containsErrors else { return .failure(LoadError(diagnostics: problems, sources: [])) }
        return load(catalog: catalog, files: files)
    }

    /// The problems of the CRD files under `paths` checked against `catalog`, for `precert check`:
    /// none when there is no CRD file there at all.
    package static func check(catalog: PolicyCatalog, paths: [String]) -> [Diagnostic] {
        let (files, problems) = frontEndFiles(paths)
        guard !files.isEmpty else { return problems }
        switch load(catalog: catalog, files: files) {
        case .success: return problems
        case .failure(let error): return problems + error.diagnostics
        }
    }

    /// The files under `paths` whose top level names a CRD mapping or a provider directory.
    package static func frontEndFiles(_ paths: [String]) -> (files: [PolicyFile], problems: [Diagnostic]) {
        let (found, problems) = PolicyFiles.discover(paths)
        var files: [PolicyFile] = []
        for entry in found {
            guard case .success(let bytes) = PolicyFiles.read(entry.path),
                let keys = YAMLLoader.load(bytes, file: entry.path).root?.mapping?.compactMap(\.key.scalar),
                keys.contains("precert-crd-mapping") || keys.contains("precert-provider-directory")
            else { continue }
            files.append(PolicyFile(path: entry.path, bytes: bytes))
        }
        return (files, problems)
    }

    /// The discovery document (`GET /cds-services`), compact JSON with sorted keys.
    public func discovery() -> [UInt8] { discoveryDocument().jsonBytes() }

    /// Answers a CDS Hooks call to the service `serviceID` (`POST /cds-services/{id}`) made at
    /// `now`: the response body (compact JSON, sorted keys) for HTTP 200, or the error to answer.
    public func answer(serviceID: String, request: [UInt8], now: Timestamp) throws(CRDError) -> [UInt8] {
        try respond(serviceID: serviceID, request: request, now: now).body
    }

    /// Answers a CDS Hooks call as `answer` does, with what an audit trail records of it: each
    /// order's coverage-assertion id, case document and decision.
    public func respond(serviceID: String, request: [UInt8], now: Timestamp) throws(CRDError) -> CRDAnswer {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes: request)
        } catch {
            throw CRDError(.malformed, "the request body is not JSON")
        }
        let (body, assertions) = try respondTree(serviceID: serviceID, request: value, now: now)
        return CRDAnswer(body: body.jsonBytes(), assertions: assertions)
    }

    /// Answers a CDS Hooks call made now (the system clock, whole seconds).
    public func answer(serviceID: String, request: [UInt8]) throws(CRDError) -> [UInt8] {
        let seconds = Int64(Date().timeIntervalSince1970.rounded(.down))
        return try answer(serviceID: serviceID, request: request, now: Timestamp(epochSeconds: seconds))
    }

    /// The discovery document as a JSON tree.
    package func discoveryDocument() -> JSONValue {
        // One boolean per card type returned (CRD dev-4, dev-5), then the cap on cards.
        var topics = ["coverage-info"]
        for payer in mapping.payers {
            for rule in [payer.denialRisks, payer.checklist, payer.turnaround].compactMap({ $0 }) where !topics.contains(rule.topic) {
                topics.append(rule.topic)
            }
        }
        if !topics.contains("insurance") { topics.append("insurance") }
        var options: [JSONValue] = topics.map { topic in
            let description = topic == "coverage-info"
                ? "Return coverage information (a system action updating each order) and the cards about it."
                : topic == "insurance" ? "Say in a card when no coverage was sent." : "Return the cards of type `\(topic)`."
            return JSON.object([
                "code": .string(topic), "type": .string("boolean"), "name": .string(ResponseWriter.topicDisplay(topic)),
                "description": .string(description), "default": .bool(true),
            ])
        }
        options.append(JSON.object([
            "code": .string("max-cards"), "type": .string("integer"), "name": .string("Maximum cards"),
            "description": .string("The most cards returned per call."), "default": .number(10),
        ]))
        let services: [JSONValue] = mapping.services.map { service in
            var members: [String: JSONValue] = [
                "id": .string(service.id), "hook": .string(service.hook), "description": .string(service.description),
                "extension": JSON.object(["davinci-crd.version": .array([.string("2.2")]), "davinci-crd.configuration-options": .array(options)]),
            ]
            if !service.title.isEmpty { members["title"] = .string(service.title) }
            if !service.prefetch.isEmpty {
                members["prefetch"] = JSON.object(Dictionary(uniqueKeysWithValues: service.prefetch.map { ($0.key, JSONValue.string($0.query)) }))
            }
            return JSON.object(members)
        }
        return JSON.object(["services": .array(services)])
    }

    /// Answers a CDS Hooks call given as a JSON tree.
    package func answer(serviceID: String, request: JSONValue, now: Timestamp) throws(CRDError) -> JSONValue {
        try respondTree(serviceID: serviceID, request: request, now: now).body
    }

    /// The response tree and the assertions made.
    package func respondTree(serviceID: String, request: JSONValue, now: Timestamp) throws(CRDError) -> (body: JSONValue, assertions: [CRDAnswer.Assertion]) {
        guard let service = mapping.services.first(where: { $0.id == serviceID }) else {
            throw CRDError(.unknownService, "no CDS service `\(serviceID)`")
        }
        let call = try HookCall(request, service: service, orderTypes: mapping.orderTypes)
        var writer = ResponseWriter(service: self, call: call, now: now)
        let body = try writer.respond()
        return (body, writer.assertions)
    }
}

/// A CDS Hooks response and what an audit trail records of it.
public struct CRDAnswer: Sendable {
    /// One order the payer's policy answered.
    public struct Assertion: Sendable {
        /// The extension's `coverage-assertion-id`: the decision's id in the audit trail.
        public let id: String
        /// The order updated (`ServiceRequest/123`).
        public let order: String
        /// The case document read from the order, as evaluated (to digest, never to log).
        public let caseBytes: [UInt8]
        /// The policy's decision.
        public let decision: CaseDecision
    }

    /// The response body for HTTP 200: compact JSON, sorted keys.
    public let body: [UInt8]
    /// Each order answered, in response order (none for a call refused or without a Coverage).
    public let assertions: [Assertion]
}
