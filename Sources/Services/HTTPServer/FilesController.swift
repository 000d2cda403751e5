import Foundation
import Hummingbird
import RunFiles
import StorageCore

/// A job's media: upload (multipart, streamed to disk), list, delete.
struct FilesController<Context: RequestContext> {
    static var field: String { "files" }

    let storage: any JobStore & FileStore
    let settings: ServerSettings

    func addRoutes(to api: RouterGroup<Context>) {
        api.post("jobs/:id/upload/:type", use: upload)
        api.get("jobs/:id/files/:type", use: list)
        api.delete("jobs/:id/files/:type/:name", use: delete)
    }

    @Sendable func upload(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        let type = try FileType.parse(context.parameters.get("type") ?? "")
        try PreparingJob.require(job.jobID, job.status, toAllow: .addFiles)
        guard let boundary = MultipartUpload.boundary(of: request.headers[.contentType]) else {
            throw APIError.badRequest("send the files as multipart/form-data in the field '\(Self.field)'")
        }
        try settings.data.create()
        let run = try settings.data.runDirectory(of: job)
        try run.create()
        var upload = MultipartUpload(
            boundary: boundary, field: Self.field, type: type, folder: run.folder(for: type),
            limit: settings.maximumFileBytes
        ) { name, file in
            try await settings.files.record(file, as: name, type: type, of: job, in: storage)
        }
        do {
            try await upload.receive(request.body)
        } catch let error as UploadFile.WriteError {
            var answer = APIError(error)
            answer.extra["uploaded"] = .array(upload.uploaded.map { .string($0) })
            throw answer
        }
        guard upload.parts > 0 else {
            throw APIError.badRequest("no files in the field '\(Self.field)'")
        }
        let counts = try await storage.fileCounts(ofJob: job.jobID)
        return JSONResponse.make(
            .object([
                "uploaded": .array(upload.uploaded.map { .string($0) }),
                "errors": .array(upload.errors.map { .string($0) }),
                "file_counts": JobObject.counts(counts),
            ]))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        let type = try FileType.parse(context.parameters.get("type") ?? "")
        let files = try await storage.files(ofJob: job.jobID, type: type)
        return JSONResponse.make(.object(["files": .array(files.map { .string($0.filename) })]))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        let type = try FileType.parse(context.parameters.get("type") ?? "")
        // The router leaves percent-escapes in; the web page encodes names with encodeURIComponent.
        let raw = context.parameters.get("name") ?? ""
        let name = raw.removingPercentEncoding ?? raw
        try PreparingJob.require(job.jobID, job.status, toAllow: .removeFiles)
        guard let file = try await storage.deleteFileWhilePreparing(jobID: job.jobID, type: type, filename: name)
        else {
            throw APIError.notFound("job \(job.jobID) has no \(type.rawValue) file named '\(name)'")
        }
        // Only a file inside the run directory is ever removed.
        if settings.files.keepsFilesInPlace {
            if let run = try? settings.data.runDirectory(of: job), let path = run.resolve(file.filePath) {
                unlink(path)
            }
        } else if let runName = RunFileName(type: type, storedPath: file.filePath) {
            try await settings.files.remove(runName, jobID: job.jobID, run: job.runDirectory)
        }
        let counts = try await storage.fileCounts(ofJob: job.jobID)
        return JSONResponse.make(
            .object(["message": .string("removed \(name)"), "file_counts": JobObject.counts(counts)]))
    }
}
