import Logging
import RunFiles
import StorageCore

/// Jobs left `preparing` for longer than the settings allow: uploads nobody
/// finished. They go, rows and run directory, before a new job is prepared and
/// when the server starts, as in the earlier service (which forgot the folders).
/// A folder the path rule refuses stays where it is, with a warning naming it.
struct AbandonedJobs: Sendable {
    let storage: any JobStore
    let settings: ServerSettings

    @discardableResult
    func remove(logger: Logger) async throws -> Int {
        let cutoff = settings.clock().adding(seconds: -settings.abandonedAfter.inSeconds)
        let deleted = try await storage.deleteStalePreparingJobs(createdBefore: cutoff)
        for job in deleted { await settings.removeFiles(of: job, logger: logger, as: "abandoned job removed") }
        if !deleted.isEmpty { logger.info("removed abandoned preparing jobs", metadata: ["count": "\(deleted.count)"]) }
        return deleted.count
    }
}

extension ServerSettings {
    /// The files of a job whose rows are gone: its objects in the store and
    /// its run directory, if the path rule allows; what stays is logged as
    /// `what` with where it stays.
    func removeFiles(of job: DeletedJob, logger: Logger, as what: String) async {
        if !files.keepsFilesInPlace {
            do {
                try await files.removeAll(jobID: job.jobID, run: job.runDirectory)
            } catch {
                logger.warning(
                    "\(what); its files stay in the object store",
                    metadata: ["job_id": "\(job.jobID)", "reason": "\(error)"])
            }
        }
        if case .refused(let reason) = data.removeRunDirectory(of: job) {
            logger.warning(
                "\(what); its folder is left in place", metadata: ["job_id": "\(job.jobID)", "reason": "\(reason)"])
        }
    }
}
