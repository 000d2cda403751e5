import StorageCore

/// The queue on SQLite: every step is one write transaction (`BEGIN
/// IMMEDIATE`), so claims are exclusive across the processes of one host.
extension SQLiteStorage {
    /// The clause every worker write carries: this job, this worker, this attempt, still running.
    static let claimGuard = "job_id = ? AND worker_id = ? AND attempt = ? AND status = 'running'"

    static func guardValues(_ claim: JobClaim) -> [SQLiteValue] {
        [.integer(claim.jobID), .text(claim.workerID), .integer(Int64(claim.attempt))]
    }

    public func claimJob(worker: String, lease: Duration) async throws -> ClaimedJob? {
        try JobQueue.validate(lease: lease)
        let now = now
        let expires = now.adding(seconds: lease.inSeconds)
        return try await write { connection in
            try connection.query(
                """
                UPDATE jobs SET status = 'running', worker_id = ?, attempt = attempt + 1, lease_expires_at = ?,
                    cancel_requested = 0, started_at = ?
                WHERE job_id = (SELECT job_id FROM jobs WHERE status = 'queued' ORDER BY job_id LIMIT 1)
                RETURNING \(Self.jobColumns), attempt
                """, [.text(worker), .timestamp(expires), .timestamp(now)]
            ) { try ClaimedJob(row: $0, worker: worker, leaseExpiresAt: expires) }.first
        }
    }

    public func renewLease(_ claim: JobClaim, lease: Duration) async throws -> LeaseState {
        try JobQueue.validate(lease: lease)
        let expires = now.adding(seconds: lease.inSeconds)
        return try await write { connection in
            try connection.query(
                "UPDATE jobs SET lease_expires_at = ? WHERE \(Self.claimGuard) RETURNING cancel_requested",
                [.timestamp(expires)] + Self.guardValues(claim)
            ) { $0.int64(0) == 1 ? LeaseState.cancelRequested : .held }.first ?? .lost
        }
    }

    public func reportProgress(_ claim: JobClaim, progress: Int, step: String?) async throws -> LeaseState {
        try JobUpdate(progress: progress).validateValues()
        return try await write { connection in
            try connection.query(
                "UPDATE jobs SET progress = ?, current_step = ? WHERE \(Self.claimGuard) RETURNING cancel_requested",
                [.integer(Int64(progress)), .text(step)] + Self.guardValues(claim)
            ) { $0.int64(0) == 1 ? LeaseState.cancelRequested : .held }.first ?? .lost
        }
    }

    public func finishJob(_ claim: JobClaim, _ outcome: JobOutcome) async throws -> Bool {
        let now = now
        let handedBack = outcome == .handedBack
        let changed = try await write { connection in
            let (assignments, values): (String, [SQLiteValue]) =
                switch outcome {
                case .completed(let output):
                    (
                        "status = 'completed', progress = 100, output_file = ?, finished_at = ?",
                        [.text(output), .timestamp(now)]
                    )
                case .failed(let error):
                    ("status = 'failed', error = ?, finished_at = ?", [.text(error), .timestamp(now)])
                case .cancelled: ("status = 'cancelled', finished_at = ?", [.timestamp(now)])
                case .handedBack: ("status = 'queued', attempt = attempt - 1, started_at = NULL", [])
                }
            return try connection.run(
                "UPDATE jobs SET \(assignments), worker_id = NULL, lease_expires_at = NULL WHERE \(Self.claimGuard)",
                values + Self.guardValues(claim)) > 0
        }
        if changed && handedBack { queueSignal.notifyAll() }
        return changed
    }

    public func rescueExpiredLeases(maximumAttempts: Int) async throws -> RescueReport {
        guard maximumAttempts >= 1 else { throw StorageError.invalidInput("at least one attempt is needed") }
        let now = now
        let lost =
            "'worker lost: no heartbeat before its lease ran out (attempt ' || attempt || ' of \(maximumAttempts))'"
        let rows = try await write { connection in
            // Jobs left running without a lease (by the earlier service's crashes) count as expired.
            try connection.query(
                """
                UPDATE jobs SET
                    status = CASE WHEN cancel_requested = 1 THEN 'cancelled'
                                  WHEN attempt >= ? THEN 'failed' ELSE 'queued' END,
                    error = CASE WHEN cancel_requested = 0 AND attempt >= ? THEN \(lost) ELSE error END,
                    finished_at = CASE WHEN cancel_requested = 1 OR attempt >= ? THEN ? ELSE finished_at END,
                    worker_id = NULL, lease_expires_at = NULL
                WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < ?)
                RETURNING job_id, status
                """,
                [
                    .integer(Int64(maximumAttempts)), .integer(Int64(maximumAttempts)),
                    .integer(Int64(maximumAttempts)), .timestamp(now), .timestamp(now),
                ]
            ) { ($0.int64(0), try $0.required(1, "status", JobStatus.init(rawValue:))) }
        }
        let report = RescueReport(rows: rows)
        if !report.requeued.isEmpty { queueSignal.notifyAll() }
        return report
    }

    public func cancelJob(_ id: Int64) async throws -> CancelOutcome? {
        let now = now
        return try await write { connection in
            guard let job = try Self.fetchJob(connection, id) else { return nil }
            switch job.status {
            case .preparing, .queued:
                try connection.run(
                    "UPDATE jobs SET status = 'cancelled', finished_at = ? WHERE job_id = ?",
                    [.timestamp(now), .integer(id)])
                return .cancelled(try Self.fetchJob(connection, id) ?? job)
            case .running:
                try connection.run("UPDATE jobs SET cancel_requested = 1 WHERE job_id = ?", [.integer(id)])
                return .requested(job)
            case .completed, .failed, .cancelled:
                throw JobQueue.cannotCancel(id, job.status)
            }
        }
    }

    public var queueMark: WakeSignal.Mark { queueSignal.mark }

    public func waitForQueuedJobs(since mark: WakeSignal.Mark?, timeout: Duration) async {
        // Other processes on this host have no way to tell: short timeouts are the poll.
        await queueSignal.wait(since: mark, timeout: timeout)
    }
}
