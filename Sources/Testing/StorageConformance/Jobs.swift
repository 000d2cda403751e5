import StorageCore

extension StorageConformance {
    public func testJobs() async throws {
        try await withStorage { storage, clock in
            let createdAt = clock.peek()
            let config = JobConfig(["duration": .int(600), "future_option": .object(["x": .array([.bool(true)])])])
            let job = try await newJob(storage, config)
            try expect(job.jobID > 0, "a new job has a positive id")
            let hex = job.runID.dropFirst("run-\(job.jobID)-".count)
            try expect(job.runID.hasPrefix("run-\(job.jobID)-"), "run id \(job.runID) starts with run-<id>-")
            try expect(
                hex.count == 8 && hex.allSatisfy { "0123456789abcdef".contains($0) }, "run id ends in 8 lowercase hex")
            try expectEqual(job.runDirectory, "\(runs)/\(job.runID)", "run directory")
            try expectEqual(job.status, .preparing, "status of a new job")
            try expectEqual(job.progress, 0, "progress of a new job")
            try expectEqual(job.createdAt, createdAt, "created_at")
            try expect(job.startedAt == nil && job.finishedAt == nil, "a new job has not started or finished")

            let stored = try unwrap(try await storage.job(job.jobID), "get")
            try expectEqual(stored, job, "the stored job")
            try expectEqual(stored.config?["future_option"], config["future_option"], "unknown config keys are kept")
            try expect(try await storage.job(job.jobID + 1000) == nil, "an unknown id gives nil")

            let queued = try await storage.createJob(NewJob(config: nil, runsDirectory: runs + "/", status: .queued))
            try expectEqual(queued.status, .queued, "a job created and queued at once")
            try expect(queued.jobID > job.jobID, "ids increase")
            try expectEqual(queued.runDirectory, "\(runs)/\(queued.runID)", "a trailing slash is not doubled")
            try expect(try await storage.job(queued.jobID)?.config == nil, "a job may have no config")

            let newConfig = config.merging(JobConfig(["duration": .int(30), "fps": .int(24)]))
            let updated = try unwrap(try await storage.updateConfig(job.jobID, newConfig), "update config")
            try expectEqual(updated.config, newConfig, "the new config")
            try expectEqual(try await storage.job(job.jobID)?.config, newConfig, "the stored new config")
            try expect(try await storage.updateConfig(999_999, newConfig) == nil, "config of an unknown job gives nil")

            let update = JobUpdate(progress: 10, currentStep: "Processing video clips")
            let step = try unwrap(try await storage.updateJob(job.jobID, update), "update")
            try expectEqual(step.currentStep, "Processing video clips", "current step")
            try expectEqual(try await storage.job(job.jobID), step, "the stored update")

            let listed = try await allJobs(storage)
            try expectEqual(listed.map(\.jobID), [queued.jobID, job.jobID], "all jobs, newest first")
            var counts = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, 0) })
            counts[.preparing] = 1
            counts[.queued] = 1
            try expectEqual(try await storage.jobCounts(), counts, "jobs per status, zeros included")

            let deleted = try unwrap(try await storage.deleteJob(queued.jobID), "delete")
            try expectEqual(
                deleted, DeletedJob(jobID: queued.jobID, runDirectory: queued.runDirectory), "what delete returns")
            try expect(try await storage.job(queued.jobID) == nil, "a deleted job is gone")
            try expect(try await storage.deleteJob(queued.jobID) == nil, "deleting twice gives nil")

            let next = try await newJob(storage)
            try expect(
                next.jobID > queued.jobID,
                "the id of the deleted newest job (\(queued.jobID)) is not reused: got \(next.jobID)")
        }
    }

    public func testStateMachine() async throws {
        try await withStorage { storage, clock in
            var job = try await newJob(storage)
            job = try unwrap(try await storage.updateJob(job.jobID, JobUpdate(status: .queued)), "queue")
            try expect(job.startedAt == nil, "queueing does not start a job")
            let startTime = clock.peek()
            job = try unwrap(try await storage.updateJob(job.jobID, JobUpdate(status: .running, progress: 5)), "run")
            try expectEqual(job.startedAt, startTime, "started_at is the move to running")
            clock.advance(days: 0.01)
            job = try unwrap(
                try await storage.updateJob(job.jobID, JobUpdate(status: .running, progress: 50)), "progress")
            try expectEqual(job.startedAt, startTime, "started_at is set once, not on every update")
            try expect(job.finishedAt == nil, "a running job has not finished")
            let endTime = clock.peek()
            job = try unwrap(
                try await storage.updateJob(
                    job.jobID,
                    JobUpdate(status: .completed, progress: 100, currentStep: "Complete", outputFile: "/o.mp4")),
                "complete")
            try expectEqual(job.finishedAt, endTime, "finished_at is the move to a finished state")
            try expectEqual(try await storage.job(job.jobID), job, "the stored finished job")

            for from in JobStatus.allCases {
                for to in JobStatus.allCases where to != from {
                    let subject = try await self.job(in: from, storage)
                    if from.canMove(to: to) {
                        let moved = try unwrap(
                            try await storage.updateJob(subject.jobID, JobUpdate(status: to)), "move")
                        try expectEqual(moved.status, to, "\(from) → \(to)")
                        try expect(!to.isFinished || moved.finishedAt != nil, "\(from) → \(to) sets finished_at")
                    } else {
                        try await expectError(.invalidTransition, "\(from) → \(to)") {
                            try await storage.updateJob(subject.jobID, JobUpdate(status: to))
                        }
                        try expectEqual(try await storage.job(subject.jobID), subject, "a refused move changes nothing")
                    }
                }
            }
            for finished in [JobStatus.completed, .failed, .cancelled] {
                let subject = try await self.job(in: finished, storage)
                try await expectError(.invalidTransition, "updating a \(finished) job") {
                    try await storage.updateJob(subject.jobID, JobUpdate(progress: 3, error: "late"))
                }
            }
            let running = try await self.job(in: .running, storage)
            let cancelled = try unwrap(
                try await storage.updateJob(running.jobID, JobUpdate(status: .cancelled)), "cancel")
            try expect(
                cancelled.finishedAt != nil && cancelled.startedAt != nil,
                "a cancelled running job started and finished")
            let live = try await self.job(in: .running, storage)
            for progress in [-1, 101] {
                try await expectError(.invalidInput, "progress \(progress)") {
                    try await storage.updateJob(live.jobID, JobUpdate(progress: progress))
                }
            }
            try expectEqual(try await storage.job(live.jobID), live, "a refused progress changes nothing")
            try expect(try await storage.updateJob(999_999, JobUpdate(status: .queued)) == nil, "unknown job gives nil")
        }
    }
}
