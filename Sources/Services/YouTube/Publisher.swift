import Foundation
import RunFiles
import StorageCore

/// Publishes a finished job's video: checks the job, uploads with the
/// resumable protocol under a token kept fresh, and records the upload once.
public struct Publisher: Sendable {
    let storage: any UploadHistory
    let account: YouTubeAccount
    public var upload: ResumableUpload

    public init(storage: any UploadHistory, account: YouTubeAccount) throws {
        self.storage = storage
        self.account = account
        upload = ResumableUpload(endpoint: try account.client().configuration.uploadEndpoint)
    }

    /// The video file of a completed job, inside its run directory; a clear
    /// error otherwise. With an object store (`files`), a copy fetched into
    /// this host's run directory.
    public static func video(of job: Job, dataDirectory: String, files: (any RunFileStore)? = nil) async throws
        -> String
    {
        guard job.status == .completed, let output = job.outputFile else {
            throw StorageError.invalidInput(
                "job \(job.jobID) is \(job.status.rawValue); only a completed job's video can be published")
        }
        let run: RunDirectory
        do {
            run = try DataDirectory(dataDirectory).runDirectory(of: job)
        } catch {
            throw StorageError.invalidInput(error.description)
        }
        let gone = StorageError.invalidInput("the video of job \(job.jobID) is not in its run directory any more")
        guard let files, !files.keepsFilesInPlace else {
            guard let path = run.resolve(output) else { throw gone }
            return path
        }
        guard let name = RunFileName.output(storedPath: output) else { throw gone }
        try run.create()
        do {
            return try await files.localFile(name, jobID: job.jobID, run: job.runDirectory, scratch: run.path)
        } catch let error as StorageError where error.kind == .notFound {
            throw gone
        }
    }

    /// Uploads and records the upload (the synchronous way).
    public func publish(
        jobID: Int64, file: String, request: UploadRequest,
        progress: @escaping @Sendable (Int64) async -> Void = { _ in }
    ) async throws -> YouTubeUpload {
        let result = try await send(file: file, request: request, progress: progress)
        return try await storage.addUpload(Self.record(jobID: jobID, request: request, result: result))
    }

    /// Uploads only; `session` continues an earlier attempt, `onSession` hears a new one.
    public func send(
        file: String, request: UploadRequest, session: String? = nil,
        onSession: @escaping @Sendable (String) async throws -> Void = { _ in },
        progress: @escaping @Sendable (Int64) async -> Void = { _ in }
    ) async throws -> ResumableUpload.Result {
        let account = account
        return try await upload.upload(
            file: file, request: request, session: session,
            token: { refresh in try await refresh ? account.refreshedAccessToken() : account.accessToken() },
            onSession: onSession, progress: progress)
    }

    public static func record(jobID: Int64, request: UploadRequest, result: ResumableUpload.Result) -> NewYouTubeUpload
    {
        NewYouTubeUpload(
            jobID: jobID, videoID: result.videoID, videoURL: result.videoURL, title: request.title,
            description: request.description, privacy: request.privacy, tags: request.tags, category: request.category)
    }
}
