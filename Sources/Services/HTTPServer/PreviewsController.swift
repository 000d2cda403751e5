import Foundation
import Hummingbird
import Render
import RunFiles
import StorageCore

/// What the page shows of a job's media before and after the render: each
/// file's size, length and picture size (ffprobe), a quote's text, and one
/// frame of a clip or of the finished video (ffmpeg), kept in the run
/// directory's `previews/` so it is taken once and goes with the job.
struct PreviewsController<Context: RequestContext> {
    let storage: any JobStore & FileStore
    let settings: ServerSettings
    /// At most this many ffmpeg or ffprobe processes for previews at once.
    let tools = ToolSlots(count: 2)

    func addRoutes(to api: RouterGroup<Context>) {
        api.get("jobs/:id/media", use: media)
        api.get("jobs/:id/files/:type/:name/poster", use: filePoster)
        api.get("jobs/:id/poster", use: outputPoster)
    }

    /// `{files: [{type, name, size, duration_seconds, width, height, text, poster}]}`,
    /// in upload order; what cannot be read is null.
    @Sendable func media(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        var files: [JSONValue] = []
        for row in try await storage.files(ofJob: job.jobID, type: nil) {
            var object: [String: JSONValue] = [
                "type": .string(row.fileType.rawValue), "name": .string(row.filename),
                "size": .null, "duration_seconds": .null, "width": .null, "height": .null, "text": .null,
                "poster": .null,
            ]
            if let source = try await source(of: row, in: job) {
                object["size"] = source.size.map { .int($0) } ?? .null
                if row.fileType == .quotes {
                    object["text"] = try await quoteText(row, from: source, job: job).map { .string($0) } ?? .null
                } else if let info = try? await probe(source) {
                    object["duration_seconds"] = .double((info.duration * 1000).rounded() / 1000)
                    object["width"] = info.width.map { .int(Int64($0)) } ?? .null
                    object["height"] = info.height.map { .int(Int64($0)) } ?? .null
                }
            }
            if row.fileType == .videos {
                let name = row.filename.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ""
                object["poster"] = .string("/api/jobs/\(job.jobID)/files/videos/\(name)/poster")
            }
            files.append(.object(object))
        }
        return JSONResponse.make(.object(["files": .array(files)]))
    }

    @Sendable func filePoster(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        let type = try FileType.parse(context.parameters.get("type") ?? "")
        let raw = context.parameters.get("name") ?? ""
        let name = raw.removingPercentEncoding ?? raw
        guard type == .videos else { throw APIError.notFound("only video clips have a picture") }
        guard let row = try await storage.files(ofJob: job.jobID, type: .videos).first(where: { $0.filename == name })
        else { throw APIError.notFound("job \(job.jobID) has no video clip named '\(name)'") }
        return try await poster(named: "file-\(row.id).jpg", of: job, context: context) {
            try await source(of: row, in: job)
        }
    }

    @Sendable func outputPoster(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        guard job.status == .completed, let output = job.outputFile, let name = RunFileName.output(storedPath: output)
        else { throw APIError.notFound("job \(job.jobID) has no finished video (it is \(job.status.rawValue))") }
        return try await poster(named: "output.jpg", of: job, context: context) {
            try await source(of: name, storedPath: output, in: job)
        }
    }

    /// The cached picture, or a new one taken from `source`.
    private func poster(
        named file: String, of job: Job, context: Context, source: () async throws -> MediaSource?
    ) async throws -> Response {
        let folder = try settings.data.runDirectory(of: job).path + "/previews"
        let path = folder + "/" + file
        if !FileManager.default.fileExists(atPath: path) {
            guard let source = try await source() else {
                throw APIError.notFound("the video of job \(job.jobID) is not in its run directory any more")
            }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let duration = (try? await probe(source))?.duration
            do {
                try await tools.run { try await MediaPreview.poster(of: source.input, duration: duration, to: path) }
            } catch let error as RenderError {
                throw APIError(status: .unprocessableContent, message: error.description)
            }
        }
        let body = try await FileIO().loadFile(path: path, context: context)
        return Response(
            status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=86400"], body: body)
    }

    // MARK: Where a file is read from

    /// A file as ffmpeg reads it: a path in the data directory (checked by
    /// the path rule), or a short-lived presigned URL of the bucket.
    struct MediaSource {
        var input: String
        var name: String
        var size: Int64?
        var local: Bool
    }

    private func source(of row: JobFile, in job: Job) async throws -> MediaSource? {
        guard let name = RunFileName(type: row.fileType, storedPath: row.filePath) else { return nil }
        return try await source(of: name, storedPath: row.filePath, in: job)
    }

    private func source(of name: RunFileName, storedPath: String, in job: Job) async throws -> MediaSource? {
        let files = settings.files
        let label = URL(fileURLWithPath: storedPath).lastPathComponent
        if files.keepsFilesInPlace {
            guard let path = try settings.data.runDirectory(of: job).resolve(storedPath) else { return nil }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? nil
            return MediaSource(input: path, name: label, size: size, local: true)
        }
        guard let size = try await files.size(of: name, jobID: job.jobID, run: job.runDirectory),
            let url = try files.downloadURL(of: name, jobID: job.jobID, run: job.runDirectory, expires: .seconds(600))
        else { return nil }
        return MediaSource(input: url, name: label, size: size, local: false)
    }

    private func probe(_ source: MediaSource) async throws -> MediaInfo {
        try await tools.run {
            source.local
                ? try await MediaProbe.probe(source.input)
                : try await MediaProbe.probe(url: source.input, name: source.name)
        }
    }

    /// The first 2,000 characters of a quote file: read where `source` found
    /// it on disk, or from a copy fetched out of the bucket.
    private func quoteText(_ row: JobFile, from source: MediaSource, job: Job) async throws -> String? {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("yt-builder-quote-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let path: String
        if source.local {
            path = source.input
        } else {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            path = try await settings.files.localCopy(
                of: row, jobID: job.jobID, run: job.runDirectory, scratch: scratch)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 8_000)) ?? Data()
        return String(String(decoding: data, as: UTF8.self).prefix(2_000))
    }
}

/// A fixed number of places; `run` waits (suspended) for one.
actor ToolSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = count }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if free > 0 {
            free -= 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
        defer { release() }
        return try await body()
    }

    private func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
