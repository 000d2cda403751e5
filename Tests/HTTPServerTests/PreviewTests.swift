import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import ObjectStorage
import Render
import RunFiles
import StorageCore
import TestObjectStore
import Testing

/// What the page shows of a job's media: sizes and lengths (ffprobe), a
/// quote's text, a clip's picture (ffmpeg), and the operations overview.
@Suite(.timeLimit(.minutes(2))) struct PreviewTests {
    static func media(_ folder: URL) async throws -> (clip: [UInt8], song: [UInt8]) {
        let clip = folder.appendingPathComponent("clip.mp4").path
        let song = folder.appendingPathComponent("song.wav").path
        try await SampleMedia.clip(at: clip, seconds: 2, size: "160x120")
        try await SampleMedia.tone(at: song, seconds: 1)
        return (
            Array(try Data(contentsOf: URL(fileURLWithPath: clip))),
            Array(try Data(contentsOf: URL(fileURLWithPath: song)))
        )
    }

    @Test func eachFileHasItsSizeLengthAndPictureOrText() async throws {
        try await TestAPI.with(.sqlite) { client, api in
            let (clip, song) = try await Self.media(api.folder)
            let id = try await client.prepare()
            #expect(
                try await client.upload(id, "videos", [Multipart.Part(filename: "my clip.mp4", bytes: clip)]).status
                    == .ok)
            #expect(
                try await client.upload(id, "music", [Multipart.Part(filename: "song.wav", bytes: song)]).status == .ok)
            #expect(try await client.upload(id, "quotes", [Multipart.file("q.txt", "Be here now.")]).status == .ok)

            let listed = try object(try await client.json(.get, "/api/jobs/\(id)/media"))
            let files = try #require(listed["files"]?.array)
            let video = try #require(files.first?.object)
            #expect(video["name"] == .string("my clip.mp4") && video["size"] == .int(Int64(clip.count)))
            #expect(video["width"] == .int(160) && video["height"] == .int(120))
            if case .double(let seconds)? = video["duration_seconds"] {
                #expect(abs(seconds - 2) < 0.2)
            } else {
                Issue.record("no duration: \(video)")
            }
            #expect(video["poster"] == .string("/api/jobs/\(id)/files/videos/my%20clip.mp4/poster"))
            let music = try #require(files.dropFirst().first?.object)
            if case .double(let seconds)? = music["duration_seconds"] {
                #expect(abs(seconds - 1) < 0.1)
            } else {
                Issue.record("no duration: \(music)")
            }
            #expect(music["poster"] == .null)
            #expect(files.last?.object?["text"] == .string("Be here now."))

            let poster = try await client.json(.get, "/api/jobs/\(id)/files/videos/my%20clip.mp4/poster")
            #expect(poster.status == .ok && poster.headers[.contentType] == "image/jpeg")
            #expect(Array(poster.body.readableBytesView.prefix(2)) == [0xFF, 0xD8], "a JPEG")
            let job = try #require(try await api.storage.job(id))
            let run = try api.settings.data.runDirectory(of: job).path
            let cached = try FileManager.default.contentsOfDirectory(atPath: run + "/previews")
            #expect(cached.count == 1 && cached[0].hasSuffix(".jpg"), "kept with the job: \(cached)")
            let again = try await client.json(.get, "/api/jobs/\(id)/files/videos/my%20clip.mp4/poster")
            #expect(again.body == poster.body, "the kept picture")

            #expect(try await client.json(.get, "/api/jobs/\(id)/files/videos/none.mp4/poster").status == .notFound)
            #expect(try await client.json(.get, "/api/jobs/\(id)/files/music/song.wav/poster").status == .notFound)
            #expect(try await client.json(.get, "/api/jobs/\(id)/poster").status == .notFound, "not rendered yet")
        }
    }

    /// With object storage ffprobe and ffmpeg read the bucket through a
    /// presigned URL, and a duplicate's files are copies the store made.
    @Test func inObjectStorageTheBucketIsReadInPlaceAndCopiedByTheStore() async throws {
        let moto = try await TestObjectStore.start()
        let client = S3Client(
            try S3Configuration.from(
                url: "s3://yt-builder-media/previews", environment: moto.environment(bucket: "yt-builder-media")))
        try await client.createBucket()
        let store = S3RunFileStore(client)
        try await TestAPI.with(.sqlite, configure: { $0.objectStore = store }) { client, api in
            try api.settings.data.create()
            let (clip, _) = try await Self.media(api.folder)
            let id = try await client.prepare()
            #expect(
                try await client.upload(id, "videos", [Multipart.Part(filename: "c.mp4", bytes: clip)]).status == .ok)
            let copied = try object(try await client.json(.post, "/api/jobs/\(id)/duplicate"))
            let copy = try #require(copied["job_id"]?.int)
            for job in [id, copy] {
                let listed = try object(try await client.json(.get, "/api/jobs/\(job)/media"))
                let video = try #require(listed["files"]?.array?.first?.object)
                #expect(video["size"] == .int(Int64(clip.count)) && video["width"] == .int(160), "\(video)")
            }
            let poster = try await client.json(.get, "/api/jobs/\(copy)/files/videos/c.mp4/poster")
            #expect(poster.status == .ok && Array(poster.body.readableBytesView.prefix(2)) == [0xFF, 0xD8])
        }
    }

    @Test func aClipFfmpegCannotReadIsAClearError() async throws {
        try await TestAPI.with(.sqlite) { client, _ in
            let id = try await client.prepare()
            #expect(try await client.upload(id, "videos", [Multipart.file("fake.mp4", "not a video")]).status == .ok)
            let media = try object(try await client.json(.get, "/api/jobs/\(id)/media"))
            #expect(media["files"]?.array?.first?.object?["duration_seconds"] == .null)
            let poster = try await client.json(.get, "/api/jobs/\(id)/files/videos/fake.mp4/poster")
            #expect(poster.status == .unprocessableContent)
            let error = try object(poster)["error"]?.string ?? ""
            #expect(error.contains("no picture could be taken"), "\(error)")
        }
    }

    @Test(arguments: Backend.allCases) func theOverviewShowsWorkersQueueStoresAndFailures(_ backend: Backend)
        async throws
    {
        try await TestAPI.with(backend, configure: { $0.databaseLocation = "/srv/yt.db" }) { client, api in
            let worker = WorkerRecord(workerID: "host-b-7", host: "host-b", kinds: [.render], version: "9.9")
            try await api.storage.recordWorker(worker)
            let job = try await api.storage.createJob(NewJob(config: nil, runsDirectory: "runs", status: .queued))
            _ = try await api.storage.claimJob(worker: "host-b-7/0", lease: .seconds(30))
            let failed = try await api.storage.createJob(NewJob(config: nil, runsDirectory: "runs", status: .queued))
            try api.sql("UPDATE jobs SET status = 'failed', error = 'ffmpeg said no' WHERE job_id = \(failed.jobID)")

            let overview = try object(try await client.json(.get, "/api/admin/overview"))
            #expect(overview["database"]?.object?["ok"] == .bool(true))
            #expect(overview["database"]?.object?["location"] == .string("/srv/yt.db"))
            #expect(overview["files"]?.object?["ok"] == .bool(true))
            #expect(overview["jobs"]?.object?["running"] == .int(1) && overview["jobs"]?.object?["failed"] == .int(1))
            let workers = try #require(overview["workers"]?.array)
            #expect(workers.count == 1)
            let first = try #require(workers.first?.object)
            #expect(first["worker_id"] == .string("host-b-7") && first["alive"] == .bool(true))
            #expect(first["running"]?.array?.first?.object?["job_id"] == .int(job.jobID))
            let failures = try #require(overview["failures"]?.array)
            #expect(failures.first?.object?["error"] == .string("ffmpeg said no"))
            #expect(failures.first?.object?["retry"] == .string("/api/jobs/\(failed.jobID)/retry"))
            let queue = try #require(overview["queue"]?.array)
            #expect(
                queue.contains(.object(["kind": .string("render"), "state": .string("running"), "count": .int(1)])))
        }
    }
}
