import StorageCore

/// Turns a claimed job into its output: the render pipeline, or a stand-in in
/// tests and benchmarks. Runs until done, throws to fail the job, and stops
/// promptly when its task is cancelled (a cancel request, a lost lease, shutdown).
public protocol JobRunner: Sendable {
    /// The output file's path, if the job made one.
    func run(_ job: Job, reporter: JobReporter) async throws -> String?
}

/// How a runner tells the world how far it is.
public struct JobReporter: Sendable {
    let progress: @Sendable (Int, String?) async -> Void
    let log: @Sendable (String) -> Void

    public init(progress: @escaping @Sendable (Int, String?) async -> Void, log: @escaping @Sendable (String) -> Void) {
        self.progress = progress
        self.log = log
    }

    /// Progress 0–100 and the step's name; written to the job's row.
    public func report(_ percent: Int, _ step: String?) async { await progress(min(max(percent, 0), 100), step) }

    /// A line of the job's log (its `job.log`, read by `GET /api/jobs/{id}/logs`).
    public func log(_ line: String) { log(line) }
}

/// Waits a fixed time, reporting progress as it goes, and makes nothing: for
/// tests and `bench queue`, where the queue is what is measured.
public struct SleepRunner: JobRunner {
    public let seconds: Double

    public init(seconds: Double) {
        self.seconds = seconds
    }

    public func run(_ job: Job, reporter: JobReporter) async throws -> String? {
        reporter.log("sleep runner: \(seconds) s for job \(job.jobID)")
        if seconds > 0 {
            let steps = max(1, Int(seconds * 4))
            for step in 1...steps {
                try await Task.sleep(for: .seconds(seconds / Double(steps)))
                await reporter.report(step * 100 / steps, "Sleeping")
            }
        }
        return nil
    }
}
