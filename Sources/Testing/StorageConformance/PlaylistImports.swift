import StorageCore

extension StorageConformance {
    /// Playlist imports: claimed once, what they got kept across a lost
    /// worker, ended once, apart from the other kinds of the queue.
    public func testPlaylistImports() async throws {
        try await withStorage { storage, clock in
            let job = try await newJob(storage)
            let url = "https://suno.com/playlist/abc-123"
            let created = try await storage.createTask(PlaylistImport.self, jobID: job.jobID, url, maximumAttempts: nil)
            try expectEqual(created.state, .queued, "a new import is queued")
            try expectEqual(created.url, url, "keeps its URL")
            try expectEqual(created.downloaded, [], "nothing downloaded yet")
            try expectEqual(
                try await storage.tasks(PlaylistImport.self, ofJob: job.jobID).map(\.id), [created.id], "listed")
            try await expectError(.notFound, "an import into an unknown job") {
                try await storage.createTask(PlaylistImport.self, jobID: 999_999, url, maximumAttempts: nil)
            }
            try expectEqual(
                try await storage.queueDepth(), [QueueDepth(kind: .sunoImport, state: .queued, count: 1)],
                "the queue's depth counts the import")
            try expect(
                try await storage.claimTask(UploadTask.self, worker: "u", lease: Self.lease) == nil, "not an upload")
            try expect(try await storage.claimJob(worker: "r", lease: Self.lease) == nil, "not a render")

            let first = try unwrap(
                try await storage.claimTask(PlaylistImport.self, worker: "a", lease: Self.lease), "claim")
            try expectEqual(first.task.state, .running, "claimed")
            try expectEqual(first.claim.attempt, 1, "first attempt")
            try expectEqual(
                try await storage.queueDepth(), [QueueDepth(kind: .sunoImport, state: .running, count: 1)],
                "a claimed import is running")
            try expect(
                try await storage.claimTask(PlaylistImport.self, worker: "b", lease: Self.lease) == nil, "claimed once")
            let halfway = ImportProgress(songsTotal: 3, downloaded: ["Song_12345678.mp3"], errors: ["B: HTTP 500"])
            try expect(
                try await storage.recordProgress(PlaylistImport.self, first.claim, halfway, lease: Self.lease),
                "progress")
            var stranger = first.claim
            stranger.workerID = "b"
            try expect(
                !(try await storage.recordProgress(PlaylistImport.self, stranger, ImportProgress(), lease: Self.lease)),
                "not by another worker")
            let seen = try unwrap(try await storage.task(PlaylistImport.self, id: created.id), "read back")
            try expectEqual(seen.songsTotal, 3, "songs total")
            try expectEqual(seen.downloaded, halfway.downloaded, "downloaded so far")
            try expectEqual(seen.errors, halfway.errors, "errors so far")

            // The worker vanishes: the import goes back with what it got.
            clock.advance(seconds: 31)
            try expectEqual(try await storage.rescueExpiredTasks(PlaylistImport.self), 1, "rescued")
            let second = try unwrap(
                try await storage.claimTask(PlaylistImport.self, worker: "b", lease: Self.lease), "reclaim")
            try expectEqual(second.task.downloaded, halfway.downloaded, "what it got survives")
            try expectEqual(second.claim.attempt, 2, "the attempt is counted")
            try expect(
                try await storage.finishTask(PlaylistImport.self, first.claim, .failed(error: "late", ImportProgress()))
                    == nil,
                "the lost worker writes nothing")
            let all = ImportProgress(
                songsTotal: 3, downloaded: ["Song_12345678.mp3", "Ünïcode-Song_abcdefgh.mp3"],
                errors: ["B: HTTP 500"])
            let done = try unwrap(
                try await storage.finishTask(PlaylistImport.self, second.claim, .completed(all)), "completed")
            try expectEqual(done.state, .completed, "completed")
            try expectEqual(done.downloaded, all.downloaded, "every song")
            try expectEqual(done.errors, all.errors, "with the errors")
            try expect(
                try await storage.finishTask(PlaylistImport.self, second.claim, .completed(all)) == nil,
                "finishing twice does nothing")

            // A failure keeps its reason; handing back does not count; out of attempts fails.
            let bad = try await storage.createTask(PlaylistImport.self, jobID: job.jobID, url, maximumAttempts: 1)
            let held = try unwrap(
                try await storage.claimTask(PlaylistImport.self, worker: "c", lease: Self.lease), "claim")
            try expect(try await storage.finishTask(PlaylistImport.self, held.claim, .handedBack) != nil, "handed back")
            let again = try unwrap(
                try await storage.claimTask(PlaylistImport.self, worker: "c", lease: Self.lease), "claim")
            try expectEqual(again.claim.attempt, 1, "handing back did not count")
            clock.advance(seconds: 31)
            _ = try await storage.rescueExpiredTasks(PlaylistImport.self)
            let lost = try unwrap(try await storage.task(PlaylistImport.self, id: bad.id), "lost import")
            try expectEqual(lost.state, .failed, "failed after its last attempt")
            try expect(lost.error?.contains("worker lost") == true, "with the reason")
            let refused = try await storage.createTask(PlaylistImport.self, jobID: job.jobID, url, maximumAttempts: nil)
            let claimed = try unwrap(
                try await storage.claimTask(PlaylistImport.self, worker: "d", lease: Self.lease), "claim")
            let failed = try unwrap(
                try await storage.finishTask(
                    PlaylistImport.self,
                    claimed.claim, .failed(error: "Failed to fetch playlist: HTTP 404", ImportProgress())), "failed")
            try expectEqual(failed.error, "Failed to fetch playlist: HTTP 404", "the reason")
            try expectEqual(failed.id, refused.id, "the same import")
            try await expectError(.invalidInput, "zero attempts") {
                try await storage.createTask(PlaylistImport.self, jobID: job.jobID, url, maximumAttempts: 0)
            }

            _ = try await storage.deleteJob(job.jobID)
            try expect(try await storage.task(PlaylistImport.self, id: created.id) == nil, "imports go with their job")
        }
    }
}
