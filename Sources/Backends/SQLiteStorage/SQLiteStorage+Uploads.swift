import StorageCore

extension SQLiteStorage {
    static let uploadColumns = """
        id, job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at
        """

    static func readUpload(_ row: SQLiteStatement) throws -> YouTubeUpload { try YouTubeUpload(row: row) }

    public func addUpload(_ upload: NewYouTubeUpload) async throws -> YouTubeUpload {
        try upload.validate()
        let now = now
        return try await write { connection in try Self.insertUpload(connection, upload, at: now) }
    }

    @discardableResult
    static func insertUpload(_ connection: SQLiteConnection, _ upload: NewYouTubeUpload, at now: Timestamp) throws
        -> YouTubeUpload
    {
        do {
            return try connection.query(
                """
                INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags,
                    category, uploaded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING \(uploadColumns)
                """,
                [
                    .integer(upload.jobID), .text(upload.videoID), .text(upload.videoURL), .text(upload.title),
                    .text(upload.description), .text(upload.privacy.rawValue),
                    .text(YouTubeUpload.tagsText(upload.tags)), .text(upload.category), .timestamp(now),
                ], row: readUpload)[0]
        } catch let error as SQLiteError where error.storageError.kind == .notFound {
            throw StorageError(.notFound, "job \(upload.jobID) does not exist", detail: error.description)
        }
    }

    public func uploads(ofJob jobID: Int64?, limit: Int) async throws -> [YouTubeUpload] {
        try JobQuery.validate(limit: limit)
        let order = "ORDER BY uploaded_at DESC, id DESC LIMIT ?"
        return try await read { connection in
            if let jobID {
                return try connection.query(
                    "SELECT \(Self.uploadColumns) FROM youtube_uploads WHERE job_id = ? \(order)",
                    [.integer(jobID), .integer(limit)], row: Self.readUpload)
            }
            return try connection.query(
                "SELECT \(Self.uploadColumns) FROM youtube_uploads \(order)", [.integer(limit)], row: Self.readUpload)
        }
    }
}
