import StorageCore

extension StorageConformance {
    public func testUnicodeNames() async throws {
        try await withStorage { storage, _ in
            let config = JobConfig([
                "quote_font": .string("Noto Sans 日本語"), "title": .string("Ünïcödé 🎬 \"quoted\" \\ "),
            ])
            let job = try await newJob(storage, config)
            try expectEqual(try await storage.job(job.jobID)?.config, config, "unicode config values")
            let composed = "caf\u{E9}.mp3"
            let decomposed = "cafe\u{301}.mp3"
            let names = ["видео 🎬.mp4", "曲 (live).mp4", "it's; DROP TABLE jobs;--.mp4", composed, decomposed]
            for name in names { _ = try await add(storage, job.jobID, .videos, name) }
            let stored = try await storage.files(ofJob: job.jobID, type: .videos)
            try expectEqual(stored.map(\.filename), names, "names come back byte for byte, in order")
            try expectEqual(stored.map(\.filePath), names.map { "\(runs)/\(job.jobID)/videos/\($0)" }, "paths too")
            try expect(
                try await storage.deleteFile(jobID: job.jobID, type: .videos, filename: decomposed),
                "deleting by a decomposed name")
            try expectEqual(
                try await storage.files(ofJob: job.jobID, type: .videos).count, names.count - 1,
                "composed and decomposed forms are different names")
            let step = "Rendering «quotes» — 第二步"
            try expectEqual(
                try await storage.updateJob(job.jobID, JobUpdate(currentStep: step))?.currentStep, step, "unicode step")
            let done = try await self.job(in: .completed, storage)
            let upload = try await storage.addUpload(
                NewYouTubeUpload(
                    jobID: done.jobID, videoID: "ÜÜÜ", videoURL: "https://youtube.com/watch?v=ÜÜÜ", title: "Título 🎉",
                    description: "línea 1\nlínea 2", privacy: .public, tags: ["日本", "🎵"], category: nil))
            try expectEqual(try await storage.uploads(ofJob: done.jobID, limit: 1), [upload], "unicode upload")
        }
    }

    public func testLargeConfigs() async throws {
        try await withStorage { storage, _ in
            var values: [String: JSONValue] = [:]
            for index in 0..<5_000 { values["key_\(index)"] = .int(Int64(index) * 1_000_003) }
            values["big"] = .string(String(repeating: "x", count: 1_000_000))
            values["extremes"] = .array([.int(.max), .int(.min), .double(0.1), .double(-1e300), .null, .bool(false)])
            var nested = JSONValue.string("bottom")
            for depth in 0..<60 {
                nested = depth % 2 == 0 ? .object(["level\(depth)": nested]) : .array([.int(Int64(depth)), nested])
            }
            values["nested"] = .array([.int(1)])
            values["deep"] = nested
            let config = JobConfig(values)
            let job = try await newJob(storage, config)
            try expectEqual(try await storage.job(job.jobID)?.config, config, "a large config round trip")
            let merged = config.merging(JobConfig(["big": .string("small")]))
            _ = try await storage.updateConfig(job.jobID, merged)
            try expectEqual(
                try await storage.job(job.jobID)?.config?["big"], .string("small"), "updating a large config")
            try expectEqual(try await storage.job(job.jobID)?.config?.values.count, values.count, "no key lost")
        }
    }

    public func testTimestamps() async throws {
        try await withStorage { storage, clock in
            let before = clock.peek()
            let job = try await newJob(storage)
            try expectEqual(job.createdAt.microsecondsSinceEpoch % 1_000, 456, "microseconds are kept")
            try expectEqual(try await storage.job(job.jobID)?.createdAt, before, "created_at round trip")
            // Jobs created in one second sort by their microseconds, then by id.
            var jobs: [Job] = []
            for _ in 0..<5 { jobs.append(try await newJob(storage)) }
            try expectEqual(
                try await allJobs(storage).map(\.jobID), ([job] + jobs).reversed().map(\.jobID),
                "newest first to the microsecond")
            clock.advance(days: 365 * 30)
            let future = try await self.job(in: .completed, storage)
            let stored = try unwrap(try await storage.job(future.jobID), "far future job")
            try expectEqual(stored.finishedAt, future.finishedAt, "finished_at decades ahead")
            try expect(
                stored.createdAt < stored.startedAt! && stored.startedAt! < stored.finishedAt!, "times are in order")
        }
    }

    public func testConcurrentCreation() async throws {
        try await withStorage { storage, _ in
            let count = 200
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let job = try await newJob(storage, JobConfig(["task": .int(Int64(index))]))
                        _ = try await add(storage, job.jobID, .videos, "clip.mp4")
                        _ = try await storage.updateJob(job.jobID, JobUpdate(status: .queued))
                        return job.jobID
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try expectEqual(Set(ids).count, count, "concurrent creation gives unique ids")
            let stored = try await allJobs(storage)
            try expectEqual(Set(stored.map(\.jobID)), Set(ids), "every job is stored")
            try expect(stored.allSatisfy { $0.status == .queued }, "every update landed")
            try expectEqual(Set(stored.map(\.runID)).count, count, "run ids are unique")
        }
    }

    public func testErrors() async throws {
        try await withStorage { storage, _ in
            try await expectError(.invalidInput, "a new job that is already running") {
                try await storage.createJob(NewJob(config: nil, runsDirectory: runs, status: .running))
            }
            let job = try await newJob(storage)
            try await expectError(.invalidTransition, "preparing → completed") {
                try await storage.updateJob(job.jobID, JobUpdate(status: .completed))
            }
            try await expectError(.invalidInput, "progress 250") {
                try await storage.updateJob(job.jobID, JobUpdate(progress: 250))
            }
            try await expectError(.invalidInput, "an empty filename") { try await add(storage, job.jobID, .videos, "") }
            try await expectError(.invalidInput, "a filename with a NUL byte") {
                try await add(storage, job.jobID, .videos, "a\u{0}b.mp4")
            }
            try await expectError(.notFound, "a file of a missing job") { try await add(storage, -5, .music, "a.mp3") }
            try await expectError(.invalidInput, "an empty video id") {
                try await storage.addUpload(
                    NewYouTubeUpload(
                        jobID: job.jobID, videoID: "", videoURL: "u", title: nil, description: nil, privacy: .private,
                        tags: [], category: nil))
            }
            try await expectError(.notFound, "an upload of a missing job") { try await upload(storage, 424_242, "X") }
            for limit in [0, -1, JobQuery.maximumLimit + 1] {
                try await expectError(.invalidInput, "limit \(limit)") {
                    try await storage.listJobs(JobQuery(limit: limit))
                }
            }
            for text in ["", "abc", "1_", "_1", "1_2_3", "x_1"] {
                try await expectError(.invalidInput, "cursor '\(text)'") { try JobCursor.parse(text) }
            }
            try await expectError(.invalidInput, "status 'done'") { try JobStatus.parse("done") }
            try await expectError(.invalidInput, "file type 'images'") { try FileType.parse("images") }
            try await expectError(.invalidInput, "privacy 'secret'") { try Privacy.parse("secret") }
            try expectEqual(try await storage.job(job.jobID)?.status, .preparing, "failed calls changed nothing")
            await storage.close()
            try await expectError(.unavailable, "a closed store") { try await storage.job(job.jobID) }
        }
    }
}
