import StorageCore
import Synchronization

extension StorageConformance {
    static let lease = Duration.seconds(30)

    func queued(_ storage: any Storage, count: Int) async throws -> [Int64] {
        var ids: [Int64] = []
        for _ in 0..<count {
            ids.append(try await storage.createJob(NewJob(config: nil, runsDirectory: runs, status: .queued)).jobID)
        }
        return ids
    }

    /// Claims take the oldest queued job, exactly once, and only queued jobs.
    public func testClaims() async throws {
        try await withStorage { storage, clock in
            try expect(try await storage.claimJob(worker: "w1", lease: Self.lease) == nil, "an empty queue gives nil")
            _ = try await newJob(storage)  // preparing: never claimed
            let ids = try await queued(storage, count: 3)
            let startedAt = clock.peek()
            let first = try unwrap(try await storage.claimJob(worker: "w1", lease: Self.lease), "claim")
            try expectEqual(first.job.jobID, ids[0], "the oldest queued job first")
            try expectEqual(first.job.status, .running, "a claimed job runs")
            try expectEqual(
                first.claim, JobClaim(taskID: first.claim.taskID, jobID: ids[0], workerID: "w1", attempt: 1),
                "the claim")
            try expect(first.job.startedAt.map { $0 >= startedAt } == true, "started_at is the claim's time")
            try expect(first.leaseExpiresAt > startedAt.adding(seconds: 29), "the lease runs for its duration")
            try expectEqual(try await storage.job(ids[0])?.status, .running, "stored as running")

            // Many claimers at once: each job goes to exactly one.
            let more = try await queued(storage, count: 60)
            let all = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var mine: [Int64] = []
                        while let job = try await storage.claimJob(worker: "w\(worker)", lease: Self.lease) {
                            mine.append(job.job.jobID)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            try expectEqual(all.sorted(), (ids.dropFirst() + more).sorted(), "every queued job claimed once")
            try expect(try await storage.claimJob(worker: "w1", lease: Self.lease) == nil, "the queue is empty after")

            // Moves made by updates keep the job's one render task in step.
            let moved = try await job(in: .queued, storage)
            let byUpdate = try unwrap(try await storage.claimJob(worker: "w1", lease: Self.lease), "claim")
            try expectEqual(byUpdate.job.jobID, moved.jobID, "a job queued by an update is claimed")
            _ = try await storage.updateJob(moved.jobID, JobUpdate(status: .completed))
            let runningByUpdate = try await job(in: .running, storage)
            try expect(
                try await storage.claimJob(worker: "w1", lease: Self.lease) == nil,
                "neither a job completed nor one moved to running by an update is claimed")
            clock.advance(seconds: 31)
            let rescued = try await storage.rescueExpiredLeases()
            try expect(
                rescued.requeued.contains(runningByUpdate.jobID), "running by an update, without a lease: rescued")
            try expect(
                !(rescued.requeued + rescued.failed + rescued.cancelled).contains(moved.jobID),
                "a job an update completed has no task left to rescue: \(rescued)")
            try expect(
                try await storage.finishJob(byUpdate.claim, .failed(error: "late")) == false,
                "the claim of a job an update completed is refused")
            try expectEqual(try await storage.job(moved.jobID)?.status, .completed, "and the job stays completed")
            try await expectError(.invalidInput, "a lease of zero") {
                try await storage.claimJob(worker: "w1", lease: .zero)
            }
        }
    }

    /// Heartbeats, progress and finishing are guarded by job, worker and attempt.
    public func testLeases() async throws {
        try await withStorage { storage, clock in
            let id = try await queued(storage, count: 1)[0]
            let first = try unwrap(try await storage.claimJob(worker: "a", lease: Self.lease), "claim").claim
            try expectEqual(try await storage.renewLease(first, lease: Self.lease), .held, "a heartbeat holds")
            try expectEqual(
                try await storage.reportProgress(first, progress: 50, step: "Mixing audio tracks"), .held, "progress")
            try expectEqual(try await storage.job(id)?.progress, 50, "progress stored")
            var stranger = first
            stranger.workerID = "b"
            try expectEqual(try await storage.renewLease(stranger, lease: Self.lease), .lost, "another worker's claim")
            try expect(!(try await storage.finishJob(stranger, .completed(outputFile: nil))), "nor can it finish it")

            try expect(try await storage.rescueExpiredLeases().isEmpty, "a live lease is not rescued")
            clock.advance(seconds: 20)
            try expectEqual(try await storage.renewLease(first, lease: Self.lease), .held, "renewed")
            clock.advance(seconds: 20)
            try expect(try await storage.rescueExpiredLeases().isEmpty, "a renewed lease holds on")
            clock.advance(seconds: 31)
            try expectEqual(
                try await storage.rescueExpiredLeases(), RescueReport(requeued: [id]),
                "an expired lease goes back to the queue")
            try expectEqual(try await storage.job(id)?.status, .queued, "queued again")
            try expectEqual(try await storage.renewLease(first, lease: Self.lease), .lost, "the old claim is lost")

            let second = try unwrap(try await storage.claimJob(worker: "b", lease: Self.lease), "reclaim").claim
            try expectEqual(second.attempt, 2, "the attempt is counted")
            try expect(!(try await storage.finishJob(first, .failed(error: "late"))), "the lost worker writes nothing")
            try expectEqual(try await storage.job(id)?.status, .running, "the new attempt is untouched")
            try expect(try await storage.finishJob(second, .completed(outputFile: "/out.mp4")), "the holder finishes")
            let done = try unwrap(try await storage.job(id), "done")
            try expectEqual(done.status, .completed, "completed")
            try expectEqual(done.outputFile, "/out.mp4", "output file")
            try expectEqual(done.progress, 100, "progress 100")
            try expect(done.finishedAt != nil, "finished_at")
            try expect(!(try await storage.finishJob(second, .failed(error: "x"))), "finishing twice does nothing")
            try expect(
                try await storage.finishJob(second, .completed(outputFile: "/out.mp4")),
                "the same result again is accepted: a retry after a lost answer finds it written")
            try expect(
                !(try await storage.finishJob(first, .completed(outputFile: "/late.mp4"))),
                "another attempt's result is not")
            try expectEqual(try await storage.job(id)?.outputFile, "/out.mp4", "and changes nothing")

            // The last attempt lost: failed, with the reason.
            let lastID = try await queued(storage, count: 1)[0]
            for attempt in 1...3 {
                let claim = try unwrap(try await storage.claimJob(worker: "c", lease: Self.lease), "claim").claim
                try expectEqual(claim.attempt, attempt, "attempt \(attempt)")
                clock.advance(seconds: 31)
                let report = try await storage.rescueExpiredLeases()
                try expectEqual(
                    report, attempt < 3 ? RescueReport(requeued: [lastID]) : RescueReport(failed: [lastID]),
                    "rescue after attempt \(attempt)")
            }
            let failed = try unwrap(try await storage.job(lastID), "failed job")
            try expectEqual(failed.status, .failed, "failed after the last attempt")
            try expect(failed.error?.contains("worker lost") == true, "with the reason: \(failed.error ?? "none")")

            // Handing back on shutdown does not count as an attempt.
            let backID = try await queued(storage, count: 1)[0]
            let held = try unwrap(try await storage.claimJob(worker: "d", lease: Self.lease), "claim").claim
            try expect(try await storage.finishJob(held, .handedBack), "hand back")
            try expectEqual(try await storage.job(backID)?.status, .queued, "queued again")
            let again = try unwrap(try await storage.claimJob(worker: "e", lease: Self.lease), "claim again").claim
            try expectEqual(again.attempt, 1, "the handed-back attempt does not count")

            // A job left running without a lease (a crash of the earlier service) is rescued.
            let orphan = try await job(in: .running, storage)
            let report = try await storage.rescueExpiredLeases()
            try expect(report.requeued.contains(orphan.jobID), "a running job without a lease is rescued: \(report)")
        }
    }

    /// Cancel: at once before a worker has it, through the worker after.
    public func testCancel() async throws {
        try await withStorage { storage, clock in
            let preparing = try await newJob(storage)
            guard case .cancelled(let cancelled) = try unwrap(try await storage.cancelJob(preparing.jobID), "cancel")
            else { throw ConformanceFailure(message: "a preparing job is cancelled at once", location: #fileID) }
            try expectEqual(cancelled.status, .cancelled, "preparing → cancelled")
            try expect(cancelled.finishedAt != nil, "finished_at set")
            let queuedID = try await queued(storage, count: 1)[0]
            try expectEqual(try await storage.cancelJob(queuedID)?.job.status, .cancelled, "queued → cancelled")
            try expect(
                try await storage.claimJob(worker: "w", lease: Self.lease) == nil, "a cancelled job is not claimed")

            let runningID = try await queued(storage, count: 1)[0]
            let claim = try unwrap(try await storage.claimJob(worker: "w", lease: Self.lease), "claim").claim
            guard case .requested(let running) = try unwrap(try await storage.cancelJob(runningID), "cancel running")
            else { throw ConformanceFailure(message: "a running job gets a request", location: #fileID) }
            try expectEqual(running.status, .running, "still running until its worker stops")
            try expectEqual(
                try await storage.renewLease(claim, lease: Self.lease), .cancelRequested, "seen at heartbeat")
            try expectEqual(
                try await storage.reportProgress(claim, progress: 60, step: nil), .cancelRequested, "and at progress")
            try expect(try await storage.finishJob(claim, .cancelled), "the worker marks it cancelled")
            try expectEqual(try await storage.job(runningID)?.status, .cancelled, "cancelled")
            try await expectError(.invalidTransition, "cancelling a finished job") {
                try await storage.cancelJob(runningID)
            }
            try expect(try await storage.cancelJob(999_999) == nil, "an unknown job gives nil")

            // A worker that dies after a cancel request: the rescue cancels the job.
            let doomedID = try await queued(storage, count: 1)[0]
            _ = try unwrap(try await storage.claimJob(worker: "w", lease: Self.lease), "claim")
            _ = try await storage.cancelJob(doomedID)
            clock.advance(seconds: 31)
            try expectEqual(
                try await storage.rescueExpiredLeases(), RescueReport(cancelled: [doomedID]),
                "rescued as cancelled")
        }
    }

    /// An idle worker's wait ends when a job is queued, or at its timeout.
    public func testWakeUp() async throws {
        try await withStorage { storage, _ in
            // The first wait may start listening and end early; then the store is ready.
            await storage.waitForQueuedJobs(since: nil, timeout: .milliseconds(200))
            try await Task.sleep(for: .milliseconds(500))
            let start = ContinuousClock.now
            await storage.waitForQueuedJobs(since: storage.queueMark, timeout: .milliseconds(300))
            try expect(
                ContinuousClock.now - start >= .milliseconds(250), "with nothing queued, a wait lasts its timeout")

            let woke = Flag()
            let waiter = Task {
                await storage.waitForQueuedJobs(since: nil, timeout: .seconds(30))
                woke.set()
            }
            try await Task.sleep(for: .milliseconds(200))
            _ = try await queued(storage, count: 1)
            let deadline = ContinuousClock.now + .seconds(10)
            while !woke.isSet, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let didWake = woke.isSet
            waiter.cancel()
            try expect(didWake, "queueing a job wakes a waiting worker (within 10 s, not its 30 s timeout)")

            // A worker looks (finds nothing), a job is queued, then the worker waits: it must not sleep through it.
            let mark = storage.queueMark
            _ = try await queued(storage, count: 1)
            let late = ContinuousClock.now
            await storage.waitForQueuedJobs(since: mark, timeout: .seconds(30))
            try expect(
                ContinuousClock.now - late < .seconds(10),
                "a job queued between the look and the wait ends the wait at once")

            // Every kind is woken the same way: an upload or an import queued ends the wait too.
            let job = try await queued(storage, count: 1)[0]
            for kind in ["upload", "import"] {
                let before = storage.queueMark
                if kind == "upload" {
                    _ = try await storage.createTask(
                        UploadTask.self, jobID: job, (request: "{}", totalBytes: 1))
                } else {
                    _ = try await storage.createTask(PlaylistImport.self, jobID: job, "https://suno.com/playlist/x")
                }
                let asked = ContinuousClock.now
                await storage.waitForQueuedJobs(since: before, timeout: .seconds(30))
                try expect(ContinuousClock.now - asked < .seconds(10), "an \(kind) queued ends an idle worker's wait")
            }
        }
    }
}

final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
