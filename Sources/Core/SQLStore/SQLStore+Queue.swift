import StorageCore

/// Render jobs on the task queue: a render task per queued job, the job's
/// status and progress in `jobs`.
extension SQLStore: RenderQueue {
    static func guardValues(_ claim: JobClaim) -> [SQLValue] { guardValues(claim.task) }

    /// Where the dialect has `claim_render`, the claim and the job's move are
    /// one statement; otherwise `render_claimed` moves the job after the claim.
    public func claimJob(worker: String, lease: Duration) async throws -> ClaimedJob? {
        let move = sql[.renderClaimed]
        let claimed = { @Sendable (job: Job, task: TaskRow, expires: Timestamp) in
            ClaimedJob(
                job: job, claim: JobClaim(taskID: task.id, jobID: job.jobID, workerID: worker, attempt: task.attempt),
                leaseExpiresAt: expires)
        }
        let fused = sql.optional(.claimRender).map { statement in
            (
                statement: statement,
                beside: { @Sendable (row: any StoredRow, task: TaskRow, expires: Timestamp) throws -> ClaimedJob? in
                    row.isNull(0) ? nil : claimed(try Job(row: row), task, expires)
                }
            )
        }
        return try await claimQueuedTask(.render, worker: worker, lease: lease, fused: fused) {
            connection, task, expires in
            let values: [SQLValue] = [.integer(task.jobID), .timestamp(self.now)]
            return try connection.query(move, values, row: { try Job(row: $0) }).first.map {
                claimed($0, task, expires)
            }
        }
    }

    public func renewLease(_ claim: JobClaim, lease: Duration) async throws -> LeaseState {
        try await renewTask(Self.guardValues(claim), lease: lease)
    }

    public func reportProgress(_ claim: JobClaim, progress: Int, step: String?) async throws -> LeaseState {
        try JobUpdate(progress: progress).validateValues()
        let statement = sql[.renderProgress]
        let values = Self.guardValues(claim) + [.integer(progress), .text(step)]
        return try await driver.write { try $0.query(statement, values, row: Self.leaseState).first ?? .lost }
    }

    /// `render_finish`'s values for the job's move, from `$10`.
    static func moveValues(_ move: JobMove) -> [SQLValue] {
        [
            .integer(move.progress.map(Int64.init)), .text(move.error), .timestamp(move.finishedAt),
            .integer(move.clearsStart ? 1 : 0),
        ]
    }

    public func finishJob(_ claim: JobClaim, _ outcome: JobOutcome) async throws -> Bool {
        let (state, error, output): (JobStatus, String?, String?) =
            switch outcome {
            case .completed(let output): (.completed, nil, output)
            case .failed(let error): (.failed, error, nil)
            case .cancelled: (.cancelled, nil, nil)
            case .handedBack: (.queued, nil, nil)
            }
        let statement = sql[.renderFinish]
        let handedBack = outcome == .handedBack
        let values =
            finishValues(claim.task, state: state.rawValue, error: error) + [.text(output), .integer(claim.jobID)]
            + Self.moveValues(JobMove(to: state, error: error, at: now, handedBack: handedBack))
        let changed = try await writeQueueing { connection in
            let changed = try !connection.query(statement, values, row: { _ in () }).isEmpty
            return (changed, queued: changed && handedBack)
        }
        if !changed, case .completed(let output?) = outcome, let job = try await job(claim.jobID) {
            // A retry after an answer that was lost: this claim's own result is already written.
            return job.status == .completed && job.outputFile == output
        }
        return changed
    }

    /// Jobs left running without a lease (by the earlier service's crashes, or
    /// moved there outside the queue) count as expired.
    public func rescueExpiredLeases() async throws -> RescueReport {
        let statement = sql[.renderRescued]
        let rescued = try await rescueTasks(.render) { connection, task, now in
            let message = JobQueue.workerLostError(attempt: task.attempt, of: task.maximumAttempts)
            let move = JobMove(
                to: JobStatus(rawValue: task.state) ?? .failed, error: message, at: now, handedBack: false)
            let values: [SQLValue] = [
                .integer(task.jobID), .text(move.status.rawValue), .text(move.error), .timestamp(move.finishedAt),
            ]
            return try connection.run(statement, values) > 0
        }
        return RescueReport(rows: rescued.map { ($0.jobID, JobStatus(rawValue: $0.state) ?? .failed) })
    }

    /// A preparing or queued job is cancelled at once; a running one is asked
    /// to stop, which its worker learns at its next heartbeat.
    public func cancelJob(_ id: Int64) async throws -> CancelOutcome? {
        let (lock, cancel, ask) = (sql[.lockJobStatus], sql[.cancelWaitingJob], sql[.requestCancel])
        let endPieces = sql[.endJobTasks]
        let now = now
        return try await driver.transaction { [self] connection in
            let status = try connection.query(lock, [.integer(id)]) {
                try $0.required(0, "status", JobStatus.init(rawValue:))
            }.first
            guard let status else { return nil }
            // The pieces of its render end with the cancel, wherever they run.
            let pieces: [SQLValue] = [.integer(id), .text(TaskKind.renderPiece.rawValue), .timestamp(now)]
            switch CancelDecision(status) {
            case .now:
                try connection.run(cancel, [.integer(id), .timestamp(now)])
                try connection.run(endPieces, pieces)
                return try fetchJob(connection, id).map { .cancelled($0) }
            case .askTheWorker:
                try connection.run(ask, [.integer(id)])
                try connection.run(endPieces, pieces)
                return try fetchJob(connection, id).map { .requested($0) }
            case .refuse:
                throw JobQueue.cannotCancel(id, status)
            }
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
