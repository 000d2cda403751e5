import StorageCore

/// The job object of the earlier service's API: its keys, plus `config`,
/// `eta_seconds`, `elapsed_seconds` and, where known, `output_bytes`. The
/// run directory stays on the server.
enum JobObject {
    static func make(_ job: Job, fileCounts: FileCounts, now: Timestamp, outputBytes: Int64? = nil) -> JSONValue {
        .object([
            "job_id": .int(job.jobID),
            "run_id": .string(job.runID),
            "status": .string(job.status.rawValue),
            "progress": .int(Int64(job.progress)),
            "current_step": optional(job.currentStep),
            "output_file": optional(job.outputFile),
            "error": optional(job.error),
            "file_counts": counts(fileCounts),
            "config": job.config.map { .object($0.values) } ?? .null,
            "created_at": .string(job.createdAt.description),
            "started_at": optional(job.startedAt?.description),
            "finished_at": optional(job.finishedAt?.description),
            "eta_seconds": etaSeconds(job, now: now).map { .int($0) } ?? .null,
            "elapsed_seconds": elapsedSeconds(job, now: now).map { .int($0) } ?? .null,
            "output_bytes": outputBytes.map { .int($0) } ?? .null,
        ])
    }

    /// Seconds since the render started, or the render's length once it ended
    /// (the server's clock, so a browser's clock does not matter).
    static func elapsedSeconds(_ job: Job, now: Timestamp) -> Int64? {
        guard let started = job.startedAt else { return nil }
        let end = job.finishedAt ?? (job.status == .running ? now : nil)
        guard let end else { return nil }
        return max(0, (end.microsecondsSinceEpoch - started.microsecondsSinceEpoch) / 1_000_000)
    }

    /// The time a job has left at the pace it has kept since it started: 0
    /// once completed; nil while it has no progress to judge by, or is not
    /// running.
    static func etaSeconds(_ job: Job, now: Timestamp) -> Int64? {
        if job.status == .completed { return 0 }
        guard job.status == .running, let started = job.startedAt, (1..<100).contains(job.progress) else {
            return nil
        }
        let elapsed = max(0, now.microsecondsSinceEpoch - started.microsecondsSinceEpoch)
        let remaining = Double(elapsed) / 1_000_000 * Double(100 - job.progress) / Double(job.progress)
        return Int64(remaining.rounded())
    }

    static func counts(_ counts: FileCounts) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: FileType.allCases.map { ($0.rawValue, .int(Int64(counts[$0]))) }))
    }

    private static func optional(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }
}
