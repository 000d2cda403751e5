import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import RunFiles
import StorageCore
import Testing

/// The earlier page's "use existing files": `POST /api/jobs` makes a job of
/// the shared folders' files, recorded as its own.
@Suite struct SharedMediaJobTests {
    @Test(arguments: Backend.allCases) func aJobTakesTheSharedFoldersFiles(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            try api.addSharedClip("one.mp4")
            try api.addSharedClip("two clip.mov")
            let music = api.settings.dataDirectory + "/music"
            try FileManager.default.createDirectory(atPath: music, withIntermediateDirectories: true)
            try Data("song".utf8).write(to: URL(fileURLWithPath: music + "/song.mp3"))

            let response = try await client.json(.post, "/api/jobs", #"{"duration": 5}"#)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let created = try object(response)
            #expect(created["status"] == .string("queued"))
            let id = try #require(created["job_id"]?.int)
            let job = try #require(try await api.storage.job(id))
            #expect(job.config?.values["duration"] == .int(5))
            let files = try await api.storage.files(ofJob: id, type: nil)
            #expect(files.map(\.filename).sorted() == ["one.mp4", "song.mp3", "two clip.mov"])
            let run = try api.settings.data.runDirectory(of: job)
            for file in files {
                #expect(run.resolve(file.filePath) != nil, "\(file.filePath) is inside the job's run")
                #expect(FileManager.default.fileExists(atPath: file.filePath))
            }
            let shown = try object(try await client.json(.get, "/api/jobs/\(id)"))
            #expect(shown["file_counts"]?.object?["videos"] == .int(2))
            #expect(shown["file_counts"]?.object?["music"] == .int(1))

            // Removing the job's run leaves the shared folders as they were.
            try run.remove()
            #expect(try Data(contentsOf: URL(fileURLWithPath: music + "/song.mp3")) == Data("song".utf8))
            let listed = try object(try await client.json(.get, "/api/files"))
            #expect(listed["videos"]?.array?.count == 2)
        }
    }

    @Test(arguments: Backend.allCases) func noSharedClipsIsA400AndLeavesNothing(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let response = try await client.json(.post, "/api/jobs", #"{"duration": 5}"#)
            #expect(response.status == .badRequest)
            #expect(
                try object(response)["error"]?.string?.contains("no video clips in the shared videos folder") == true)
            #expect(try await api.storage.listJobs(JobQuery(limit: 10)).jobs.isEmpty, "no job left behind")
            let runs =
                (try? FileManager.default.contentsOfDirectory(atPath: api.settings.dataDirectory + "/runs")) ?? []
            #expect(runs.isEmpty, "no run folder left behind: \(runs)")
        }
    }
}
