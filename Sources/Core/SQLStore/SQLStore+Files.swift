import StorageCore

extension SQLStore: FileStore {
    static func fileValues(_ file: NewJobFile, at now: Timestamp) -> [SQLValue] {
        [
            .integer(file.jobID), .text(file.fileType.rawValue), .text(file.filename), .text(file.filePath),
            .timestamp(now),
        ]
    }

    /// `upsert_file` answers the row's id; the rest is what was written.
    static func upserted(_ file: NewJobFile, at now: Timestamp) -> (any StoredRow) throws -> JobFile {
        { row in
            try JobFile(
                id: row.int64(0), jobID: file.jobID, fileType: file.fileType, filename: file.filename,
                filePath: file.filePath, uploadedAt: now)
        }
    }

    public func addFile(_ file: NewJobFile) async throws -> JobFile {
        try file.validate()
        let now = now
        let (statement, values) = (sql[.upsertFile], Self.fileValues(file, at: now))
        return try await requiringJob(file.jobID) {
            try await driver.write { try $0.query(statement, values, row: Self.upserted(file, at: now))[0] }
        }
    }

    public func relocateFiles(_ relocation: FileRelocation) async throws -> Bool {
        let job = sql[.relocateJob]
        let file = sql[.relocateFile]
        return try await driver.transaction { connection in
            let jobValues: [SQLValue] = [
                .integer(relocation.jobID), .text(relocation.runDirectory), .text(relocation.outputFile),
            ]
            guard try connection.run(job, jobValues) > 0 else { return false }
            for (id, path) in relocation.files.sorted(by: { $0.key < $1.key }) {
                try connection.run(file, [.integer(id), .integer(relocation.jobID), .text(path)])
            }
            return true
        }
    }

    public func files(ofJob jobID: Int64, type: FileType?) async throws -> [JobFile] {
        let statement = sql[type == nil ? .filesOfJob : .filesOfJobOfType]
        let values: [SQLValue] = [.integer(jobID)] + (type.map { [.text($0.rawValue)] } ?? [])
        return try await driver.read { try $0.query(statement, values) { try JobFile(row: $0) } }
    }

    public func deleteFile(jobID: Int64, type: FileType, filename: String) async throws -> Bool {
        let statement = sql[.deleteFile]
        let values: [SQLValue] = [.integer(jobID), .text(type.rawValue), .text(filename)]
        return try await driver.write { try $0.query(statement, values) { try JobFile(row: $0) }.count > 0 }
    }

    public func fileCounts(ofJobs jobIDs: [Int64]) async throws -> [Int64: FileCounts] {
        guard !jobIDs.isEmpty else { return [:] }
        let statement = sql[.fileCounts]
        let rows = try await driver.read { connection in
            try connection.query(statement, [.list(jobIDs)]) {
                try ($0.int64(0), $0.required(1, "file type", FileType.init(rawValue:)), $0.int(2))
            }
        }
        return fileCountsByJob(jobIDs, rows)
    }
}

/// What only a preparing job allows: each check and its write in one
/// transaction that holds the job (`FOR UPDATE` on PostgreSQL, the write lock
/// on SQLite), so a start, a cancel or an upload cannot come between them.
extension SQLStore {
    func lockedStatus(_ connection: any SQLConnection, _ jobID: Int64) throws -> JobStatus? {
        try connection.query(sql[.lockJobStatus], [.integer(jobID)]) {
            try $0.required(0, "status", JobStatus.init(rawValue:))
        }.first
    }

    public func startJob(_ id: Int64, config: JobConfig, expectedConfig: String?) async throws -> Job? {
        try config.validateStorable()
        let values: [SQLValue] = [.integer(id), .text(config.jsonText), .integer(maximumAttempts), .timestamp(now)]
        let (lock, videos, start) = (sql[.lockJob], sql[.videoCount], sql[.startJob])
        let started = try await driver.transaction { [self] connection -> Job? in
            guard let job = try connection.query(lock, [.integer(id)], row: { try Job(row: $0) }).first else {
                return nil
            }
            try PreparingJob.require(id, job.status, toAllow: .start)
            guard job.configText == expectedConfig else { throw PreparingJob.configChanged(id) }
            try PreparingJob.requireVideos(id, count: connection.count(videos, [.integer(id)]))
            let started = try connection.query(start, values) { try Job(row: $0) }.first
            try notifyQueued(connection)
            return started
        }
        if started != nil { wakeWorkers() }
        return started
    }

    public func addFileWhilePreparing(_ file: NewJobFile, place: @escaping @Sendable () throws -> Void) async throws
        -> JobFile
    {
        try file.validate()
        let now = now
        let (statement, values) = (sql[.upsertFile], Self.fileValues(file, at: now))
        return try await driver.transaction { [self] connection in
            guard let status = try lockedStatus(connection, file.jobID) else {
                throw StorageError.notFound("job \(file.jobID) does not exist")
            }
            try PreparingJob.require(file.jobID, status, toAllow: .addFiles)
            try place()
            return try connection.query(statement, values, row: Self.upserted(file, at: now))[0]
        }
    }

    public func deleteFileWhilePreparing(jobID: Int64, type: FileType, filename: String) async throws -> JobFile? {
        let statement = sql[.deleteFile]
        let values: [SQLValue] = [.integer(jobID), .text(type.rawValue), .text(filename)]
        return try await driver.transaction { [self] connection in
            guard let status = try lockedStatus(connection, jobID) else { return nil }
            try PreparingJob.require(jobID, status, toAllow: .removeFiles)
            return try connection.query(statement, values) { try JobFile(row: $0) }.first
        }
    }
}
