import Foundation
import HTTPTypes
import Hummingbird
import Precert

/// A request the service answers with an error document: the same shape as the CLI's
/// (`precert schema error`), with a stable id per kind of problem and the HTTP status that says
/// whose problem it is. Messages are catalogued here, next to the statuses they go with; none
/// quotes the case.
struct ServiceFailure: Error, HTTPResponseError {
    /// The HTTP status.
    let status: HTTPResponse.Status
    /// The problems (a case's diagnostics, or one of the service's own below).
    let errors: CaseErrors
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    var headers: HTTPFields = [:]

    /// The failure for a case that could not be evaluated: malformed JSON is 400, a case over the
    /// size limit 413, no policy for its payer (or none in force, or an unknown `policy`) 404, a
    /// deployment that cannot answer 503, any other problem of the case 422.
    init(_ errors: CaseErrors) {
        let errors = CaseErrors(errors.diagnostics.map(Self.inHTTPTerms), caseID: errors.caseID)
        self.errors = errors
        status = Self.status(for: errors)
    }

    /// A library diagnostic whose hint names the CLI's flags, with the query parameters that do
    /// the same here.
    static func inHTTPTerms(_ diagnostic: Diagnostic) -> Diagnostic {
        guard let hint = diagnostic.hint else { return diagnostic }
        var translated = diagnostic
        translated.hint = hint
            .replacingOccurrences(of: "`--as-of DATE`", with: "the query parameter `as_of=YYYY-MM-DD`")
            .replacingOccurrences(of: "`--policy ID`", with: "the query parameter `policy=ID`")
        return translated
    }

    /// A problem of the service's own.
    init(_ status: HTTPResponse.Status, _ diagnostic: Diagnostic, headers: HTTPFields = [:]) {
        self.status = status
        self.errors = CaseErrors([diagnostic])
        self.headers = headers
    }

    static let malformedIDs: Set<DiagnosticID> = ["case.json", "case.not-object", "case.byte-order-mark", "case.duplicate-key"]
    static let notFoundIDs: Set<DiagnosticID> = ["catalog.unknown-payer", "catalog.unknown-policy", "catalog.not-in-force"]
    static let unavailableIDs: Set<DiagnosticID> = ["catalog.empty", "catalog.policy-not-loaded"]

    static func status(for errors: CaseErrors) -> HTTPResponse.Status {
        let ids = Set(errors.diagnostics.map(\.id))
        if !ids.isDisjoint(with: unavailableIDs) { return .serviceUnavailable }
        if ids.contains("limit.case-size") { return .contentTooLarge }
        if !ids.isDisjoint(with: malformedIDs) { return .badRequest }
        if !ids.isDisjoint(with: notFoundIDs) { return .notFound }
        return .unprocessableContent
    }

    /// The error document, compact, as one line.
    var body: [UInt8] { DecisionEncoder.encode(errors) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    // MARK: The service's own problems

    static func unsupportedMediaType(_ found: String, expected: [String]) -> ServiceFailure {
        ServiceFailure(
            .unsupportedMediaType,
            .error(
                "request.media-type", "the body must be \(expected.map { "`\($0)`" }.joined(separator: " or "))", at: nil,
                hint: "send the header `Content-Type: \(expected[0])`",
                facts: DiagnosticFacts(expected: expected[0], found: String(found.prefix(100)))))
    }

    static func tooLarge(limit: Int) -> ServiceFailure {
        ServiceFailure(
            .contentTooLarge,
            .error(
                "limit.case-size", "the request body is larger than the limit of \(limit) bytes", at: nil,
                hint: "send one case per request; the limit is the service's `--max-body-bytes`",
                facts: DiagnosticFacts(limit: limit)))
    }

    static func batchTooLarge(limit: Int, linesRead: Int? = nil) -> ServiceFailure {
        let unread = linesRead.map { "; the lines after line \($0) were not read" } ?? ""
        return ServiceFailure(
            .contentTooLarge,
            .error(
                "limit.batch-size", "the batch is larger than the limit of \(limit) bytes\(unread)", at: nil,
                hint: "split the batch; the limit is the service's `--max-batch-bytes`", facts: DiagnosticFacts(limit: limit)))
    }

    static func readTimeout(seconds: Double) -> ServiceFailure {
        ServiceFailure(
            .requestTimeout,
            .error(
                "request.timeout", "the request body did not arrive within \(Self.format(seconds)) seconds", at: nil,
                hint: "send the whole body at once; the limit is the service's `--read-timeout`"))
    }

    static func unknownParameter(_ name: String, known: [String]) -> ServiceFailure {
        let suggestion = Suggestion.closest(to: name, in: known)
        return ServiceFailure(
            .badRequest,
            .error(
                "request.unknown-parameter", "unknown query parameter `\(String(name.prefix(100)))`", at: nil,
                hint: Suggestion.hint(suggestion) ?? "parameters: \(known.map { "`\($0)`" }.joined(separator: ", "))",
                facts: DiagnosticFacts(suggestion: suggestion)))
    }

    static func invalidParameter(_ name: String, expected: String) -> ServiceFailure {
        ServiceFailure(
            .badRequest,
            .error(
                "request.invalid-parameter", "query parameter `\(name)` must be \(expected)", at: nil,
                facts: DiagnosticFacts(expected: expected)))
    }

    static func unauthorized() -> ServiceFailure {
        ServiceFailure(
            .unauthorized,
            .error("request.unauthorized", "a valid bearer token is required", at: nil,
                   hint: "send the header `Authorization: Bearer TOKEN` with a token the operator issued"),
            headers: [.wwwAuthenticate: "Bearer realm=\"precert\""])
    }

    static func overloaded() -> ServiceFailure {
        ServiceFailure(
            .serviceUnavailable,
            .error("service.overloaded", "too many requests are being handled; try again shortly", at: nil,
                   hint: "retry after the number of seconds in `Retry-After`"),
            headers: [.retryAfter: "1"])
    }

    static func notReady(_ reason: String) -> ServiceFailure {
        ServiceFailure(
            .serviceUnavailable,
            .error("service.not-ready", "no policy set is loaded: \(reason)", at: nil,
                   hint: "the operator must fix the policy files; `/readyz` turns ready once a set loads without errors"),
            headers: [.retryAfter: "5"])
    }

    static func notFound(policy id: String, known: [String]) -> ServiceFailure {
        ServiceFailure(
            .notFound,
            .error("catalog.unknown-policy", "no policy `\(String(id.prefix(200)))`", at: nil,
                   hint: "policies: \(known.map { "`\($0)`" }.joined(separator: ", "))"))
    }

    static func methodNotAllowed(allowed: [String]) -> ServiceFailure {
        ServiceFailure(
            .methodNotAllowed,
            .error("request.method-not-allowed", "this endpoint answers \(allowed.map { "`\($0)`" }.joined(separator: " and ")) only", at: nil),
            headers: [.allow: allowed.joined(separator: ", ")])
    }

    static func noRoute() -> ServiceFailure {
        ServiceFailure(.notFound, .error("request.no-route", "no such endpoint", at: nil,
                                         hint: "see `/openapi.json` for the endpoints"))
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

}
