import Foundation
import Metrics
import Precert
import Prometheus

/// A metric's name and label values, to find the metric made for them (the label names are
/// always the same for one name).
struct MetricKey: Hashable {
    let name: String
    let values: [String]
}

/// A decision counter's labels.
struct DecisionKey: Hashable {
    let policy: String
    let decision: String
    let outcome: String
}

/// The service's metrics, through swift-metrics into a Prometheus registry of its own (not the
/// process-wide `MetricsSystem`, so that several services, as in tests, each count their own).
///
/// Labels hold only route templates, statuses, policy ids, decision names and outcome names: a
/// bounded set that says nothing about any case.
final class ServiceMetrics: @unchecked Sendable {
    /// The registry `/metrics` prints.
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let lock = NSLock()
    private var counters: [MetricKey: Metrics.Counter] = [:]
    private var timers: [MetricKey: Metrics.Timer] = [:]
    private var decisionCounters: [DecisionKey: Metrics.Counter] = [:]
    private var setInfo: Metrics.Gauge?

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // From 100 µs (a decision on a warm connection) to 10 s (a large batch).
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// A counter, made once per label set.
    private func counter(_ name: String, _ dimensions: [(String, String)]) -> Metrics.Counter {
        let key = MetricKey(name: name, values: dimensions.map(\.1))
        lock.lock()
        defer { lock.unlock() }
        if let counter = counters[key] { return counter }
        let counter = Metrics.Counter(label: name, dimensions: dimensions, factory: factory)
        counters[key] = counter
        return counter
    }

    /// Counts a request and records its latency.
    func request(route: String, method: String, status: Int, seconds: Double) {
        counter("precert_http_requests_total", [("route", route), ("method", method), ("status", String(status))]).increment()
        let key = MetricKey(name: route, values: [method])
        lock.lock()
        let timer: Metrics.Timer
        if let existing = timers[key] {
            timer = existing
        } else {
            timer = Metrics.Timer(
                label: "precert_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory)
            timers[key] = timer
        }
        lock.unlock()
        timer.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Counts each decision of an evaluated case by policy, decision and outcome (each outcome of
    /// a list; the status when there is no outcome), under one lock for the whole case.
    func decided(policy: String, _ results: [DecisionResult]) {
        var counted: [Metrics.Counter] = []
        counted.reserveCapacity(results.count + 4)
        lock.lock()
        for result in results {
            if result.status == .decided {
                for outcome in result.outcomes { counted.append(decisionCounter(policy, result.name, outcome)) }
            } else {
                counted.append(decisionCounter(policy, result.name, result.status.rawValue))
            }
        }
        lock.unlock()
        for counter in counted { counter.increment() }
    }

    /// The counter of one policy, decision and outcome; called with `lock` held.
    private func decisionCounter(_ policy: String, _ decision: String, _ outcome: String) -> Metrics.Counter {
        let key = DecisionKey(policy: policy, decision: decision, outcome: outcome)
        if let counter = decisionCounters[key] { return counter }
        let counter = Metrics.Counter(
            label: "precert_decisions_total", dimensions: [("policy", policy), ("decision", decision), ("outcome", outcome)], factory: factory)
        decisionCounters[key] = counter
        return counter
    }

    /// Counts a case that could not be evaluated, by the id of its first problem.
    func failedCase(_ errors: CaseErrors) {
        counter("precert_case_errors_total", [("id", errors.diagnostics.first?.id.code ?? "unknown")]).increment()
    }

    /// Counts a reload by its result (`replaced`, `unchanged`, `refused`).
    func reload(_ result: String) {
        counter("precert_policy_reloads_total", [("result", result)]).increment()
    }

    /// Names the policy set now serving: `precert_policy_set_info{digest=…} 1`, the previous
    /// set's series removed.
    func serving(digest: String, policies: Int) {
        lock.lock()
        defer { lock.unlock() }
        setInfo?.destroy()
        let gauge = Metrics.Gauge(label: "precert_policy_set_info", dimensions: [("digest", digest)], factory: factory)
        gauge.record(1)
        setInfo = gauge
        Metrics.Gauge(label: "precert_policy_set_policies", factory: factory).record(policies)
        Metrics.Gauge(label: "precert_policy_set_loaded_timestamp_seconds", factory: factory).record(Date().timeIntervalSince1970)
    }

    /// Counts an audit record that could not be written.
    func auditFailure() {
        counter("precert_audit_write_failures_total", []).increment()
    }

    /// Counts a CDS Hooks call by service id (`discovery`, a served id, `unknown`, each with
    /// `/feedback` for its feedback) and status, and records its latency by service.
    func crdRequest(service: String, status: Int, seconds: Double) {
        counter("precert_crd_requests_total", [("service", service), ("status", String(status))]).increment()
        let key = MetricKey(name: "precert_crd_request_duration_seconds", values: [service])
        lock.lock()
        let timer: Metrics.Timer
        if let existing = timers[key] {
            timer = existing
        } else {
            timer = Metrics.Timer(label: "precert_crd_request_duration_seconds", dimensions: [("service", service)], factory: factory)
            timers[key] = timer
        }
        lock.unlock()
        timer.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Counts a CDS Hooks feedback item by service and outcome (`accepted`, `overridden`).
    func crdFeedback(service: String, outcome: String) {
        counter("precert_crd_feedback_total", [("service", service), ("outcome", outcome)]).increment()
    }

    /// Counts a CDS client token refused, by reason (`missing`, `algorithm`, `issuer`, ...).
    func crdTokenRefused(reason: String) {
        counter("precert_crd_tokens_refused_total", [("reason", reason)]).increment()
    }

    /// Counts a request refused because too many were in flight.
    func overloaded() {
        counter("precert_http_requests_rejected_total", [("reason", "overloaded")]).increment()
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
