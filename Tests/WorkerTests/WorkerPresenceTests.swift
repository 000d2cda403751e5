import Foundation
import Logging
import SQLiteStorage
import ServiceLifecycle
import StorageCore
import Testing
import Worker

/// A worker process says it is alive while it runs, and takes its record
/// away when it stops gracefully.
@Suite(.timeLimit(.minutes(1))) struct WorkerPresenceTests {
    @Test func aWorkerIsListedWhileItRunsAndGoneWhenItStops() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yt-presence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let storage = try await SQLiteStorage.open(path: folder.appendingPathComponent("db.sqlite").path)
        let record = WorkerRecord(workerID: "host-p-1", host: "host-p", kinds: [.render], version: "1")
        let logger = Logger(label: "presence")
        let presence = WorkerPresenceService(
            storage: storage, record: record, interval: .milliseconds(50), logger: logger)
        let group = ServiceGroup(services: [presence], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var first: Timestamp?
            var later: Timestamp?
            for _ in 0..<100 {
                let seen = try await storage.workers(seenWithin: .seconds(60)).first
                if first == nil { first = seen?.seenAt } else if let seen, seen.seenAt > first! { later = seen.seenAt }
                if later != nil { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(first != nil, "recorded at start")
            #expect(later != nil, "and again, heartbeat after heartbeat")
            #expect(try await storage.workers(seenWithin: .seconds(60)).map(\.record) == [record])
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await storage.workers(seenWithin: .seconds(60)).isEmpty, "gone once it stopped")
        await storage.close()
    }
}
