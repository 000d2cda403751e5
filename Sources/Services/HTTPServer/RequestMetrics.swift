import Hummingbird
import Logging
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
    static var tasks: MetricNameDescriptor {
        metric("queue_tasks", help: "Tasks of the queue by kind and state (queued, running), read at scrape time.")
    }
    static var databaseUp: MetricNameDescriptor {
        metric("database_up", help: "1 when the last scrape could read the database, else 0.")
    }

    static var buildInfo: MetricNameDescriptor {
        metric("build_info", help: "Always 1; the version of the running binary is its label.")
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
    func scrape(_ storage: any JobStore & TaskQueue, process: PrometheusCollectorRegistry? = nil) async -> String {
        do {
            let counts = try await storage.jobCounts()
            for (status, count) in counts {
                registry.makeGauge(descriptor: Self.jobs, labels: [("status", status.rawValue)]).set(Double(count))
            }
            registry.makeGauge(descriptor: Self.queueDepth).set(Double(counts[.queued] ?? 0))
            let depth = try await storage.queueDepth()
            for kind in TaskKind.allCases {
                for state in [TaskState.queued, .running] {
                    let count = depth.first { $0.kind == kind && $0.state == state }?.count ?? 0
                    registry.makeGauge(
                        descriptor: Self.tasks, labels: [("kind", kind.rawValue), ("state", state.rawValue)]
                    ).set(Double(count))
                }
            }
            registry.makeGauge(descriptor: Self.databaseUp).set(1.0)
        } catch {
            registry.makeGauge(descriptor: Self.databaseUp).set(0.0)
        }
        registry.makeGauge(descriptor: Self.buildInfo, labels: [("version", BuildInfo.version)]).set(1.0)
        return registry.emitToString() + (process?.emitToString() ?? "")
    }
}

/// Times every request once: its metrics, and its log line (method, route,
/// status, duration). Successful reads (GET and HEAD under 400) log at debug,
/// since pages poll; everything else at info, server errors at error.
struct RequestRecordMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let duration = ContinuousClock.now - started
        // The matched route, never the raw path: ids would make endless label values.
        let route = context.endpointPath ?? "unmatched"
        let status = response.status.code
        metrics.record(route: route, method: request.method.rawValue, status: status, duration: duration)
        let level: Logger.Level =
            status >= 500 ? .error : (status < 400 && [.get, .head].contains(request.method)) ? .debug : .info
        context.logger.log(
            level: level, "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "route": "\(route)",
                "status": "\(status)", "duration_ms": "\(Int((duration.inSeconds * 1000).rounded()))",
            ])
        return response
    }
}
