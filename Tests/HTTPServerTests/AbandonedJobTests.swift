import Foundation
import HTTPServer
import Logging
import StorageCore
import Testing

/// Preparing jobs nobody finished go, rows and run directory, before a new job
/// is prepared and when a server starts; other jobs stay, whatever their age.
@Suite(.timeLimit(.minutes(3))) struct AbandonedJobTests {
    @Test(arguments: Backend.allCases) func removedBeforePrepareAndAtStart(_ backend: Backend) async throws {
        try await TestAPI.with(backend, configure: { $0.abandonedAfter = .milliseconds(300) }) { client, api in
            let abandoned = try await client.prepare()
            _ = try await client.upload(abandoned, "videos", [Multipart.file("a.mp4")])
            let started = try await client.prepare()
            _ = try await client.upload(started, "videos", [Multipart.file("b.mp4")])
            #expect(try await client.json(.post, "/api/jobs/\(started)/start").status == .ok)
            let folder = try #require(try await api.storage.job(abandoned)).runDirectory
            try await Task.sleep(for: .milliseconds(400))

            let fresh = try await client.prepare()
            #expect(try await api.storage.job(abandoned) == nil, "the abandoned job's row is gone")
            #expect(try await api.storage.files(ofJob: abandoned, type: nil).isEmpty, "and its files' rows")
            #expect(!FileManager.default.fileExists(atPath: folder), "and its run directory")
            #expect(try await api.storage.job(started)?.status == .queued, "a queued job stays")
            #expect(try await api.storage.job(fresh) != nil)

            try await Task.sleep(for: .milliseconds(400))
            _ = try await buildApplication(storage: api.storage, settings: api.settings, logger: Logger(label: "test"))
            #expect(try await api.storage.job(fresh) == nil, "a server starting removes abandoned jobs too")
        }
    }
}
