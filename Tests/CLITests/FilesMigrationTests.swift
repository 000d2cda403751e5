import Foundation
import ObjectStorage
import SQLiteStorage
import StorageCore
import TestObjectStore
import TestPostgres
import Testing

/// `migrate --files-to`: a deployment's data directory moved into a bucket,
/// its rows rewritten, checked by serving the video from another folder.
@Suite(.timeLimit(.minutes(5))) struct FilesMigrationTests {
    @Test func aDataDirectoryMovesIntoABucketOnceAndServesFromThere() async throws {
        var runner = CommandRunner()
        let database = runner.path("history.db")
        let port = try TestPostgres.freePort()
        let base = "http://127.0.0.1:\(port)"
        let local = try RunningCommand(
            runner,
            [
                "serve", "--port", String(port), "--database", database, "--data-dir", runner.path("data"), "--workers",
                "1",
            ])
        defer { local.kill() }
        try await waitUntilHealthy(local, at: base)
        try SampleJob.writeMedia(runner.path)
        let id = try SampleJob.prepare(at: base, runner.path)
        _ = try curl([
            "-sS", "-X", "POST", "-H", "Content-Type: application/json", "-d",
            #"{"duration": 3, "resolution": "320x180", "fps": 15}"#,
            base + "/api/jobs/\(id)/start",
        ])
        try await waitFor("the render", seconds: 120) {
            JSONValue(jsonText: try curl(["-sS", base + "/api/jobs/\(id)"]))?.objectValue?["status"]
                == .string("completed")
        }
        _ = try await local.stop()
        // A clip of the shared videos folder, which goes to the bucket's videos/.
        try FileManager.default.createDirectory(atPath: runner.path("data/videos"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: runner.path("clip.mp4"), toPath: runner.path("data/videos/shared.mp4"))

        let store = try await TestObjectStore.start()
        defer { Task { await store.stop() } }
        let environment = store.environment(bucket: "yt-builder-media")
        let s3 = S3Client(try S3Configuration.from(url: "s3://yt-builder-media/moved", environment: environment))
        try await s3.createBucket()
        runner.environment = environment
        let move = [
            "migrate", "--files-to", "s3://yt-builder-media/moved", "--database", database, "--data-dir",
            runner.path("data"),
        ]

        // Killed with the objects copied and the rows not yet rewritten: nothing is lost.
        let log = runner.path("paused.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = try CommandRunner.binary
        process.arguments = move
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.merging([
            "YT_BUILDER_TEST_MIGRATE_PAUSE": "rewriting"
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        try await waitFor("the pause before rewriting", seconds: 60) {
            (try? String(contentsOfFile: log, encoding: .utf8))?.contains("paused: rewriting") == true
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let untouched = try await SQLiteStorage.open(path: database)
        let before = try await untouched.job(id)?.runDirectory ?? ""
        await untouched.close()
        #expect(before.hasPrefix(runner.path("data")), "the rows still name the disk: \(before)")
        #expect(try await s3.list(prefix: "runs/").count == 4, "the objects copied before the kill")

        let first = try await runner.run(move)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            first.stdout.contains("1 jobs: 0 files copied and 1 of the shared folders")
                && first.stdout.contains("4 already there")
                && first.stdout.contains("1 jobs now name"),
            "the run after the kill copies nothing again: \(first.stdout)")
        let history = try await SQLiteStorage.open(path: database)
        let job = try #require(try await history.job(id))
        let files = try await history.files(ofJob: id, type: nil)
        await history.close()
        #expect(job.runDirectory == "runs/\(job.runID)", "the row names the store: \(job.runDirectory)")
        let output = try #require(job.outputFile)
        #expect(output.hasPrefix("runs/\(job.runID)/output/video_"), "\(output)")
        #expect(
            files.map(\.filePath).sorted() == ["runs/\(job.runID)/music/song.mp3", "runs/\(job.runID)/videos/clip.mp4"])
        let videoObject = try await s3.head(output)
        let logObject = try await s3.head("runs/\(job.runID)/job.log")
        #expect(videoObject != nil && logObject != nil, "the video and the log are in the bucket")
        #expect(
            FileManager.default.fileExists(atPath: runner.path("data/runs/\(job.runID)/videos/clip.mp4")),
            "the local files stay")

        let again = try await runner.run(move)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            again.stdout.contains("0 files copied and 0 of the shared") && again.stdout.contains("4 already there"),
            "a rerun copies nothing: \(again.stdout)")

        let farPort = try TestPostgres.freePort()
        // Another host: its own folder, the deployment's key.
        let key = try String(contentsOfFile: runner.path("data/secret.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let far = try RunningCommand(
            runner,
            [
                "serve", "--port", String(farPort), "--database", database, "--data-dir", runner.path("elsewhere"),
                "--workers", "0", "--files", "s3://yt-builder-media/moved",
            ], environment: environment.merging(["YT_BUILDER_SECRET_KEY": key]) { $1 })
        defer { far.kill() }
        try await waitUntilHealthy(far, at: "http://127.0.0.1:\(farPort)")
        let video = runner.path("download.mp4")
        try curl(["-sSf", "-o", video, "http://127.0.0.1:\(farPort)/api/jobs/\(id)/download"])
        let probe = try runTool(
            "/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=width", "-of", "default=nw=1", video])
        #expect(probe.contains("width=320"), "\(probe)")

        // "Use existing files" on the host without the data directory: the shared clip, copied in the bucket.
        let shared = try curl(["-sSf", "http://127.0.0.1:\(farPort)/api/files"])
        #expect(shared.contains(#""videos":["shared.mp4"]"#), "\(shared)")
        let created = try curl([
            "-sSf", "-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"duration": 3}"#,
            "http://127.0.0.1:\(farPort)/api/jobs",
        ])
        let newID = try #require(JSONValue(jsonText: created)?.objectValue?["job_id"]?.intValue, "\(created)")
        let newHistory = try await SQLiteStorage.open(path: database)
        let newJob = try #require(try await newHistory.job(newID))
        let newFiles = try await newHistory.files(ofJob: newID, type: nil)
        await newHistory.close()
        #expect(newFiles.map(\.filePath) == ["runs/\(newJob.runID)/videos/shared.mp4"])
        #expect(
            try await s3.head("runs/\(newJob.runID)/videos/shared.mp4")?.size
                == FileManager.default.size(atPath: runner.path("clip.mp4")))
        _ = try await far.stop()
    }

    @Test func filesToTakesNoDatabaseTargetAndABadBucketIsOneError() async throws {
        let runner = CommandRunner()
        let both = try await runner.run(["migrate", "--files-to", "s3://media/x", "--from", "a.db"])
        #expect(both.status != 0 && both.stderr.contains("it takes no --from, --to or --append"), "\(both.stderr)")
        let neither = try await runner.run(["migrate"])
        #expect(neither.status != 0 && neither.stderr.contains("--from"), "\(neither.stderr)")
        let keys = try await runner.run(["migrate", "--files-to", "s3://media/x", "--data-dir", runner.path("d")])
        #expect(keys.status != 0 && keys.stderr.contains("AWS_ACCESS_KEY_ID"), "\(keys.stderr)")
    }
}
