import Logging
import RunFiles
import StorageCore

/// Jobs left `preparing` for longer than the settings allow: uploads nobody
/// finished. They go, rows and run directory, before a new job is prepared and
/// when the server starts, as in the earlier service (which forgot the folders).
struct AbandonedJobs: Sendable {
    let storage: any Storage
    let settings: ServerSettings

    @discardableResult
    func remove(logger: Logger) async throws -> Int {
        let cutoff = settings.clock().adding(seconds: -settings.abandonedAfter.inSeconds)
        var removed = 0
        for job in try await storage.stalePreparingJobs(createdBefore: cutoff) {
            guard let deleted = try await storage.deleteJob(job.jobID) else { continue }
            removed += 1
            do {
                try RunDirectory(path: deleted.runDirectory).remove()
            } catch {
                logger.warning(
                    "abandoned job removed, its folder not", metadata: ["job_id": "\(job.jobID)", "error": "\(error)"])
            }
        }
        if removed > 0 { logger.info("removed abandoned preparing jobs", metadata: ["count": "\(removed)"]) }
        return removed
    }
}
