import StorageCore

extension SQLStore: JobStore {
    public var currentTime: Timestamp { now }

    static func deletedJob(_ row: any StoredRow) throws -> DeletedJob {
        try DeletedJob(jobID: row.int64(0), runDirectory: row.text(1) ?? "")
    }

    func fetchJob(_ connection: any SQLConnection, _ id: Int64) throws -> Job? {
        try connection.query(sql[.jobByID], [.integer(id)]) { try Job(row: $0) }.first
    }

    public func createJob(_ new: NewJob) async throws -> Job {
        try new.validate()
        let values: [SQLValue] = [
            .text(RunID.randomSuffix()), .text(new.runsFolder), .text(new.status.rawValue),
            .text(new.config?.jsonText), .timestamp(now), .integer(maximumAttempts),
        ]
        let statement = sql[.createJob]
        let job = try await driver.write { [self] connection in
            let job = try connection.query(statement, values) { try Job(row: $0) }[0]
            if new.status == .queued { try notifyQueued(connection) }
            return job
        }
        if new.status == .queued { wakeWorkers() }
        return job
    }

    public func job(_ id: Int64) async throws -> Job? {
        try await driver.read { [self] in try fetchJob($0, id) }
    }

    public func jobSummary(_ id: Int64) async throws -> JobSummary? {
        let statement = sql[.jobSummary]
        return try await driver.read { connection in
            try connection.query(statement, [.integer(id)]) { row in
                try JobSummary(job: Job(row: row), fileCounts: FileCounts(row: row, from: 12))
            }.first
        }
    }

    public func listJobs(_ query: JobQuery) async throws -> JobPage {
        try query.validate()
        var values: [SQLValue] = [.integer(query.limit + 1)]
        if let status = query.status { values.append(.text(status.rawValue)) }
        if let cursor = query.after { values += [.timestamp(cursor.createdAt), .integer(cursor.jobID)] }
        let statement =
            switch (query.status != nil, query.after != nil) {
            case (false, false): sql[.listJobs]
            case (false, true): sql[.listJobsAfter]
            case (true, false): sql[.listJobsOfStatus]
            case (true, true): sql[.listJobsOfStatusAfter]
            }
        let jobs = try await driver.read { [values] in try $0.query(statement, values) { try Job(row: $0) } }
        guard jobs.count > query.limit else { return JobPage(jobs: jobs, nextCursor: nil) }
        let page = Array(jobs.prefix(query.limit))
        return JobPage(jobs: page, nextCursor: page.last.map(JobCursor.init(after:)))
    }

    /// The update names the statuses the state machine lets it start from, so
    /// the database checks the move as it writes. When no row matches, the job
    /// is read to say why (no such job, a refused move), or, if another writer
    /// moved it meanwhile, tried again.
    public func updateJob(_ id: Int64, _ update: JobUpdate) async throws -> Job? {
        try update.validateValues()
        let allowed = SQLValue.list(update.allowedCurrentStatuses.map(\.rawValue))
        let fields: [SQLValue] = [
            .integer(update.progress.map(Int64.init)), .text(update.currentStep), .text(update.outputFile),
            .text(update.error),
        ]
        // Most updates are progress: without a move there is no task to keep in step.
        let (statement, values) =
            update.status == nil
            ? (sql[.updateJobFields], [.integer(id), allowed] + fields)
            : (
                sql[.updateJob],
                [.integer(id), allowed, .text(update.status?.rawValue)] + fields + [
                    .timestamp(now), .integer(maximumAttempts),
                ]
            )
        let job = try await driver.write { [self] connection -> Job? in
            while true {
                if let job = try connection.query(statement, values, row: { try Job(row: $0) }).first {
                    if update.status == .queued { try notifyQueued(connection) }
                    return job
                }
                guard let job = try fetchJob(connection, id) else { return nil }
                try update.validate(jobID: id, current: job.status)
            }
        }
        if job != nil && update.status == .queued { wakeWorkers() }
        return job
    }

    public func updateConfig(_ id: Int64, _ config: JobConfig) async throws -> Job? {
        try config.validateStorable()
        let values: [SQLValue] = [.integer(id), .text(config.jsonText)]
        let statement = sql[.updateConfig]
        return try await driver.write { try $0.query(statement, values) { try Job(row: $0) }.first }
    }

    public func deleteJob(_ id: Int64) async throws -> DeletedJob? {
        let statement = sql[.deleteJob]
        return try await driver.write { try $0.query(statement, [.integer(id)], row: Self.deletedJob).first }
    }

    public func jobCounts() async throws -> [JobStatus: Int] {
        let statement = sql[.jobCounts]
        let rows = try await driver.read { connection in
            try connection.query(statement) { try ($0.required(0, "status", JobStatus.init(rawValue:)), $0.int(1)) }
        }
        return countsByStatus(rows)
    }

    public func deleteStalePreparingJobs(createdBefore cutoff: Timestamp) async throws -> [DeletedJob] {
        let statement = sql[.deleteStalePreparingJobs]
        return try await driver.write { connection in
            try connection.query(statement, [.timestamp(cutoff)], row: Self.deletedJob).sorted { $0.jobID < $1.jobID }
        }
    }

    /// Jobs of the earlier service may lack finished_at; their creation time
    /// stands in. The jobs are locked as they are read, so the counts are of
    /// the rows deleted.
    public func cleanupOldJobs(finishedBefore cutoff: Timestamp, dryRun: Bool) async throws -> CleanupResult {
        let (select, count, delete) = (sql[.oldJobs], sql[.oldJobsCounts], sql[.deleteJobs])
        return try await driver.transaction { connection in
            let jobs = try connection.query(select, [.timestamp(cutoff)], row: Self.deletedJob)
            let ids = SQLValue.list(jobs.map(\.jobID))
            let counts = try connection.query(count, [ids]) { try ($0.int(0), $0.int(1)) }[0]
            if !dryRun { try connection.run(delete, [ids]) }
            return CleanupResult(jobs: jobs, files: counts.0, uploads: counts.1)
        }
    }
}
