import SQLStore
import StorageCore

extension StorageConformance {
    /// The driver's bulk load, read back through the store: values that COPY's
    /// text format must escape, NULLs, a rollback that keeps nothing.
    public func testBulkLoad() async throws {
        try await withStorage { storage, _ in
            guard let store = storage as? SQLStore else {
                throw ConformanceFailure(message: "the backend is not a SQLStore", location: #fileID)
            }
            let job = try await newJob(storage)
            let names = ["tab\there", "line\nbreak", "back\\slash", "\\N", "crlf\r\n", "ünïcødé", "plain"]
            let rows: [[String?]] = names.enumerated().map { index, name in
                [String(job.jobID), "music", name, "\(runs)/\(name)", "2026-12-01T10:00:0\(index).000000Z"]
            }
            let columns = ["job_id", "file_type", "filename", "file_path", "uploaded_at"]
            let reported = try await store.driver.transaction { connection in
                var last = 0
                try connection.bulkLoad(table: "job_files", columns: columns, rows: rows) { last = $0 }
                return last
            }
            try expectEqual(reported, names.count, "the last report counts every row")
            let files = try await storage.files(ofJob: job.jobID, type: .music)
            try expectEqual(files.map(\.filename), names, "every value arrives as it was")
            try expectEqual(files.map(\.filePath), names.map { "\(runs)/\($0)" }, "paths too")
            try expectEqual(
                files.last?.uploadedAt.description, "2026-12-01T10:00:06.000000Z", "timestamps read as written")

            let failing = [
                [String(job.jobID), "sounds", "kept?", "/x", "2026-12-01T10:00:00.000000Z"],
                [String(job.jobID + 1000), "sounds", "orphan", "/x", "2026-12-01T10:00:00.000000Z"],
            ]
            do {
                _ = try await store.driver.transaction { connection in
                    try connection.bulkLoad(table: "job_files", columns: columns, rows: failing) { _ in }
                }
                throw ConformanceFailure(message: "a row of a missing job was loaded", location: #fileID)
            } catch let error as StorageError {
                try expect(error.kind == .notFound, "a missing job is notFound, not \(error.kind)")
            }
            try expectEqual(try await storage.files(ofJob: job.jobID, type: .sounds), [], "a failed load keeps nothing")
        }
    }
}
