import StorageCore

extension PostgresStorage {
    static let uploadColumns = """
        id, job_id, video_id, video_url, title, description, privacy, tags::text, category, uploaded_at
        """

    public func addUpload(_ upload: NewYouTubeUpload) async throws -> YouTubeUpload {
        try upload.validate()
        let values = [
            String(upload.jobID), upload.videoID, upload.videoURL, upload.title, upload.description,
            upload.privacy.rawValue, YouTubeUpload.tagsText(upload.tags), upload.category, now,
        ]
        do {
            return try await session { connection in
                try connection.query(
                    """
                    INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags,
                        category, uploaded_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::timestamptz)
                    RETURNING \(Self.uploadColumns)
                    """, values
                ) { try YouTubeUpload(row: $0) }[0]
            }
        } catch let error as StorageError where error.kind == .notFound {
            throw StorageError(.notFound, "job \(upload.jobID) does not exist", detail: error.detail)
        }
    }

    public func uploads(ofJob jobID: Int64?, limit: Int) async throws -> [YouTubeUpload] {
        try JobQuery.validate(limit: limit)
        return try await session { connection in
            if let jobID {
                return try connection.query(
                    """
                    SELECT \(Self.uploadColumns) FROM youtube_uploads WHERE job_id = $1
                    ORDER BY uploaded_at DESC, id DESC LIMIT $2
                    """, [String(jobID), String(limit)]
                ) { try YouTubeUpload(row: $0) }
            }
            return try connection.query(
                "SELECT \(Self.uploadColumns) FROM youtube_uploads ORDER BY uploaded_at DESC, id DESC LIMIT $1",
                [String(limit)]
            ) { try YouTubeUpload(row: $0) }
        }
    }
}
