import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StorageCore
import YouTube

/// The earlier service's YouTube routes: OAuth status, URL, callback, revoke,
/// publishing a job's video (queued, or in the request with `?wait=true`), and
/// the job's uploads.
struct YouTubeController<Context: RequestContext> {
    static var callbackPath: String { "/api/youtube/auth/callback" }

    let storage: any JobStore & TaskQueue & UploadHistory & CredentialStore
    let settings: ServerSettings

    func addRoutes(to api: RouterGroup<Context>) {
        api.get("youtube/auth/status", use: status)
        api.get("youtube/auth/url", use: authorizationURL)
        api.get("youtube/auth/callback", use: callback)
        api.post("youtube/auth/revoke", use: revoke)
        api.get("jobs/:id/youtube/uploads", use: uploads)
        api.post("jobs/:id/youtube/upload", use: upload)
    }

    func account() throws -> YouTubeAccount {
        guard let box = settings.secretBox else {
            throw YouTubeError.storedCredentials("this server has no secret key for YouTube credentials")
        }
        return YouTubeAccount(storage: storage, box: box, configuration: settings.youtube)
    }

    /// This server's callback URL, as the browser reached it.
    static func redirectURL(_ request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1"
        let scheme = HTTPField.Name("X-Forwarded-Proto").flatMap { request.headers[$0] } ?? "http"
        return "\(scheme)://\(host)\(callbackPath)"
    }

    @Sendable func status(_ request: Request, context: Context) async throws -> Response {
        let status = try await account().status()
        var body: [String: JSONValue] = [
            "authenticated": .bool(status.authenticated), "requires_reauth": .bool(status.requiresReauthorization),
            "configured": .bool(status.configured),
        ]
        body["expires_at"] = status.expiresAt.map { .double($0) } ?? .null
        return JSONResponse.make(.object(body))
    }

    @Sendable func authorizationURL(_ request: Request, context: Context) async throws -> Response {
        let url = try account().authorizationURL(redirectURL: Self.redirectURL(request))
        return JSONResponse.make(.object(["auth_url": .string(url)]))
    }

    @Sendable func callback(_ request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        do {
            // The person said no at Google (or the link was tampered with): their answer, not our failure.
            if let refusal = query["error"] {
                let reason = refusal.isEmpty ? "no reason given" : String(refusal)
                return Self.page(.badRequest, "YouTube is not connected", "Google did not authorize: \(reason)")
            }
            guard let code = query["code"], let state = query["state"] else {
                throw YouTubeError.badState
            }
            try await account().completeAuthorization(
                code: String(code), state: String(state), redirectURL: Self.redirectURL(request))
            return Self.page(
                .ok, "YouTube is connected", "yt-builder can now publish videos. You can close this window.")
        } catch let error as YouTubeError {
            let answer = APIError(youtube: error)
            return Self.page(answer.status, "YouTube is not connected", error.description)
        }
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        let revoked = try await account().revoke()
        return JSONResponse.make(
            .object([
                "revoked": .bool(revoked),
                "message": .string(revoked ? "YouTube access revoked" : "YouTube was not connected"),
            ]))
    }

    /// Queues the job's video for publishing and answers at once (202) with
    /// the upload's id and state; workers upload it. `?wait=true` uploads in
    /// the request and answers as the earlier service did
    /// (`{success, video_id, video_url, message}`).
    @Sendable func upload(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        let body = try await JSONBody.object(of: request, limit: settings.maximumJSONBytes, optional: false)
        let upload: UploadRequest
        do {
            upload = try UploadRequest(json: body)
        } catch {
            throw APIError(status: .badRequest, message: error.description, extra: ["field": .string(error.field)])
        }
        let file = try await Publisher.video(of: job, dataDirectory: settings.dataDirectory, files: settings.files)
        let account = try account()
        let publisher = try Publisher(storage: storage, account: account)
        if request.uri.queryParameters["wait"] == "true" {
            let published = try await publisher.publish(jobID: job.jobID, file: file, request: upload)
            return JSONResponse.make(
                .object([
                    "success": .bool(true), "video_id": .string(published.videoID),
                    "video_url": .string(published.videoURL),
                    "message": .string("published \"\(upload.title)\" as \(upload.privacy.rawValue)"),
                ]))
        }
        // Refuse now what a worker could only fail later.
        _ = try await account.accessToken()
        let size = FileManager.default.size(atPath: file) ?? 0
        let task = try await storage.createTask(
            UploadTask.self, jobID: job.jobID, (request: upload.json.jsonText, totalBytes: size))
        return JSONResponse.make(Self.object(task), status: .accepted)
    }

    static func object(_ task: UploadTask) -> JSONValue {
        let request = JSONValue(jsonText: task.request)?.objectValue ?? [:]
        return .object([
            "upload_id": .int(task.id), "job_id": .int(task.jobID), "state": .string(task.state.rawValue),
            "bytes_sent": .int(task.bytesSent), "total_bytes": .int(task.totalBytes),
            "video_id": task.videoID.map { .string($0) } ?? .null,
            "video_url": task.videoID.map { .string("https://www.youtube.com/watch?v=\($0)") } ?? .null,
            "error": task.error.map { .string($0) } ?? .null, "title": request["title"] ?? .null,
            "attempt": .int(Int64(task.attempt)), "created_at": .string(task.createdAt.description),
            "updated_at": .string(task.updatedAt.description),
        ])
    }

    /// The job's upload tasks (newest first) and what is recorded as published.
    @Sendable func uploads(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        let tasks = try await storage.tasks(UploadTask.self, ofJob: job.jobID)
        let published = try await storage.uploads(ofJob: job.jobID, limit: JobQuery.maximumLimit)
        return JSONResponse.make(
            .object([
                "uploads": .array(tasks.map(Self.object)),
                "published": .array(
                    published.map { upload in
                        .object([
                            "id": .int(upload.id), "video_id": .string(upload.videoID),
                            "video_url": .string(upload.videoURL), "title": upload.title.map { .string($0) } ?? .null,
                            "privacy": upload.privacy.map { .string($0.rawValue) } ?? .null,
                            "uploaded_at": .string(upload.uploadedAt.description),
                        ])
                    }),
            ]))
    }

    /// A short page for the browser that Google sent back.
    static func page(_ status: HTTPResponse.Status, _ title: String, _ text: String) -> Response {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title></head>
            <body><h1>\(escape(title))</h1><p>\(escape(text))</p></body></html>
            """
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
