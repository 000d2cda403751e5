import StorageCore

extension PostgresStorage {
    static let fileColumns = "id, job_id, file_type, filename, file_path, uploaded_at"
    static let upsertFile = """
        INSERT INTO job_files (job_id, file_type, filename, file_path, uploaded_at)
        VALUES ($1, $2, $3, $4, $5::timestamptz)
        ON CONFLICT (job_id, file_type, filename)
        DO UPDATE SET file_path = excluded.file_path, uploaded_at = excluded.uploaded_at
        RETURNING \(fileColumns)
        """

    public func addFile(_ file: NewJobFile) async throws -> JobFile {
        try file.validate()
        let values = [String(file.jobID), file.fileType.rawValue, file.filename, file.filePath, now]
        do {
            return try await session { connection in
                try connection.query(Self.upsertFile, values) { try JobFile(row: $0) }[0]
            }
        } catch let error as StorageError where error.kind == .notFound {
            throw StorageError(.notFound, "job \(file.jobID) does not exist", detail: error.detail)
        }
    }

    public func files(ofJob jobID: Int64, type: FileType?) async throws -> [JobFile] {
        try await session { connection in
            if let type {
                return try connection.query(
                    "SELECT \(Self.fileColumns) FROM job_files WHERE job_id = $1 AND file_type = $2 ORDER BY id",
                    [String(jobID), type.rawValue]
                ) { try JobFile(row: $0) }
            }
            return try connection.query(
                "SELECT \(Self.fileColumns) FROM job_files WHERE job_id = $1 ORDER BY id", [String(jobID)]
            ) { try JobFile(row: $0) }
        }
    }

    public func deleteFile(jobID: Int64, type: FileType, filename: String) async throws -> Bool {
        try await session { connection in
            try connection.run(
                "DELETE FROM job_files WHERE job_id = $1 AND file_type = $2 AND filename = $3",
                [String(jobID), type.rawValue, filename]) > 0
        }
    }

    public func fileCounts(ofJobs jobIDs: [Int64]) async throws -> [Int64: FileCounts] {
        guard !jobIDs.isEmpty else { return [:] }
        let ids = "{" + jobIDs.map(String.init).joined(separator: ",") + "}"
        let rows = try await session { connection in
            try connection.query(
                """
                SELECT job_id, file_type, COUNT(*) FROM job_files
                WHERE job_id = ANY($1::bigint[]) GROUP BY job_id, file_type
                """, [ids]
            ) { ($0.int64(0), try $0.required(1, "file type", FileType.init(rawValue:)), $0.int(2)) }
        }
        return fileCountsByJob(jobIDs, rows)
    }
}
