import Foundation
import Logging
import ObjectStorage
import PostgresStorage
import RunFiles
import SQLiteStorage
import ServiceLifecycle
import StorageCore
import Synchronization
import TestObjectStore
import TestPostgres
import Testing
import Worker

/// The object store goes away for several leases while a render runs: the
/// heartbeats go on (they never wait on the store), so the job completes on
/// its first attempt and no rescue takes it from its live worker.
@Suite(.timeLimit(.minutes(3))) struct StoreOutageTests {
    enum Backend: String, CaseIterable { case sqlite, postgres }

    /// A render that logs a line every 100 ms for `seconds`: long enough for
    /// the outage, and each line gives the log something to put back.
    struct LoggingRunner: JobRunner {
        let seconds: Double
        let calls = Counter()
        func run(_ job: Job, reporter: JobReporter) async throws -> String? {
            calls.add()
            for line in 0..<Int(seconds * 10) {
                reporter.log("frame \(line)")
                try await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }
    }

    final class Counter: Sendable {
        let value = Mutex(0)
        func add() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    func open(_ backend: Backend, in folder: URL) async throws -> any Storage {
        switch backend {
        case .sqlite: return try await SQLiteStorage.open(path: folder.appendingPathComponent("db.sqlite").path)
        case .postgres: return try await PostgresStorage.open(url: try TestPostgres.shared().freshDatabase())
        }
    }

    @Test(arguments: Backend.allCases) func anOutageLongerThanTheLeaseCostsNoAttempt(_ backend: Backend) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yt-outage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let moto = try await TestObjectStore.start()
        let proxy = try TCPProxy(to: moto.port)
        defer { proxy.stop() }
        var environment = moto.environment(bucket: "yt-builder-media")
        environment["AWS_ENDPOINT_URL"] = proxy.url
        let client = S3Client(try S3Configuration.from(url: "s3://yt-builder-media/outage", environment: environment))
        try await client.createBucket()
        let files = S3RunFileStore(client)
        let storage = try await open(backend, in: folder)

        let job = try await storage.createJob(NewJob(config: nil, runsDirectory: "runs"))
        _ = try await storage.updateJob(job.jobID, JobUpdate(status: .queued))
        let lines = Lines()
        let logger = Logger(label: "test") { _ in Capture(lines: lines) }
        var settings = WorkerSettings(name: "outage")
        settings.lease = .seconds(2)
        settings.pollInterval = .milliseconds(200)
        settings.shutdownGrace = .milliseconds(100)
        let runner = LoggingRunner(seconds: 10)
        let data = DataDirectory(folder.appendingPathComponent("data").path)
        let pool = WorkerPool(
            storage: storage, runner: runner, dataDirectory: data, settings: settings, logger: logger, files: files)
        let group = ServiceGroup(services: [pool], logger: logger)
        let running = Task { try await group.run() }

        try await waitUntil("the render starts") { runner.calls.count == 1 }
        try await Task.sleep(for: .seconds(1))
        proxy.stop()
        try await Task.sleep(for: .seconds(6))  // three leases
        try proxy.start()
        try await waitUntil("the job ends", seconds: 60) {
            try await storage.job(job.jobID)?.status.isFinished == true
        }
        await group.triggerGracefulShutdown()
        try await running.value
        let messages = lines.lines.withLock { $0.map(\.1) }
        #expect(try await storage.job(job.jobID)?.status == .completed, "\(messages)")
        #expect(runner.calls.count == 1, "rendered once: no rescue took it from its worker (\(messages))")
        #expect(!messages.contains { $0.contains("rescued") }, "\(messages)")
        let stored = try await files.localFile(
            .log, jobID: job.jobID, run: job.runDirectory, scratch: folder.appendingPathComponent("check").path)
        let log = try String(contentsOfFile: stored, encoding: .utf8)
        #expect(log.contains("frame 99"), "the log reached the store once it was back")
        await storage.close()
        await moto.stop()
    }

    func waitUntil(_ what: String, seconds: Double = 20, _ done: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await done() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CancellationError()
    }
}
