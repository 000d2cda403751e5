import StorageCore

extension StorageConformance {
    public func testFiles() async throws {
        try await withStorage { storage, clock in
            let job = try await newJob(storage)
            let other = try await newJob(storage)
            let clip = try await add(storage, job.jobID, .videos, "b.mp4")
            let second = try await add(storage, job.jobID, .videos, "a.mp4")
            let song = try await add(storage, job.jobID, .music, "song.mp3")
            _ = try await add(storage, other.jobID, .videos, "b.mp4")
            try expectEqual(clip.filePath, "\(runs)/\(job.jobID)/videos/b.mp4", "file path")
            try expectEqual(
                try await storage.files(ofJob: job.jobID, type: nil).map(\.filename), ["b.mp4", "a.mp4", "song.mp3"],
                "a job's files in upload order")
            try expectEqual(try await storage.files(ofJob: job.jobID, type: .videos), [clip, second], "videos only")
            try expectEqual(try await storage.files(ofJob: job.jobID, type: .sounds), [], "no sounds")

            clock.advance(days: 0.001)
            let replaced = try await storage.addFile(
                NewJobFile(jobID: job.jobID, fileType: .videos, filename: "b.mp4", filePath: "/elsewhere/b.mp4"))
            try expectEqual(replaced.id, clip.id, "uploading the same name again keeps the row")
            try expectEqual(replaced.filePath, "/elsewhere/b.mp4", "and takes the new path")
            try expect(replaced.uploadedAt > clip.uploadedAt, "and the new time")
            try expectEqual(
                try await storage.files(ofJob: job.jobID, type: .videos), [replaced, second], "no second row")
            let sameNameOtherType = try await add(storage, job.jobID, .sounds, "b.mp4")
            try expect(sameNameOtherType.id != clip.id, "the same name under another type is another file")

            try expect(try await storage.deleteFile(jobID: job.jobID, type: .videos, filename: "b.mp4"), "delete")
            try expect(
                !(try await storage.deleteFile(jobID: job.jobID, type: .videos, filename: "b.mp4")), "delete twice")
            try expect(
                !(try await storage.deleteFile(jobID: job.jobID, type: .music, filename: "b.mp4")),
                "wrong type deletes nothing")
            try expectEqual(
                try await storage.files(ofJob: job.jobID, type: nil).map(\.id),
                [second.id, song.id, sameNameOtherType.id],
                "what is left")

            try await expectError(.notFound, "a file for an unknown job") {
                try await add(storage, 999_999, .videos, "x.mp4")
            }

            // Moving a job's files elsewhere (migrate --files-to) rewrites its rows, and no other job's.
            let moved = FileRelocation(
                jobID: job.jobID, runDirectory: "runs/\(job.runID)", outputFile: nil,
                files: [second.id: "runs/\(job.runID)/videos/a.mp4", song.id: "runs/\(job.runID)/music/song.mp3"])
            try expect(try await storage.relocateFiles(moved), "relocated")
            try expectEqual(try await storage.job(job.jobID)?.runDirectory, "runs/\(job.runID)", "the run directory")
            try expectEqual(
                try await storage.files(ofJob: job.jobID, type: nil).map(\.filePath),
                ["runs/\(job.runID)/videos/a.mp4", "runs/\(job.runID)/music/song.mp3", sameNameOtherType.filePath],
                "the files named, the rest as they were")
            try expectEqual(
                try await storage.files(ofJob: other.jobID, type: nil).map(\.filePath),
                ["\(runs)/\(other.jobID)/videos/b.mp4"],
                "another job's files stay")
            try expect(
                !(try await storage.relocateFiles(
                    FileRelocation(jobID: 999_999, runDirectory: "runs/x", outputFile: nil, files: [:]))),
                "an unknown job is not relocated")
            _ = try await storage.deleteJob(job.jobID)
            try expectEqual(
                try await storage.files(ofJob: job.jobID, type: nil), [], "deleting a job deletes its files")
            try expectEqual(try await storage.files(ofJob: other.jobID, type: nil).count, 1, "other jobs keep theirs")
        }
    }

    public func testFileCounts() async throws {
        try await withStorage { storage, _ in
            let job = try await newJob(storage)
            try expectEqual(
                try await storage.fileCounts(ofJob: job.jobID), FileCounts(), "a new job counts zero of each")
            for name in ["1.mp4", "2.mov", "3.mkv"] { _ = try await add(storage, job.jobID, .videos, name) }
            _ = try await add(storage, job.jobID, .quotes, "q.txt")
            _ = try await add(storage, job.jobID, .quotes, "q.txt")
            var expected = FileCounts()
            expected.videos = 3
            expected.quotes = 1
            try expectEqual(try await storage.fileCounts(ofJob: job.jobID), expected, "counts per type")
            _ = try await storage.deleteFile(jobID: job.jobID, type: .videos, filename: "2.mov")
            expected.videos = 2
            try expectEqual(try await storage.fileCounts(ofJob: job.jobID), expected, "counts after a delete")
            try expectEqual(try await storage.fileCounts(ofJob: 999_999), FileCounts(), "an unknown job counts zero")
            let other = try await newJob(storage)
            _ = try await add(storage, other.jobID, .music, "a.mp3")
            var otherExpected = FileCounts()
            otherExpected.music = 1
            try expectEqual(
                try await storage.fileCounts(ofJobs: [job.jobID, other.jobID, 999_999, job.jobID]),
                [job.jobID: expected, other.jobID: otherExpected, 999_999: FileCounts()], "counts of several jobs")
            try expectEqual(try await storage.fileCounts(ofJobs: []), [:], "counts of no jobs")
            let summary = try unwrap(try await storage.jobSummary(job.jobID), "summary")
            try expectEqual(
                summary, JobSummary(job: try unwrap(try await storage.job(job.jobID), "job"), fileCounts: expected),
                "a job with its counts")
            try expect(try await storage.jobSummary(999_999) == nil, "the summary of an unknown job is nil")
        }
    }

    public func testUploads() async throws {
        try await withStorage { storage, clock in
            let first = try await job(in: .completed, storage)
            let second = try await job(in: .completed, storage)
            let early = try await upload(storage, first.jobID, "AAAAAAAAAAA")
            clock.advance(days: 1)
            let late = try await upload(storage, second.jobID, "BBBBBBBBBBB", tags: [])
            let again = try await upload(storage, first.jobID, "CCCCCCCCCCC", tags: ["x, \"y\""])
            try expectEqual(early.tags, ["a", "b"], "tags")
            try expectEqual(again.tags, ["x, \"y\""], "tags with commas and quotes")
            try expectEqual(late.tags, [], "no tags")
            try expectEqual(early.privacy, .unlisted, "privacy")
            try expectEqual(early.category, "22", "category")
            try expectEqual(
                try await storage.uploads(ofJob: first.jobID, limit: 100), [again, early], "one job's, newest first")
            try expectEqual(
                try await storage.uploads(ofJob: nil, limit: 100), [again, late, early], "everyone's, newest first")
            try expectEqual(try await storage.uploads(ofJob: nil, limit: 2), [again, late], "limited")
            try await expectError(.notFound, "an upload for an unknown job") {
                try await upload(storage, 999_999, "DDDDDDDDDDD")
            }
            try await expectError(.invalidInput, "limit 0") { try await storage.uploads(ofJob: nil, limit: 0) }
            _ = try await storage.deleteJob(first.jobID)
            try expectEqual(
                try await storage.uploads(ofJob: nil, limit: 100), [late], "deleting a job deletes its uploads")
        }
    }
}
