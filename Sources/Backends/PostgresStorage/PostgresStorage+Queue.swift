import StorageCore

/// The queue on PostgreSQL: each step is one statement. A claim locks the
/// oldest queued row with `FOR UPDATE SKIP LOCKED`, so workers on any host
/// never wait for each other and never take the same job.
extension PostgresStorage {
    static let claimGuard = "job_id = $1 AND worker_id = $2 AND attempt = $3 AND status = 'running'"

    static func guardValues(_ claim: JobClaim) -> [String?] {
        [String(claim.jobID), claim.workerID, String(claim.attempt)]
    }

    static let notifyQueued = "NOTIFY \(PostgresQueueListener.channel)"

    public func claimJob(worker: String, lease: Duration) async throws -> ClaimedJob? {
        try JobQueue.validate(lease: lease)
        let now = options.clock()
        let expires = now.adding(seconds: lease.inSeconds)
        return try await session { connection in
            try connection.query(
                """
                UPDATE jobs SET status = 'running', worker_id = $1, attempt = attempt + 1,
                    lease_expires_at = $2::timestamptz, cancel_requested = false, started_at = $3::timestamptz
                WHERE job_id = (
                    SELECT job_id FROM jobs WHERE status = 'queued' ORDER BY job_id LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING \(Self.jobColumns), attempt
                """, [worker, expires.description, now.description]
            ) { try ClaimedJob(row: $0, worker: worker, leaseExpiresAt: expires) }.first
        }
    }

    public func renewLease(_ claim: JobClaim, lease: Duration) async throws -> LeaseState {
        try JobQueue.validate(lease: lease)
        let expires = options.clock().adding(seconds: lease.inSeconds)
        return try await session { connection in
            try connection.query(
                "UPDATE jobs SET lease_expires_at = $4::timestamptz WHERE \(Self.claimGuard) RETURNING cancel_requested",
                Self.guardValues(claim) + [expires.description]
            ) { $0.text(0) == "t" ? LeaseState.cancelRequested : .held }.first ?? .lost
        }
    }

    public func reportProgress(_ claim: JobClaim, progress: Int, step: String?) async throws -> LeaseState {
        try JobUpdate(progress: progress).validateValues()
        return try await session { connection in
            try connection.query(
                """
                UPDATE jobs SET progress = $4::integer, current_step = $5 WHERE \(Self.claimGuard)
                RETURNING cancel_requested
                """, Self.guardValues(claim) + [String(progress), step]
            ) { $0.text(0) == "t" ? LeaseState.cancelRequested : .held }.first ?? .lost
        }
    }

    public func finishJob(_ claim: JobClaim, _ outcome: JobOutcome) async throws -> Bool {
        let now = self.now
        let (assignments, values): (String, [String?]) =
            switch outcome {
            case .completed(let output):
                (
                    "status = 'completed', progress = 100, output_file = $4, finished_at = $5::timestamptz",
                    [output, now]
                )
            case .failed(let error): ("status = 'failed', error = $4, finished_at = $5::timestamptz", [error, now])
            case .cancelled: ("status = 'cancelled', finished_at = $4::timestamptz", [now])
            case .handedBack: ("status = 'queued', attempt = attempt - 1, started_at = NULL", [])
            }
        let handedBack = outcome == .handedBack
        return try await session { connection in
            let changed =
                try connection.run(
                    "UPDATE jobs SET \(assignments), worker_id = NULL, lease_expires_at = NULL WHERE \(Self.claimGuard)",
                    Self.guardValues(claim) + values) > 0
            if changed && handedBack { try connection.execute(Self.notifyQueued) }
            return changed
        }
    }

    public func rescueExpiredLeases(maximumAttempts: Int) async throws -> RescueReport {
        guard maximumAttempts >= 1 else { throw StorageError.invalidInput("at least one attempt is needed") }
        let now = self.now
        let rows = try await session { connection in
            // Jobs left running without a lease (by the earlier service's crashes) count as expired.
            let rows = try connection.query(
                """
                UPDATE jobs SET
                    status = CASE WHEN cancel_requested THEN 'cancelled'
                                  WHEN attempt >= $1::integer THEN 'failed' ELSE 'queued' END,
                    error = CASE WHEN NOT cancel_requested AND attempt >= $1::integer
                                 THEN 'worker lost: no heartbeat before its lease ran out (attempt '
                                      || attempt || ' of ' || $1 || ')'
                                 ELSE error END,
                    finished_at = CASE WHEN cancel_requested OR attempt >= $1::integer
                                       THEN $2::timestamptz ELSE finished_at END,
                    worker_id = NULL, lease_expires_at = NULL
                WHERE status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < $2::timestamptz)
                RETURNING job_id, status
                """, [String(maximumAttempts), now]
            ) { ($0.int64(0), try $0.required(1, "status", JobStatus.init(rawValue:))) }
            if rows.contains(where: { $0.1 == .queued }) { try connection.execute(Self.notifyQueued) }
            return rows
        }
        return RescueReport(rows: rows)
    }

    public func cancelJob(_ id: Int64) async throws -> CancelOutcome? {
        let now = self.now
        return try await session { connection in
            let changed = try connection.query(
                """
                UPDATE jobs SET
                    status = CASE WHEN status = 'running' THEN status ELSE 'cancelled' END,
                    cancel_requested = (status = 'running'),
                    finished_at = CASE WHEN status = 'running' THEN finished_at ELSE $2::timestamptz END
                WHERE job_id = $1 AND status IN ('preparing', 'queued', 'running')
                RETURNING \(Self.jobColumns)
                """, [String(id), now]
            ) { try Job(row: $0) }.first
            if let changed { return changed.status == .running ? .requested(changed) : .cancelled(changed) }
            guard let job = try Self.fetchJob(connection, id) else { return nil }
            throw JobQueue.cannotCancel(id, job.status)
        }
    }

    public var queueMark: WakeSignal.Mark {
        listener.start()
        return listener.signal.mark
    }

    public func waitForQueuedJobs(since mark: WakeSignal.Mark?, timeout: Duration) async {
        listener.start()
        await listener.signal.wait(since: mark, timeout: timeout)
    }
}
