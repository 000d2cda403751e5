import StorageCore

extension SQLiteStorage {
    static let uploadGuard = "id = ? AND worker_id = ? AND attempt = ? AND state = 'uploading'"

    static func guardValues(_ claim: UploadClaim) -> [SQLiteValue] {
        [.integer(claim.taskID), .text(claim.workerID), .integer(Int64(claim.attempt))]
    }

    public func createUploadTask(jobID: Int64, request: String, totalBytes: Int64) async throws -> UploadTask {
        let now = now
        return try await write { connection in
            do {
                return try connection.query(
                    """
                    INSERT INTO youtube_upload_tasks (job_id, state, request, total_bytes, created_at, updated_at)
                    VALUES (?, 'pending', ?, ?, ?, ?) RETURNING \(UploadTask.columns)
                    """, [.integer(jobID), .text(request), .integer(totalBytes), .timestamp(now), .timestamp(now)]
                ) { try UploadTask(row: $0) }[0]
            } catch let error as SQLiteError where error.storageError.kind == .notFound {
                throw StorageError(.notFound, "job \(jobID) does not exist", detail: error.description)
            }
        }
    }

    public func uploadTask(_ id: Int64) async throws -> UploadTask? {
        try await read { connection in
            try connection.query(
                "SELECT \(UploadTask.columns) FROM youtube_upload_tasks WHERE id = ?", [.integer(id)]
            ) { try UploadTask(row: $0) }.first
        }
    }

    public func uploadTasks(ofJob jobID: Int64) async throws -> [UploadTask] {
        try await read { connection in
            try connection.query(
                "SELECT \(UploadTask.columns) FROM youtube_upload_tasks WHERE job_id = ? ORDER BY id DESC",
                [.integer(jobID)]
            ) { try UploadTask(row: $0) }
        }
    }

    public func claimUploadTask(worker: String, lease: Duration) async throws -> ClaimedUpload? {
        try JobQueue.validate(lease: lease)
        let now = now
        return try await write { connection in
            try connection.query(
                """
                UPDATE youtube_upload_tasks SET state = 'uploading', worker_id = ?, attempt = attempt + 1,
                    lease_expires_at = ?, updated_at = ?
                WHERE id = (SELECT id FROM youtube_upload_tasks WHERE state = 'pending' ORDER BY id LIMIT 1)
                RETURNING \(UploadTask.columns)
                """, [.text(worker), .timestamp(now.adding(seconds: lease.inSeconds)), .timestamp(now)]
            ) { try ClaimedUpload(row: $0, worker: worker) }.first
        }
    }

    public func recordUploadProgress(_ claim: UploadClaim, sessionURL: String?, bytesSent: Int64, lease: Duration)
        async throws -> Bool
    {
        try JobQueue.validate(lease: lease)
        let now = now
        return try await write { connection in
            try connection.run(
                """
                UPDATE youtube_upload_tasks SET session_url = COALESCE(?, session_url), bytes_sent = ?,
                    lease_expires_at = ?, updated_at = ?
                WHERE \(Self.uploadGuard)
                """,
                [
                    .text(sessionURL), .integer(bytesSent), .timestamp(now.adding(seconds: lease.inSeconds)),
                    .timestamp(now),
                ]
                    + Self.guardValues(claim)) > 0
        }
    }

    public func finishUploadTask(_ claim: UploadClaim, _ outcome: UploadOutcome) async throws -> UploadTask? {
        let now = now
        return try await write { connection in
            let (assignments, values): (String, [SQLiteValue]) =
                switch outcome {
                case .completed(let upload):
                    ("state = 'completed', video_id = ?, bytes_sent = total_bytes", [.text(upload.videoID)])
                case .failed(let error): ("state = 'failed', error = ?", [.text(error)])
                case .handedBack: ("state = 'pending', attempt = attempt - 1", [])
                }
            let changed = try connection.query(
                """
                UPDATE youtube_upload_tasks SET \(assignments), worker_id = NULL, lease_expires_at = NULL, updated_at = ?
                WHERE \(Self.uploadGuard) RETURNING \(UploadTask.columns)
                """, values + [.timestamp(now)] + Self.guardValues(claim)
            ) { try UploadTask(row: $0) }.first
            if let changed, case .completed(let upload) = outcome {
                try Self.insertUpload(connection, upload, at: now)
            }
            return changed
        }
    }

    public func rescueExpiredUploads(maximumAttempts: Int) async throws -> Int {
        guard maximumAttempts >= 1 else { throw StorageError.invalidInput("at least one attempt is needed") }
        let now = now
        return try await write { connection in
            try connection.run(
                """
                UPDATE youtube_upload_tasks SET
                    state = CASE WHEN attempt >= ? THEN 'failed' ELSE 'pending' END,
                    error = CASE WHEN attempt >= ? THEN 'worker lost during the upload (attempt ' || attempt || ')'
                                 ELSE error END,
                    worker_id = NULL, lease_expires_at = NULL, updated_at = ?
                WHERE state = 'uploading' AND (lease_expires_at IS NULL OR lease_expires_at < ?)
                """,
                [.integer(Int64(maximumAttempts)), .integer(Int64(maximumAttempts)), .timestamp(now), .timestamp(now)])
        }
    }
}
