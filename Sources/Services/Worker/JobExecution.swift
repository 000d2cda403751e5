import Foundation
import Logging
import RunFiles
import StorageCore
import Synchronization

/// One claimed job on its way through the runner: heartbeats while it runs,
/// a stop when a cancel is asked for, the lease is lost or shutdown runs out
/// of grace, and the one write that finishes the claim.
final class JobExecution: Sendable {
    enum StopReason: Sendable {
        case cancelRequested, leaseLost, shutdown
    }

    let pool: WorkerPool
    let claimed: ClaimedJob
    /// A failure when the path rule refuses the job's run directory: nothing is written there.
    let runDirectory: Result<RunDirectory, RunDirectoryRefused>
    private let reason = Mutex<StopReason?>(nil)
    private let work = Mutex<Task<String?, any Error>?>(nil)

    init(pool: WorkerPool, claimed: ClaimedJob) {
        self.pool = pool
        self.claimed = claimed
        do {
            runDirectory = .success(try pool.dataDirectory.runDirectory(of: claimed.job))
        } catch {
            runDirectory = .failure(error)
        }
    }

    var claim: JobClaim { claimed.claim }

    func run() async {
        let runDirectory: RunDirectory
        switch self.runDirectory {
        case .success(let checked): runDirectory = checked
        case .failure(let refused):
            pool.logger.warning("job refused", metadata: ["job_id": "\(claim.jobID)", "reason": "\(refused)"])
            return await finish(.failed(error: refused.description))
        }
        try? runDirectory.create()
        // A worker killed mid-render left its partial output; it is never a result.
        let swept = runDirectory.sweepPartialFiles()
        write("attempt \(claim.attempt) on worker \(claim.workerID)")
        if !swept.isEmpty { write("removed what an earlier attempt left: \(swept.joined(separator: ", "))") }
        let reporter = JobReporter(
            progress: { percent, step in await self.reportProgress(percent, step) },
            log: { line in self.write(line) })
        let job = claimed.job
        let runner = pool.runner
        let work = Task { try await runner.run(job, reporter: reporter) }
        self.work.withLock { $0 = work }
        let watcher = Task { await self.watch(work) }
        let result = await work.result
        watcher.cancel()
        await finish(outcome(for: result))
    }

    private func stop(_ why: StopReason, _ work: Task<String?, any Error>) {
        reason.withLock { if $0 == nil { $0 = why } }
        work.cancel()
    }

    /// Heartbeats until the work ends; stops it when it must stop.
    private func watch(_ work: Task<String?, any Error>) async {
        var graceEnds: ContinuousClock.Instant?
        while !Task.isCancelled {
            await pool.waitForHeartbeat()
            if Task.isCancelled { return }
            if pool.isStopping {
                let deadline = graceEnds ?? ContinuousClock.now + pool.settings.shutdownGrace
                graceEnds = deadline
                if ContinuousClock.now >= deadline {
                    write("shutting down: handing the job back to the queue")
                    return stop(.shutdown, work)
                }
            }
            do {
                switch try await pool.storage.renewLease(claim, lease: pool.settings.lease) {
                case .held: continue
                case .cancelRequested:
                    write("cancel requested: stopping")
                    return stop(.cancelRequested, work)
                case .lost:
                    write("the lease was lost: another worker has the job now")
                    return stop(.leaseLost, work)
                }
            } catch {
                // The lease may still hold; the next heartbeat tries again.
                pool.logger.warning("heartbeat failed", metadata: ["job_id": "\(claim.jobID)", "error": "\(error)"])
            }
        }
    }

    private func reportProgress(_ percent: Int, _ step: String?) async {
        do {
            switch try await pool.storage.reportProgress(claim, progress: percent, step: step) {
            case .held: break
            // Progress writes learn of a cancel as heartbeats do, and often sooner.
            case .cancelRequested: work.withLock { $0 }.map { stop(.cancelRequested, $0) }
            case .lost: work.withLock { $0 }.map { stop(.leaseLost, $0) }
            }
        } catch {
            pool.logger.warning("progress not recorded", metadata: ["job_id": "\(claim.jobID)", "error": "\(error)"])
        }
    }

    private func outcome(for result: Result<String?, any Error>) -> JobOutcome? {
        switch (reason.withLock { $0 }, result) {
        case (.leaseLost, _): nil
        case (_, .success(let output)): .completed(outputFile: output)
        case (.cancelRequested, .failure): .cancelled
        case (.shutdown, .failure): .handedBack
        case (nil, .failure(let error)): .failed(error: Self.describe(error))
        }
    }

    /// Writes the outcome, retrying while the database is away (a restart);
    /// if it never comes back in time, the lease runs out and the job is rescued.
    private func finish(_ outcome: JobOutcome?) async {
        guard let outcome else { return }
        let retry = FinishRetry(lease: pool.settings.lease, logger: pool.logger)
        await retry.run("the end of job \(claim.jobID)", metadata: ["job_id": "\(claim.jobID)"]) {
            if try await pool.storage.finishJob(claim, outcome) {
                write("finished: \(Self.describe(outcome))")
            } else {
                write("not finished here: the job is no longer this worker's")
            }
        }
    }

    private func write(_ line: String) {
        guard case .success(let runDirectory) = runDirectory else { return }
        let log = runDirectory.log
        do {
            try log.append(line)
        } catch {
            pool.logger.warning(
                "cannot write the job log", metadata: ["job_id": "\(claim.jobID)", "error": "\(error)"])
        }
    }

    static func describe(_ outcome: JobOutcome) -> String {
        switch outcome {
        case .completed(let output): "completed" + (output.map { " (\($0))" } ?? "")
        case .failed(let error): "failed: \(error)"
        case .cancelled: "cancelled"
        case .handedBack: "handed back to the queue"
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? StorageError { return error.message }
        if error is CancellationError { return "stopped" }
        return String(describing: error)
    }
}
