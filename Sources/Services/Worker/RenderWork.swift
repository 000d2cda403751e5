import Foundation
import Logging
import RunFiles
import StorageCore
import Synchronization

/// Rendering a job: claimed from the jobs queue, run by a `JobRunner` inside
/// the job's run directory (checked by the path rule), its log in `job.log`.
/// With an object store the run directory is this host's copy: the log is
/// fetched at the start, put back every `logSyncInterval` while the render
/// runs (beside it, never on the heartbeat's path: a store that is away must
/// not hold up the lease) and at the end, and the copy is removed when the
/// attempt is over.
public struct RenderWork: WorkKind {
    public final class Claimed: Sendable {
        let claimed: ClaimedJob
        /// A failure when the path rule refuses the job's run directory: nothing is written there.
        let runDirectory: Result<RunDirectory, RunDirectoryRefused>
        /// Until when the lease is known to hold (the claim, then each heartbeat that found it held).
        let hold: LeaseHold
        /// The copy of the log this host last saw in the object store.
        let storedLog = Mutex<LogVersion>(.unknown)
        var claim: JobClaim { claimed.claim }

        init(claimed: ClaimedJob, runDirectory: Result<RunDirectory, RunDirectoryRefused>, hold: LeaseHold) {
            self.claimed = claimed
            self.runDirectory = runDirectory
            self.hold = hold
        }
    }

    let storage: any RenderQueue
    let runner: any JobRunner
    let dataDirectory: DataDirectory
    let files: any RunFileStore
    let logger: Logger
    var logSyncInterval: Duration = .seconds(5)

    public var name: String { "render" }
    public func workerName(process: String, slot: Int) -> String { "\(process)/\(slot)" }
    public func shutdownGrace(_ settings: WorkerSettings) -> Duration { settings.shutdownGrace }
    public func prepare() async throws { try dataDirectory.create() }

    public func claim(worker: String, lease: Duration) async throws -> Claimed? {
        let asked = ContinuousClock.now
        guard let claimed = try await storage.claimJob(worker: worker, lease: lease) else { return nil }
        let runDirectory: Result<RunDirectory, RunDirectoryRefused>
        do {
            runDirectory = .success(try dataDirectory.runDirectory(of: claimed.job))
        } catch {
            runDirectory = .failure(error)
        }
        return Claimed(claimed: claimed, runDirectory: runDirectory, hold: LeaseHold(since: asked, lease: lease))
    }

    public var wakeups: any QueueWakeups { storage }

    public func rescue() async throws -> Logger.Metadata? {
        let report = try await storage.rescueExpiredLeases()
        guard !report.isEmpty else { return nil }
        return [
            "kind": "render", "requeued": "\(report.requeued)", "failed": "\(report.failed)",
            "cancelled": "\(report.cancelled)",
        ]
    }

    public func begin(_ claimed: Claimed) async throws {
        let runDirectory = try claimed.runDirectory.get()
        try? runDirectory.create()
        // Earlier attempts' lines, from whichever host ran them.
        let job = claimed.claimed.job
        let version = try await files.fetchLog(jobID: job.jobID, run: job.runDirectory, scratch: runDirectory.path)
        claimed.storedLog.withLock { $0 = version }
        // A worker killed mid-render left its partial output; it is never a result.
        let swept = runDirectory.sweepPartialFiles()
        note(claimed, "attempt \(claimed.claim.attempt) on worker \(claimed.claim.workerID)")
        if !swept.isEmpty { note(claimed, "removed what an earlier attempt left: \(swept.joined(separator: ", "))") }
    }

    public func run(_ claimed: Claimed, control: WorkControl) async throws -> String? {
        let claim = claimed.claim
        let reporter = JobReporter(
            progress: { percent, step in
                do {
                    switch try await storage.reportProgress(claim, progress: percent, step: step) {
                    case .held: break
                    // Progress writes learn of a cancel as heartbeats do, and often sooner.
                    case .cancelRequested: control.stop(.cancelRequested)
                    case .lost: control.stop(.leaseLost)
                    }
                } catch {
                    logger.warning(
                        "progress not recorded", metadata: ["job_id": "\(claim.jobID)", "error": "\(error)"])
                }
            },
            log: { line in note(claimed, line) })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await syncLog(claimed) }
            defer { group.cancelAll() }
            return try await runner.run(claimed.claimed.job, reporter: reporter)
        }
    }

    /// Puts the log back whenever it has grown, until cancelled; each put
    /// only while the lease is known to hold, and given up when it may have
    /// run out: a worker cut off from the store and the database must not
    /// put its stale log over the next attempt's once it is back.
    func syncLog(_ claimed: Claimed) async {
        guard case .success(let runDirectory) = claimed.runDirectory else { return }
        var stored: Int64 = -1
        while !Task.isCancelled {
            try? await Task.sleep(for: logSyncInterval)
            let size = FileManager.default.size(atPath: runDirectory.log.path)
            let remaining = claimed.hold.remaining
            guard let size, size != stored, remaining > .zero, !Task.isCancelled else { continue }
            let put = await firstToEnd(
                { await putBackLog(claimed) },
                {
                    try? await Task.sleep(for: remaining)
                    return false
                })
            if put { stored = size }
        }
    }

    public func renew(_ claimed: Claimed, lease: Duration) async throws -> LeaseState {
        let asked = ContinuousClock.now
        let state = try await storage.renewLease(claimed.claim, lease: lease)
        if state == .held { claimed.hold.held(since: asked, lease: lease) }
        return state
    }

    public func finish(_ claimed: Claimed, _ outcome: WorkOutcome<String?>) async throws -> Bool {
        let jobOutcome: JobOutcome =
            switch outcome {
            case .completed(let output): .completed(outputFile: output)
            case .failed(let error): .failed(error: error)
            case .cancelled: .cancelled
            case .handedBack: .handedBack
            }
        let accepted = try await storage.finishJob(claimed.claim, jobOutcome)
        if accepted, case .failed = outcome, let queue = storage as? any TaskQueue {
            // No piece outlives a failed render (a cancel ends them when it is asked for).
            _ = try? await queue.endTasks(RenderPiece.self, ofJob: claimed.claim.jobID)
        }
        return accepted
    }

    /// With an object store: the log, with its last line, goes back (unless a
    /// later attempt replaced this one: its log is left alone) and this
    /// host's copy of the run is removed, also after a lost lease.
    public func end(_ claimed: Claimed, accepted: Bool) async {
        guard case .success(let runDirectory) = claimed.runDirectory else { return }
        if accepted { await putBackLog(claimed) }
        do {
            try files.removeHostCopy(runDirectory)
        } catch {
            logger.warning(
                "cannot remove this host's copy of the run",
                metadata: ["job_id": "\(claimed.claim.jobID)", "error": "\(error)"])
        }
    }

    /// The local log, put back where the job's files live (nothing to do in
    /// a data directory); false when the store did not take it.
    @discardableResult
    func putBackLog(_ claimed: Claimed) async -> Bool {
        guard case .success(let runDirectory) = claimed.runDirectory,
            FileManager.default.fileExists(atPath: runDirectory.log.path)
        else { return true }
        let job = claimed.claimed.job
        do {
            let seen = claimed.storedLog.withLock { $0 }
            let version = try await files.placeLog(
                runDirectory.log.path, jobID: job.jobID, run: job.runDirectory, over: seen)
            claimed.storedLog.withLock { $0 = version }
            return true
        } catch {
            if !(error is CancellationError) {
                logger.warning("cannot store the job log", metadata: ["job_id": "\(job.jobID)", "error": "\(error)"])
            }
            return false
        }
    }

    public func summary(_ output: String?) -> String? { output }

    public func note(_ claimed: Claimed, _ line: String) {
        guard case .success(let runDirectory) = claimed.runDirectory else { return }
        do {
            try runDirectory.log.append(line)
        } catch {
            logger.warning(
                "cannot write the job log", metadata: ["job_id": "\(claimed.claim.jobID)", "error": "\(error)"])
        }
    }

    public func label(_ claimed: Claimed) -> Logger.Metadata {
        ["job_id": "\(claimed.claim.jobID)", "attempt": "\(claimed.claim.attempt)"]
    }
}

/// Render workers: the engine running `RenderWork`.
public typealias WorkerPool = WorkEngine<RenderWork>

extension WorkEngine where Kind == RenderWork {
    public convenience init(
        storage: any RenderQueue, runner: any JobRunner, dataDirectory: DataDirectory, settings: WorkerSettings,
        logger: Logger, files: (any RunFileStore)? = nil
    ) {
        self.init(
            kind: RenderWork(
                storage: storage, runner: runner, dataDirectory: dataDirectory,
                files: files ?? LocalRunFileStore(dataDirectory), logger: logger),
            settings: settings, logger: logger)
    }
}

/// Until when a claim's lease is known to hold, by this host's monotonic
/// clock: from the moment a claim or renewal was asked for, one lease on.
final class LeaseHold: Sendable {
    private let until: Mutex<ContinuousClock.Instant>

    init(since asked: ContinuousClock.Instant, lease: Duration) { until = Mutex(asked + lease) }

    func held(since asked: ContinuousClock.Instant, lease: Duration) {
        until.withLock { $0 = max($0, asked + lease) }
    }

    var remaining: Duration { until.withLock { $0 } - ContinuousClock.now }
}
