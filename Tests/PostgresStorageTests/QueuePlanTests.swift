import SQLStore
import TestPostgres
import Testing

@testable import PostgresStorage

/// The claim's plan does not depend on luck with the statistics: it walks an
/// index of queued tasks in order and stops at the first it can lock.
@Suite(.timeLimit(.minutes(2))) struct PostgresQueuePlanTests {
    @Test func aClaimWalksAQueueIndexOnNewAndOnStaleStatistics() async throws {
        let server = try TestPostgres.shared()
        let url = try server.freshDatabase()
        let database = TestPostgres.databaseName(in: url)
        await (try await PostgresStorage.open(url: url)).close()
        let claim = try PostgresDriver.dialect.get()["claim_task"]
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
}
