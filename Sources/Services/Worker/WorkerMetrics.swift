import CoreMetrics

/// What workers count, through swift-metrics: the process chooses where the
/// figures go (`yt-builder` serves them in Prometheus's format; tests keep none).
enum WorkerMetrics {
    static func taskFinished(kind: String, outcome: String, seconds: Double) {
        Counter(label: "yt_builder_worker_tasks_total", dimensions: [("kind", kind), ("outcome", outcome)]).increment()
        Timer(label: "yt_builder_worker_task_duration_seconds", dimensions: [("kind", kind)])
            .recordNanoseconds(Int64(seconds * 1e9))
        if outcome == "lease_lost" {
            Counter(label: "yt_builder_worker_lease_losses_total", dimensions: [("kind", kind)]).increment()
        }
    }

    /// A finished render: one more, this many seconds of video, in this long.
    static func rendered(videoSeconds: Double, wallSeconds: Double) {
        Counter(label: "yt_builder_renders_total").increment()
        FloatingPointCounter(label: "yt_builder_rendered_video_seconds_total").increment(by: videoSeconds)
        Timer(label: "yt_builder_render_duration_seconds").recordNanoseconds(Int64(wallSeconds * 1e9))
    }
}
