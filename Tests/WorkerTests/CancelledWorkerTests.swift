import Foundation
import Logging
import RunFiles
import SQLiteStorage
import StorageCore
import Synchronization
import Testing
import Worker
import YouTube

/// A worker whose task is cancelled (as a service group cancels its services
/// when one of them ends) stops, instead of claiming in a tight loop.
@Suite(.timeLimit(.minutes(2))) struct CancelledWorkerTests {
    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("yt-worker-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `body` in a task, cancels it after a moment, and says whether it returned within 5 s.
    func stopsWhenCancelled(_ body: @escaping @Sendable () async throws -> Void) async -> Bool {
        let ended = Flag()
        let task = Task {
            try? await body()
            ended.set()
        }
        try? await Task.sleep(for: .milliseconds(500))
        task.cancel()
        for _ in 0..<100 where !ended.isSet { try? await Task.sleep(for: .milliseconds(50)) }
        return ended.isSet
    }

    @Test func renderWorkersStopWhenCancelled() async throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let storage = try await SQLiteStorage.open(path: data + "/yt-builder.db")
        var settings = WorkerSettings(name: "cancel-test")
        settings.concurrency = 2
        settings.pollInterval = .seconds(30)
        let pool = WorkerPool(
            storage: storage, runner: SleepRunner(seconds: 0), dataDirectory: DataDirectory(data), settings: settings,
            logger: Logger(label: "test"))
        #expect(await stopsWhenCancelled { try await pool.run() }, "the pool ignored its cancellation")
        await storage.close()
    }

    @Test func theUploadWorkerStopsWhenCancelled() async throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let storage = try await SQLiteStorage.open(path: data + "/yt-builder.db")
        var settings = WorkerSettings(name: "cancel-test")
        settings.pollInterval = .seconds(30)
        let account = YouTubeAccount(
            storage: storage, box: SecretBox(key: .init(size: .bits256)),
            configuration: .failure(.init(description: "off")))
        let worker = UploadWorker(
            storage: storage, account: account, dataDirectory: data, settings: settings, logger: Logger(label: "test"))
        #expect(await stopsWhenCancelled { try await worker.run() }, "the upload worker ignored its cancellation")
        await storage.close()
    }

    /// A render that would run a minute, and records how it ended.
    struct LongRunner: JobRunner {
        let started = Flag()
        let cancelled = Flag()
        func run(_ job: Job, reporter: JobReporter) async throws -> String? {
            started.set()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.set()
                throw error
            }
            return nil
        }
    }

    /// Cancelling the engine reaches the work it runs: the render stops at
    /// once and its job goes back to the queue, its attempt uncounted.
    @Test func runningWorkIsStoppedAndHandedBackWhenTheEngineIsCancelled() async throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let storage = try await SQLiteStorage.open(path: data + "/yt-builder.db")
        let job = try await storage.createJob(NewJob(config: nil, runsDirectory: data + "/runs", status: .queued))
        var settings = WorkerSettings(name: "cancel-running")
        settings.pollInterval = .milliseconds(100)
        let runner = LongRunner()
        let pool = WorkerPool(
            storage: storage, runner: runner, dataDirectory: DataDirectory(data), settings: settings,
            logger: Logger(label: "test"))
        let ended = Flag()
        let task = Task {
            try? await pool.run()
            ended.set()
        }
        for _ in 0..<100 where !runner.started.isSet { try await Task.sleep(for: .milliseconds(50)) }
        #expect(runner.started.isSet)
        task.cancel()
        for _ in 0..<100 where !ended.isSet { try await Task.sleep(for: .milliseconds(50)) }
        #expect(ended.isSet, "the engine returned")
        #expect(runner.cancelled.isSet, "the running render was cancelled, not left behind")
        #expect(try await storage.job(job.jobID)?.status == .queued, "handed back")
        let next = try #require(try await storage.claimJob(worker: "next", lease: .seconds(30)))
        #expect(next.claim.attempt == 1, "its attempt did not count")
        await storage.close()
    }
}

final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
