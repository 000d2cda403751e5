import SQLStore
import TestPostgres
import Testing

@testable import PostgresStorage

/// The claim's plan does not depend on luck with the statistics: it walks an
/// index of queued tasks in order and stops at the first it can lock.
@Suite(.timeLimit(.minutes(2))) struct PostgresQueuePlanTests {
    /// A new database with the whole schema, by name, on the test server.
    static func migratedDatabase() async throws -> (TestPostgres, String) {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        await (try await PostgresStorage.open(url: url)).close()
        return (server, database)
    }

    @Test func aClaimWalksAQueueIndexOnNewAndOnStaleStatistics() async throws {
        let (server, database) = try await Self.migratedDatabase()
        let claim = try PostgresDriver.dialect.get()[.claimTask]
        let explain = """
            PREPARE claim (text, text, text, text) AS \(claim);
            EXPLAIN EXECUTE claim ('render', 'w-1', '2026-12-02T00:00:00Z', '2026-12-02T00:00:00Z')
            """
        func plan() throws -> String { try server.query(explain, database: database).joined(separator: "\n") }
        func expectAQueueIndex(_ plan: String, _ when: Comment) {
            #expect(
                plan.contains("Index Scan using idx_tasks_queue") && !plan.contains("Sort")
                    && !plan.contains("tasks_pkey on tasks tasks_1"), "\(when)\n\(plan)")
        }
        try server.execute(
            """
            INSERT INTO jobs (run_id, run_dir, status, created_at)
            SELECT 'run-' || g, 'runs/run-' || g, 'queued', now() FROM generate_series(1, 5000) AS g;
            INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
            SELECT 'render', job_id, 'queued', 3, now(), now() FROM jobs
            """, database: database)
        expectAQueueIndex(try plan(), "a table never analysed")
        try server.execute(
            "ANALYZE tasks; UPDATE tasks SET state = 'completed' WHERE id <= 4900", database: database)
        expectAQueueIndex(try plan(), "statistics that say most tasks are queued")
    }

    /// Statistics gathered while nothing was queued or running make those
    /// states look rare; a statement that finds its row by key must still use
    /// the key, not an index of every (dead) queued or running entry.
    @Test(arguments: [
        "claim_render", "render_claimed", "render_progress", "render_finish", "render_rescued", "renew_task",
        "finish_task", "cancel_waiting_job", "request_cancel", "update_job", "update_job_fields",
        "youtube_upload_progress",
        "youtube_upload_finish", "suno_import_progress", "suno_import_finish",
    ])
    func aRowFoundByItsKeyIsReachedByTheKey(statement: String) async throws {
        let (server, database) = try await Self.migratedDatabase()
        try server.execute(
            """
            INSERT INTO jobs (run_id, run_dir, status, created_at)
            SELECT 'run-' || g, 'runs/run-' || g, 'completed', now() FROM generate_series(1, 3000) AS g;
            INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
            SELECT 'render', job_id, 'completed', 3, now(), now() FROM jobs;
            ANALYZE jobs; ANALYZE tasks;
            UPDATE jobs SET status = 'queued' WHERE job_id > 2800;
            UPDATE tasks SET state = 'queued' WHERE job_id > 2800;
            UPDATE jobs SET status = 'running' WHERE job_id > 2600 AND job_id <= 2800;
            UPDATE tasks SET state = 'running', worker_id = 'w-1', attempt = 1,
                lease_expires_at = now() + interval '1 minute' WHERE job_id > 2600 AND job_id <= 2800
            """, database: database)
        let sql = try #require(try PostgresDriver.dialect.get().text(named: statement))
        let parameters = Set(sql.matches(of: /\$([0-9]+)/).compactMap { Int($0.output.1) }).max() ?? 0
        let plan = try server.query(
            """
            SET plan_cache_mode = force_generic_plan;
            PREPARE guarded AS \(sql);
            EXPLAIN EXECUTE guarded (\(Array(repeating: "NULL", count: parameters).joined(separator: ", ")))
            """, database: database
        ).joined(separator: "\n")
        let indexScans = plan.split(separator: "\n").filter { $0.contains("Scan using") }
        let claimWalk = "Index Scan using idx_tasks_queue"
        for scan in indexScans where !(statement == "claim_render" && scan.contains(claimWalk)) {
            #expect(scan.contains("_pkey on ") || scan.contains("idx_tasks_job on "), "\(statement)\n\(plan)")
        }
        #expect(!indexScans.isEmpty, "\(plan)")
    }
}
