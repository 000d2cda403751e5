import Foundation
import Logging
import ServiceLifecycle
import StorageCore
import Synchronization

/// The one worker engine: `settings.concurrency` loops that each claim work
/// of one kind, run it while heartbeats keep its lease, stop it on a cancel,
/// a lost lease or shutdown, and end the claim once; idle loops wait for a
/// wake-up or poll; one loop rescues the work of dead workers. On graceful
/// shutdown nothing new is claimed; running work gets the kind's grace and is
/// then handed back.
public final class WorkEngine<Kind: WorkKind>: Service, Sendable {
    let kind: Kind
    public let settings: WorkerSettings
    let logger: Logger
    private let stopping = Mutex(false)
    private let stopSignal = WakeSignal()

    public init(kind: Kind, settings: WorkerSettings, logger: Logger) {
        self.kind = kind
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        try settings.validate()
        try await kind.prepare()
        logger.info(
            "workers started",
            metadata: [
                "kind": "\(kind.name)", "worker": "\(settings.name)", "concurrency": "\(settings.concurrency)",
                "lease_seconds": "\(settings.lease.inSeconds)",
            ])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.rescueLoop() }
                for slot in 0..<settings.concurrency {
                    let worker = kind.workerName(process: settings.name, slot: slot)
                    group.addTask { await self.claimLoop(worker: worker) }
                }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            self.stop()
        }
        logger.info("workers stopped", metadata: ["kind": "\(kind.name)", "worker": "\(settings.name)"])
    }

    /// Stops claiming; running work finishes or is handed back after the grace period.
    public func stop() {
        stopping.withLock { $0 = true }
        stopSignal.notifyAll()
    }

    /// Stopping, or cancelled: a cancelled task's waits return at once, so a
    /// loop that ignored cancellation would spin, claiming in a tight circle.
    var isStopping: Bool { stopping.withLock { $0 } || Task.isCancelled }

    private func claimLoop(worker: String) async {
        while !isStopping {
            // Taken before the claim: work queued (or a stop) after it finds nothing still ends the wait.
            let queued = kind.wakeups.queueMark
            let stop = stopSignal.mark
            do {
                if isStopping { return }
                if let claimed = try await kind.claim(worker: worker, lease: settings.lease) {
                    await Execution(engine: self, claimed: claimed).run()
                } else {
                    await idle(since: queued, stop)
                }
            } catch {
                logger.warning(
                    "cannot claim work", metadata: ["kind": "\(kind.name)", "worker": "\(worker)", "error": "\(error)"])
                await stopSignal.wait(since: stop, timeout: .seconds(1))
            }
        }
    }

    /// Until work may have been queued, the poll interval passes, or shutdown.
    private func idle(since queued: WakeSignal.Mark?, _ stop: WakeSignal.Mark) async {
        let timeout = settings.pollInterval
        await firstToEnd(
            { await self.kind.wakeups.waitForQueuedJobs(since: queued, timeout: timeout) },
            { await self.stopSignal.wait(since: stop, timeout: timeout) })
    }

    private func rescueLoop() async {
        while !isStopping {
            let stop = stopSignal.mark
            do {
                if let report = try await kind.rescue() {
                    logger.notice("rescued the work of lost workers", metadata: report)
                }
            } catch {
                logger.warning("cannot rescue expired leases", metadata: ["kind": "\(kind.name)", "error": "\(error)"])
            }
            await stopSignal.wait(since: stop, timeout: settings.rescueInterval)
        }
    }

    /// Waits out a heartbeat, or less when shutdown begins.
    func waitForHeartbeat() async { await stopSignal.wait(timeout: settings.heartbeat) }

    var isShuttingDown: Bool { stopping.withLock { $0 } }
}

/// One claim on its way through the kind's work: heartbeats while it runs, a
/// stop when it must stop, and the one write that ends the claim. The work
/// and its heartbeats are child tasks of the claim loop, so cancelling the
/// engine (a service group's cancellation) reaches them: the work stops and
/// its claim is handed back.
final class Execution<Kind: WorkKind>: Sendable {
    let engine: WorkEngine<Kind>
    let claimed: Kind.Claimed
    private let reason = Mutex<StopReason?>(nil)
    /// Rung when the work itself asks to stop (a progress write saw a cancel or a lost lease).
    private let stopRequested = WakeSignal()

    init(engine: WorkEngine<Kind>, claimed: Kind.Claimed) {
        self.engine = engine
        self.claimed = claimed
    }

    var kind: Kind { engine.kind }

    /// Heartbeats start with the claim, before `begin`: a start that waits
    /// (fetching from a store that is away) must not let the lease run out.
    func run() async {
        let control = WorkControl { [self] why in stop(why) }
        let (kind, claimed, logger) = (self.kind, self.claimed, engine.logger)
        let started = ContinuousClock.now
        logger.info("task claimed", metadata: kind.label(claimed).merging(["kind": "\(kind.name)"]) { $1 })
        let result = await withTaskGroup(of: Result<Kind.Output, any Error>?.self) { group in
            group.addTask {
                await Self.result {
                    do {
                        try await kind.begin(claimed)
                    } catch {
                        logger.warning(
                            "work refused", metadata: kind.label(claimed).merging(["reason": "\(error)"]) { $1 })
                        throw error
                    }
                    return try await kind.run(claimed, control: control)
                }
            }
            // The watcher ends when the work must stop, or when it is cancelled.
            group.addTask {
                await self.watch()
                return nil
            }
            var result: Result<Kind.Output, any Error>?
            while let event = await group.next() {
                if let event { result = event }
                group.cancelAll()
            }
            return result ?? .failure(CancellationError())
        }
        // Cancelled from outside (the engine's task): the work goes back to the queue.
        if Task.isCancelled { reason.withLock { if $0 == nil { $0 = .shutdown } } }
        let outcome = outcome(for: result)
        // The end of the claim is written even when this task is cancelled:
        // an awaited task of its own does not inherit the cancellation.
        await Task { await self.finish(outcome) }.value
        let seconds = (ContinuousClock.now - started).inSeconds
        logger.info(
            "task finished",
            metadata: kind.label(claimed).merging([
                "kind": "\(kind.name)", "outcome": "\(outcome.map(Self.name) ?? "lease lost")",
                "duration_seconds": "\(String(format: "%.3f", seconds))",
            ]) { $1 })
        WorkerMetrics.taskFinished(
            kind: kind.name.replacingOccurrences(of: " ", with: "_"), outcome: outcome.map(Self.name) ?? "lease_lost",
            seconds: seconds)
    }

    static func name(_ outcome: WorkOutcome<Kind.Output>) -> String {
        switch outcome {
        case .completed: "completed"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .handedBack: "handed_back"
        }
    }

    private static func result<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    private func stop(_ why: StopReason) {
        reason.withLock { if $0 == nil { $0 = why } }
        stopRequested.notifyAll()
    }

    /// Heartbeats until the work ends (this task is cancelled) or must stop (it returns).
    private func watch() async {
        var graceEnds: ContinuousClock.Instant?
        let asked = stopRequested.mark
        while !Task.isCancelled {
            if reason.withLock({ $0 }) != nil { return }
            await firstToEnd(
                { await self.engine.waitForHeartbeat() },
                { await self.stopRequested.wait(since: asked, timeout: self.engine.settings.heartbeat) })
            if Task.isCancelled || reason.withLock({ $0 }) != nil { return }
            if engine.isShuttingDown {
                let deadline = graceEnds ?? ContinuousClock.now + kind.shutdownGrace(engine.settings)
                graceEnds = deadline
                if ContinuousClock.now >= deadline {
                    kind.note(claimed, "shutting down: handing the work back to the queue")
                    return stop(.shutdown)
                }
            }
            do {
                switch try await kind.renew(claimed, lease: engine.settings.lease) {
                case .held: continue
                case .cancelRequested:
                    kind.note(claimed, "cancel requested: stopping")
                    return stop(.cancelRequested)
                case .lost:
                    kind.note(claimed, "the lease was lost: another worker has the work now")
                    return stop(.leaseLost)
                }
            } catch {
                if Task.isCancelled { return }
                // The lease may still hold; the next heartbeat tries again.
                engine.logger.warning(
                    "heartbeat failed", metadata: kind.label(claimed).merging(["error": "\(error)"]) { $1 })
            }
        }
    }

    private func outcome(for result: Result<Kind.Output, any Error>) -> WorkOutcome<Kind.Output>? {
        switch (reason.withLock { $0 }, result) {
        case (.leaseLost, _): nil
        case (_, .success(let output)): .completed(output)
        case (.cancelRequested, .failure): .cancelled
        case (.shutdown, .failure): .handedBack
        case (nil, .failure(let error)): kind.outcome(for: error)
        }
    }

    /// Writes the outcome, retrying while the database is away (a restart);
    /// if it never comes back in time, the lease runs out and the work is rescued.
    private func finish(_ outcome: WorkOutcome<Kind.Output>?) async {
        var accepted = false
        if let outcome {
            let retry = FinishRetry(lease: engine.settings.lease, logger: engine.logger)
            await retry.run("the end of \(kind.name) work", metadata: kind.label(claimed)) {
                accepted = try await kind.finish(claimed, outcome)
                if accepted {
                    kind.note(claimed, "finished: \(describe(outcome))")
                } else {
                    kind.note(claimed, "not finished here: the work is no longer this worker's")
                }
            }
        }
        await kind.end(claimed, accepted: accepted)
    }

    func describe(_ outcome: WorkOutcome<Kind.Output>) -> String {
        switch outcome {
        case .completed(let output): "completed" + (kind.summary(output).map { " (\($0))" } ?? "")
        case .failed(let error): "failed: \(error)"
        case .cancelled: "cancelled"
        case .handedBack: "handed back to the queue"
        }
    }
}
