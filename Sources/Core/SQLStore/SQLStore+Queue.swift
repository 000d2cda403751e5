import StorageCore

/// The lease protocol over the dialect's statements: a claim takes the oldest
/// queued row for one worker (exclusive across processes and hosts: `FOR
/// UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite); every later
/// write names the job, the worker and the attempt, so a worker whose lease
/// ran out writes nothing.
extension SQLStore: RenderQueue {
    static func guardValues(_ claim: JobClaim) -> [SQLValue] {
        [.integer(claim.jobID), .text(claim.workerID), .integer(claim.attempt)]
    }

    static func leaseState(_ row: any StoredRow) -> LeaseState { row.bool(0) ? .cancelRequested : .held }

    public func claimJob(worker: String, lease: Duration) async throws -> ClaimedJob? {
        try JobQueue.validate(lease: lease)
        let now = now
        let expires = now.adding(seconds: lease.inSeconds)
        let (statement, values) = (sql["claim_job"], [SQLValue.text(worker), .timestamp(expires), .timestamp(now)])
        return try await driver.write { connection in
            try connection.query(statement, values) { try ClaimedJob(row: $0, worker: worker, leaseExpiresAt: expires) }
                .first
        }
    }

    public func renewLease(_ claim: JobClaim, lease: Duration) async throws -> LeaseState {
        try JobQueue.validate(lease: lease)
        let statement = sql["renew_job_lease"]
        let values = Self.guardValues(claim) + [.timestamp(now.adding(seconds: lease.inSeconds))]
        return try await driver.write { try $0.query(statement, values, row: Self.leaseState).first ?? .lost }
    }

    public func reportProgress(_ claim: JobClaim, progress: Int, step: String?) async throws -> LeaseState {
        try JobUpdate(progress: progress).validateValues()
        let statement = sql["report_job_progress"]
        let values = Self.guardValues(claim) + [.integer(progress), .text(step)]
        return try await driver.write { try $0.query(statement, values, row: Self.leaseState).first ?? .lost }
    }

    public func finishJob(_ claim: JobClaim, _ outcome: JobOutcome) async throws -> Bool {
        let (name, values): (String, [SQLValue]) =
            switch outcome {
            case .completed(let output): ("finish_job_completed", [.timestamp(now), .text(output)])
            case .failed(let error): ("finish_job_failed", [.timestamp(now), .text(error)])
            case .cancelled: ("finish_job_cancelled", [.timestamp(now)])
            case .handedBack: ("finish_job_handed_back", [])
            }
        let statement = sql[name]
        let handedBack = outcome == .handedBack
        let changed = try await driver.write { [self, values] connection in
            let changed = try connection.run(statement, Self.guardValues(claim) + values) > 0
            if changed && handedBack { try notifyQueued(connection) }
            return changed
        }
        if changed && handedBack { wakeWorkers() }
        return changed
    }

    /// Jobs left running without a lease (by the earlier service's crashes)
    /// count as expired.
    public func rescueExpiredLeases(maximumAttempts: Int) async throws -> RescueReport {
        guard maximumAttempts >= 1 else { throw StorageError.invalidInput("at least one attempt is needed") }
        let (statement, values) = (sql["rescue_jobs"], [SQLValue.integer(maximumAttempts), .timestamp(now)])
        let rows = try await driver.write { [self] connection in
            let rows = try connection.query(statement, values) {
                ($0.int64(0), try $0.required(1, "status", JobStatus.init(rawValue:)))
            }
            if rows.contains(where: { $0.1 == .queued }) { try notifyQueued(connection) }
            return rows
        }
        let report = RescueReport(rows: rows)
        if !report.requeued.isEmpty { wakeWorkers() }
        return report
    }

    /// A preparing or queued job is cancelled at once; a running one is asked
    /// to stop, which its worker learns at its next heartbeat.
    public func cancelJob(_ id: Int64) async throws -> CancelOutcome? {
        let statement = sql["cancel_job"]
        let values: [SQLValue] = [.integer(id), .timestamp(now)]
        return try await driver.write { [self] connection in
            if let changed = try connection.query(statement, values, row: { try Job(row: $0) }).first {
                return changed.status == .running ? .requested(changed) : .cancelled(changed)
            }
            guard let job = try fetchJob(connection, id) else { return nil }
            throw JobQueue.cannotCancel(id, job.status)
        }
    }

    public var queueMark: WakeSignal.Mark {
        driver.startListening()
        return driver.queueWakeups.mark
    }

    public func waitForQueuedJobs(since mark: WakeSignal.Mark?, timeout: Duration) async {
        driver.startListening()
        await driver.queueWakeups.wait(since: mark, timeout: timeout)
    }
}

extension SQLStore: UploadTaskQueue {
    static func guardValues(_ claim: UploadClaim) -> [SQLValue] {
        [.integer(claim.taskID), .text(claim.workerID), .integer(claim.attempt)]
    }

    public func createUploadTask(jobID: Int64, request: String, totalBytes: Int64) async throws -> UploadTask {
        let statement = sql["create_upload_task"]
        let values: [SQLValue] = [.integer(jobID), .text(request), .integer(totalBytes), .timestamp(now)]
        return try await requiringJob(jobID) {
            try await driver.write { try $0.query(statement, values) { try UploadTask(row: $0) }[0] }
        }
    }

    public func uploadTask(_ id: Int64) async throws -> UploadTask? {
        let statement = sql["upload_task_by_id"]
        return try await driver.read { try $0.query(statement, [.integer(id)]) { try UploadTask(row: $0) }.first }
    }

    public func uploadTasks(ofJob jobID: Int64) async throws -> [UploadTask] {
        let statement = sql["upload_tasks_of_job"]
        return try await driver.read { try $0.query(statement, [.integer(jobID)]) { try UploadTask(row: $0) } }
    }

    public func claimUploadTask(worker: String, lease: Duration) async throws -> ClaimedUpload? {
        try JobQueue.validate(lease: lease)
        let now = now
        let statement = sql["claim_upload_task"]
        let values: [SQLValue] = [.text(worker), .timestamp(now.adding(seconds: lease.inSeconds)), .timestamp(now)]
        return try await driver.write { connection in
            try connection.query(statement, values) { try ClaimedUpload(row: $0, worker: worker) }.first
        }
    }

    public func recordUploadProgress(_ claim: UploadClaim, sessionURL: String?, bytesSent: Int64, lease: Duration)
        async throws -> Bool
    {
        try JobQueue.validate(lease: lease)
        let now = now
        let statement = sql["record_upload_progress"]
        let values =
            Self.guardValues(claim) + [
                .text(sessionURL), .integer(bytesSent), .timestamp(now.adding(seconds: lease.inSeconds)),
                .timestamp(now),
            ]
        return try await driver.write { try $0.run(statement, values) > 0 }
    }

    /// A completed upload is recorded in `youtube_uploads` by the same
    /// statement (or transaction) that completes the task: both or neither.
    public func finishUploadTask(_ claim: UploadClaim, _ outcome: UploadOutcome) async throws -> UploadTask? {
        let (name, values): (String, [SQLValue]) =
            switch outcome {
            case .completed(let upload):
                ("finish_upload_completed", Array(Self.uploadValues(upload).dropFirst()))
            case .failed(let error): ("finish_upload_failed", [.text(error)])
            case .handedBack: ("finish_upload_handed_back", [])
            }
        let statement = sql[name]
        let all = Self.guardValues(claim) + [.timestamp(now)] + values
        return try await driver.write { try $0.query(statement, all) { try UploadTask(row: $0) }.first }
    }

    public func rescueExpiredUploads(maximumAttempts: Int) async throws -> Int {
        guard maximumAttempts >= 1 else { throw StorageError.invalidInput("at least one attempt is needed") }
        let (statement, values) = (sql["rescue_uploads"], [SQLValue.integer(maximumAttempts), .timestamp(now)])
        return try await driver.write { try $0.run(statement, values) }
    }
}
