import StorageCore

extension StorageConformance {
    public func testCleanup() async throws {
        try await withStorage { storage, clock in
            var old: [JobStatus: Job] = [:]
            for status in JobStatus.allCases { old[status] = try await job(in: status, storage) }
            let oldCompleted = try unwrap(old[.completed], "old completed job")
            _ = try await add(storage, oldCompleted.jobID, .videos, "v.mp4")
            _ = try await add(storage, oldCompleted.jobID, .music, "m.mp3")
            _ = try await upload(storage, oldCompleted.jobID, "OLDOLDOLD00")
            // Created long ago but finished just now: not old.
            let lateFinisher = try await job(in: .running, storage)
            clock.advance(days: 40)
            _ = try await storage.updateJob(lateFinisher.jobID, JobUpdate(status: .failed, error: "boom"))
            let recent = try await job(in: .completed, storage)
            let cutoff = clock.peek().adding(seconds: -30 * 86_400)

            let expected = [JobStatus.completed, .failed, .cancelled].compactMap { old[$0] }
                .map { DeletedJob(jobID: $0.jobID, runDirectory: $0.runDirectory) }.sorted { $0.jobID < $1.jobID }
            let preview = try await storage.cleanupOldJobs(finishedBefore: cutoff, dryRun: true)
            try expectEqual(preview, CleanupResult(jobs: expected, files: 2, uploads: 1), "what a dry run reports")
            try expectEqual(try await allJobs(storage).count, 8, "a dry run deletes nothing")

            let result = try await storage.cleanupOldJobs(finishedBefore: cutoff, dryRun: false)
            try expectEqual(result, preview, "the cleanup does what the dry run said")
            let left = Set(try await allJobs(storage).map(\.jobID))
            let kept = [old[.preparing], old[.queued], old[.running], lateFinisher, recent].compactMap { $0?.jobID }
            try expectEqual(left, Set(kept), "unfinished, recently finished and recent jobs stay")
            try expectEqual(try await storage.files(ofJob: oldCompleted.jobID, type: nil), [], "their files are gone")
            try expectEqual(
                try await storage.uploads(ofJob: oldCompleted.jobID, limit: 10), [], "their uploads are gone")
            try expectEqual(
                try await storage.cleanupOldJobs(finishedBefore: cutoff, dryRun: false),
                CleanupResult(jobs: [], files: 0, uploads: 0),
                "a second cleanup finds nothing")

            let stalePreparing = try unwrap(old[.preparing], "the old preparing job")
            _ = try await add(storage, stalePreparing.jobID, .videos, "left.mp4")
            let fresh = try await newJob(storage)
            let none = try await storage.deleteStalePreparingJobs(createdBefore: stalePreparing.createdAt)
            try expectEqual(none, [], "a job created at the cutoff is not stale")
            let stale = try await storage.deleteStalePreparingJobs(createdBefore: clock.peek().adding(seconds: -3600))
            try expectEqual(
                stale, [DeletedJob(jobID: stalePreparing.jobID, runDirectory: stalePreparing.runDirectory)],
                "stale preparing jobs are deleted, and only they")
            try expectEqual(try await storage.job(stalePreparing.jobID), nil, "the stale job is gone")
            try expectEqual(try await storage.files(ofJob: stalePreparing.jobID, type: nil), [], "with its files")
            try expect(try await storage.job(fresh.jobID) != nil, "the fresh preparing job stays")
        }
    }

    public func testPaging() async throws {
        try await withStorage { storage, _ in
            var created: [Job] = []
            for index in 0..<25 {
                created.append(try await job(in: index % 3 == 0 ? .queued : .preparing, storage))
            }
            let newestFirst = created.reversed().map(\.jobID)
            var seen: [Int64] = []
            var cursor: JobCursor?
            var sizes: [Int] = []
            repeat {
                let page = try await storage.listJobs(JobQuery(limit: 10, after: cursor))
                sizes.append(page.jobs.count)
                seen += page.jobs.map(\.jobID)
                cursor = page.nextCursor
                if let text = cursor?.description {
                    try expectEqual(try JobCursor.parse(text), cursor, "a cursor survives its text form")
                }
            } while cursor != nil
            try expectEqual(sizes, [10, 10, 5], "page sizes")
            try expectEqual(seen, newestFirst, "pages cover every job once, newest first")

            let exact = try await storage.listJobs(JobQuery(limit: 25))
            try expect(exact.nextCursor == nil, "a page that holds the rest has no next cursor")

            let queued = try await allJobs(storage, status: .queued)
            try expectEqual(
                queued.map(\.jobID), created.filter { $0.status == .queued }.reversed().map(\.jobID), "status filter")
            let firstQueued = try await storage.listJobs(JobQuery(status: .queued, limit: 4))
            let restQueued = try await storage.listJobs(
                JobQuery(status: .queued, limit: 5, after: firstQueued.nextCursor))
            try expect(restQueued.nextCursor == nil, "the last page of a filter")
            try expectEqual((firstQueued.jobs + restQueued.jobs).map(\.jobID), queued.map(\.jobID), "paging a filter")

            let page = try await storage.listJobs(JobQuery(limit: 5))
            for job in page.jobs { _ = try await storage.deleteJob(job.jobID) }
            let afterDeleted = try await storage.listJobs(JobQuery(limit: 5, after: page.nextCursor))
            try expectEqual(afterDeleted.jobs.map(\.jobID), Array(newestFirst[5..<10]), "a cursor outlives its job")
            try expectEqual(try await storage.listJobs(JobQuery(status: .running)).jobs, [], "no running jobs")
        }
    }
}
