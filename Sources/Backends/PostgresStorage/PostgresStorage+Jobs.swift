import StorageCore

extension PostgresStorage {
    /// The column order `Job(row:)` reads.
    static let jobColumns = """
        job_id, run_id, run_dir, status, progress, current_step, config::text, output_file, error, \
        created_at, started_at, finished_at
        """

    static func fetchJob(_ connection: PostgresConnection, _ id: Int64) throws -> Job? {
        try connection.query("SELECT \(jobColumns) FROM jobs WHERE job_id = $1", [String(id)]) { try Job(row: $0) }
            .first
    }

    public func createJob(_ new: NewJob) async throws -> Job {
        try new.validate()
        let runs = new.runsFolder
        let values = [RunID.randomSuffix(), runs, new.status.rawValue, new.config?.jsonText, now]
        // One round trip: the id is drawn first, so run_id and run_dir can name it.
        return try await session { connection in
            let job = try connection.query(
                """
                WITH next AS (SELECT nextval(pg_get_serial_sequence('jobs', 'job_id')) AS id)
                INSERT INTO jobs (job_id, run_id, run_dir, status, config, created_at)
                SELECT id, 'run-' || id || '-' || $1, $2 || '/run-' || id || '-' || $1, $3, $4::jsonb, $5::timestamptz
                FROM next
                RETURNING \(Self.jobColumns)
                """, values
            ) { try Job(row: $0) }[0]
            if new.status == .queued { try connection.execute(Self.notifyQueued) }
            return job
        }
    }

    public func job(_ id: Int64) async throws -> Job? {
        try await session { try Self.fetchJob($0, id) }
    }

    public func jobSummary(_ id: Int64) async throws -> JobSummary? {
        try await session { connection in
            try connection.query(
                "SELECT \(Self.jobColumns), \(FileCounts.subqueries) FROM jobs WHERE job_id = $1", [String(id)]
            ) { row in JobSummary(job: try Job(row: row), fileCounts: FileCounts(row: row, from: 12)) }.first
        }
    }

    public func listJobs(_ query: JobQuery) async throws -> JobPage {
        try query.validate()
        var conditions: [String] = []
        var values: [String?] = []
        if let status = query.status {
            values.append(status.rawValue)
            conditions.append("status = $\(values.count)")
        }
        if let cursor = query.after {
            values += [cursor.createdAt.description, String(cursor.jobID)]
            conditions.append("(created_at, job_id) < ($\(values.count - 1)::timestamptz, $\(values.count)::bigint)")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        values.append(String(query.limit + 1))
        let sql = """
            SELECT \(Self.jobColumns) FROM jobs \(filter)
            ORDER BY created_at DESC, job_id DESC LIMIT $\(values.count)
            """
        let jobs = try await session { [values] in try $0.query(sql, values) { try Job(row: $0) } }
        guard jobs.count > query.limit else { return JobPage(jobs: jobs, nextCursor: nil) }
        let page = Array(jobs.prefix(query.limit))
        return JobPage(jobs: page, nextCursor: page.last.map(JobCursor.init(after:)))
    }

    /// One round trip in the common case: the update names the statuses the
    /// state machine lets it start from, so the server checks the move as it
    /// writes. When no row matches, the job is read to say why (no such job, a
    /// refused move), or, if another writer moved it meanwhile, tried again.
    public func updateJob(_ id: Int64, _ update: JobUpdate) async throws -> Job? {
        try update.validateValues()
        let now = now
        let from = update.allowedCurrentStatuses.map(\.rawValue).joined(separator: ",")
        let values: [String?] = [
            String(id), "{\(from)}", update.status?.rawValue,
            update.progress.map(String.init), update.currentStep, update.outputFile, update.error, now,
        ]
        return try await session { connection in
            while true {
                let updated = try connection.query(
                    """
                    UPDATE jobs SET status = COALESCE($3, status), progress = COALESCE($4::integer, progress),
                        current_step = COALESCE($5, current_step), output_file = COALESCE($6, output_file),
                        error = COALESCE($7, error),
                        started_at = CASE WHEN $3 = 'running' THEN COALESCE(started_at, $8::timestamptz)
                                          ELSE started_at END,
                        finished_at = CASE WHEN $3 IN ('completed', 'failed', 'cancelled') AND $3 <> status
                                           THEN $8::timestamptz ELSE finished_at END
                    WHERE job_id = $1 AND status = ANY($2::text[])
                    RETURNING \(Self.jobColumns)
                    """, values
                ) { try Job(row: $0) }
                if let job = updated.first {
                    if update.status == .queued { try connection.execute(Self.notifyQueued) }
                    return job
                }
                guard let job = try Self.fetchJob(connection, id) else { return nil }
                try update.validate(jobID: id, current: job.status)
            }
        }
    }

    public func updateConfig(_ id: Int64, _ config: JobConfig) async throws -> Job? {
        try config.validateStorable()
        let text = config.jsonText
        return try await session { connection in
            try connection.query(
                "UPDATE jobs SET config = $2::jsonb WHERE job_id = $1 RETURNING \(Self.jobColumns)", [String(id), text]
            ) { try Job(row: $0) }.first
        }
    }

    public func deleteJob(_ id: Int64) async throws -> DeletedJob? {
        try await session { connection in
            try connection.query("DELETE FROM jobs WHERE job_id = $1 RETURNING job_id, run_dir", [String(id)]) {
                DeletedJob(jobID: $0.int64(0), runDirectory: $0.text(1) ?? "")
            }.first
        }
    }

    public func jobCounts() async throws -> [JobStatus: Int] {
        let rows = try await session { connection in
            try connection.query("SELECT status, COUNT(*) FROM jobs GROUP BY status") {
                (try $0.required(0, "status", JobStatus.init(rawValue:)), $0.int(1))
            }
        }
        return countsByStatus(rows)
    }

    public func deleteStalePreparingJobs(createdBefore cutoff: Timestamp) async throws -> [DeletedJob] {
        try await session { connection in
            try connection.query(
                """
                DELETE FROM jobs WHERE status = 'preparing' AND created_at < $1::timestamptz
                RETURNING job_id, run_dir
                """, [cutoff.description]
            ) { DeletedJob(jobID: $0.int64(0), runDirectory: $0.text(1) ?? "") }.sorted { $0.jobID < $1.jobID }
        }
    }

    public func cleanupOldJobs(finishedBefore cutoff: Timestamp, dryRun: Bool) async throws -> CleanupResult {
        let finished = """
            status IN ('completed', 'failed', 'cancelled') AND COALESCE(finished_at, created_at) < $1::timestamptz
            """
        let values = [cutoff.description]
        return try await session { connection in
            try connection.transaction {
                // Locks what it will delete, so the counts are the rows deleted.
                let jobs = try connection.query(
                    "SELECT job_id, run_dir FROM jobs WHERE \(finished) ORDER BY job_id FOR UPDATE", values
                ) { DeletedJob(jobID: $0.int64(0), runDirectory: $0.text(1) ?? "") }
                let ids = "{" + jobs.map { String($0.jobID) }.joined(separator: ",") + "}"
                let counts = try connection.query(
                    """
                    SELECT (SELECT COUNT(*) FROM job_files WHERE job_id = ANY($1::bigint[])),
                           (SELECT COUNT(*) FROM youtube_uploads WHERE job_id = ANY($1::bigint[]))
                    """, [ids]
                ) { ($0.int(0), $0.int(1)) }[0]
                if !dryRun { try connection.run("DELETE FROM jobs WHERE job_id = ANY($1::bigint[])", [ids]) }
                return CleanupResult(jobs: jobs, files: counts.0, uploads: counts.1)
            }
        }
    }
}
