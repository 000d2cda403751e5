import Foundation
import Hummingbird
import RunFiles
import StorageCore
import Suno

/// Suno playlists into a job's music, as the earlier service's
/// `POST /api/jobs/{id}/playlist/suno` did, but as background work: the
/// import is queued (202) and a worker downloads the songs, which the job's
/// imports list shows song by song; `?wait=true` imports in the request and
/// answers as the earlier service did (`{downloaded, errors, file_counts}`).
struct PlaylistController<Context: RequestContext> {
    let storage: any JobStore & FileStore & TaskQueue
    let settings: ServerSettings

    func addRoutes(to api: RouterGroup<Context>) {
        api.post("jobs/:id/playlist/suno", use: importPlaylist)
        api.get("jobs/:id/playlist/suno", use: imports)
    }

    @Sendable func importPlaylist(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        let body = try await JSONBody.object(of: request, limit: settings.maximumJSONBytes, optional: true)
        let url = try Self.playlistURL(body["url"])
        try PreparingJob.require(job.jobID, job.status, toAllow: .addFiles)
        if request.uri.queryParameters["wait"] == "true" {
            let importer = PlaylistImporter(
                settings: settings.suno, files: storage, data: settings.data,
                maximumFileBytes: settings.maximumFileBytes, runFiles: settings.files)
            let result = try await importer.run(url: url, into: job)
            let counts = try await storage.fileCounts(ofJob: job.jobID)
            return JSONResponse.make(
                .object([
                    "downloaded": Self.strings(result.progress.downloaded),
                    "errors": Self.strings(result.progress.errors), "file_counts": JobObject.counts(counts),
                ]))
        }
        let task = try await storage.createTask(PlaylistImport.self, jobID: job.jobID, url, maximumAttempts: nil)
        return JSONResponse.make(Self.object(task), status: .accepted)
    }

    /// The earlier service's checks, in its order and words; a URL with no
    /// playlist id in it is refused here rather than answered 200 with an error.
    static func playlistURL(_ value: JSONValue?) throws -> String {
        guard let value, value != .null else { throw APIError.badRequest("Playlist URL is required") }
        guard let text = value.stringValue else { throw APIError.badRequest("url must be a string") }
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !url.isEmpty else { throw APIError.badRequest("Playlist URL is required") }
        guard SunoPlaylistURL.mentionsSuno(url) else { throw APIError.badRequest("URL must be a Suno playlist") }
        guard url.utf8.count <= 2048 else { throw APIError.badRequest("the playlist URL is longer than 2048 bytes") }
        guard !url.utf8.contains(0) else {
            throw APIError.badRequest(
                "the playlist URL holds the NUL character (\\u0000), which the database cannot store; remove it")
        }
        guard SunoPlaylistURL.playlistID(in: url) != nil else {
            throw APIError(
                status: .badRequest, message: PlaylistImporter.invalidURL,
                extra: ["downloaded": .array([]), "errors": .array([.string(PlaylistImporter.invalidURL)])])
        }
        return url
    }

    /// The job's imports, newest first.
    @Sendable func imports(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        let imports = try await storage.tasks(PlaylistImport.self, ofJob: job.jobID)
        return JSONResponse.make(.object(["imports": .array(imports.map(Self.object))]))
    }

    static func object(_ task: PlaylistImport) -> JSONValue {
        .object([
            "import_id": .int(task.id), "job_id": .int(task.jobID), "state": .string(task.state.rawValue),
            "url": .string(task.url), "songs_total": .int(Int64(task.songsTotal)),
            "downloaded": strings(task.downloaded), "errors": strings(task.errors),
            "error": task.error.map { .string($0) } ?? .null, "attempt": .int(Int64(task.attempt)),
            "created_at": .string(task.createdAt.description), "updated_at": .string(task.updatedAt.description),
        ])
    }

    static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
}
