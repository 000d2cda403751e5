import StorageCore

/// The job object of the earlier service's API: its keys, plus `config`.
/// The run directory stays on the server.
enum JobObject {
    static func make(_ job: Job, fileCounts: FileCounts) -> JSONValue {
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
        ])
    }

    static func counts(_ counts: FileCounts) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: FileType.allCases.map { ($0.rawValue, .int(Int64(counts[$0]))) }))
    }

    private static func optional(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }
}
