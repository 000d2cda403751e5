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
}

final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
