import StorageCore

/// What only a preparing job allows, each check and its write in one
/// `BEGIN IMMEDIATE` transaction: nobody else writes between them.
extension SQLiteStorage {
    static func preparingStatus(_ connection: SQLiteConnection, _ jobID: Int64) throws -> JobStatus? {
        try connection.query("SELECT status FROM jobs WHERE job_id = ?", [.integer(jobID)]) {
            try $0.required(0, "status", JobStatus.init(rawValue:))
        }.first
    }

    public func startJob(_ id: Int64, config: JobConfig, expectedConfig: String?) async throws -> Job? {
        try config.validateStorable()
        let configText = config.jsonText
        let started = try await write { connection -> Job? in
            guard let job = try Self.fetchJob(connection, id) else { return nil }
            try PreparingJob.require(id, job.status, toAllow: .start)
            guard job.configText == expectedConfig else { throw PreparingJob.configChanged(id) }
            let videos = try connection.scalarInt(
                "SELECT COUNT(*) FROM job_files WHERE job_id = ? AND file_type = 'videos'", [.integer(id)])
            try PreparingJob.requireVideos(id, count: Int(videos ?? 0))
            try connection.run(
                "UPDATE jobs SET config = ?, status = 'queued' WHERE job_id = ?", [.text(configText), .integer(id)])
            return try Self.fetchJob(connection, id)
        }
        if started != nil { queueSignal.notifyAll() }
        return started
    }

    public func addFileWhilePreparing(_ file: NewJobFile, place: @escaping @Sendable () throws -> Void) async throws
        -> JobFile
    {
        try file.validate()
        let now = now
        return try await write { connection in
            guard let status = try Self.preparingStatus(connection, file.jobID) else {
                throw StorageError.notFound("job \(file.jobID) does not exist")
            }
            try PreparingJob.require(file.jobID, status, toAllow: .addFiles)
            try place()
            return try Self.upsertFile(connection, file, at: now)
        }
    }

    public func deleteFileWhilePreparing(jobID: Int64, type: FileType, filename: String) async throws -> JobFile? {
        try await write { connection in
            guard let status = try Self.preparingStatus(connection, jobID) else { return nil }
            try PreparingJob.require(jobID, status, toAllow: .removeFiles)
            return try connection.query(
                """
                DELETE FROM job_files WHERE job_id = ? AND file_type = ? AND filename = ?
                RETURNING id, job_id, file_type, filename, file_path, uploaded_at
                """, [.integer(jobID), .text(type.rawValue), .text(filename)], row: Self.readFile
            ).first
        }
    }
}
