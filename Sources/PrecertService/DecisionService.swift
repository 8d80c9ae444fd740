import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Precert
import PrecertCRD
import ServiceLifecycle
import UnixSignals

/// The decision service: Precert's catalog behind HTTP.
///
/// It is stateless (every answer depends on the request and the policy set only), so it scales as
/// plain replicas behind any load balancer. Build it from a configuration, then `run()` it, or
/// `makeApplication()` to run it inside a larger service group or a test.
public final class DecisionService: Sendable {
    /// The response header naming the decision (or batch) in the audit trail.
    public static let decisionIDHeader = HTTPField.Name("Precert-Decision-Id")!
    /// The response header naming the policy set that answered.
    public static let policySetHeader = HTTPField.Name("Precert-Policy-Set")!

    /// The settings it runs with.
    public let configuration: ServiceConfiguration
    let logger: Logger
    let metrics = ServiceMetrics()
    let policies: ServedPolicies
    let audit: AuditTrail?
    let tokens: BearerTokens?
    /// Verifies CDS clients' JWTs; `nil` when CRD authentication is off.
    let crdAuthenticator: CRDAuthenticator?
    let inFlight: InFlightLimit

    /// Prepares the service: opens the audit trail and reads the tokens (throwing what stops
    /// them), then loads the policies. A policy set with errors does not stop the service: it
    /// runs not ready (`/readyz` 503, `/v1/*` 503) until the files are fixed, and logs why.
    public init(configuration: ServiceConfiguration, logger: Logger) throws(ServiceStartError) {
        self.configuration = configuration
        self.logger = logger
        if let destination = configuration.auditLog {
            do {
                audit = try AuditTrail(destination: destination, keyFile: configuration.auditKeyFile ?? "")
            } catch {
                throw ServiceStartError(message: error.message)
            }
        } else {
            audit = nil
        }
        if let file = configuration.tokensFile {
            do {
                tokens = try BearerTokens(file: file)
            } catch {
                throw ServiceStartError(message: error.message)
            }
        } else {
            tokens = nil
        }
        if configuration.crdAuthRequired {
            guard let issuers = configuration.crdIssuersFile else {
                throw ServiceStartError(
                    message: "CDS Hooks authentication is required (the service listens beyond loopback, or `--crd-auth required`) and no issuers are configured: give `--crd-issuers FILE` and `--crd-base-url URL`, or `--crd-auth off` for a trial without authentication")
            }
            guard let base = configuration.crdBaseURL else {
                throw ServiceStartError(
                    message: "CDS Hooks authentication needs `--crd-base-url URL`, the public URL clients call: a token's `aud` must be it plus `/cds-services/{id}`")
            }
            crdAuthenticator = try CRDAuthenticator.load(issuersFile: issuers, baseURL: base)
        } else {
            crdAuthenticator = nil
        }
        inFlight = InFlightLimit(limit: configuration.maxInFlight)
        var options = CatalogOptions()
        options.maxCaseBytes = configuration.maxBodyBytes
        // Analysis findings are `precert check`'s business; loading for serving skips them.
        options.analyze = false
        policies = ServedPolicies(paths: configuration.policies, options: options, logger: logger, metrics: metrics)
        policies.reload(force: true, reason: "start")
    }

    /// Checks the policy files now and loads them if they changed (what the watcher and SIGHUP
    /// do); returns `replaced`, `unchanged`, `refused`, or `nil` when nothing changed.
    @discardableResult
    public func reloadPolicies(force: Bool = false) -> String? {
        policies.reload(force: force, reason: force ? "requested" : "files changed")
    }

    /// The policy set serving now (its digest), or `nil` before one has loaded.
    public var servingDigest: String? { policies.current.catalog?.digest }

    /// The HTTP application: routes, limits, authentication, metrics, and the policy watcher as a
    /// service beside the server.
    public func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        let routes = Routes(service: self)
        router.get("/healthz") { request, context in routes.health(request, context) }
        router.get("/readyz") { request, context in routes.readiness(request, context) }
        router.get("/metrics") { request, context in routes.metrics(request, context) }
        router.get("/openapi.json") { request, context in routes.openAPI(request, context) }
        let v1 = router.group("/v1")
            .add(middleware: InFlightMiddleware(limit: inFlight, metrics: metrics))
            .add(middleware: AuthenticationMiddleware(tokens: tokens))
        v1.post("/decisions") { request, context in try await routes.decide(request, context) }
        v1.post("/decisions/batch") { request, context in try await routes.decideBatch(request, context) }
        v1.get("/policies") { request, context in try routes.listPolicies(request, context) }
        v1.get("/policies/**") { request, context in try routes.showPolicy(request, context) }
        // CDS Hooks (Da Vinci CRD): their own in-flight slots, JWT checks and OperationOutcome errors.
        let crd = CRDRoutes(service: self)
        router.get("/cds-services") { request, context in try await crd.discovery(request, context) }
        router.post("/cds-services/:id") { request, context in try await crd.call(request, context) }
        router.post("/cds-services/:id/feedback") { request, context in try await crd.feedback(request, context) }
        let responder = ServiceResponder(
            inner: router.buildResponder(), metrics: metrics, logger: logger, maxBodyBytes: configuration.maxBodyBytes)

        var decoder = HTTP1Channel.Configuration.DecoderConfiguration()
        decoder.maxHeaderListSize = configuration.maxHeaderBytes
        decoder.maxHeaderFieldSize = configuration.maxHeaderBytes
        decoder.maxHeaderFieldCount = 100
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)), httpDecoderConfiguration: decoder)
        return Application(
            responder: responder,
            server: .http1(configuration: http1),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [PolicyWatcher(service: self)],
            onServerRunning: { channel in
                self.logger.info(
                    "listening", metadata: ["address": .string(channel.localAddress?.description ?? "?"), "ready": .stringConvertible(self.servingDigest != nil)])
            },
            logger: logger)
    }

    /// Runs until SIGTERM or SIGINT, then stops accepting, finishes the requests in flight and returns.
    public func run() async throws {
        let application = makeApplication()
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    // MARK: Shared by the routes

    /// A new decision id: 128 random bits as hex, so ids cannot be guessed or collide across replicas.
    static func newDecisionID() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8](repeating: 0, count: 32)
        for half in 0..<2 {
            var value: UInt64 = generator.next()
            for index in (half * 16..<half * 16 + 16).reversed() {
                hex[index] = digits[Int(value & 15)]
                value >>= 4
            }
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The request body, up to `limit` bytes; a body over the limit is refused as soon as its
    /// declared or received length passes it, and one still arriving after the read timeout gets
    /// 408 when its next bytes come (a client that sends nothing more is closed by the idle
    /// timeout). Checked between chunks rather than raced against a timer task, which would cost
    /// every request two tasks.
    func readBody(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw ServiceFailure.tooLarge(limit: limit)
        }
        let deadline = ContinuousClock.now + .milliseconds(Int64(configuration.readTimeout * 1000))
        var bytes: [UInt8] = []
        for try await chunk in request.body {
            if bytes.count + chunk.readableBytes > limit { throw ServiceFailure.tooLarge(limit: limit) }
            if ContinuousClock.now > deadline { throw ServiceFailure.readTimeout(seconds: configuration.readTimeout) }
            if bytes.isEmpty {
                bytes = Array(chunk.readableBytesView)
            } else {
                bytes += chunk.readableBytesView
            }
        }
        return bytes
    }

    /// Counts and audits an evaluated case.
    func recordDecision(
        _ summary: DecisionSummary, id: String, route: String, line: Int?, body: [UInt8], catalog: PolicyCatalog, started: ContinuousClock.Instant
    ) {
        metrics.decided(policy: summary.policy.id, summary.results)
        guard let audit else { return }
        auditWrite(
            audit,
            AuditRecord.decision(
                id: id, time: Date(), route: route, line: line, caseHMAC: audit.caseHMAC(body), summary: summary,
                setDigest: catalog.digest, seconds: Self.seconds(since: started)))
    }

    /// Counts and audits a case that could not be evaluated.
    func recordFailure(
        _ errors: CaseErrors, status: HTTPResponse.Status, id: String, route: String, line: Int?, body: [UInt8], catalog: PolicyCatalog,
        started: ContinuousClock.Instant
    ) {
        metrics.failedCase(errors)
        guard let audit else { return }
        auditWrite(
            audit,
            AuditRecord.failure(
                id: id, time: Date(), route: route, line: line, caseHMAC: audit.caseHMAC(body), errors: errors, httpStatus: status.code,
                setDigest: catalog.digest, seconds: Self.seconds(since: started)))
    }

    /// Counts and audits each order a CDS Hooks call answered: one record per order, its
    /// coverage-assertion id as the decision id, an HMAC of the case read from the order (never
    /// the case).
    func recordCRDAnswer(_ answer: CRDAnswer, serviceID: String, catalog: PolicyCatalog, started: ContinuousClock.Instant) {
        let seconds = Self.seconds(since: started)
        for assertion in answer.assertions {
            metrics.decided(policy: assertion.decision.policyID, assertion.decision.decisions)
            guard let audit else { continue }
            auditWrite(
                audit,
                AuditRecord.crdDecision(
                    id: assertion.id, time: Date(), route: CRDRoutes.callRoute, serviceID: serviceID, caseHMAC: audit.caseHMAC(assertion.caseBytes),
                    decision: assertion.decision, setDigest: catalog.digest, seconds: seconds))
        }
    }

    /// Appends an audit record; a record that cannot be written is counted and logged (without
    /// anything of the case), so that a gap in the trail is visible.
    private func auditWrite(_ audit: AuditTrail, _ record: [UInt8]) {
        if !audit.append(record) {
            metrics.auditFailure()
            logger.error("audit record not written", metadata: ["errno": .stringConvertible(errno)])
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// Why the service could not start (an audit trail or token file that cannot be used).
public struct ServiceStartError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, lowercase.
    public let message: String
    /// The message.
    public var description: String { message }
}

/// Wraps the router: turns every error into the JSON error document (an unknown route included),
/// and counts every request by route template and status.
struct ServiceResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == BasicRequestContext {
    let inner: Inner
    let metrics: ServiceMetrics
    let logger: Logger
    /// The case body limit, named when the framework itself refuses a body as too large.
    let maxBodyBytes: Int

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await inner.respond(to: request, context: context)
            // The router answers an unknown route, or a known one with another method, with an
            // empty 404 of its own.
            if response.status == .notFound, context.endpointPath == nil || context.endpointPath == "NotFound" {
                let failure = Routes.allowedMethods(for: request.uri.path).map { ServiceFailure.methodNotAllowed(allowed: $0) } ?? .noRoute()
                response = try failure.response(from: request, context: context)
            }
        } catch let failure as ServiceFailure {
            response = try failure.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let failure: ServiceFailure =
                switch error.status {
                case .notFound, .methodNotAllowed: .noRoute()
                case .contentTooLarge: .tooLarge(limit: maxBodyBytes)
                default:
                    ServiceFailure(
                        error.status,
                        .error("request.invalid", "the request cannot be handled (HTTP \(error.status.code))", at: nil))
                }
            response = try failure.response(from: request, context: context)
        } catch {
            // Never the error's text: it could quote a request.
            logger.error("request failed", metadata: ["route": .string(context.endpointPath ?? "unmatched"), "error": .string(String(describing: type(of: error)))])
            response = try ServiceFailure(.internalServerError, .error("service.internal", "the service failed to answer", at: nil))
                .response(from: request, context: context)
        }
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        let seconds = DecisionService.seconds(since: started)
        metrics.request(route: route, method: request.method.rawValue, status: response.status.code, seconds: seconds)
        logger.debug(
            "request",
            metadata: [
                "route": .string(route), "method": .string(request.method.rawValue), "status": .stringConvertible(response.status.code),
                "latency_us": .stringConvertible(Int(seconds * 1e6)),
            ])
        return response
    }
}

/// At most `limit` `/v1` requests at once; beyond it, `503` with `Retry-After` at once rather than
/// a queue that grows until every request times out.
final class InFlightLimit: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var count = 0

    init(limit: Int) { self.limit = limit }

    func enter() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard count < limit else { return false }
        count += 1
        return true
    }

    func leave() {
        lock.lock()
        count -= 1
        lock.unlock()
    }
}

struct InFlightMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let limit: InFlightLimit
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A batch streams its answers after its handler returns: it holds a slot of its own
        // (`InFlightLease`) until its body is done.
        if request.uri.path == "/v1/decisions/batch" { return try await next(request, context) }
        guard limit.enter() else {
            metrics.overloaded()
            throw ServiceFailure.overloaded()
        }
        defer { limit.leave() }
        return try await next(request, context)
    }
}

/// A slot of the in-flight limit held for as long as the lease lives: given back when the last
/// reference goes, whether the response body it was captured by ran to its end or was dropped
/// with a connection that closed first, so a slot can never leak.
final class InFlightLease: Sendable {
    private let limit: InFlightLimit

    init?(_ limit: InFlightLimit) {
        guard limit.enter() else { return nil }
        self.limit = limit
    }

    deinit { limit.leave() }
}

/// The bearer tokens accepted on `/v1/*`, kept as SHA-256 digests and compared in constant time
/// (swift-crypto's digest equality), every token each time, so timing tells nothing about them.
struct BearerTokens: Sendable {
    private let digests: [SHA256.Digest]

    init(file: String) throws(ServiceStartError) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ServiceStartError(message: "cannot read the tokens file `\(file)`")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !lines.isEmpty else { throw ServiceStartError(message: "the tokens file `\(file)` holds no token") }
        if let short = lines.firstIndex(where: { $0.utf8.count < 16 }) {
            throw ServiceStartError(message: "token \(short + 1) in `\(file)` is shorter than 16 characters")
        }
        digests = lines.map { SHA256.hash(data: Array($0.utf8)) }
    }

    func accepts(_ token: Substring) -> Bool {
        let presented = SHA256.hash(data: Array(token.utf8))
        var matched = false
        for digest in digests where digest == presented { matched = true }
        return matched
    }
}

struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let tokens: BearerTokens?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let tokens {
            guard let header = request.headers[.authorization], header.count > 7,
                header.prefix(7).lowercased() == "bearer ", tokens.accepts(header.dropFirst(7))
            else { throw ServiceFailure.unauthorized() }
        }
        return try await next(request, context)
    }
}

/// Reloads the policies when their files change (checked every `watchInterval` seconds) and on
/// SIGHUP, on a thread of its own so that loading never holds up a request.
struct PolicyWatcher: Service {
    let service: DecisionService

    func run() async throws {
        let interval = service.configuration.watchInterval
        let signals = await UnixSignalsSequence(trapping: .sighup)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals { await reload(force: true) }
            }
            if interval > 0 {
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                        await reload(force: false)
                    }
                }
            }
            try await gracefulShutdown()
            group.cancelAll()
        }
    }

    private func reload(force: Bool) async {
        let service = self.service
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                service.reloadPolicies(force: force)
                done.resume()
            }
        }
    }
}
