import StorageCore

/// YouTube uploads on the task queue: a `youtube_upload` task per upload, its
/// session and bytes in `youtube_upload_tasks`.
extension SQLStore: UploadTaskQueue {
    public func createUploadTask(jobID: Int64, request: String, totalBytes: Int64, maximumAttempts: Int?)
        async throws -> UploadTask
    {
        let attempts = maximumAttempts ?? self.maximumAttempts
        try JobQueue.validate(maximumAttempts: attempts)
        let statement = sql[.createUploadTask]
        let values: [SQLValue] = [
            .integer(jobID), .text(request), .integer(totalBytes), .timestamp(now), .integer(attempts),
        ]
        return try await requiringJob(jobID) {
            try await driver.write { try $0.query(statement, values) { try UploadTask(row: $0) }[0] }
        }
    }

    public func uploadTask(_ id: Int64) async throws -> UploadTask? {
        try await detailRows(.uploadTaskByID, id) { try UploadTask(row: $0) }.first
    }

    public func uploadTasks(ofJob jobID: Int64) async throws -> [UploadTask] {
        try await detailRows(.uploadTasksOfJob, jobID) { try UploadTask(row: $0) }
    }

    public func claimUploadTask(worker: String, lease: Duration) async throws -> ClaimedUpload? {
        try await claimDetails(.youtubeUpload, worker: worker, lease: lease) { try UploadTask(row: $0) }
    }

    public func recordUploadProgress(_ claim: UploadClaim, sessionURL: String?, bytesSent: Int64, lease: Duration)
        async throws -> Bool
    {
        try JobQueue.validate(lease: lease)
        let now = now
        let statement = sql[.youtubeUploadProgress]
        let values =
            Self.guardValues(claim) + [
                .text(sessionURL), .integer(bytesSent), .timestamp(now.adding(seconds: lease.inSeconds)),
                .timestamp(now),
            ]
        return try await driver.write { try !$0.query(statement, values, row: { _ in () }).isEmpty }
    }

    /// A completed upload is recorded in `youtube_uploads` by the same
    /// statement (or transaction) that completes the task: both or neither.
    public func finishUploadTask(_ claim: UploadClaim, _ outcome: UploadOutcome) async throws -> UploadTask? {
        let (state, error, upload): (String, String?, NewYouTubeUpload?) =
            switch outcome {
            case .completed(let upload): ("completed", nil, upload)
            case .failed(let error): ("failed", error, nil)
            case .handedBack: ("queued", nil, nil)
            }
        let recorded: [SQLValue] =
            upload.map { Array(Self.uploadValues($0).dropFirst()) } ?? Array(repeating: .null, count: 7)
        let statement = sql[.youtubeUploadFinish]
        let values = finishValues(claim, state: state, error: error) + recorded
        return try await driver.write { try $0.query(statement, values) { try UploadTask(row: $0) }.first }
    }

    public func rescueExpiredUploads() async throws -> Int {
        let statement = sql[.youtubeUploadRescued]
        return try await rescueTasks(.youtubeUpload) { connection, task, _ in
            if task.state == "failed" {
                let message = JobQueue.uploadWorkerLostError(attempt: task.attempt)
                try connection.run(statement, [.integer(task.id), .text(message)])
            }
            return true
        }.count
    }
}
