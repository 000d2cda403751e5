import Foundation
import HTTPServer
import Logging
import StorageCore
import Synchronization
import Testing

/// Preparing jobs nobody finished go, rows and run directory, before a new job
/// is prepared and when a server starts; other jobs stay, whatever their age.
@Suite(.timeLimit(.minutes(3))) struct AbandonedJobTests {
    @Test(arguments: Backend.allCases) func removedBeforePrepareAndAtStart(_ backend: Backend) async throws {
        let hoursAhead = Mutex(0.0)
        let serverClock: @Sendable () -> Timestamp = {
            Timestamp.now().adding(seconds: hoursAhead.withLock { $0 } * 3600)
        }
        try await TestAPI.with(backend, configure: { $0.clock = serverClock }) { client, api in
            let abandoned = try await client.prepare()
            _ = try await client.upload(abandoned, "videos", [Multipart.file("a.mp4")])
            let started = try await client.prepare()
            _ = try await client.upload(started, "videos", [Multipart.file("b.mp4")])
            #expect(try await client.json(.post, "/api/jobs/\(started)/start").status == .ok)
            let folder = try #require(try await api.storage.job(abandoned)).runDirectory
            hoursAhead.withLock { $0 = 2 }

            let fresh = try await client.prepare()
            #expect(try await api.storage.job(abandoned) == nil, "the abandoned job's row is gone")
            #expect(try await api.storage.files(ofJob: abandoned, type: nil).isEmpty, "and its files' rows")
            #expect(!FileManager.default.fileExists(atPath: folder), "and its run directory")
            #expect(try await api.storage.job(started)?.status == .queued, "a queued job stays")
            #expect(try await api.storage.job(fresh) != nil)

            hoursAhead.withLock { $0 = 4 }
            _ = try await buildApplication(storage: api.storage, settings: api.settings, logger: Logger(label: "test"))
            #expect(try await api.storage.job(fresh) == nil, "a server starting removes abandoned jobs too")
        }
    }
}
