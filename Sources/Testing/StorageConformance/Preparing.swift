import StorageCore
import Synchronization

extension StorageConformance {
    /// What only a preparing job allows, checked in the transaction that writes:
    /// adding and removing files, and the start with its config.
    public func testPreparing() async throws {
        try await withStorage { storage, _ in
            let job = try await newJob(storage)
            let placed = Mutex(0)
            let row = NewJobFile(jobID: job.jobID, fileType: .videos, filename: "a.mp4", filePath: "\(runs)/a.mp4")
            let added = try await storage.addFileWhilePreparing(row) { placed.withLock { $0 += 1 } }
            try expectEqual(placed.withLock { $0 }, 1, "the file is placed inside the transaction")
            try expectEqual(try await storage.files(ofJob: job.jobID, type: nil), [added], "and recorded")
            let failing = NewJobFile(jobID: job.jobID, fileType: .music, filename: "m.mp3", filePath: "\(runs)/m.mp3")
            try await expectError(.unavailable, "a file that cannot be placed") {
                _ = try await storage.addFileWhilePreparing(failing) {
                    throw StorageError(.unavailable, "disk full")
                }
            }
            try expectEqual(try await storage.files(ofJob: job.jobID, type: .music), [], "is not recorded")
            try await expectError(.notFound, "a missing job") {
                _ = try await storage.addFileWhilePreparing(
                    NewJobFile(jobID: 999_999, fileType: .videos, filename: "x.mp4", filePath: "x")
                ) {}
            }

            let empty = try await newJob(storage)
            try await expectError(.invalidInput, "a start without video clips") {
                _ = try await storage.startJob(empty.jobID, config: JobConfig(), expectedConfig: empty.configText)
            }
            try await expectError(.conflict, "a start over a config that changed meanwhile") {
                _ = try await storage.startJob(job.jobID, config: JobConfig(), expectedConfig: #"{"other": 1}"#)
            }
            let config = JobConfig(["duration": .int(30), "fps": .int(24)])
            let started = try unwrap(
                try await storage.startJob(job.jobID, config: config, expectedConfig: job.configText), "started")
            try expectEqual(started.status, .queued, "a start queues the job")
            try expectEqual(started.config, config, "with the config it was given")
            try expectEqual(try await storage.startJob(424_242, config: config, expectedConfig: nil), nil, "no job")
            try await expectError(.invalidTransition, "a second start") {
                _ = try await storage.startJob(job.jobID, config: config, expectedConfig: started.configText)
            }

            let late = NewJobFile(jobID: job.jobID, fileType: .videos, filename: "late.mp4", filePath: "\(runs)/l.mp4")
            try await expectError(.invalidTransition, "a file for a job that has started") {
                _ = try await storage.addFileWhilePreparing(late) { placed.withLock { $0 += 100 } }
            }
            try expectEqual(placed.withLock { $0 }, 1, "is never placed")
            try await expectError(.invalidTransition, "removing a file of a job that has started") {
                _ = try await storage.deleteFileWhilePreparing(jobID: job.jobID, type: .videos, filename: "a.mp4")
            }
            try expectEqual(try await storage.files(ofJob: job.jobID, type: nil).count, 1, "the file stays")

            let other = try await newJob(storage)
            let kept = try await storage.addFileWhilePreparing(
                NewJobFile(jobID: other.jobID, fileType: .quotes, filename: "q.txt", filePath: "\(runs)/q.txt")
            ) {}
            try expectEqual(
                try await storage.deleteFileWhilePreparing(jobID: other.jobID, type: .quotes, filename: "q.txt"),
                kept, "a preparing job's file is deleted and returned")
            try expectEqual(
                try await storage.deleteFileWhilePreparing(jobID: other.jobID, type: .quotes, filename: "q.txt"),
                nil, "twice: nothing")
        }
    }
}
