/// A result row of any backend, read by column position. The models below read
/// themselves from rows whose columns come in their documented order.
public protocol StoredRow {
    func isNull(_ column: Int32) -> Bool
    func text(_ column: Int32) -> String?
    /// NULL reads as 0; text that is not an integer throws `.corruptDatabase`.
    func int64(_ column: Int32) throws -> Int64
}

extension StoredRow {
    public func int(_ column: Int32) throws -> Int { Int(try int64(column)) }

    /// A column that must hold text `parse` accepts; anything else means the
    /// database was changed behind yt-builder's back.
    public func required<T>(_ column: Int32, _ what: String, _ parse: (String) -> T?) throws -> T {
        guard let raw = text(column), let value = parse(raw) else {
            throw StorageError(.corruptDatabase, "a stored \(what) '\(text(column) ?? "NULL")' cannot be read")
        }
        return value
    }

    public func timestamp(_ column: Int32, _ what: String) throws -> Timestamp {
        try required(column, what) { Timestamp(parsing: $0) }
    }

    public func optionalTimestamp(_ column: Int32, _ what: String) throws -> Timestamp? {
        isNull(column) ? nil : try timestamp(column, what)
    }
}

extension FileCounts {
    /// Reads four counts from `first` on, in `FileType.allCases` order.
    public init(row: some StoredRow, from first: Int32) throws {
        self.init()
        for (offset, type) in FileType.allCases.enumerated() { self[type] = try row.int(first + Int32(offset)) }
    }

}

extension Job {
    /// Reads columns job_id, run_id, run_dir, status, progress, current_step,
    /// config (as JSON text), output_file, error, created_at, started_at, finished_at.
    public init(row: some StoredRow) throws {
        try self.init(
            jobID: row.int64(0), runID: row.text(1) ?? "", runDirectory: row.text(2) ?? "",
            status: try row.required(3, "status", JobStatus.init(rawValue:)), progress: row.int(4),
            currentStep: row.text(5), configText: row.text(6), outputFile: row.text(7), error: row.text(8),
            createdAt: try row.timestamp(9, "created_at"), startedAt: try row.optionalTimestamp(10, "started_at"),
            finishedAt: try row.optionalTimestamp(11, "finished_at"))
    }
}

extension JobFile {
    /// Reads columns id, job_id, file_type, filename, file_path, uploaded_at.
    public init(row: some StoredRow) throws {
        try self.init(
            id: row.int64(0), jobID: row.int64(1), fileType: try row.required(2, "file type", FileType.init(rawValue:)),
            filename: row.text(3) ?? "", filePath: row.text(4) ?? "", uploadedAt: try row.timestamp(5, "uploaded_at"))
    }
}

extension YouTubeUpload {
    /// Reads columns id, job_id, video_id, video_url, title, description,
    /// privacy, tags (as JSON text), category, uploaded_at.
    public init(row: some StoredRow) throws {
        try self.init(
            id: row.int64(0), jobID: row.int64(1), videoID: row.text(2) ?? "", videoURL: row.text(3) ?? "",
            title: row.text(4), description: row.text(5),
            privacy: row.isNull(6) ? nil : try row.required(6, "privacy", Privacy.init(rawValue:)),
            tags: YouTubeUpload.readTags(row.text(7)), category: row.text(8),
            uploadedAt: try row.timestamp(9, "uploaded_at"))
    }
}

/// A row's columns from `offset` on, as a row of their own (a statement that
/// returns two records side by side).
public struct OffsetRow: StoredRow {
    public let base: any StoredRow
    public let offset: Int32

    public init(_ base: any StoredRow, from offset: Int32) {
        self.base = base
        self.offset = offset
    }

    public func isNull(_ column: Int32) -> Bool { base.isNull(column + offset) }
    public func text(_ column: Int32) -> String? { base.text(column + offset) }
    public func int64(_ column: Int32) throws -> Int64 { try base.int64(column + offset) }
}
