import Foundation
import HTTPTypes
import Hummingbird
import Precert

/// The endpoints, as thin handlers over the library: each reads the request, asks the catalog,
/// and writes the library's JSON. Every `/v1` answer is the same contract as `precert eval
/// --format json` (decisions) or `precert schema error` (errors).
struct Routes: Sendable {
    let service: DecisionService

    /// The query parameters of the decision endpoints.
    static let decisionParameters = ["policy", "as_of", "explain"]
    /// Media types accepted for one case.
    static let caseMediaTypes = ["application/json"]
    /// Media types accepted for a batch (JSON Lines has no registered type; these are the usual ones).
    static let batchMediaTypes = ["application/x-ndjson", "application/jsonl", "application/json-lines", "application/json", "text/plain"]

    /// The methods each endpoint answers, for a `405` with `Allow` (the router itself answers
    /// a known path with another method as if the path were unknown).
    static func allowedMethods(for path: String) -> [String]? {
        switch path {
        case "/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/policies", "/cds-services": return ["GET"]
        case "/v1/decisions", "/v1/decisions/batch": return ["POST"]
        default:
            if path.hasPrefix("/cds-services/") {
                // `/cds-services/{id}` and `/cds-services/{id}/feedback`.
                let parts = path.split(separator: "/", omittingEmptySubsequences: false)
                return parts.count == 3 || (parts.count == 4 && parts[3] == "feedback") ? ["POST"] : nil
            }
            return path.hasPrefix("/v1/policies/") && path.count > "/v1/policies/".count ? ["GET"] : nil
        }
    }

    // MARK: Health

    func health(_ request: Request, _ context: BasicRequestContext) -> Response {
        json(.ok, #"{"status":"alive"}"#)
    }

    func readiness(_ request: Request, _ context: BasicRequestContext) -> Response {
        let state = service.policies.current
        var writer = JSONWriter(style: .compact)
        writer.beginObject()
        guard let catalog = state.catalog else {
            writer.key("status")
            writer.string("not_ready")
            writer.key("reason")
            writer.string(state.refusal ?? "the policies are loading")
            writer.endObject()
            return json(.serviceUnavailable, writer.bytes)
        }
        writer.key("status")
        writer.string("ready")
        writer.key("policy_set")
        writer.string(catalog.digest)
        writer.key("policies")
        writer.number(catalog.policies.count)
        writer.key("manifest_verified")
        writer.bool(catalog.hasVerifiedManifest)
        writer.key("revision")
        if let revision = catalog.manifestRevision { writer.string(revision) } else { writer.null() }
        writer.key("loaded_at")
        if let loadedAt = state.loadedAt { writer.string(AuditRecord.timestamp(loadedAt)) } else { writer.null() }
        if let refusal = state.refusal {
            // Ready (the previous set serves) but the files on disk were refused: operators see it here.
            writer.key("refused")
            writer.string(refusal)
        }
        writer.endObject()
        return json(.ok, writer.bytes)
    }

    func metrics(_ request: Request, _ context: BasicRequestContext) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: service.metrics.exposition())))
    }

    func openAPI(_ request: Request, _ context: BasicRequestContext) -> Response {
        json(.ok, OpenAPIDocument.bytes(caseFormat: (try? service.policies.catalog())?.caseFormat))
    }

    // MARK: Policies

    func listPolicies(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let catalog = try service.policies.catalog()
        return json(.ok, PolicyListing.catalog(catalog), setDigest: catalog.digest)
    }

    func showPolicy(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let catalog = try service.policies.catalog()
        // Clients may send the id's `/` as is or as `%2F`.
        let raw = context.parameters.getCatchAll().joined(separator: "/")
        let id = raw.removingPercentEncoding ?? raw
        let versions = catalog.policies.filter { $0.id == id }
        guard !versions.isEmpty else {
            throw ServiceFailure.notFound(policy: id, known: Array(Set(catalog.policies.map(\.id))).sorted())
        }
        return json(.ok, PolicyListing.policy(id: id, versions: versions), setDigest: catalog.digest)
    }

    // MARK: Decisions

    func decide(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try Self.requireMediaType(request, Self.caseMediaTypes)
        let options = try Self.evaluationOptions(request)
        let catalog = try service.policies.catalog()
        let body = try await service.readBody(request, limit: service.configuration.maxBodyBytes)
        let started = ContinuousClock.now
        let decisionID = DecisionService.newDecisionID()
        switch catalog.decisionJSONSummarized(body, options: options) {
        case .success(let (bytes, summary)):
            service.recordDecision(summary, id: decisionID, route: "/v1/decisions", line: nil, body: body, catalog: catalog, started: started)
            var response = json(.ok, bytes, setDigest: catalog.digest)
            response.headers[DecisionService.decisionIDHeader] = decisionID
            return response
        case .failure(let errors):
            var failure = ServiceFailure(errors)
            service.recordFailure(errors, status: failure.status, id: decisionID, route: "/v1/decisions", line: nil, body: body, catalog: catalog, started: started)
            failure.headers[DecisionService.decisionIDHeader] = decisionID
            throw failure
        }
    }

    func decideBatch(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try Self.requireMediaType(request, Self.batchMediaTypes)
        let options = try Self.evaluationOptions(request)
        let catalog = try service.policies.catalog()
        let limit = service.configuration.maxBatchBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw ServiceFailure.batchTooLarge(limit: limit)
        }
        let service = self.service
        guard let lease = InFlightLease(service.inFlight) else {
            service.metrics.overloaded()
            throw ServiceFailure.overloaded()
        }
        let batchID = DecisionService.newDecisionID()
        var headers: HTTPFields = [.contentType: "application/x-ndjson"]
        headers[DecisionService.decisionIDHeader] = batchID
        headers[DecisionService.policySetHeader] = catalog.digest
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // The slot is held until this body is done (or dropped).
                defer { withExtendedLifetime(lease) {} }
                var batch = BatchEvaluator(service: service, catalog: catalog, options: options, batchID: batchID)
                var received = 0
                for try await chunk in request.body {
                    received += chunk.readableBytes
                    if received > limit {
                        // The lines before the limit are answered; the batch ends with one error line.
                        var output = batch.take(chunk, final: false)
                        output += batch.overLimit(limit)
                        try await writer.write(ByteBuffer(bytes: output))
                        try await writer.finish(nil)
                        return
                    }
                    let output = batch.take(chunk, final: false)
                    if !output.isEmpty { try await writer.write(ByteBuffer(bytes: output)) }
                }
                let output = batch.finish()
                if !output.isEmpty { try await writer.write(ByteBuffer(bytes: output)) }
                try await writer.finish(nil)
            })
    }

    // MARK: Request parts

    /// Refuses a body declared as anything but one of `accepted` (a body without a
    /// `Content-Type` is taken as the first).
    static func requireMediaType(_ request: Request, _ accepted: [String]) throws(ServiceFailure) {
        guard let declared = request.headers[.contentType] else { return }
        // The usual case first: Foundation's trimming and lowercasing cost more than a decision's walk.
        if accepted.contains(declared) { return }
        let type = declared.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if accepted.contains(type) || (accepted.contains("application/json") && type.hasSuffix("+json")) { return }
        throw ServiceFailure.unsupportedMediaType(declared, expected: accepted)
    }

    /// `policy`, `as_of` and `explain` from the query; an unknown parameter or a bad value is a 400.
    static func evaluationOptions(_ request: Request) throws(ServiceFailure) -> EvaluationOptions {
        var options = EvaluationOptions(file: "body")
        var seen: Set<Substring> = []
        for (name, value) in request.uri.queryParameters {
            // Two values for one parameter would leave the answer to whichever came last.
            if decisionParameters.contains(String(name)), !seen.insert(name).inserted {
                throw .invalidParameter(String(name), expected: "given once")
            }
            switch name {
            case "policy":
                guard !value.isEmpty else { throw .invalidParameter("policy", expected: "a policy id such as `kaiser-norcal/behavioral-health`") }
                options.policyID = String(value)
            case "as_of":
                guard let date = CivilDate(iso: value) else { throw .invalidParameter("as_of", expected: "a date YYYY-MM-DD") }
                options.asOf = date
            case "explain":
                switch value {
                case "", "true", "1": options.explain = true
                case "false", "0": options.explain = false
                default: throw .invalidParameter("explain", expected: "`true` or `false`")
                }
            default:
                throw .unknownParameter(String(name), known: decisionParameters)
            }
        }
        return options
    }

    private func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        json(status, Array(text.utf8))
    }

    private func json(_ status: HTTPResponse.Status, _ bytes: [UInt8], setDigest: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let setDigest { headers[DecisionService.policySetHeader] = setDigest }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Answers a batch line by line as its bytes arrive: each complete line is evaluated and its
/// answer written before more input is read, in input order; a line that cannot be evaluated (a
/// blank one included) gets its error document with its `line`, as `precert eval --jsonl` writes.
struct BatchEvaluator {
    let service: DecisionService
    let catalog: PolicyCatalog
    let options: EvaluationOptions
    let batchID: String
    private var session: CaseSession
    /// The unfinished last line so far.
    private var pending: [UInt8] = []
    private var lineNumber = 0

    init(service: DecisionService, catalog: PolicyCatalog, options: EvaluationOptions, batchID: String) {
        self.service = service
        self.catalog = catalog
        var options = options
        options.file = "line"
        self.options = options
        self.batchID = batchID
        session = CaseSession(catalog: catalog)
    }

    /// Takes the next bytes and returns the answers of the lines they complete.
    mutating func take(_ chunk: ByteBuffer, final: Bool) -> [UInt8] {
        var output: [UInt8] = []
        chunk.withUnsafeReadableBytes { raw in
            var start = 0
            let bytes = raw.bindMemory(to: UInt8.self)
            while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if pending.isEmpty {
                    answer(UnsafeBufferPointer(rebasing: bytes[start..<newline]), into: &output)
                } else {
                    pending.append(contentsOf: bytes[start..<newline])
                    let line = pending
                    pending.removeAll(keepingCapacity: true)
                    line.withUnsafeBufferPointer { answer($0, into: &output) }
                }
                start = newline + 1
            }
            pending.append(contentsOf: bytes[start...])
        }
        return output
    }

    /// The answer of an unfinished last line (the end of the body ends it).
    mutating func finish() -> [UInt8] {
        guard !pending.isEmpty else { return [] }
        var output: [UInt8] = []
        let line = pending
        pending = []
        line.withUnsafeBufferPointer { answer($0, into: &output) }
        return output
    }

    /// The error line that ends a batch over the size limit.
    mutating func overLimit(_ limit: Int) -> [UInt8] {
        var writer = JSONWriter(style: .compact)
        let failure = ServiceFailure.batchTooLarge(limit: limit, linesRead: lineNumber)
        DecisionEncoder.write(failure.errors, line: lineNumber + 1, to: &writer)
        writer.bytes.append(UInt8(ascii: "\n"))
        return writer.bytes
    }

    private mutating func answer(_ raw: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        lineNumber += 1
        // A Windows line end: the `\r` is not part of the case.
        let line = raw.last == UInt8(ascii: "\r") ? UnsafeBufferPointer(rebasing: raw.dropLast()) : raw
        let started = ContinuousClock.now
        let decisionID = "\(batchID)-\(lineNumber)"
        let bytes = Array(line)
        if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
            let errors = CaseErrors([JSONLinesEvaluator.blankLine])
            var writer = JSONWriter(style: .compact)
            DecisionEncoder.write(errors, line: lineNumber, to: &writer)
            output += writer.bytes
            output.append(UInt8(ascii: "\n"))
            return
        }
        switch session.writeSummarized(bytes, options: options, to: &output) {
        case .success(let summary):
            service.recordDecision(summary, id: decisionID, route: "/v1/decisions/batch", line: lineNumber, body: bytes, catalog: catalog, started: started)
        case .failure(let errors):
            let failure = ServiceFailure(errors)
            var writer = JSONWriter(style: .compact)
            DecisionEncoder.write(failure.errors, line: lineNumber, to: &writer)
            output += writer.bytes
            service.recordFailure(
                errors, status: failure.status, id: decisionID, route: "/v1/decisions/batch", line: lineNumber,
                body: bytes, catalog: catalog, started: started)
        }
        output.append(UInt8(ascii: "\n"))
    }
}
