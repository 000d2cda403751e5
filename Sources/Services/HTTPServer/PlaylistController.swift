import Foundation
import Hummingbird
import RunFiles
import StorageCore
import Suno

/// Suno playlists into a job's music, as the earlier service's
/// `POST /api/jobs/{id}/playlist/suno` did, but as background work: the
/// import is queued and a worker downloads the songs, which the job's
/// imports list shows song by song. The request waits for that import and
/// answers as the earlier service did (`{downloaded, errors, file_counts}`);
/// a client that leaves or times out loses nothing, the import goes on.
/// `Prefer: respond-async` (RFC 7240) answers 202 at once with the queued
/// import; `?wait=true` imports in the request itself.
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
        if Self.prefersAsync(request.headers) {
            var response = JSONResponse.make(Self.object(task), status: .accepted)
            response.headers[.preferenceApplied] = "respond-async"
            return response
        }
        let ended = try await waitForEnd(of: task)
        // Still running after the longest wait: where it stands, as a 202.
        guard !ended.isUnderway else { return JSONResponse.make(Self.object(ended), status: .accepted) }
        var errors = ended.errors
        if let error = ended.error, !errors.contains(error) { errors.append(error) }
        let counts = try await storage.fileCounts(ofJob: job.jobID)
        return JSONResponse.make(
            .object([
                "import_id": .int(ended.id), "state": .string(ended.state.rawValue),
                "downloaded": Self.strings(ended.downloaded), "errors": Self.strings(errors),
                "file_counts": JobObject.counts(counts),
            ]))
    }

    /// The import once it has ended, or as it stands when the wait `serve`
    /// allows is over. It is read again every quarter second: one row by key.
    private func waitForEnd(of task: PlaylistImport) async throws -> PlaylistImport {
        let deadline = ContinuousClock.now + settings.importWait
        while true {
            guard let current = try await storage.task(PlaylistImport.self, id: task.id) else {
                throw APIError.notFound("the import of job \(task.jobID) is gone: the job was deleted")
            }
            guard current.isUnderway, ContinuousClock.now < deadline else { return current }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// RFC 7240: `Prefer` holds comma-separated preferences, each a token
    /// and optional parameters; header fields may repeat.
    static func prefersAsync(_ headers: HTTPFields) -> Bool {
        headers[values: .prefer].contains { value in
            value.split(separator: ",").contains {
                $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "respond-async"
            }
        }
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

extension PlaylistImport {
    /// Queued or running: a worker has yet to end it.
    fileprivate var isUnderway: Bool { [.queued, .running].contains(state) }
}
