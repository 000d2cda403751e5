import StorageCore

extension StorageConformance {
    /// Upload tasks: claimed once, resumable after a lost worker, recorded once.
    public func testUploadTasks() async throws {
        try await withStorage { storage, clock in
            let job = try await self.job(in: .completed, storage)
            let task = try await storage.createTask(
                UploadTask.self, jobID: job.jobID, (request: #"{"title":"T"}"#, totalBytes: 1000))
            try expectEqual(task.state, .pending, "a new task is pending")
            try expectEqual(try await storage.tasks(UploadTask.self, ofJob: job.jobID).map(\.id), [task.id], "listed")
            try await expectError(.notFound, "a task of an unknown job") {
                try await storage.createTask(
                    UploadTask.self, jobID: 999_999, (request: "{}", totalBytes: 1))
            }

            let first = try unwrap(
                try await storage.claimTask(UploadTask.self, worker: "a", lease: Self.lease), "claim")
            try expectEqual(first.task.state, .uploading, "claimed")
            try expectEqual(first.claim.attempt, 1, "first attempt")
            try expect(
                try await storage.claimTask(UploadTask.self, worker: "b", lease: Self.lease) == nil, "claimed once")
            try expect(
                try await storage.recordProgress(
                    UploadTask.self, first.claim, (sessionURL: "https://up/s1", bytesSent: 400),
                    lease: Self.lease),
                "progress recorded")
            var stranger = first.claim
            stranger.workerID = "b"
            try expect(
                !(try await storage.recordProgress(
                    UploadTask.self, stranger, (sessionURL: nil, bytesSent: 1), lease: Self.lease)),
                "not by another worker")

            // The worker vanishes: the task goes back with its session and progress.
            clock.advance(seconds: 31)
            try expectEqual(try await storage.rescueExpiredTasks(UploadTask.self), 1, "rescued")
            let second = try unwrap(
                try await storage.claimTask(UploadTask.self, worker: "b", lease: Self.lease), "reclaim")
            try expectEqual(second.task.sessionURL, "https://up/s1", "the session survives")
            try expectEqual(second.task.bytesSent, 400, "and how far it got")
            try expectEqual(second.claim.attempt, 2, "the attempt is counted")
            try expect(
                try await storage.finishTask(UploadTask.self, first.claim, .failed(error: "late", nil)) == nil,
                "the lost worker writes nothing")

            let upload = NewYouTubeUpload(
                jobID: job.jobID, videoID: "vid1", videoURL: "https://www.youtube.com/watch?v=vid1", title: "T",
                description: nil, privacy: .unlisted, tags: ["x"], category: "22")
            let done = try unwrap(
                try await storage.finishTask(UploadTask.self, second.claim, .completed(upload)), "completed")
            try expectEqual(done.state, .completed, "completed")
            try expectEqual(done.videoID, "vid1", "video id")
            try expectEqual(done.bytesSent, 1000, "all bytes")
            try expect(
                try await storage.finishTask(UploadTask.self, second.claim, .completed(upload)) == nil,
                "finishing twice does nothing")
            let recorded = try await storage.uploads(ofJob: job.jobID, limit: 10)
            try expectEqual(recorded.map(\.videoID), ["vid1"], "recorded exactly once")

            // Out of attempts: failed, with the reason. Handing back does not count.
            let doomed = try await storage.createTask(
                UploadTask.self, jobID: job.jobID, (request: "{}", totalBytes: 10), maximumAttempts: 2)
            let held = try unwrap(try await storage.claimTask(UploadTask.self, worker: "c", lease: Self.lease), "claim")
            try expect(try await storage.finishTask(UploadTask.self, held.claim, .handedBack) != nil, "handed back")
            for attempt in 1...2 {
                let claim = try unwrap(
                    try await storage.claimTask(UploadTask.self, worker: "c", lease: Self.lease), "claim")
                try expectEqual(claim.claim.attempt, attempt, "attempt \(attempt)")
                clock.advance(seconds: 31)
                _ = try await storage.rescueExpiredTasks(UploadTask.self)
            }
            let failed = try unwrap(try await storage.task(UploadTask.self, id: doomed.id), "failed task")
            try expectEqual(failed.state, .failed, "failed after the last attempt")
            try expect(failed.error?.contains("worker lost") == true, "with the reason")

            _ = try await storage.deleteJob(job.jobID)
            try expect(try await storage.task(UploadTask.self, id: task.id) == nil, "tasks go with their job")
        }
    }
}
