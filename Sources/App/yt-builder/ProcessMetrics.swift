import CoreMetrics
import Prometheus

/// Where this process's swift-metrics figures go (workers, the object
/// store): one Prometheus registry, set up once by the command that runs.
enum ProcessMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // A task or a render takes seconds to hours, not the default's milliseconds.
        let long: [Duration] = [1, 5, 15, 60, 300, 900, 3600, 14_400].map { .seconds($0) }
        for label in ["yt_builder_worker_task_duration_seconds", "yt_builder_render_duration_seconds"] {
            factory.durationHistogramBuckets[label] = long
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
