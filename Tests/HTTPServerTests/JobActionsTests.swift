import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import RunFiles
import StorageCore
import Testing

/// What the history lets a person do with a job: make another like it, try
/// a cancelled or failed one again, delete one that is not in the queue.
@Suite struct JobActionsTests {
    /// A preparing job with a clip and a quote, and a config of its own.
    static func jobWithFiles(_ client: any TestClientProtocol) async throws -> Int64 {
        let id = try await client.prepare()
        #expect(try await client.upload(id, "videos", [Multipart.file("a clip.mp4", "clip")]).status == .ok)
        #expect(try await client.upload(id, "quotes", [Multipart.file("q.txt", "Be here now.")]).status == .ok)
        return id
    }

    @Test(arguments: Backend.allCases) func aDuplicateHasTheSameSettingsAndItsOwnLinksOfTheFiles(_ backend: Backend)
        async throws
    {
        try await TestAPI.with(backend) { client, api in
            let id = try await Self.jobWithFiles(client)
            #expect(try await client.json(.post, "/api/jobs/\(id)/start", #"{"duration": 7, "fps": 12}"#).status == .ok)
            let response = try await client.json(.post, "/api/jobs/\(id)/duplicate")
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let created = try object(response)
            #expect(created["duplicate_of"] == .int(id) && created["status"] == .string("preparing"))
            let copyID = try #require(created["job_id"]?.int)
            let copy = try #require(try await api.storage.job(copyID))
            let original = try #require(try await api.storage.job(id))
            #expect(copy.config == original.config && copy.config?.values["duration"] == .int(7))
            let files = try await api.storage.files(ofJob: copy.jobID, type: nil)
            #expect(files.map(\.filename) == ["a clip.mp4", "q.txt"])
            let run = try api.settings.data.runDirectory(of: copy)
            for file in files {
                let path = try #require(run.resolve(file.filePath), "\(file.filePath) is in the copy's own run")
                let links = try FileManager.default.attributesOfItem(atPath: path)[.referenceCount] as? Int
                #expect(links == 2, "a hard link to the original's file, not a second copy")
            }
            #expect(try await client.json(.post, "/api/jobs/99/duplicate").status == .notFound)
        }
    }

    @Test(arguments: Backend.allCases) func aCancelledJobIsRetriedAsANewQueuedJob(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let id = try await Self.jobWithFiles(client)
            #expect(try await client.json(.post, "/api/jobs/\(id)/start", #"{"duration": 5}"#).status == .ok)
            let early = try await client.json(.post, "/api/jobs/\(id)/retry")
            #expect(early.status == .conflict)
            let refusal = try object(early)["error"]?.string ?? ""
            #expect(refusal.contains("only a failed or cancelled job can be retried"))
            #expect(try await client.json(.post, "/api/jobs/\(id)/cancel").status == .ok)

            let response = try await client.json(.post, "/api/jobs/\(id)/retry")
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let retried = try object(response)
            #expect(retried["retry_of"] == .int(id) && retried["status"] == .string("queued"))
            let newID = try #require(retried["job_id"]?.int)
            #expect(try await api.storage.job(id)?.status == .cancelled, "the original stays as it ended")
            #expect(try await api.storage.files(ofJob: newID, type: nil).count == 2)
        }
    }

    @Test(arguments: Backend.allCases) func aJobOutOfTheQueueIsDeletedWithItsRun(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let id = try await Self.jobWithFiles(client)
            #expect(try await client.json(.post, "/api/jobs/\(id)/start", #"{"duration": 5}"#).status == .ok)
            let queued = try await client.json(.delete, "/api/jobs/\(id)")
            #expect(queued.status == .conflict)
            let refusal = try object(queued)["error"]?.string ?? ""
            #expect(refusal.contains("cancel it before deleting it"))
            #expect(try await client.json(.post, "/api/jobs/\(id)/cancel").status == .ok)
            let cancelled = try #require(try await api.storage.job(id))
            let run = try api.settings.data.runDirectory(of: cancelled).path

            let deleted = try await client.json(.delete, "/api/jobs/\(id)")
            let answer = try object(deleted)
            #expect(deleted.status == .ok && answer["deleted"] == .int(id))
            #expect(try await client.json(.get, "/api/jobs/\(id)").status == .notFound)
            #expect(!FileManager.default.fileExists(atPath: run), "its run directory went with it")
            #expect(try await client.json(.delete, "/api/jobs/\(id)").status == .notFound)
            #expect(try await client.json(.delete, "/api/jobs/abc").status == .notFound)
        }
    }

    @Test func theFontsFolderIsListed() async throws {
        try await TestAPI.with(.sqlite) { client, api in
            let fonts = api.settings.dataDirectory + "/fonts"
            try FileManager.default.createDirectory(atPath: fonts, withIntermediateDirectories: true)
            for name in ["Ten Pounds.ttf", "notes.txt", ".hidden.otf"] {
                try Data("font".utf8).write(to: URL(fileURLWithPath: fonts + "/" + name))
            }
            let listed = try object(try await client.json(.get, "/api/fonts"))
            #expect(
                listed["fonts"]
                    == .array([.object(["name": .string("Ten Pounds"), "file": .string("Ten Pounds.ttf")])]))
        }
    }
}
