import Foundation
import Logging
import RunFiles
import StorageCore
import Synchronization
import YouTube

/// Publishing a job's video to YouTube: claimed from the upload tasks, sent
/// with the resumable protocol (continuing a stored session), with heartbeats
/// that also store how far it got; completed (and recorded once), failed with
/// YouTube's reason, or handed back on shutdown.
public struct UploadWork: WorkKind {
    public struct Claimed: Sendable {
        let claimed: ClaimedUpload
        let lease: Duration
        /// Bytes YouTube holds so far, shared with the heartbeats.
        let sent: SentBytes
        var claim: UploadClaim { claimed.claim }
    }

    final class SentBytes: Sendable {
        let bytes: Mutex<Int64>
        init(_ bytes: Int64) { self.bytes = Mutex(bytes) }
    }

    public struct Uploaded: Sendable {
        let record: NewYouTubeUpload
    }

    let storage: any JobStore & TaskQueue & UploadHistory
    let account: YouTubeAccount
    let dataDirectory: String
    /// Where the video is: the data directory when nil.
    var files: (any RunFileStore)? = nil
    let chunkSize: Int
    let logger: Logger

    public var name: String { "youtube upload" }
    public func workerName(process: String, slot: Int) -> String { "\(process)/upload" + (slot > 0 ? "\(slot)" : "") }
    /// An upload in flight goes back at once: its session survives, the next worker resumes it.
    public func shutdownGrace(_ settings: WorkerSettings) -> Duration { .zero }

    public func claim(worker: String, lease: Duration) async throws -> Claimed? {
        guard let claimed = try await storage.claimTask(UploadTask.self, worker: worker, lease: lease) else {
            return nil
        }
        return Claimed(claimed: claimed, lease: lease, sent: SentBytes(claimed.task.bytesSent))
    }

    public var wakeups: any QueueWakeups { storage }

    public func rescue() async throws -> Logger.Metadata? {
        let rescued = try await storage.rescueExpiredTasks(UploadTask.self)
        return rescued > 0 ? ["kind": "youtube upload", "count": "\(rescued)"] : nil
    }

    public func run(_ claimed: Claimed, control: WorkControl) async throws -> Uploaded {
        let request: UploadRequest
        do {
            request = try UploadRequest(json: JSONValue(jsonText: claimed.claimed.task.request)?.objectValue ?? [:])
        } catch {
            throw StorageError.invalidInput("the stored upload request is not valid: \(error)")
        }
        let task = claimed.claimed.task
        guard let job = try await storage.job(task.jobID) else {
            throw StorageError.notFound("job \(task.jobID) is gone")
        }
        let file = try await Publisher.video(of: job, dataDirectory: dataDirectory, files: files)
        var publisher = try Publisher(storage: storage, account: account)
        publisher.upload.chunkSize = chunkSize
        let claim = claimed.claim
        let lease = claimed.lease
        let storage = self.storage
        let result = try await publisher.send(
            file: file, request: request, session: task.sessionURL,
            onSession: { url in
                // Stored at once: a worker that dies now leaves the session to the next one.
                guard
                    try await storage.recordProgress(
                        UploadTask.self, claim, (sessionURL: url, bytesSent: 0), lease: lease)
                else {
                    control.stop(.leaseLost)
                    throw CancellationError()
                }
            },
            progress: { bytes in claimed.sent.bytes.withLock { $0 = bytes } })
        return Uploaded(record: Publisher.record(jobID: task.jobID, request: request, result: result))
    }

    public func renew(_ claimed: Claimed, lease: Duration) async throws -> LeaseState {
        let held = try await storage.recordProgress(
            UploadTask.self, claimed.claim,
            (sessionURL: nil, bytesSent: claimed.sent.bytes.withLock { $0 }), lease: lease)
        return held ? .held : .lost
    }

    public func outcome(for error: any Error) -> WorkOutcome<Uploaded> {
        error is CancellationError || error is RunFileStoreUnavailable ? .handedBack : .failed(describeError(error))
    }

    public func finish(_ claimed: Claimed, _ outcome: WorkOutcome<Uploaded>) async throws -> Bool {
        let uploadOutcome: UploadOutcome =
            switch outcome {
            case .completed(let uploaded): .completed(uploaded.record)
            case .failed(let error): .failed(error: error, nil)
            case .cancelled, .handedBack: .handedBack
            }
        return try await storage.finishTask(UploadTask.self, claimed.claim, uploadOutcome) != nil
    }

    public func summary(_ output: Uploaded) -> String? { output.record.videoID }

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

/// The YouTube upload worker: the engine running `UploadWork`, one upload at a time.
public typealias UploadWorker = WorkEngine<UploadWork>

extension WorkEngine where Kind == UploadWork {
    public convenience init(
        storage: any JobStore & TaskQueue & UploadHistory, account: YouTubeAccount, dataDirectory: String,
        settings: WorkerSettings, logger: Logger, chunkSize: Int = ResumableUpload.defaultChunkSize,
        files: (any RunFileStore)? = nil
    ) {
        self.init(
            kind: UploadWork(
                storage: storage, account: account, dataDirectory: dataDirectory, files: files, chunkSize: chunkSize,
                logger: logger),
            settings: settings, logger: logger)
    }
}
