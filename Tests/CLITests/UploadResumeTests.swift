import FakeGoogle
import Foundation
import Hummingbird
import HummingbirdTesting
import SQLiteStorage
import StorageCore
import Testing
import YouTube

/// A `yt-builder worker` killed in the middle of a YouTube upload: the next
/// worker takes the task over after the lease and finishes the same session.
@Suite(.timeLimit(.minutes(3))) struct UploadResumeTests {
    @Test func uploadResumesAfterTheWorkerIsKilled() async throws {
        let fake = FakeGoogle()
        fake.state.withLock {
            $0.accessTokens.insert("access-ok")
            $0.chunkDelayMilliseconds = 1200
        }
        let app = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let runner = CommandRunner()
            let database = runner.path("uploads.db")
            let keyText = Data((0..<32).map { UInt8($0 &* 7 &+ 1) }).base64EncodedString()
            let box = SecretBox(key: .init(data: try #require(Data(base64Encoded: keyText))))
            let storage = try await SQLiteStorage.open(path: database)

            let credentials = GoogleCredentials(
                accessToken: "access-ok", refreshToken: "refresh-ok", expiresAt: Date().timeIntervalSince1970 + 3600,
                scope: OAuthConfiguration.scope)
            try await storage.saveCredentials(
                user: YouTubeAccount.user,
                text: try box.seal(String(decoding: try JSONEncoder().encode(credentials), as: UTF8.self)))
            let job = try await storage.createJob(
                NewJob(config: nil, runsDirectory: runner.path("data/runs"), status: .queued))
            try FileManager.default.createDirectory(
                atPath: job.runDirectory + "/output", withIntermediateDirectories: true)
            let video = job.runDirectory + "/output/video.mp4"
            let bytes = Data((0..<(20 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 3) })
            try bytes.write(to: URL(fileURLWithPath: video))
            _ = try await storage.updateJob(job.jobID, JobUpdate(status: .running))
            _ = try await storage.updateJob(job.jobID, JobUpdate(status: .completed, outputFile: video))
            let request = UploadRequest(title: "Survives a crash", privacy: .unlisted)
            let task = try await storage.createTask(
                UploadTask.self, jobID: job.jobID,
                (request: request.json.jsonText, totalBytes: Int64(bytes.count)))

            let environment = [
                "YT_BUILDER_SECRET_KEY": keyText, "YT_BUILDER_GOOGLE_CLIENT_ID": "test-client",
                "YT_BUILDER_GOOGLE_CLIENT_SECRET": "test-secret",
                "YT_BUILDER_GOOGLE_TOKEN_URL": "http://127.0.0.1:\(port)/token",
                "YT_BUILDER_GOOGLE_UPLOAD_URL": "http://127.0.0.1:\(port)/upload",
            ]
            let arguments = [
                "worker", "--database", database, "--data-dir", runner.path("data"), "--runner", "sleep:0",
                "--lease-seconds", "2",
            ]
            let first = try RunningCommand(runner, arguments, environment: environment)
            defer { first.kill() }
            // Killed once YouTube holds the first 8 MiB chunk, and before the rest.
            try await waitFor("the first chunk", seconds: 60) {
                fake.state.withLock { $0.sessions.values.first?.data.count ?? 0 } >= 8 << 20
            }
            first.signal(SIGKILL)
            let session = try #require(
                try await storage.task(UploadTask.self, id: task.id)?.sessionURL, "the session was stored")

            let second = try RunningCommand(runner, arguments, environment: environment)
            defer { second.kill() }
            try await waitFor("the upload to finish", seconds: 90) {
                try await storage.task(UploadTask.self, id: task.id)?.state == .completed
            }
            #expect(try await second.stop() == 0, "\(second.output.suffix(1500))")
            let finished = try #require(try await storage.task(UploadTask.self, id: task.id))
            #expect(finished.attempt == 2, "the second worker's attempt")
            let videoID = try #require(finished.videoID)
            #expect(fake.state.withLock { $0.sessions.count } == 1, "the same session went on (\(session))")
            #expect(fake.state.withLock { $0.completedVideos[videoID]?.data } == bytes, "every byte, once, in order")
            #expect(try await storage.uploads(ofJob: job.jobID, limit: 10).map(\.videoID) == [videoID], "recorded once")
            await storage.close()
        }
    }

}
