import StorageCore

extension StorageConformance {
    /// Pieces of a render: queued with their plan, unit and cost, claimed
    /// once, completed with what they made, rescued after a lost worker, and
    /// ended with their job (the job's other kinds of task untouched).
    public func testRenderPieces() async throws {
        try await withStorage { storage, clock in
            let job = try await self.job(in: .queued, storage)
            let video = RenderPiece.New(plan: "5f3a9c", unit: "video-0", cost: 8.5)
            let first = try await storage.createTask(RenderPiece.self, jobID: job.jobID, video, maximumAttempts: nil)
            try expectEqual(first.state, .queued, "a new piece is queued")
            try expectEqual([first.plan, first.unit], ["5f3a9c", "video-0"], "keeps its plan and unit")
            try expectEqual(first.cost, 8.5, "and its cost")
            try expect(first.bytes == nil && first.seconds == nil, "nothing made yet")
            let second = try await storage.createTask(
                RenderPiece.self, jobID: job.jobID, .init(plan: "5f3a9c", unit: "audio-0", cost: 0.25),
                maximumAttempts: nil)
            try expectEqual(
                try await storage.tasks(RenderPiece.self, ofJob: job.jobID).map(\.id), [second.id, first.id],
                "listed newest first")
            try await expectError(.invalidInput, "a cost that is not a number") {
                try await storage.createTask(
                    RenderPiece.self, jobID: job.jobID, .init(plan: "p", unit: "video-1", cost: .nan),
                    maximumAttempts: nil)
            }
            try expect(
                try await storage.claimTask(PlaylistImport.self, worker: "i", lease: Self.lease) == nil,
                "not a playlist import")

            let held = try unwrap(
                try await storage.claimTask(RenderPiece.self, worker: "a", lease: Self.lease), "claim")
            try expectEqual(held.task.id, first.id, "the oldest first")
            try expectEqual(held.task.workerID, "a", "names its worker")
            try expect(
                try await storage.recordProgress(RenderPiece.self, held.claim, (), lease: Self.lease), "heartbeat")
            clock.advance(seconds: 31)
            try expectEqual(try await storage.rescueExpiredTasks(RenderPiece.self), 1, "rescued")
            let again = try unwrap(
                try await storage.claimTask(RenderPiece.self, worker: "b", lease: Self.lease), "reclaim")
            try expectEqual(again.task.id, first.id, "the same piece")
            try expectEqual(again.claim.attempt, 2, "the attempt is counted")
            let made = RenderPiece.Made(bytes: 1_234_567, seconds: 3.75)
            let done = try unwrap(
                try await storage.finishTask(RenderPiece.self, again.claim, .completed(made)), "completed")
            try expectEqual(done.state, .completed, "completed")
            try expect(done.bytes == 1_234_567 && done.seconds == 3.75, "with what it made: \(done)")

            // Ending the job's pieces: the queued one and the running one, not the completed one.
            let running = try unwrap(
                try await storage.claimTask(RenderPiece.self, worker: "c", lease: Self.lease), "claim")
            _ = try await storage.createTask(
                RenderPiece.self, jobID: job.jobID, .init(plan: "5f3a9c", unit: "video-1", cost: 1),
                maximumAttempts: nil)
            let other = try await storage.createTask(
                PlaylistImport.self, jobID: job.jobID, "https://suno.com/playlist/x", maximumAttempts: nil)
            try expectEqual(try await storage.endTasks(RenderPiece.self, ofJob: job.jobID), 2, "two were open")
            try expect(
                !(try await storage.recordProgress(RenderPiece.self, running.claim, (), lease: Self.lease)),
                "the worker running one has lost it")
            try expect(
                try await storage.finishTask(RenderPiece.self, running.claim, .completed(made)) == nil,
                "and writes nothing")
            let states = try await storage.tasks(RenderPiece.self, ofJob: job.jobID).map(\.state)
            try expectEqual(states, [.cancelled, .cancelled, .completed], "ended, the completed one kept")
            try expectEqual(
                try await storage.task(PlaylistImport.self, id: other.id)?.state, .queued, "other kinds untouched")

            // A cancel of the job ends its pieces in the same transaction.
            _ = try await storage.createTask(
                RenderPiece.self, jobID: job.jobID, .init(plan: "5f3a9c", unit: "video-2", cost: 1),
                maximumAttempts: nil)
            _ = try await storage.cancelJob(job.jobID)
            try expect(
                try await storage.tasks(RenderPiece.self, ofJob: job.jobID).allSatisfy { $0.state != .queued },
                "no piece outlives the cancel")

            _ = try await storage.deleteJob(job.jobID)
            try expect(try await storage.task(RenderPiece.self, id: first.id) == nil, "pieces go with their job")
        }
    }
}
