import StorageCore

extension PostgresStorage {
    static let uploadGuard = "id = $1 AND worker_id = $2 AND attempt = $3 AND state = 'uploading'"

    static func guardValues(_ claim: UploadClaim) -> [String?] {
        [String(claim.taskID), claim.workerID, String(claim.attempt)]
    }

    public func createUploadTask(jobID: Int64, request: String, totalBytes: Int64) async throws -> UploadTask {
        let now = self.now
        do {
            return try await session { connection in
                try connection.query(
                    """
                    INSERT INTO youtube_upload_tasks (job_id, state, request, total_bytes, created_at, updated_at)
                    VALUES ($1, 'pending', $2, $3, $4::timestamptz, $4::timestamptz) RETURNING \(UploadTask.columns)
                    """, [String(jobID), request, String(totalBytes), now]
                ) { try UploadTask(row: $0) }[0]
            }
        } catch let error as StorageError where error.kind == .notFound {
            throw StorageError(.notFound, "job \(jobID) does not exist", detail: error.detail)
        }
    }

    public func uploadTask(_ id: Int64) async throws -> UploadTask? {
        try await session { connection in
            try connection.query("SELECT \(UploadTask.columns) FROM youtube_upload_tasks WHERE id = $1", [String(id)]) {
                try UploadTask(row: $0)
            }.first
        }
    }

    public func uploadTasks(ofJob jobID: Int64) async throws -> [UploadTask] {
        try await session { connection in
            try connection.query(
                "SELECT \(UploadTask.columns) FROM youtube_upload_tasks WHERE job_id = $1 ORDER BY id DESC",
                [String(jobID)]
            ) { try UploadTask(row: $0) }
        }
    }

    public func claimUploadTask(worker: String, lease: Duration) async throws -> ClaimedUpload? {
        try JobQueue.validate(lease: lease)
        let now = options.clock()
        return try await session { connection in
            try connection.query(
                """
                UPDATE youtube_upload_tasks SET state = 'uploading', worker_id = $1, attempt = attempt + 1,
                    lease_expires_at = $2::timestamptz, updated_at = $3::timestamptz
                WHERE id = (SELECT id FROM youtube_upload_tasks WHERE state = 'pending' ORDER BY id LIMIT 1
                            FOR UPDATE SKIP LOCKED)
                RETURNING \(UploadTask.columns)
                """, [worker, now.adding(seconds: lease.inSeconds).description, now.description]
            ) { try ClaimedUpload(row: $0, worker: worker) }.first
        }
    }

    public func recordUploadProgress(_ claim: UploadClaim, sessionURL: String?, bytesSent: Int64, lease: Duration)
        async throws -> Bool
    {
        try JobQueue.validate(lease: lease)
        let now = options.clock()
        return try await session { connection in
            try connection.run(
                """
                UPDATE youtube_upload_tasks SET session_url = COALESCE($4, session_url), bytes_sent = $5::bigint,
                    lease_expires_at = $6::timestamptz, updated_at = $7::timestamptz
                WHERE \(Self.uploadGuard)
                """,
                Self.guardValues(claim) + [
                    sessionURL, String(bytesSent), now.adding(seconds: lease.inSeconds).description, now.description,
                ]) > 0
        }
    }

    public func finishUploadTask(_ claim: UploadClaim, _ outcome: UploadOutcome) async throws -> UploadTask? {
        let now = self.now
        let values = Self.guardValues(claim) + [now]
        return try await session { connection in
            switch outcome {
            case .completed(let upload):
                // One statement: the task completes and its upload is recorded, or neither.
                return try connection.query(
                    """
                    WITH done AS (
                        UPDATE youtube_upload_tasks SET state = 'completed', video_id = $5, bytes_sent = total_bytes,
                            worker_id = NULL, lease_expires_at = NULL, updated_at = $4::timestamptz
                        WHERE \(Self.uploadGuard) RETURNING \(UploadTask.columns)
                    ), recorded AS (
                        INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags,
                            category, uploaded_at)
                        SELECT job_id, $5, $6, $7, $8, $9, $10::jsonb, $11, $4::timestamptz FROM done
                    )
                    SELECT * FROM done
                    """,
                    values + [
                        upload.videoID, upload.videoURL, upload.title, upload.description, upload.privacy.rawValue,
                        YouTubeUpload.tagsText(upload.tags), upload.category,
                    ]
                ) { try UploadTask(row: $0) }.first
            case .failed(let error):
                return try connection.query(
                    """
                    UPDATE youtube_upload_tasks SET state = 'failed', error = $5, worker_id = NULL,
                        lease_expires_at = NULL, updated_at = $4::timestamptz
                    WHERE \(Self.uploadGuard) RETURNING \(UploadTask.columns)
                    """, values + [error]
                ) { try UploadTask(row: $0) }.first
            case .handedBack:
                return try connection.query(
                    """
                    UPDATE youtube_upload_tasks SET state = 'pending', attempt = attempt - 1, worker_id = NULL,
                        lease_expires_at = NULL, updated_at = $4::timestamptz
                    WHERE \(Self.uploadGuard) RETURNING \(UploadTask.columns)
                    """, values
                ) { try UploadTask(row: $0) }.first
            }
        }
    }

    public func rescueExpiredUploads(maximumAttempts: Int) async throws -> Int {
        guard maximumAttempts >= 1 else { throw StorageError.invalidInput("at least one attempt is needed") }
        let now = self.now
        return try await session { connection in
            try connection.run(
                """
                UPDATE youtube_upload_tasks SET
                    state = CASE WHEN attempt >= $1::integer THEN 'failed' ELSE 'pending' END,
                    error = CASE WHEN attempt >= $1::integer
                                 THEN 'worker lost during the upload (attempt ' || attempt || ')' ELSE error END,
                    worker_id = NULL, lease_expires_at = NULL, updated_at = $2::timestamptz
                WHERE state = 'uploading' AND (lease_expires_at IS NULL OR lease_expires_at < $2::timestamptz)
                """, [String(maximumAttempts), now])
        }
    }
}
