import Hummingbird
import Logging
import RunFiles
import StorageCore
import VideoSettings

/// What the history lets a person do with a job: delete it, make another
/// like it, try a failed one again.
extension JobsController {
    func addActionRoutes(to api: RouterGroup<Context>) {
        api.delete("jobs/:id", use: delete)
        api.post("jobs/:id/duplicate", use: duplicate)
        api.post("jobs/:id/retry", use: retry)
    }

    /// A job that is not queued or running goes, with its files and uploads'
    /// rows; its run directory and stored files are removed.
    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let job = try await JobLookup.job(context, storage)
        guard job.status != .queued, job.status != .running else {
            throw APIError(
                status: .conflict, message: "job \(job.jobID) is \(job.status.rawValue); cancel it before deleting it")
        }
        guard let deleted = try await storage.deleteJob(job.jobID) else { throw JobLookup.notFound(job.jobID) }
        await settings.removeFiles(of: deleted, logger: context.logger, as: "a job was deleted")
        return JSONResponse.make(.object(["deleted": .int(deleted.jobID)]))
    }

    /// "Make another like this": a new preparing job with the same settings
    /// and its own links (or copies) of the same files, to change and start.
    @Sendable func duplicate(_ request: Request, context: Context) async throws -> Response {
        let original = try await JobLookup.job(context, storage)
        let (copy, _) = try await copyJob(original, logger: context.logger)
        return Self.created(copy, from: ("duplicate_of", original.jobID))
    }

    /// A failed or cancelled job tried again: a copy of it, queued at once.
    /// The original stays as the record of what went wrong.
    @Sendable func retry(_ request: Request, context: Context) async throws -> Response {
        let original = try await JobLookup.job(context, storage)
        guard original.status == .failed || original.status == .cancelled else {
            throw APIError(
                status: .conflict,
                message:
                    "job \(original.jobID) is \(original.status.rawValue); only a failed or cancelled job can be retried"
            )
        }
        let (copy, config) = try await copyJob(original, logger: context.logger)
        do {
            guard let queued = try await storage.startJob(copy.jobID, config: config, expectedConfig: copy.configText)
            else { throw JobLookup.notFound(copy.jobID) }
            return Self.created(queued, from: ("retry_of", original.jobID))
        } catch {
            await discard(copy, logger: context.logger)
            throw error
        }
    }

    /// A new preparing job with `original`'s settings (checked again, as
    /// they will be rendered) and files.
    private func copyJob(_ original: Job, logger: Logger) async throws -> (Job, JobConfig) {
        let config = try VideoSettings.completed(original.config ?? JobConfig(), fonts: settings.fonts)
        let job = try await newJob(config: config, status: .preparing)
        do {
            for row in try await storage.files(ofJob: original.jobID, type: nil) {
                try await settings.files.recordCopy(of: .jobFile(row, run: original.runDirectory), of: job, in: storage)
            }
            return (job, config)
        } catch {
            await discard(job, logger: logger)
            throw error
        }
    }
}
