import StorageCore

extension SQLiteStorage {
    static func readFile(_ row: SQLiteStatement) throws -> JobFile { try JobFile(row: row) }

    public func addFile(_ file: NewJobFile) async throws -> JobFile {
        try file.validate()
        let now = now
        return try await write { connection in try Self.upsertFile(connection, file, at: now) }
    }

    static func upsertFile(_ connection: SQLiteConnection, _ file: NewJobFile, at now: Timestamp) throws -> JobFile {
        do {
            let id = try connection.query(
                """
                INSERT INTO job_files (job_id, file_type, filename, file_path, uploaded_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (job_id, file_type, filename)
                DO UPDATE SET file_path = excluded.file_path, uploaded_at = excluded.uploaded_at
                RETURNING id
                """,
                [
                    .integer(file.jobID), .text(file.fileType.rawValue), .text(file.filename),
                    .text(file.filePath), .timestamp(now),
                ]
            ) { $0.int64(0) }[0]
            return JobFile(
                id: id, jobID: file.jobID, fileType: file.fileType, filename: file.filename,
                filePath: file.filePath, uploadedAt: now)
        } catch let error as SQLiteError where error.storageError.kind == .notFound {
            throw StorageError(.notFound, "job \(file.jobID) does not exist", detail: error.description)
        }
    }

    public func files(ofJob jobID: Int64, type: FileType?) async throws -> [JobFile] {
        let columns = "id, job_id, file_type, filename, file_path, uploaded_at"
        return try await read { connection in
            if let type {
                return try connection.query(
                    "SELECT \(columns) FROM job_files WHERE job_id = ? AND file_type = ? ORDER BY id",
                    [.integer(jobID), .text(type.rawValue)], row: Self.readFile)
            }
            return try connection.query(
                "SELECT \(columns) FROM job_files WHERE job_id = ? ORDER BY id", [.integer(jobID)], row: Self.readFile)
        }
    }

    public func deleteFile(jobID: Int64, type: FileType, filename: String) async throws -> Bool {
        try await write { connection in
            try connection.run(
                "DELETE FROM job_files WHERE job_id = ? AND file_type = ? AND filename = ?",
                [.integer(jobID), .text(type.rawValue), .text(filename)]) > 0
        }
    }

    public func fileCounts(ofJobs jobIDs: [Int64]) async throws -> [Int64: FileCounts] {
        guard !jobIDs.isEmpty else { return [:] }
        // The ids travel as one bound JSON array, whatever their number.
        let ids = "[" + jobIDs.map(String.init).joined(separator: ",") + "]"
        let rows = try await read { connection in
            try connection.query(
                """
                SELECT job_id, file_type, COUNT(*) FROM job_files
                WHERE job_id IN (SELECT value FROM json_each(?)) GROUP BY job_id, file_type
                """, [.text(ids)]
            ) { ($0.int64(0), try $0.required(1, "file type", FileType.init(rawValue:)), $0.int(2)) }
        }
        return fileCountsByJob(jobIDs, rows)
    }
}
