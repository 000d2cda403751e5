import Foundation
import Logging
import ObjectStorage
import RunFiles
import SQLiteStorage
import ServiceLifecycle
import StorageCore
import Synchronization
import Testing
import Worker

/// A render whose files' store stays unreachable (a closed port, a retry
/// window of a second) goes back to the queue without using up an attempt,
/// instead of failing the job.
@Suite(.timeLimit(.minutes(2))) struct UnreachableStoreTests {
    /// How often the worker refused the work because the store was away.
    func refusals(_ lines: Lines) -> Int {
        lines.lines.withLock { $0.filter { $0.1.hasPrefix("work refused") && $0.1.contains("object store") }.count }
    }

    @Test func theJobGoesBackToTheQueueAndKeepsItsAttempts() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "yt-unreachable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let storage = try await SQLiteStorage.open(path: folder.appendingPathComponent("db.sqlite").path)
        var configuration = try S3Configuration.from(
            url: "s3://yt-builder-media/farm",
            environment: [
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
            ])
        configuration.retryWindow = .seconds(1)
        let files = S3RunFileStore(S3Client(configuration))

        let job = try await storage.createJob(NewJob(config: nil, runsDirectory: "runs"))
        _ = try await storage.addFile(
            NewJobFile(
                jobID: job.jobID, fileType: .videos, filename: "a.mp4",
                filePath: "runs/\(job.runID)/videos/a.mp4"))
        _ = try await storage.updateJob(job.jobID, JobUpdate(status: .queued))

        let data = DataDirectory(folder.appendingPathComponent("data").path)
        let lines = Lines()
        let logger = Logger(label: "test") { _ in Capture(lines: lines) }
        var settings = WorkerSettings(name: "unreachable")
        settings.lease = .seconds(30)
        settings.pollInterval = .milliseconds(200)
        settings.shutdownGrace = .milliseconds(100)
        let pool = WorkerPool(
            storage: storage,
            runner: RenderJobRunner(storage: storage, dataDirectory: data.path, files: files),
            dataDirectory: data, settings: settings, logger: logger, files: files)
        let group = ServiceGroup(services: [pool], logger: logger)
        let running = Task { try await group.run() }
        // Two rounds: a claim, a second of retries, the hand-back, and again.
        for _ in 0..<100 where refusals(lines) < 2 { try await Task.sleep(for: .milliseconds(100)) }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(
            refusals(lines) >= 2,
            "the work was refused for the store, and handed back: \(lines.lines.withLock { $0.map(\.1) })")
        #expect(try await storage.job(job.jobID)?.status == .queued, "the job waits in the queue, not failed")
        let next = try #require(try await storage.claimJob(worker: "next", lease: .seconds(30)))
        #expect(next.claim.attempt == 1, "its attempt did not count")
        await storage.close()
    }
}
