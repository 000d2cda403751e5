import Foundation
import Render
import RunFiles
import StorageCore
import Synchronization

/// A job's pieces encoded by the task queue's workers: queues a
/// `render_piece` task per unit of the plan (keeping those of the same plan
/// an earlier attempt queued or finished), follows them until every one is
/// completed, and fetches each one's files into the renderer's scratch as
/// it completes. A failed piece fails the render with its error.
final class QueuedPieceEncoder: PieceEncoder {
    let storage: any JobStore & TaskQueue
    let files: any RunFileStore
    let job: Job
    let pollInterval: Duration = .milliseconds(500)
    /// How long a cancelled piece may wait for the stop of this render that should follow it.
    let cancelGrace: Duration = .seconds(120)
    /// The stored names of the pieces' files, once known: removed when the job's output is stored.
    private let stored = Mutex<[RunFileName]>([])

    init(storage: any JobStore & TaskQueue, files: any RunFileStore, job: Job) {
        self.storage = storage
        self.files = files
        self.job = job
    }

    func encode(
        _ pieces: PieceRenderer, log: @escaping @Sendable (String) -> Void,
        progress: @escaping @Sendable (Double) async -> Void
    ) async throws {
        let plan = pieces.fingerprint
        let units = Dictionary(uniqueKeysWithValues: pieces.units.map { ($0.name, $0) })
        let names = try units.values.flatMap { unit in try pieces.files(of: unit).map { try Self.storedName(plan, $0) }
        }
        stored.withLock { $0 = names }
        let total = max(units.values.reduce(0) { $0 + pieces.cost($1) }, 1e-9)
        var current = try await reaching(log) { try await self.latest(plan) }
        var kept = 0
        for (name, unit) in units.sorted(by: { pieces.cost($0.value) > pieces.cost($1.value) }) {
            if let piece = current[name], piece.state != .failed, piece.state != .cancelled {
                kept += 1
                continue
            }
            current[name] = try await reaching(log) { try await self.queue(unit, plan: plan, pieces) }
        }
        log(
            "pieces: \(units.count) queued for any worker (plan \(plan)\(kept > 0 ? ", \(kept) kept from an earlier attempt" : ""))"
        )
        var fetched: Set<String> = []
        var cancelledSince: [String: ContinuousClock.Instant] = [:]
        var reported = -1.0
        while true {
            var done = 0.0
            for (name, piece) in current {
                guard let unit = units[name] else { continue }
                switch piece.state {
                case .completed:
                    if !fetched.contains(name) {
                        try await reaching(log) { try await self.fetch(unit, plan: plan, pieces) }
                        fetched.insert(name)
                    }
                    done += pieces.cost(unit)
                case .failed:
                    throw RenderError("piece \(name) failed: \(piece.error ?? "no reason was recorded")")
                case .cancelled:
                    // Pieces end cancelled with their job (a cancel, a lost
                    // lease), which stops this render too; queueing them
                    // again would outlive it.
                    let since = cancelledSince[name] ?? ContinuousClock.now
                    cancelledSince[name] = since
                    if ContinuousClock.now - since > cancelGrace {
                        throw RenderError("piece \(name) was cancelled, yet the render was not stopped")
                    }
                case .queued, .running:
                    break
                }
            }
            if done != reported {
                reported = done
                await progress(done / total)
            }
            if fetched.count == units.count { return }
            try await Task.sleep(for: pollInterval)
            current = try await reaching(log) { try await self.latest(plan) }
        }
    }

    /// `body`, again and again while the database or the file store is out
    /// of reach: the render's lease decides whether it may wait (the engine
    /// stops it when the lease is lost), not one failed read.
    private func reaching<T>(_ log: @Sendable (String) -> Void, _ body: () async throws -> T) async throws -> T {
        var told = false
        while true {
            do {
                return try await body()
            } catch let error where Self.isOutage(error) {
                if !told { log("waiting for the store to come back: \(error)") }
                told = true
                try await Task.sleep(for: pollInterval * 4)
            }
        }
    }

    static func isOutage(_ error: any Error) -> Bool {
        (error as? StorageError)?.kind == .unavailable || error is RunFileStoreUnavailable
    }

    /// The job's newest piece task of `plan` per unit.
    private func latest(_ plan: String) async throws -> [String: RenderPiece] {
        var latest: [String: RenderPiece] = [:]
        for piece in try await storage.tasks(RenderPiece.self, ofJob: job.jobID) where piece.plan == plan {
            if latest[piece.unit] == nil { latest[piece.unit] = piece }
        }
        return latest
    }

    private func queue(_ unit: PieceRenderer.Unit, plan: String, _ pieces: PieceRenderer) async throws -> RenderPiece {
        try await storage.createTask(
            RenderPiece.self, jobID: job.jobID,
            RenderPiece.New(plan: plan, unit: unit.name, cost: pieces.cost(unit)), maximumAttempts: nil)
    }

    /// The unit's files, from where the worker that encoded it stored them,
    /// under the names the join reads (a link to the stored file when it is
    /// on this host, else a copy).
    private func fetch(_ unit: PieceRenderer.Unit, plan: String, _ pieces: PieceRenderer) async throws {
        do {
            try FileManager.default.createDirectory(atPath: pieces.scratch, withIntermediateDirectories: true)
        } catch {
            throw RenderError.cannotWrite(error)
        }
        let copies = pieces.scratch + "/.fetched"
        for name in pieces.files(of: unit) {
            let path = try await files.localFile(
                try Self.storedName(plan, name), jobID: job.jobID, run: job.runDirectory, scratch: copies)
            let target = pieces.scratch + "/" + name
            unlink(target)
            let placed = path.hasPrefix(copies + "/") ? rename(path, target) : symlink(path, target)
            guard placed == 0 else {
                throw RenderError("cannot place the piece file \(name): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Removes the pieces' stored files (best effort: the run's removal takes what is left).
    func removePieces() async {
        for name in stored.withLock({ $0 }) {
            try? await files.remove(name, jobID: job.jobID, run: job.runDirectory)
        }
    }

    /// Where a piece's file is stored in the job's run: named by its plan too.
    static func storedName(_ plan: String, _ file: String) throws -> RunFileName {
        guard let name = RunFileName.piece(plan + "-" + file) else {
            throw RenderError("the piece file \(plan)-\(file) has no safe name")
        }
        return name
    }
}
