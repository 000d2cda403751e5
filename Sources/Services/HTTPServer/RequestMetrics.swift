import Hummingbird
import Prometheus
import StorageCore

/// The server's Prometheus metrics, in its own registry (no process-wide
/// bootstrap, so tests can run many servers): requests by route, method and
/// status, a latency histogram, and, read at scrape time, jobs by status.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    static func metric(_ name: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "yt_builder", metricName: name, unitName: unit, helpText: help)
    }
    static var requests: MetricNameDescriptor {
        metric("http_requests", unit: "total", help: "HTTP requests by route pattern, method and status.")
    }
    static var latency: MetricNameDescriptor {
        metric("http_request_duration", unit: "seconds", help: "Time to answer, by route pattern.")
    }
    static var jobs: MetricNameDescriptor { metric("jobs", help: "Jobs by status, read at scrape time.") }
    static var queueDepth: MetricNameDescriptor { metric("queue_depth", help: "Jobs queued for a render worker.") }
    static var databaseUp: MetricNameDescriptor {
        metric("database_up", help: "1 when the last scrape could read the database, else 0.")
    }

    func record(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.requests, labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("route", route)], buckets: Self.buckets)
            .recordNanoseconds(Int64(duration.inSeconds * 1e9))
    }

    /// The text a scrape gets, with job gauges read from the database now.
    /// While the database is away the request figures still come, with
    /// `yt_builder_database_up 0` and the job gauges as last read.
    func scrape(_ storage: any JobStore) async -> String {
        do {
            let counts = try await storage.jobCounts()
            for (status, count) in counts {
                registry.makeGauge(descriptor: Self.jobs, labels: [("status", status.rawValue)]).set(Double(count))
            }
            registry.makeGauge(descriptor: Self.queueDepth).set(Double(counts[.queued] ?? 0))
            registry.makeGauge(descriptor: Self.databaseUp).set(1.0)
        } catch {
            registry.makeGauge(descriptor: Self.databaseUp).set(0.0)
        }
        return registry.emitToString()
    }
}

struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        // The matched route, never the raw path: ids would make endless label values.
        let route = context.endpointPath ?? "unmatched"
        metrics.record(
            route: route, method: request.method.rawValue, status: response.status.code,
            duration: ContinuousClock.now - started)
        return response
    }
}
