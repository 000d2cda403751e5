import Foundation
import Hummingbird
import Logging
import RunFiles
import StorageCore
import VideoSettings

/// Jobs: prepare, create and queue, read, list, start, cancel, logs, download.
struct JobsController<Context: RequestContext> {
    let storage: any JobStore & FileStore & RenderQueue
    let settings: ServerSettings
    let abandoned: AbandonedJobs

    func addRoutes(to api: RouterGroup<Context>) {
        api.get("config/defaults") { _, _ in JSONResponse.make(.object(VideoSettings.defaults.config.values)) }
        api.post("jobs/prepare", use: prepare)
        api.post("jobs", use: createQueued)
        api.get("jobs", use: list)
        api.get("jobs/:id", use: show)
        api.post("jobs/:id/start", use: start)
        api.post("jobs/:id/cancel", use: cancel)
        api.get("jobs/:id/logs", use: logs)
        api.get("jobs/:id/download", use: download)
        addActionRoutes(to: api)
    }

    @Sendable func prepare(_ request: Request, context: Context) async throws -> Response {
        try await abandoned.remove(logger: context.logger)
        return try await create(request, status: .preparing)
    }

    /// The earlier page's "use existing files": a job made of the shared
    /// folders' files, linked (or copied) into its own run and recorded as
    /// its files, so it renders, renders again and is removed without
    /// touching the shared folders. It is queued once they are all in.
    @Sendable func createQueued(_ request: Request, context: Context) async throws -> Response {
        let posted = try await JSONBody.object(of: request, limit: settings.maximumJSONBytes, optional: true)
        let config = try VideoSettings.completed(JobConfig(posted), fonts: settings.fonts)
        let job = try await newJob(config: config, status: .preparing)
        do {
            var shared: [(FileType, [String])] = []
            for type in FileType.allCases { shared.append((type, try await settings.files.sharedMedia(type))) }
            guard shared.contains(where: { $0.0 == .videos && !$0.1.isEmpty }) else {
                throw APIError.badRequest(
                    "there are no video clips in the shared videos folder (\(settings.files.location)/videos): "
                        + "put clips there, or prepare a job (POST /api/jobs/prepare) and upload them")
            }
            for (type, names) in shared {
                for name in names { try await settings.files.recordCopy(of: .shared(name, type), of: job, in: storage) }
            }
            guard let queued = try await storage.startJob(job.jobID, config: config, expectedConfig: job.configText)
            else { throw JobLookup.notFound(job.jobID) }
            return Self.created(queued)
        } catch {
            await discard(job, logger: context.logger)
            throw error
        }
    }

    private func create(_ request: Request, status: JobStatus) async throws -> Response {
        let posted = try await JSONBody.object(of: request, limit: settings.maximumJSONBytes, optional: true)
        let config = try VideoSettings.completed(JobConfig(posted), fonts: settings.fonts)
        return Self.created(try await newJob(config: config, status: status))
    }

    func newJob(config: JobConfig, status: JobStatus) async throws -> Job {
        let job = try await storage.createJob(
            NewJob(config: config, runsDirectory: settings.runsDirectory, status: status))
        do {
            try settings.data.create()
            try settings.data.runDirectory(of: job).create()
        } catch {
            _ = try? await storage.deleteJob(job.jobID)
            throw error
        }
        return job
    }

    /// A job that could not be made whole goes, rows and files.
    func discard(_ job: Job, logger: Logger) async {
        guard let deleted = try? await storage.deleteJob(job.jobID) else { return }
        await settings.removeFiles(of: deleted, logger: logger, as: "a job that could not be made whole was removed")
    }

    /// The new job's id, run and status; `from` names the job it was made from.
    static func created(_ job: Job, from: (key: String, jobID: Int64)? = nil) -> Response {
        var object: [String: JSONValue] = [
            "job_id": .int(job.jobID), "run_id": .string(job.runID), "status": .string(job.status.rawValue),
        ]
        if let from { object[from.key] = .int(from.jobID) }
        return JSONResponse.make(.object(object))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let parameters = request.uri.queryParameters
        var query = JobQuery(limit: JobQuery.maximumLimit)
        if let status = parameters["status"] { query.status = try JobStatus.parse(String(status)) }
        if let limit = parameters["limit"] {
            guard let value = Int(limit) else {
                throw APIError.badRequest("limit must be a whole number, not '\(limit)'")
            }
            query.limit = value
        }
        if let after = parameters["after"] { query.after = try JobCursor.parse(String(after)) }
        try query.validate()
        let page = try await storage.listJobs(query)
        let counts = try await storage.fileCounts(ofJobs: page.jobs.map(\.jobID))
        let sizes = await outputSizes(of: page.jobs)
        let now = storage.currentTime
        var body: [String: JSONValue] = [
            "jobs": .array(
                page.jobs.map {
                    JobObject.make(
                        $0, fileCounts: counts[$0.jobID] ?? FileCounts(), now: now, outputBytes: sizes[$0.jobID])
                })
        ]
        body["next_cursor"] = page.nextCursor.map { .string($0.description) } ?? .null
        return JSONResponse.make(.object(body))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), let summary = try await storage.jobSummary(id) else {
            throw JobLookup.notFound(text)
        }
        let size = await outputSizes(of: [summary.job])[id]
        return JSONResponse.make(
            JobObject.make(summary.job, fileCounts: summary.fileCounts, now: storage.currentTime, outputBytes: size))
    }

    /// The sizes of the finished videos among `jobs`, asked of the file
    /// store all at once (a stat each on disk, a HEAD each in a bucket); a
    /// size the store cannot tell is left out.
    func outputSizes(of jobs: [Job]) async -> [Int64: Int64] {
        let files = settings.files
        return await withTaskGroup(of: (Int64, Int64?).self) { group in
            for job in jobs where job.status == .completed {
                guard let output = job.outputFile, let name = RunFileName.output(storedPath: output) else { continue }
                group.addTask {
                    (job.jobID, try? await files.size(of: name, jobID: job.jobID, run: job.runDirectory))
                }
            }
            var sizes: [Int64: Int64] = [:]
            for await (id, size) in group { sizes[id] = size }
            return sizes
        }
    }

    @Sendable func start(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        try PreparingJob.require(job.jobID, job.status, toAllow: .start)
        let posted = try await JSONBody.object(of: request, limit: settings.maximumJSONBytes, optional: true)
        let config = try VideoSettings.completed(
            (job.config ?? JobConfig()).merging(JobConfig(posted)), fonts: settings.fonts)
        // The store checks again, with the files and the config as read, in the transaction that queues.
        guard let queued = try await storage.startJob(job.jobID, config: config, expectedConfig: job.configText)
        else { throw JobLookup.notFound(job.jobID) }
        return try await answer(queued, started: config)
    }

    /// A preparing or queued job is cancelled at once; a running one when its
    /// worker sees the request at its next heartbeat (`cancel_requested: true`).
    @Sendable func cancel(_ request: Request, context: Context) async throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), let outcome = try await storage.cancelJob(id) else {
            throw JobLookup.notFound(text)
        }
        var object = JobObject.make(
            outcome.job, fileCounts: try await storage.fileCounts(ofJob: id), now: storage.currentTime)
        if case .requested = outcome, case .object(var values) = object {
            values["cancel_requested"] = .bool(true)
            object = .object(values)
        }
        return JSONResponse.make(object)
    }

    @Sendable func logs(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        let run = try settings.data.runDirectory(of: job)
        // With an object store, this server's copy of the log a worker put
        // back; the cursor of "lines since the last read" is this server's own.
        _ = try await settings.files.fetchLog(jobID: job.jobID, run: job.runDirectory, scratch: run.path)
        let log = run.log
        let page: JobLog.Page
        if let after = request.uri.queryParameters["after"] {
            guard let position = Int(after), position >= 0 else {
                throw APIError.badRequest("after must be a line number of 0 or more, not '\(after)'")
            }
            page = try await BlockingIO.run { log.lines(after: position) }
        } else {
            page = try await BlockingIO.run { log.linesSinceLastRead() }
        }
        return JSONResponse.make(
            .object(["logs": .array(page.lines.map { .string($0) }), "next": .int(Int64(page.next))]))
    }

    @Sendable func download(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        guard job.status == .completed, let output = job.outputFile else {
            throw APIError.notFound("job \(job.jobID) has no finished video (it is \(job.status.rawValue))")
        }
        let gone = APIError.notFound("the video of job \(job.jobID) is not in its run directory any more")
        let files = settings.files
        guard !files.keepsFilesInPlace else {
            guard let file = try settings.data.runDirectory(of: job).resolve(output) else { throw gone }
            return try await videoResponse(
                job, name: URL(fileURLWithPath: file).lastPathComponent,
                body: try await FileIO().loadFile(path: file, context: context))
        }
        guard let name = RunFileName.output(storedPath: output) else { throw gone }
        if let expires = settings.redirectDownloads,
            let url = try files.downloadURL(of: name, jobID: job.jobID, run: job.runDirectory, expires: expires)
        {
            return Response(status: .temporaryRedirect, headers: [.location: url])
        }
        guard
            case .stream(let size, let chunks) = try await files.content(
                of: name, jobID: job.jobID, run: job.runDirectory)
        else { throw gone }
        let body = ResponseBody(contentLength: size.map(Int.init)) { writer in
            for try await chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
            try await writer.finish(nil)
        }
        return try await videoResponse(job, name: URL(fileURLWithPath: output).lastPathComponent, body: body)
    }

    /// Saved as `job-<id>-<file>`: two jobs rendered in the same second save
    /// under different names (`curl -OJ` will not overwrite).
    private func videoResponse(_ job: Job, name: String, body: ResponseBody) async throws -> Response {
        var headers: HTTPFields = [.contentType: "video/mp4"]
        headers[.contentDisposition] = ContentDisposition.attachment(filename: "job-\(job.jobID)-\(name)")
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The job with its file counts; with `started`, also `warnings`: what
    /// the job holds that its settings will not show (quotes that come after the end).
    private func answer(_ job: Job, started config: JobConfig? = nil) async throws -> Response {
        let counts = try await storage.fileCounts(ofJob: job.jobID)
        let object = JobObject.make(job, fileCounts: counts, now: storage.currentTime)
        guard let config, case .object(var values) = object else { return JSONResponse.make(object) }
        let warnings =
            counts.quotes > 0 ? (try? VideoSettings(config: config, fonts: settings.fonts))?.quoteWarnings ?? [] : []
        values["warnings"] = .array(warnings.map { .string($0) })
        return JSONResponse.make(.object(values))
    }
}

/// The `{id}` of a route, read and looked up the same way by every controller.
enum JobLookup {
    static func job(_ context: some RequestContext, _ storage: any JobStore) async throws -> Job {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), let job = try await storage.job(id) else { throw notFound(text) }
        return job
    }

    static func notFound(_ id: some CustomStringConvertible) -> APIError {
        APIError.notFound("job \(id) not found")
    }
}

enum ContentDisposition {
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `attachment` with an ASCII stand-in name and the real one (RFC 6266).
    static func attachment(filename: String) -> String {
        let ascii = String(
            filename.unicodeScalars.map { scalar in
                scalar.isASCII && scalar.value >= 32 && scalar != "\"" && scalar != "\\" ? Character(scalar) : "_"
            })
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
