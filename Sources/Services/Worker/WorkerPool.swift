import Logging
import RunFiles
import ServiceLifecycle
import StorageCore
import Synchronization

/// `settings.concurrency` workers in this process: each claims a job, runs it
/// with the runner while heartbeats keep its lease, and finishes it; idle
/// workers wait for a wake-up or poll. Every pool also rescues jobs of dead
/// workers. On graceful shutdown nothing new is claimed; running jobs get
/// `shutdownGrace` to finish and are then handed back to the queue.
public final class WorkerPool: Service, Sendable {
    let storage: any RenderQueue
    let runner: any JobRunner
    /// Where run directories live: a job's log and files are used only inside it.
    let dataDirectory: DataDirectory
    public let settings: WorkerSettings
    let logger: Logger
    private let stopping = Mutex(false)
    private let stopSignal = WakeSignal()

    public init(
        storage: any RenderQueue, runner: any JobRunner, dataDirectory: DataDirectory, settings: WorkerSettings,
        logger: Logger
    ) {
        self.storage = storage
        self.runner = runner
        self.dataDirectory = dataDirectory
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        try settings.validate()
        try dataDirectory.create()
        logger.info(
            "workers started",
            metadata: [
                "worker": "\(settings.name)", "concurrency": "\(settings.concurrency)",
                "lease_seconds": "\(settings.lease.inSeconds)",
            ])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.rescueLoop() }
                for slot in 0..<settings.concurrency {
                    group.addTask { await self.claimLoop(worker: "\(self.settings.name)/\(slot)") }
                }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            self.stop()
        }
        logger.info("workers stopped", metadata: ["worker": "\(settings.name)"])
    }

    /// Stops claiming; running jobs finish or are handed back after the grace period.
    public func stop() {
        stopping.withLock { $0 = true }
        stopSignal.notifyAll()
    }

    /// Stopping, or cancelled: a cancelled task's waits return at once, so a
    /// loop that ignored cancellation would spin, claiming in a tight circle.
    var isStopping: Bool { stopping.withLock { $0 } || Task.isCancelled }

    private func claimLoop(worker: String) async {
        while !isStopping {
            // Taken before the claim: a job queued (or a stop) after it finds nothing still wakes the wait.
            let queued = storage.queueMark
            let stop = stopSignal.mark
            do {
                if isStopping { return }
                if let claimed = try await storage.claimJob(worker: worker, lease: settings.lease) {
                    await JobExecution(pool: self, claimed: claimed).run()
                } else {
                    await idle(since: queued, stop, settings.pollInterval)
                }
            } catch {
                logger.warning("cannot claim a job", metadata: ["worker": "\(worker)", "error": "\(error)"])
                await stopSignal.wait(timeout: .seconds(1))
            }
        }
    }

    /// Until a job may have been queued, the poll interval passes, or shutdown.
    private func idle(since queued: WakeSignal.Mark, _ stop: WakeSignal.Mark, _ timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.storage.waitForQueuedJobs(since: queued, timeout: timeout) }
            group.addTask { await self.stopSignal.wait(since: stop, timeout: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func rescueLoop() async {
        while !isStopping {
            do {
                let report = try await storage.rescueExpiredLeases(maximumAttempts: settings.maximumAttempts)
                if !report.isEmpty {
                    logger.notice(
                        "rescued jobs of lost workers",
                        metadata: [
                            "requeued": "\(report.requeued)", "failed": "\(report.failed)",
                            "cancelled": "\(report.cancelled)",
                        ])
                }
            } catch {
                logger.warning("cannot rescue expired leases", metadata: ["error": "\(error)"])
            }
            await stopSignal.wait(timeout: settings.rescueInterval)
        }
    }

    /// Waits out a heartbeat, or less when shutdown begins.
    func waitForHeartbeat() async { await stopSignal.wait(timeout: settings.heartbeat) }
}
