import Foundation
import Logging
import Render
import RunFiles
import StorageCore

/// Encoding one piece of a job's render: claimed from the task queue by any
/// worker on any host, planned again here from the job's config and files
/// (the plan is deterministic; its fingerprint must match the one the job's
/// render queued), encoded in a scratch folder of its own and stored in the
/// job's run (`pieces/`) for the join. A piece whose job ended is cancelled
/// with the job's other pieces instead of encoded.
public struct RenderPieceWork: WorkKind {
    public struct Claimed: Sendable {
        let claimed: ClaimedTask<RenderPiece>
        var claim: TaskClaim { claimed.claim }
        var task: RenderPiece { claimed.task }
    }

    let storage: any JobStore & TaskQueue
    let runner: RenderJobRunner
    let logger: Logger

    /// `runner` plans as the job's render does (the same fonts and store).
    public init(storage: any JobStore & TaskQueue, runner: RenderJobRunner, logger: Logger) {
        self.storage = storage
        self.runner = runner
        self.logger = logger
    }

    public var name: String { "render piece" }
    public func workerName(process: String, slot: Int) -> String { "\(process)/piece\(slot)" }
    /// A piece is short: one that is not done by then is encoded again by the next worker.
    public func shutdownGrace(_ settings: WorkerSettings) -> Duration { settings.shutdownGrace }
    public func prepare() async throws { try runner.data.create() }

    public func claim(worker: String, lease: Duration) async throws -> Claimed? {
        try await storage.claimTask(RenderPiece.self, worker: worker, lease: lease).map(Claimed.init)
    }

    public var wakeups: any QueueWakeups { storage }

    public func rescue() async throws -> Logger.Metadata? {
        let rescued = try await storage.rescueExpiredTasks(RenderPiece.self)
        return rescued > 0 ? ["kind": "render piece", "count": "\(rescued)"] : nil
    }

    public func run(_ claimed: Claimed, control: WorkControl) async throws -> RenderPiece.Made {
        let task = claimed.task
        let clock = ContinuousClock()
        let start = clock.now
        guard let job = try await storage.job(task.jobID), Self.wantsPieces(job) else {
            _ = try await storage.endTasks(RenderPiece.self, ofJob: task.jobID)
            throw CancellationError()
        }
        guard let unit = PieceRenderer.Unit(name: task.unit) else {
            throw RenderError("the piece names no unit a render has: '\(task.unit)'")
        }
        let run = try runner.data.runDirectory(of: job)
        // Its own folder: the job's render sweeps `.tmp/` when an attempt begins.
        let scratch = run.path + "/.piece-\(task.id)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let input = try await runner.input(
            of: job, output: scratch + "/unused.mp4", scratch: scratch + "/work", copies: scratch)
        let plan = try await runner.renderer.prepare(input, log: { _ in })
        let pieces = PieceRenderer(
            plan: plan, scratch: scratch + "/pieces", piecesAtOnce: runner.renderer.concurrency)
        guard pieces.fingerprint == task.plan, pieces.has(unit) else {
            throw RenderError(
                "this host plans job \(job.jobID) differently from the host that queued its pieces (plan \(pieces.fingerprint), not \(task.plan)): its fonts, ffmpeg or the job's files differ"
            )
        }
        try await pieces.run(unit)
        // A job deleted meanwhile gets no run folder back from the piece.
        guard let still = try await storage.job(task.jobID), Self.wantsPieces(still) else { throw CancellationError() }
        var bytes: Int64 = 0
        for name in pieces.files(of: unit) {
            let path = pieces.scratch + "/" + name
            bytes += FileManager.default.size(atPath: path) ?? 0
            try await runner.files.place(
                path, as: try QueuedPieceEncoder.storedName(task.plan, name), jobID: job.jobID, run: job.runDirectory)
        }
        return RenderPiece.Made(bytes: bytes, seconds: (clock.now - start).inSeconds)
    }

    /// A job whose render still needs its pieces: running, or queued again after its render's worker was lost.
    static func wantsPieces(_ job: Job) -> Bool { job.status == .running || job.status == .queued }

    /// Keeps the lease, and ends the job's pieces once the job itself has ended.
    public func renew(_ claimed: Claimed, lease: Duration) async throws -> LeaseState {
        guard try await storage.recordProgress(RenderPiece.self, claimed.claim, (), lease: lease) else { return .lost }
        if let job = try await storage.job(claimed.task.jobID), Self.wantsPieces(job) { return .held }
        _ = try await storage.endTasks(RenderPiece.self, ofJob: claimed.task.jobID)
        return .cancelRequested
    }

    public func outcome(for error: any Error) -> WorkOutcome<RenderPiece.Made> {
        // An outage is no fault of the piece: the next worker (or this one) encodes it again.
        error is CancellationError || QueuedPieceEncoder.isOutage(error) ? .handedBack : .failed(describeError(error))
    }

    public func finish(_ claimed: Claimed, _ outcome: WorkOutcome<RenderPiece.Made>) async throws -> Bool {
        let pieceOutcome: TaskOutcome<RenderPiece.Made> =
            switch outcome {
            case .completed(let made): .completed(made)
            case .failed(let error): .failed(error: error, nil)
            // A cancelled piece was ended with its job already: this finds it no longer held.
            case .cancelled, .handedBack: .handedBack
            }
        return try await storage.finishTask(RenderPiece.self, claimed.claim, pieceOutcome) != nil
    }

    public func summary(_ output: RenderPiece.Made) -> String? {
        "\(output.bytes) bytes in " + String(format: "%.1f s", output.seconds)
    }

    public func note(_ claimed: Claimed, _ line: String) {
        logger.info("\(line)", metadata: label(claimed))
    }

    public func label(_ claimed: Claimed) -> Logger.Metadata {
        [
            "task": "\(claimed.claim.taskID)", "job_id": "\(claimed.task.jobID)", "unit": "\(claimed.task.unit)",
            "attempt": "\(claimed.claim.attempt)",
        ]
    }
}

/// Piece workers: the engine running `RenderPieceWork`.
public typealias RenderPieceWorker = WorkEngine<RenderPieceWork>
