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
        for job in deleted {
            if !settings.files.keepsFilesInPlace {
                do {
                    try await settings.files.removeAll(jobID: job.jobID, run: job.runDirectory)
                } catch {
                    logger.warning(
                        "abandoned job removed; its files stay in the object store",
                        metadata: ["job_id": "\(job.jobID)", "reason": "\(error)"])
                }
            }
            if case .refused(let reason) = settings.data.removeRunDirectory(of: job) {
                logger.warning(
                    "abandoned job removed; its folder is left in place",
                    metadata: ["job_id": "\(job.jobID)", "reason": "\(reason)"])
            }
        }
        if !deleted.isEmpty { logger.info("removed abandoned preparing jobs", metadata: ["count": "\(deleted.count)"]) }
        return deleted.count
    }
}
