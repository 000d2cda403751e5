import Foundation
import Logging
import ServiceLifecycle
import StorageCore
import Synchronization
import YouTube

/// Publishes queued YouTube uploads in the background: claims a task, sends
/// the job's video with the resumable protocol (continuing a stored session),
/// keeps its lease with heartbeats that also store progress, and finishes it:
/// completed (and recorded once), failed with YouTube's reason, or handed
/// back on shutdown. Lost workers' tasks are rescued, session and all.
public final class UploadWorker: Service, Sendable {
    let storage: any JobStore & UploadTaskQueue & UploadHistory
    let account: YouTubeAccount
    let dataDirectory: String
    let settings: WorkerSettings
    let logger: Logger
    let chunkSize: Int
    private let stopping = Mutex(false)
    private let stopSignal = WakeSignal()

    public init(
        storage: any JobStore & UploadTaskQueue & UploadHistory, account: YouTubeAccount, dataDirectory: String, settings: WorkerSettings, logger: Logger,
        chunkSize: Int = ResumableUpload.defaultChunkSize
    ) {
        self.storage = storage
        self.account = account
        self.dataDirectory = dataDirectory
        self.settings = settings
        self.logger = logger
        self.chunkSize = chunkSize
    }

    /// Stopping, or cancelled (see `WorkerPool.isStopping`).
    var isStopping: Bool { stopping.withLock { $0 } || Task.isCancelled }

    public func stop() {
        stopping.withLock { $0 = true }
        stopSignal.notifyAll()
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            let worker = "\(settings.name)/upload"
            var lastRescue = ContinuousClock.now - settings.rescueInterval
            while !isStopping {
                let stop = stopSignal.mark
                do {
                    if ContinuousClock.now - lastRescue >= settings.rescueInterval {
                        lastRescue = ContinuousClock.now
                        let rescued = try await storage.rescueExpiredUploads(maximumAttempts: settings.maximumAttempts)
                        if rescued > 0 {
                            logger.notice("rescued uploads of lost workers", metadata: ["count": "\(rescued)"])
                        }
                    }
                    if let claimed = try await storage.claimUploadTask(worker: worker, lease: settings.lease) {
                        await publish(claimed)
                    } else {
                        await stopSignal.wait(since: stop, timeout: settings.pollInterval)
                    }
                } catch {
                    logger.warning("upload queue unavailable", metadata: ["error": "\(error)"])
                    await stopSignal.wait(timeout: .seconds(1))
                }
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    private func publish(_ claimed: ClaimedUpload) async {
        let claim = claimed.claim
        let state = UploadState(sent: claimed.task.bytesSent)
        let request: UploadRequest
        do {
            request = try UploadRequest(json: JSONValue(jsonText: claimed.task.request)?.objectValue ?? [:])
        } catch {
            return await finish(claim, .failed(error: "the stored upload request is not valid: \(error)"))
        }
        let work = Task { () throws -> ResumableUpload.Result in
            guard let job = try await storage.job(claimed.task.jobID) else {
                throw StorageError.notFound("job \(claimed.task.jobID) is gone")
            }
            let file = try Publisher.video(of: job, dataDirectory: dataDirectory)
            var publisher = try Publisher(storage: storage, account: account)
            publisher.upload.chunkSize = chunkSize
            return try await publisher.send(
                file: file, request: request, session: claimed.task.sessionURL,
                onSession: { url in
                    // Stored at once: a worker that dies now leaves the session to the next one.
                    guard
                        try await self.storage.recordUploadProgress(
                            claim, sessionURL: url, bytesSent: 0, lease: self.settings.lease)
                    else { throw CancellationError() }
                },
                progress: { bytes in state.sent.withLock { $0 = bytes } })
        }
        let heartbeat = Task {
            while !Task.isCancelled {
                await stopSignal.wait(timeout: settings.heartbeat)
                if Task.isCancelled { return }
                if isStopping { return work.cancel() }
                let held = try? await storage.recordUploadProgress(
                    claim, sessionURL: nil, bytesSent: state.sent.withLock { $0 }, lease: settings.lease)
                if held == false {
                    state.lost.withLock { $0 = true }
                    return work.cancel()
                }
            }
        }
        let result = await work.result
        heartbeat.cancel()
        guard !state.lost.withLock({ $0 }) else { return }
        let outcome: UploadOutcome
        switch result {
        case .success(let uploaded):
            outcome = .completed(Publisher.record(jobID: claimed.task.jobID, request: request, result: uploaded))
        case .failure(let error) where error is CancellationError || isStopping:
            outcome = .handedBack
        case .failure(let error):
            outcome = .failed(error: Self.describe(error))
        }
        await finish(claim, outcome)
    }

    /// Writes the outcome, retrying while the database is away.
    private func finish(_ claim: UploadClaim, _ outcome: UploadOutcome) async {
        let retry = FinishRetry(lease: settings.lease, logger: logger)
        await retry.run("the end of upload task \(claim.taskID)", metadata: ["task": "\(claim.taskID)"]) {
            _ = try await storage.finishUploadTask(claim, outcome)
            logger.info("upload finished", metadata: ["task": "\(claim.taskID)", "outcome": "\(Self.name(outcome))"])
        }
    }

    static func name(_ outcome: UploadOutcome) -> String {
        switch outcome {
        case .completed(let upload): "completed \(upload.videoID)"
        case .failed(let error): "failed: \(error)"
        case .handedBack: "handed back"
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? StorageError { return error.message }
        return String(describing: error)
    }
}

/// How far one upload got, and whether its claim was lost, shared with its heartbeat.
final class UploadState: Sendable {
    let sent: Mutex<Int64>
    let lost = Mutex(false)

    init(sent: Int64) {
        self.sent = Mutex(sent)
    }
}
