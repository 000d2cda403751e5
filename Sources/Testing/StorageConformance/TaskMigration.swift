import StorageCore

/// A history written before the task queue (render leases in `jobs`, upload
/// leases in `youtube_upload_tasks`), and what must hold once a backend's
/// migration has carried it into `tasks`. Each backend's test writes `rows`
/// into a database at the schema before the tasks migration, opens the store,
/// and calls `checkCarried`.
public enum TaskMigration {
    public static let rows = """
        INSERT INTO jobs (job_id, run_id, run_dir, status, progress, created_at, started_at, worker_id, attempt,
            lease_expires_at, cancel_requested) VALUES
        (1, 'run-1-a', 'runs/run-1-a', 'completed', 100, '2026-01-01T00:00:00.000000Z', NULL, NULL, 1, NULL, FALSE),
        (2, 'run-2-b', 'runs/run-2-b', 'queued', 0, '2026-01-02T00:00:00.000000Z', NULL, NULL, 0, NULL, FALSE),
        (3, 'run-3-c', 'runs/run-3-c', 'running', 40, '2026-01-03T00:00:00.000000Z', '2026-01-03T00:00:01.000000Z',
            'w-old', 2, '2999-01-01T00:00:00.000000Z', FALSE),
        (4, 'run-4-d', 'runs/run-4-d', 'running', 10, '2026-01-04T00:00:00.000000Z', NULL, NULL, 1, NULL, FALSE);
        INSERT INTO youtube_upload_tasks (id, job_id, state, request, session_url, bytes_sent, total_bytes, video_id,
            error, worker_id, attempt, lease_expires_at, created_at, updated_at) VALUES
        (7, 1, 'uploading', '{"title":"T"}', 'https://up/s7', 10, 100, NULL, NULL, 'u-old', 1,
            '2999-01-01T00:00:00.000000Z', '2026-01-05T00:00:00.000000Z', '2026-01-05T00:00:00.000000Z'),
        (9, 1, 'completed', '{}', NULL, 50, 50, 'v9', NULL, NULL, 1, NULL, '2026-01-06T00:00:00.000000Z',
            '2026-01-06T00:00:00.000000Z');
        """

    /// A script that brings an empty database to the schema of `migrations`,
    /// recorded as the runner records them, then writes `rows` (by default
    /// those above, for the schema before the tasks migration).
    public static func schema(_ migrations: [Migration], timeType: String, rows: String = rows) -> String {
        var script =
            "CREATE TABLE schema_migrations (id text PRIMARY KEY, version integer NOT NULL, "
            + "applied_at \(timeType) NOT NULL);\n"
        for migration in migrations {
            script += migration.sql + ";\n"
            script += "INSERT INTO schema_migrations VALUES ('\(migration.id)', \(migration.version), "
            script += "'2026-01-01T00:00:00.000000Z');\n"
        }
        return script + rows
    }

    /// `taskID` reads the id of a job's render task from the database.
    public static func checkCarried(_ storage: any Storage, taskID: (Int64) throws -> Int64) async throws {
        let live = JobClaim(taskID: try taskID(3), jobID: 3, workerID: "w-old", attempt: 2)
        try expectEqual(try await storage.renewLease(live, lease: .seconds(30)), .held, "a running job keeps its lease")
        try expectEqual(try await storage.job(3)?.progress, 40, "and its progress")
        let claimed = try unwrap(try await storage.claimJob(worker: "new", lease: .seconds(30)), "claim")
        try expectEqual(claimed.job.jobID, 2, "the queued job is claimed")
        try expectEqual(claimed.claim.attempt, 1, "its first attempt")
        try expectEqual(
            try await storage.rescueExpiredLeases(), RescueReport(requeued: [4]),
            "a running job without a lease is rescued, the leased one is not")

        let uploading = try unwrap(try await storage.task(UploadTask.self, id: 7), "upload task 7 keeps its id")
        try expectEqual(uploading.state, .uploading, "still uploading")
        try expectEqual(uploading.sessionURL, "https://up/s7", "its session")
        try expectEqual(uploading.bytesSent, 10, "how far it got")
        try expectEqual(uploading.attempt, 1, "its attempt")
        try expect(
            try await storage.recordProgress(
                UploadTask.self, UploadClaim(taskID: 7, workerID: "u-old", attempt: 1),
                (sessionURL: nil, bytesSent: 20), lease: .seconds(30)), "its worker still holds it")
        let done = try unwrap(try await storage.task(UploadTask.self, id: 9), "upload task 9")
        try expectEqual(done.state, .completed, "a completed upload stays completed")
        try expectEqual(done.videoID, "v9", "with its video")
        let next = try await storage.createTask(UploadTask.self, jobID: 1, (request: "{}", totalBytes: 1))
        try expect(next.id > 9, "new tasks come after the carried ids: \(next.id)")
    }
}
