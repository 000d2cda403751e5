/// A finished upload of a job's video to YouTube.
public struct YouTubeUpload: Hashable, Sendable, Codable {
    public var id: Int64
    public var jobID: Int64
    public var videoID: String
    public var videoURL: String
    public var title: String?
    public var description: String?
    public var privacy: Privacy?
    public var tags: [String]?
    public var category: String?
    public var uploadedAt: Timestamp

    public init(
        id: Int64, jobID: Int64, videoID: String, videoURL: String, title: String?, description: String?,
        privacy: Privacy?, tags: [String]?, category: String?, uploadedAt: Timestamp
    ) {
        self.id = id
        self.jobID = jobID
        self.videoID = videoID
        self.videoURL = videoURL
        self.title = title
        self.description = description
        self.privacy = privacy
        self.tags = tags
        self.category = category
        self.uploadedAt = uploadedAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case jobID = "job_id"
        case videoID = "video_id"
        case videoURL = "video_url"
        case title, description, privacy, tags
        case category
        case uploadedAt = "uploaded_at"
    }

    /// Tags are stored as a JSON array of strings; anything else reads as nil.
    public static func readTags(_ text: String?) -> [String]? {
        guard let text, case .array(let items) = JSONValue(jsonText: text) else { return nil }
        return items.compactMap { if case .string(let tag) = $0 { tag } else { nil } }
    }

    public static func tagsText(_ tags: [String]?) -> String? {
        tags.map { JSONValue.array($0.map(JSONValue.string)).jsonText }
    }
}

/// A row of `youtube_credentials`: OAuth credentials as text (encrypted by
/// yt-builder; plain JSON in files of the earlier service).
public struct StoredCredentials: Hashable, Sendable {
    public var user: String
    public var text: String
    public var updatedAt: Timestamp

    public init(user: String, text: String, updatedAt: Timestamp) {
        self.user = user
        self.text = text
        self.updatedAt = updatedAt
    }

    public init(row: some StoredRow) throws {
        self.init(user: row.text(0) ?? "", text: row.text(1) ?? "", updatedAt: try row.timestamp(2, "updated_at"))
    }

    public static func validate(user: String) throws {
        guard !user.isEmpty, user.count <= 200, !user.contains("\u{0}") else {
            throw StorageError.invalidInput("a credentials user id must be 1 to 200 characters")
        }
    }
}

public struct NewYouTubeUpload: Hashable, Sendable {
    public var jobID: Int64
    public var videoID: String
    public var videoURL: String
    public var title: String?
    public var description: String?
    public var privacy: Privacy
    public var tags: [String]
    public var category: String?

    public init(
        jobID: Int64, videoID: String, videoURL: String, title: String?, description: String?, privacy: Privacy,
        tags: [String], category: String?
    ) {
        self.jobID = jobID
        self.videoID = videoID
        self.videoURL = videoURL
        self.title = title
        self.description = description
        self.privacy = privacy
        self.tags = tags
        self.category = category
    }

    /// `insert_upload`'s values before its time: the job, then the upload's columns.
    public var values: [SQLValue] {
        [
            .integer(jobID), .text(videoID), .text(videoURL), .text(title), .text(description), .text(privacy.rawValue),
            .text(YouTubeUpload.tagsText(tags)), .text(category),
        ]
    }

    public func validate() throws {
        if videoID.isEmpty { throw StorageError.invalidInput("video id must not be empty") }
        if videoURL.isEmpty { throw StorageError.invalidInput("video URL must not be empty") }
    }
}
