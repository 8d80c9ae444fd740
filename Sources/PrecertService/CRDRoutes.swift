import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Precert
import PrecertCRD

/// The CDS Hooks endpoints (Da Vinci CRD), as thin handlers over `CRDService`: discovery, the
/// service calls and their feedback. Errors are FHIR OperationOutcomes with CRD's statuses; logs,
/// metrics and the audit trail get ids, statuses and outcomes only, never a value of the
/// patient's record.
struct CRDRoutes: Sendable {
    let service: DecisionService

    /// The route template of a service call, for metrics and the audit trail.
    static let callRoute = "/cds-services/{id}"

    // MARK: Handlers

    func discovery(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        return try await answering(serviceID: { "discovery" }, started: started) {
            try await authenticate(request, audiences: [url("/cds-services")])
            guard let crd = try served() else { return okJSON(Array(#"{"services":[]}"#.utf8), setDigest: nil) }
            return okJSON(crd.discovery(), setDigest: crd.catalog.digest)
        }
    }

    func call(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let id = context.parameters.get("id") ?? ""
        var label = "unknown"
        return try await answering(serviceID: { label }, started: started) {
            try await authenticate(request, audiences: [url("/cds-services/\(id)")])
            try Routes.requireMediaType(request, Routes.caseMediaTypes)
            guard let crd = try served() else { throw CRDFailure(CRDErrorKind.unknownService(id)) }
            if Self.offers(crd, id) { label = id }
            let body = try await service.readBody(request, limit: service.configuration.maxBodyBytes)
            let seconds = Int64(service.configuration.now().timeIntervalSince1970.rounded(.down))
            let answer: CRDAnswer
            do {
                answer = try crd.respond(serviceID: id, request: body, now: Timestamp(epochSeconds: seconds))
            } catch let error as CRDError {
                throw CRDFailure(error)
            }
            service.recordCRDAnswer(answer, serviceID: id, catalog: crd.catalog, started: started)
            return okJSON(answer.body, setDigest: crd.catalog.digest)
        }
    }

    func feedback(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let id = context.parameters.get("id") ?? ""
        var label = "unknown"
        return try await answering(serviceID: { label + "/feedback" }, started: started) {
            // A client may sign the feedback call for the feedback URL or for the service's.
            try await authenticate(request, audiences: [url("/cds-services/\(id)/feedback"), url("/cds-services/\(id)")])
            try Routes.requireMediaType(request, Routes.caseMediaTypes)
            guard let crd = try served(), Self.offers(crd, id) else { throw CRDFailure(CRDErrorKind.unknownService(id)) }
            label = id
            let body = try await service.readBody(request, limit: service.configuration.maxBodyBytes)
            let items = try Self.feedbackItems(body)
            for item in items {
                service.metrics.crdFeedback(service: id, outcome: item.outcome)
                service.logger.info("cds feedback", metadata: ["service": .string(id), "card": .string(item.card), "outcome": .string(item.outcome)])
            }
            // CDS Hooks: the feedback call is answered 200 with no body.
            return Response(status: .ok)
        }
    }

    // MARK: Parts

    /// One feedback item: the card's uuid and the clinician's outcome.
    struct FeedbackItem: Equatable {
        let card: String
        let outcome: String
    }

    /// The items of a feedback body (CDS Hooks 2.0 "Feedback"): `{"feedback": [...]}`, each with
    /// `card`, `outcome` (`accepted` or `overridden`) and `outcomeTimestamp`; `acceptedSuggestions`
    /// required for `accepted`. Anything else is a 400.
    static func feedbackItems(_ body: [UInt8]) throws(CRDFailure) -> [FeedbackItem] {
        guard let value = try? JSONValue.parse(bytes: body) else { throw CRDFailure(.malformed("the feedback body is not JSON")) }
        guard case .array(let entries)? = value["feedback"], !entries.isEmpty else {
            throw CRDFailure(.malformed("the feedback body must be an object with a non-empty `feedback` array"))
        }
        var items: [FeedbackItem] = []
        for (index, entry) in entries.enumerated() {
            guard case .string(let card)? = entry["card"], !card.isEmpty, card.count <= 128,
                card.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" || $0 == "." })
            else {
                throw CRDFailure(.malformed("`feedback[\(index)].card` must be the card's `uuid`"))
            }
            guard case .string(let outcome)? = entry["outcome"], outcome == "accepted" || outcome == "overridden" else {
                throw CRDFailure(.malformed("`feedback[\(index)].outcome` must be `accepted` or `overridden`"))
            }
            guard case .string(let instant)? = entry["outcomeTimestamp"], Timestamp(rfc3339: instant) != nil else {
                throw CRDFailure(.malformed("`feedback[\(index)].outcomeTimestamp` must be an RFC 3339 instant"))
            }
            if outcome == "accepted" {
                guard case .array(let accepted)? = entry["acceptedSuggestions"],
                    accepted.allSatisfy({ if case .string? = $0["id"] { true } else { false } })
                else {
                    throw CRDFailure(.malformed("`feedback[\(index)].acceptedSuggestions` must list the accepted suggestions' `id`s"))
                }
            }
            items.append(FeedbackItem(card: card, outcome: outcome))
        }
        return items
    }

    /// Whether `crd` has a service `id`.
    static func offers(_ crd: CRDService, _ id: String) -> Bool {
        crd.mapping.services.contains { $0.id == id }
    }

    /// The serving CRD service (`nil` when the policies hold no CRD mapping), or 503.
    private func served() throws(CRDFailure) -> CRDService? {
        do {
            return try service.policies.crd()
        } catch {
            throw CRDFailure(error)
        }
    }

    /// Checks the caller's token when CRD authentication is on.
    private func authenticate(_ request: Request, audiences: [String]) async throws(CRDFailure) {
        guard let authenticator = service.crdAuthenticator else { return }
        do {
            let caller = try await authenticator.verify(authorization: request.headers[.authorization], audiences: audiences)
            var metadata: Logger.Metadata = ["iss": .string(caller.issuer)]
            if let jti = caller.tokenID { metadata["jti"] = .string(jti) }
            service.logger.debug("cds client authenticated", metadata: metadata)
        } catch {
            service.metrics.crdTokenRefused(reason: error.reason)
            var metadata: Logger.Metadata = ["reason": .string(error.reason)]
            if let issuer = error.issuer { metadata["iss"] = .string(issuer) }
            service.logger.warning("cds client token refused", metadata: metadata)
            throw CRDFailure(.unauthorized)
        }
    }

    /// The URL a client calls for `path`, as its token's `aud` names it.
    private func url(_ path: String) -> String {
        service.crdAuthenticator?.url(path) ?? path
    }

    /// Runs a handler under the in-flight limit, turns every failure into an OperationOutcome,
    /// and counts the call by service (a known id, or `unknown`) and status.
    private func answering(
        serviceID: () -> String, started: ContinuousClock.Instant, _ handle: () async throws -> Response
    ) async throws -> Response {
        let response: Response
        if let lease = InFlightLease(service.inFlight) {
            defer { withExtendedLifetime(lease) {} }
            do {
                response = try await handle()
            } catch let failure as CRDFailure {
                response = failure.response()
            } catch let failure as ServiceFailure {
                response = CRDFailure(failure).response()
            }
        } else {
            service.metrics.overloaded()
            response = CRDFailure(ServiceFailure.overloaded()).response()
        }
        service.metrics.crdRequest(service: serviceID(), status: response.status.code, seconds: DecisionService.seconds(since: started))
        return response
    }

    private func okJSON(_ bytes: [UInt8], setDigest: String?) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let setDigest { headers[DecisionService.policySetHeader] = setDigest }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The kinds of CRD failure the routes raise themselves.
enum CRDErrorKind {
    case malformed(String)
    case unknownService(String)
    case unauthorized
}

/// A CDS Hooks call answered with an error: the status and a FHIR OperationOutcome.
struct CRDFailure: Error {
    let status: HTTPResponse.Status
    let body: [UInt8]
    var headers: HTTPFields = [:]

    /// The library's failure, with its status and OperationOutcome.
    init(_ error: CRDError) {
        status = HTTPResponse.Status(code: error.httpStatus)
        body = error.operationOutcome
    }

    /// The service's own failure (body too large, too slow, wrong media type, overloaded), with
    /// its status and first message.
    init(_ failure: ServiceFailure) {
        status = failure.status
        let code =
            switch failure.status.code {
            case 413: "too-long"
            case 408: "timeout"
            case 503: "transient"
            case 415: "not-supported"
            default: "invalid"
            }
        body = Self.outcome(code: code, message: failure.errors.diagnostics.first?.message ?? "the request cannot be handled")
        headers = failure.headers
    }

    init(_ kind: CRDErrorKind) {
        switch kind {
        case .malformed(let message):
            status = .badRequest
            body = Self.outcome(code: "structure", message: message)
        case .unknownService(let id):
            status = .notFound
            body = Self.outcome(code: "not-found", message: "no CDS service `\(id)`")
        case .unauthorized:
            status = .unauthorized
            body = Self.outcome(code: "login", message: "a bearer JWT signed by a trusted CDS client is required")
            headers = [.wwwAuthenticate: "Bearer realm=\"precert-crd\""]
        }
    }

    /// An OperationOutcome with one error issue, keys sorted as the library writes them.
    static func outcome(code: String, message: String) -> [UInt8] {
        var writer = JSONWriter(style: .compact)
        writer.beginObject()
        writer.key("issue")
        writer.beginArray()
        writer.beginObject()
        writer.key("code")
        writer.string(code)
        writer.key("diagnostics")
        writer.string(message)
        writer.key("severity")
        writer.string("error")
        writer.endObject()
        writer.endArray()
        writer.key("resourceType")
        writer.string("OperationOutcome")
        writer.endObject()
        return writer.bytes
    }

    func response() -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
