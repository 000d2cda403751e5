import Logging
import RunFiles
import StorageCore
import Suno
import Synchronization

/// Importing a Suno playlist into a job's music: claimed from the task queue,
/// with heartbeats that store how far it got (so the next attempt after a lost
/// worker skips the songs already saved); completed with its per-song errors,
/// failed when nothing could be imported, handed back on shutdown.
public struct PlaylistImportWork: WorkKind {
    public struct Claimed: Sendable {
        let claimed: ClaimedImport
        /// How far it is, shared with the heartbeats.
        let state: SharedProgress
        var claim: ImportClaim { claimed.claim }

        init(_ claimed: ClaimedImport) {
            self.claimed = claimed
            let task = claimed.task
            state = SharedProgress(ImportProgress(songsTotal: task.songsTotal, downloaded: task.downloaded))
        }
    }

    final class SharedProgress: Sendable {
        private let progress: Mutex<ImportProgress>
        init(_ progress: ImportProgress) { self.progress = Mutex(progress) }
        func withLock<T: Sendable>(_ body: (inout ImportProgress) -> T) -> T { progress.withLock { body(&$0) } }
    }

    let storage: any JobStore & FileStore & TaskQueue
    let importer: PlaylistImporter
    let logger: Logger

    public init(
        storage: any JobStore & FileStore & TaskQueue, settings: SunoSettings, dataDirectory: String,
        maximumFileBytes: Int64, logger: Logger, files: (any RunFileStore)? = nil
    ) {
        self.storage = storage
        importer = PlaylistImporter(
            settings: settings, files: storage, data: DataDirectory(dataDirectory), maximumFileBytes: maximumFileBytes,
            runFiles: files)
        self.logger = logger
    }

    public var name: String { "playlist import" }
    public func workerName(process: String, slot: Int) -> String { "\(process)/import" + (slot > 0 ? "\(slot)" : "") }
    /// Songs saved so far are kept with the task: the next worker goes on from there.
    public func shutdownGrace(_ settings: WorkerSettings) -> Duration { .zero }

    public func claim(worker: String, lease: Duration) async throws -> Claimed? {
        try await storage.claimTask(PlaylistImport.self, worker: worker, lease: lease).map(Claimed.init)
    }

    public var wakeups: any QueueWakeups { storage }

    public func rescue() async throws -> Logger.Metadata? {
        let rescued = try await storage.rescueExpiredTasks(PlaylistImport.self)
        return rescued > 0 ? ["kind": "playlist import", "count": "\(rescued)"] : nil
    }

    public func run(_ claimed: Claimed, control: WorkControl) async throws -> PlaylistImporter.Result {
        let task = claimed.claimed.task
        guard let job = try await storage.job(task.jobID) else {
            throw StorageError.notFound("job \(task.jobID) is gone")
        }
        return try await importer.run(url: task.url, into: job, resume: claimed.state.withLock { $0 }) { progress in
            claimed.state.withLock { $0 = progress }
        }
    }

    public func renew(_ claimed: Claimed, lease: Duration) async throws -> LeaseState {
        let held = try await storage.recordProgress(
            PlaylistImport.self, claimed.claim, claimed.state.withLock { $0 }, lease: lease)
        return held ? .held : .lost
    }

    public func outcome(for error: any Error) -> WorkOutcome<PlaylistImporter.Result> {
        error is CancellationError || error is RunFileStoreUnavailable ? .handedBack : .failed(describeError(error))
    }

    public func finish(_ claimed: Claimed, _ outcome: WorkOutcome<PlaylistImporter.Result>) async throws -> Bool {
        let importOutcome: ImportOutcome =
            switch outcome {
            case .completed(let result):
                result.failure.map { .failed(error: $0, result.progress) } ?? .completed(result.progress)
            case .failed(let error): .failed(error: error, claimed.state.withLock { $0 })
            case .cancelled, .handedBack: .handedBack
            }
        return try await storage.finishTask(PlaylistImport.self, claimed.claim, importOutcome) != nil
    }

    public func summary(_ output: PlaylistImporter.Result) -> String? {
        output.failure ?? "\(output.progress.downloaded.count) songs, \(output.progress.errors.count) errors"
    }

    public func note(_ claimed: Claimed, _ line: String) {
        logger.info("\(line)", metadata: label(claimed))
    }

    public func label(_ claimed: Claimed) -> Logger.Metadata {
        [
            "task": "\(claimed.claim.taskID)", "job_id": "\(claimed.claimed.task.jobID)",
            "attempt": "\(claimed.claim.attempt)",
        ]
    }
}

/// The playlist import worker: the engine running `PlaylistImportWork`, one import at a time.
public typealias PlaylistImportWorker = WorkEngine<PlaylistImportWork>
