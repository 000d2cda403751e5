import StorageCore

extension SQLiteStorage {
    static let jobColumns = """
        job_id, run_id, run_dir, status, progress, current_step, config, output_file, error, \
        created_at, started_at, finished_at
        """

    static func readJob(_ row: SQLiteStatement) throws -> Job { try Job(row: row) }

    static func fetchJob(_ connection: SQLiteConnection, _ id: Int64) throws -> Job? {
        try connection.query("SELECT \(jobColumns) FROM jobs WHERE job_id = ?", [.integer(id)], row: readJob).first
    }

    public func createJob(_ new: NewJob) async throws -> Job {
        try new.validate()
        let runsDirectory = new.runsFolder
        let now = now
        let configText = new.config?.jsonText
        defer { if new.status == .queued { queueSignal.notifyAll() } }
        return try await write { connection in
            let id = try connection.query(
                "INSERT INTO jobs (run_id, run_dir, status, config, created_at) VALUES ('', '', ?, ?, ?) RETURNING job_id",
                [.text(new.status.rawValue), .text(configText), .timestamp(now)]
            ) { $0.int64(0) }[0]
            let runID = RunID.make(jobID: id)
            let runDirectory = runsDirectory + "/" + runID
            try connection.run(
                "UPDATE jobs SET run_id = ?, run_dir = ? WHERE job_id = ?",
                [.text(runID), .text(runDirectory), .integer(id)])
            return Job(
                jobID: id, runID: runID, runDirectory: runDirectory, status: new.status, progress: 0, currentStep: nil,
                configText: configText, outputFile: nil, error: nil, createdAt: now, startedAt: nil, finishedAt: nil)
        }
    }

    public func job(_ id: Int64) async throws -> Job? {
        try await read { try Self.fetchJob($0, id) }
    }

    public func jobSummary(_ id: Int64) async throws -> JobSummary? {
        try await read { connection in
            try connection.query(
                "SELECT \(Self.jobColumns), \(FileCounts.subqueries) FROM jobs WHERE job_id = ?", [.integer(id)]
            ) { row in JobSummary(job: try Job(row: row), fileCounts: FileCounts(row: row, from: 12)) }.first
        }
    }

    public func listJobs(_ query: JobQuery) async throws -> JobPage {
        try query.validate()
        var conditions: [String] = []
        var values: [SQLiteValue] = []
        if let status = query.status {
            conditions.append("status = ?")
            values.append(.text(status.rawValue))
        }
        if let cursor = query.after {
            conditions.append("(created_at, job_id) < (?, ?)")
            values += [.timestamp(cursor.createdAt), .integer(cursor.jobID)]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        values.append(.integer(query.limit + 1))
        let sql = "SELECT \(Self.jobColumns) FROM jobs \(filter) ORDER BY created_at DESC, job_id DESC LIMIT ?"
        let jobs = try await read { [values] in try $0.query(sql, values, row: Self.readJob) }
        guard jobs.count > query.limit else { return JobPage(jobs: jobs, nextCursor: nil) }
        let page = Array(jobs.prefix(query.limit))
        return JobPage(jobs: page, nextCursor: page.last.map(JobCursor.init(after:)))
    }

    public func updateJob(_ id: Int64, _ update: JobUpdate) async throws -> Job? {
        let now = now
        defer { if update.status == .queued { queueSignal.notifyAll() } }
        return try await write { connection in
            guard var job = try Self.fetchJob(connection, id) else { return nil }
            try update.validate(jobID: id, current: job.status)
            let current = job.status
            let status = update.status ?? current
            if status == .running, job.startedAt == nil { job.startedAt = now }
            if status.isFinished { job.finishedAt = now }
            job.status = status
            job.progress = update.progress ?? job.progress
            job.currentStep = update.currentStep ?? job.currentStep
            job.outputFile = update.outputFile ?? job.outputFile
            job.error = update.error ?? job.error
            // Status, and the times that follow it, are written only when the status
            // moves: an unchanged indexed column would still rewrite its index page.
            if status == current {
                try connection.run(
                    "UPDATE jobs SET progress = ?, current_step = ?, output_file = ?, error = ? WHERE job_id = ?",
                    [
                        .integer(job.progress), .text(job.currentStep), .text(job.outputFile), .text(job.error),
                        .integer(id),
                    ])
            } else {
                try connection.run(
                    """
                    UPDATE jobs SET status = ?, progress = ?, current_step = ?, output_file = ?, error = ?,
                        started_at = ?, finished_at = ?
                    WHERE job_id = ?
                    """,
                    [
                        .text(job.status.rawValue), .integer(job.progress), .text(job.currentStep),
                        .text(job.outputFile), .text(job.error), .timestamp(job.startedAt), .timestamp(job.finishedAt),
                        .integer(id),
                    ])
            }
            return job
        }
    }

    public func updateConfig(_ id: Int64, _ config: JobConfig) async throws -> Job? {
        try config.validateStorable()
        let configText = config.jsonText
        return try await write { connection in
            guard
                try connection.run("UPDATE jobs SET config = ? WHERE job_id = ?", [.text(configText), .integer(id)]) > 0
            else { return nil }
            return try Self.fetchJob(connection, id)
        }
    }

    public func deleteJob(_ id: Int64) async throws -> DeletedJob? {
        try await write { connection in
            try connection.query("DELETE FROM jobs WHERE job_id = ? RETURNING job_id, run_dir", [.integer(id)]) {
                DeletedJob(jobID: $0.int64(0), runDirectory: $0.text(1) ?? "")
            }.first
        }
    }

    public func jobCounts() async throws -> [JobStatus: Int] {
        let rows = try await read { connection in
            try connection.query("SELECT status, COUNT(*) FROM jobs GROUP BY status") {
                (try $0.required(0, "status", JobStatus.init(rawValue:)), $0.int(1))
            }
        }
        return countsByStatus(rows)
    }

    public func deleteStalePreparingJobs(createdBefore cutoff: Timestamp) async throws -> [DeletedJob] {
        try await write { connection in
            try connection.query(
                "DELETE FROM jobs WHERE status = 'preparing' AND created_at < ? RETURNING job_id, run_dir",
                [.timestamp(cutoff)]
            ) { DeletedJob(jobID: $0.int64(0), runDirectory: $0.text(1) ?? "") }.sorted { $0.jobID < $1.jobID }
        }
    }

    public func cleanupOldJobs(finishedBefore cutoff: Timestamp, dryRun: Bool) async throws -> CleanupResult {
        // Jobs of the earlier service may lack finished_at; their creation time stands in.
        let finished = """
            status IN ('completed', 'failed', 'cancelled') AND COALESCE(finished_at, created_at) < ?
            """
        let values: [SQLiteValue] = [.timestamp(cutoff)]
        return try await write { connection in
            let jobs = try connection.query(
                "SELECT job_id, run_dir FROM jobs WHERE \(finished) ORDER BY job_id", values
            ) { DeletedJob(jobID: $0.int64(0), runDirectory: $0.text(1) ?? "") }
            let files = try connection.scalarInt(
                "SELECT COUNT(*) FROM job_files WHERE job_id IN (SELECT job_id FROM jobs WHERE \(finished))", values)
            let uploads = try connection.scalarInt(
                "SELECT COUNT(*) FROM youtube_uploads WHERE job_id IN (SELECT job_id FROM jobs WHERE \(finished))",
                values)
            if !dryRun { try connection.run("DELETE FROM jobs WHERE \(finished)", values) }
            return CleanupResult(jobs: jobs, files: Int(files ?? 0), uploads: Int(uploads ?? 0))
        }
    }
}
