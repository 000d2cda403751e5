/// A YouTube upload as background work: a `youtube_upload` task and its
/// details in `youtube_upload_tasks`.
public struct UploadTask: Hashable, Sendable {
    public enum State: String, CaseIterable, Hashable, Sendable {
        case pending, uploading, completed, failed
    }

    public var id: Int64
    public var jobID: Int64
    public var state: State
    /// What to publish (title, description, ...), as JSON text.
    public var request: String
    /// YouTube's resumable session, once opened: an upload continues there.
    public var sessionURL: String?
    public var bytesSent: Int64
    public var totalBytes: Int64
    public var videoID: String?
    public var error: String?
    public var attempt: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(row: some StoredRow) throws {
        id = try row.int64(0)
        jobID = try row.int64(1)
        state = try row.required(2, "upload state", State.init(rawValue:))
        request = row.text(3) ?? "{}"
        sessionURL = row.text(4)
        bytesSent = try row.int64(5)
        totalBytes = try row.int64(6)
        videoID = row.text(7)
        error = row.text(8)
        attempt = try row.int(9)
        createdAt = try row.timestamp(10, "created_at")
        updatedAt = try row.timestamp(11, "updated_at")
    }
}

/// A worker's hold on an upload task.
public typealias UploadClaim = TaskClaim
public typealias ClaimedUpload = ClaimedTask<UploadTask>
/// Completed: on YouTube, recorded in `youtube_uploads` in the same transaction.
public typealias UploadOutcome = TaskOutcome<NewYouTubeUpload>

extension UploadTask: TaskDetails {
    /// What to publish, as JSON text, and the video's size.
    public typealias New = (request: String, totalBytes: Int64)
    /// YouTube's resumable session once opened, and the bytes it has.
    public typealias Progress = (sessionURL: String?, bytesSent: Int64)

    public static var kind: TaskKind { .youtubeUpload }

    public static func values(new: New) -> [SQLValue] { [.text(new.request), .integer(new.totalBytes)] }

    public static func values(progress: Progress) -> [SQLValue] {
        [.text(progress.sessionURL), .integer(progress.bytesSent)]
    }

    /// The `youtube_uploads` row a completed upload adds (without its job: the task's).
    public static func values(result: NewYouTubeUpload?) -> [SQLValue] {
        guard let upload = result else { return Array(repeating: .null, count: 7) }
        return Array(upload.values.dropFirst())
    }

    public static func workerLostError(attempt: Int) -> String { "worker lost during the upload (attempt \(attempt))" }
}
