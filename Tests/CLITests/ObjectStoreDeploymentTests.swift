import Foundation
import NIOCore
import ObjectStorage
import StorageCore
import TestObjectStore
import TestPostgres
import Testing

/// An API server and a worker that share a database and an S3 bucket (moto)
/// and no folder: the job's files go up through the API into the bucket, the
/// worker renders from its own copy and puts the video back, the API streams
/// it out, and `cleanup` removes the job's objects.
@Suite(.timeLimit(.minutes(5))) struct ObjectStoreDeploymentTests {
    @Test func aJobRendersOnAHostThatSharesNoFolderWithTheAPI() async throws {
        let store = try await TestObjectStore.start()
        defer { Task { await store.stop() } }
        let environment = store.environment(bucket: "yt-builder-media")
        let bucket = "s3://yt-builder-media/farm"
        let configuration = try S3Configuration.from(url: bucket, environment: environment)
        let s3 = S3Client(configuration)
        try await s3.createBucket()

        var runner = CommandRunner()
        runner.environment = environment
        // One key for every host, as the multi-host README step says.
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        runner.environment["YT_BUILDER_SECRET_KEY"] = key
        let missing = try await runner.run([
            "worker", "--database", runner.path("x.db"), "--files", "s3://no-such-bucket/x",
        ])
        #expect(
            missing.status != 0 && missing.stderr.contains("the bucket no-such-bucket does not exist"),
            "\(missing.stderr)")
        #expect(!missing.stderr.contains("testing"), "no key in the message")
        let database = runner.path("shared.db")
        let port = try TestPostgres.freePort()
        let api = try RunningCommand(
            runner,
            [
                "serve", "--port", String(port), "--database", database, "--data-dir", runner.path("api-data"),
                "--workers", "0", "--files", bucket,
            ], environment: runner.environment)
        defer { api.kill() }
        let worker = try RunningCommand(
            runner,
            [
                "worker", "--database", database, "--data-dir", runner.path("worker-data"), "--files", bucket,
                "--lease-seconds", "6",
            ], environment: runner.environment)
        defer { worker.kill() }
        let base = "http://127.0.0.1:\(port)"
        try await waitUntilHealthy(api, at: base)

        try SampleJob.writeMedia(runner.path)
        let id = try SampleJob.prepare(at: base, runner.path)
        let objects = try await s3.list(prefix: "runs/").map(\.key)
        #expect(
            objects.contains { $0.hasSuffix("/videos/clip.mp4") }
                && objects.contains { $0.hasSuffix("/music/song.mp3") }, "\(objects)")
        let apiRun = try #require(
            try FileManager.default.contentsOfDirectory(atPath: runner.path("api-data/runs")).first)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: runner.path("api-data/runs/\(apiRun)/videos")).isEmpty,
            "the API keeps no copy")

        let config = #"{"duration": 3, "resolution": "320x180", "fps": 15}"#
        _ = try curl([
            "-sS", "-X", "POST", "-H", "Content-Type: application/json", "-d", config, base + "/api/jobs/\(id)/start",
        ])
        var job: [String: JSONValue] = [:]
        try await waitFor("the render to finish", seconds: 120) {
            job = JSONValue(jsonText: try curl(["-sS", base + "/api/jobs/\(id)"]))?.objectValue ?? [:]
            return ["completed", "failed", "cancelled"].contains(job["status"]?.stringValue ?? "")
        }
        #expect(job["status"] == .string("completed"), "\(job)")
        let output = try #require(job["output_file"]?.stringValue)
        #expect(
            output.hasPrefix("runs/run-\(id)-") && output.contains("/output/video_"), "a place in the store: \(output)")
        #expect(try await s3.head(output) != nil, "the video is in the bucket")
        let logs = try curl(["-sS", base + "/api/jobs/\(id)/logs?after=0"])
        #expect(logs.contains("video written"), "the worker's log, read by the API: \(logs)")
        // The pieces went into the bucket as the piece worker made them, and
        // out of it once the video was stored.
        #expect(logs.contains("queued for any worker"), "\(logs)")
        let pieces = try sqlite3(
            database, "SELECT COUNT(*) FROM tasks WHERE kind = 'render_piece' AND state = 'completed'")
        #expect((Int(pieces.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "pieces: \(pieces)")
        let left = try await s3.list(prefix: "runs/").map(\.key).filter { $0.contains("/pieces/") }
        #expect(left.isEmpty, "\(left)")
        #expect(
            (try? FileManager.default.contentsOfDirectory(atPath: runner.path("worker-data/runs")))?.isEmpty ?? true,
            "the worker's copy is gone")

        let video = runner.path("download.mp4")
        try curl(["-sSf", "-o", video, base + "/api/jobs/\(id)/download"])
        let probe = try runTool(
            "/usr/bin/ffprobe",
            ["-v", "error", "-show_entries", "stream=codec_type,width,height", "-of", "default=nw=1", video])
        #expect(probe.contains("codec_type=video") && probe.contains("width=320"), "\(probe)")

        _ = try await api.stop()
        _ = try await worker.stop()
        // The database says where its files are: a command without --files, or with another bucket, refuses.
        for files in [[], ["--files", "s3://yt-builder-media/elsewhere"]] {
            let wrong = try await runner.run(
                ["cleanup", "--days", "0", "--database", database, "--data-dir", runner.path("api-data")] + files)
            #expect(wrong.status != 0, "\(files): \(wrong.stdout)")
            #expect(wrong.stderr.contains("--files \(bucket)"), "\(files): \(wrong.stderr)")
            let serve = try await runner.run(
                ["serve", "--port", String(port), "--database", database, "--data-dir", runner.path("api-data")]
                    + files)
            #expect(serve.status != 0 && serve.stderr.contains("--files \(bucket)"), "\(files): \(serve.stderr)")
            #expect(!serve.stderr.contains("serving"), "refused before it serves")
        }
        #expect(try sqlite3(database, "SELECT COUNT(*) FROM jobs") == "1\n", "nothing was deleted")
        let cleanup = try await runner.run([
            "cleanup", "--days", "0", "--database", database, "--data-dir", runner.path("api-data"), "--files", bucket,
        ])
        #expect(cleanup.status == 0, "\(cleanup.stderr)")
        #expect(try await s3.list(prefix: "runs/run-\(id)-").isEmpty, "cleanup removed the job's objects")
    }
}
