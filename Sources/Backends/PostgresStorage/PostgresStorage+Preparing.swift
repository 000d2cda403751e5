import StorageCore

/// What only a preparing job allows, each check and its write in one
/// transaction that holds the job's row lock (`FOR UPDATE`), so a start, a
/// cancel or an upload cannot come between them.
extension PostgresStorage {
    static func lockedStatus(_ connection: PostgresConnection, _ jobID: Int64) throws -> JobStatus? {
        try connection.query("SELECT status FROM jobs WHERE job_id = $1 FOR UPDATE", [String(jobID)]) {
            try $0.required(0, "status", JobStatus.init(rawValue:))
        }.first
    }

    public func startJob(_ id: Int64, config: JobConfig, expectedConfig: String?) async throws -> Job? {
        try config.validateStorable()
        let configText = config.jsonText
        return try await session { connection in
            try connection.transaction { () -> Job? in
                guard
                    let job = try connection.query(
                        "SELECT \(Self.jobColumns) FROM jobs WHERE job_id = $1 FOR UPDATE", [String(id)],
                        row: { try Job(row: $0) }
                    ).first
                else { return nil }
                try PreparingJob.require(id, job.status, toAllow: .start)
                guard job.configText == expectedConfig else { throw PreparingJob.configChanged(id) }
                let videos = try connection.query(
                    "SELECT COUNT(*) FROM job_files WHERE job_id = $1 AND file_type = 'videos'", [String(id)]
                ) { $0.int(0) }[0]
                try PreparingJob.requireVideos(id, count: videos)
                let started = try connection.query(
                    """
                    UPDATE jobs SET config = $2::jsonb, status = 'queued' WHERE job_id = $1
                    RETURNING \(Self.jobColumns)
                    """, [String(id), configText]
                ) { try Job(row: $0) }.first
                try connection.execute(Self.notifyQueued)
                return started
            }
        }
    }

    public func addFileWhilePreparing(_ file: NewJobFile, place: @escaping @Sendable () throws -> Void) async throws
        -> JobFile
    {
        try file.validate()
        let values = [String(file.jobID), file.fileType.rawValue, file.filename, file.filePath, now]
        return try await session { connection in
            try connection.transaction {
                guard let status = try Self.lockedStatus(connection, file.jobID) else {
                    throw StorageError.notFound("job \(file.jobID) does not exist")
                }
                try PreparingJob.require(file.jobID, status, toAllow: .addFiles)
                try place()
                return try connection.query(Self.upsertFile, values) { try JobFile(row: $0) }[0]
            }
        }
    }

    public func deleteFileWhilePreparing(jobID: Int64, type: FileType, filename: String) async throws -> JobFile? {
        try await session { connection in
            try connection.transaction {
                guard let status = try Self.lockedStatus(connection, jobID) else { return nil }
                try PreparingJob.require(jobID, status, toAllow: .removeFiles)
                return try connection.query(
                    """
                    DELETE FROM job_files WHERE job_id = $1 AND file_type = $2 AND filename = $3
                    RETURNING \(Self.fileColumns)
                    """, [String(jobID), type.rawValue, filename]
                ) { try JobFile(row: $0) }.first
            }
        }
    }
}
