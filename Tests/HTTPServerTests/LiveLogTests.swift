import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import Logging
import ObjectStorage
import RunFiles
import ServiceLifecycle
import StorageCore
import Synchronization
import TestObjectStore
import Testing
import Worker

/// With jobs' files in an object store, the render's log reaches
/// `GET /api/jobs/{id}/logs` while the render runs, within seconds of each
/// line, and its last line ("finished: …") is kept.
@Suite(.timeLimit(.minutes(2))) struct LiveLogTests {
    /// A render that writes a line every 100 ms for `seconds`.
    struct LoggingRunner: JobRunner {
        let seconds: Double
        func run(_ job: Job, reporter: JobReporter) async throws -> String? {
            for line in 0..<Int(seconds * 10) {
                reporter.log("frame \(line)")
                try await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }
    }

    @Test func theLogIsLiveInObjectStorageMode() async throws {
        let moto = try await TestObjectStore.start()
        let configuration = try S3Configuration.from(
            url: "s3://yt-builder-media/live", environment: moto.environment(bucket: "yt-builder-media"))
        let client = S3Client(configuration)
        try await client.createBucket()
        let store = S3RunFileStore(client)
        try await TestAPI.with(.sqlite, configure: { $0.objectStore = store }) { http, api in
            try api.settings.data.create()  // as serve does at start
            let job = try await api.storage.createJob(NewJob(config: nil, runsDirectory: "runs", status: .queued))
            var settings = WorkerSettings(name: "live-log")
            settings.lease = .seconds(6)
            settings.pollInterval = .milliseconds(100)
            let workerData = api.folder.appendingPathComponent("worker-data").path
            let pool = WorkerPool(
                storage: api.storage, runner: LoggingRunner(seconds: 12), dataDirectory: DataDirectory(workerData),
                settings: settings, logger: Logger(label: "test"), files: store)
            let group = ServiceGroup(services: [pool], logger: Logger(label: "test"))
            let running = Task { try await group.run() }
            defer { running.cancel() }

            var seen: [String] = []
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .seconds(10), !seen.contains(where: { $0.hasPrefix("frame") }) {
                let answer = try object(try await http.json(.get, "/api/jobs/\(job.jobID)/logs?after=0"))
                seen = answer["logs"]?.array?.compactMap(\.string) ?? []
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(seen.contains { $0.hasPrefix("frame") }, "render lines within seconds: \(seen)")
            #expect(try await api.storage.job(job.jobID)?.status == .running, "while the render still runs")

            for _ in 0..<120 where try await api.storage.job(job.jobID)?.status != .completed {
                try await Task.sleep(for: .milliseconds(250))
            }
            await group.triggerGracefulShutdown()
            try await running.value
            let final = try object(try await http.json(.get, "/api/jobs/\(job.jobID)/logs?after=0"))
            let lines = final["logs"]?.array?.compactMap(\.string) ?? []
            #expect(lines.contains("frame 119"), "every line")
            #expect(lines.last?.hasPrefix("finished: completed") == true, "and the last: \(lines.suffix(3))")
        }
        await moto.stop()
    }
}
