import CSQLite
import Foundation
import LegacyFixtures
import SQLStore
import SchemaSQL
import StorageConformance
import StorageCore
import Testing

@testable import SQLiteStorage

/// Migration 007 rebuilds four tables to write their CHECKs without IN lists,
/// and changes two indexes.
@Suite struct RebuiltTablesTests {
    let folder = TemporaryFolder()
    var path: String { folder.path("history.db") }

    static let tables = ["jobs", "job_files", "youtube_uploads", "tasks", "youtube_upload_tasks"]

    /// A history at version 6 whose newest job (4) and newest tasks were deleted.
    static let rows = """
        INSERT INTO jobs (job_id, run_id, run_dir, status, progress, current_step, config, output_file, error,
            created_at, started_at, finished_at) VALUES
        (1, 'run-1-a', 'runs/run-1-a', 'completed', 100, 'Complete', '{"duration":600}', 'runs/run-1-a/output/v.mp4',
            NULL, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:01.000000Z', '2026-01-01T00:05:00.000000Z'),
        (2, 'run-2-b', 'runs/run-2-b', 'queued', 0, NULL, NULL, NULL, NULL, '2026-01-02T00:00:00.000000Z', NULL, NULL),
        (3, 'run-3-c', 'runs/run-3-c', 'running', 40, 'Mixing', NULL, NULL, NULL, '2026-01-03T00:00:00.000000Z',
            '2026-01-03T00:00:01.000000Z', NULL);
        UPDATE sqlite_sequence SET seq = 4 WHERE name = 'jobs';
        INSERT INTO job_files VALUES (1, 1, 'videos', 'a.mp4', 'runs/run-1-a/videos/a.mp4', '2026-01-01T00:00:00.500000Z'),
            (2, 1, 'music', 'song.mp3', 'runs/run-1-a/music/song.mp3', '2026-01-01T00:00:00.600000Z');
        INSERT INTO youtube_uploads VALUES (1, 1, 'vid1', 'https://youtube.com/watch?v=vid1', 'T', NULL, 'private',
            '["x"]', '22', '2026-01-01T00:06:00.000000Z');
        INSERT INTO tasks VALUES
            (1, 'youtube_upload', 1, 'completed', 1, 3, NULL, NULL, 0, NULL, '2026-01-01T00:05:30.000000Z',
                '2026-01-01T00:06:00.000000Z'),
            (2, 'render', 2, 'queued', 0, 3, NULL, NULL, 0, NULL, '2026-01-02T00:00:00.000000Z',
                '2026-01-02T00:00:00.000000Z'),
            (3, 'render', 3, 'running', 1, 3, 'w-1', '2999-01-01T00:00:00.000000Z', 1, NULL,
                '2026-01-03T00:00:00.000000Z', '2026-01-03T00:00:01.000000Z');
        UPDATE sqlite_sequence SET seq = 9 WHERE name = 'tasks';
        INSERT INTO youtube_upload_tasks VALUES (1, '{"title":"T"}', NULL, 50, 50, 'vid1');
        """

    func writeVersion6(extraSQL: String = "") throws {
        let before = Schema.migrations(for: .sqlite).filter { $0.version <= 6 }
        try LegacyFixture.execute(TaskMigration.schema(before, timeType: "TEXT", rows: Self.rows + extraSQL), on: path)
    }

    /// Every row of `table`, each as one line of quoted values.
    func dump(_ table: String) throws -> [String] {
        let columns = try LegacyFixture.query("SELECT name FROM pragma_table_info('\(table)')", on: path)
        let row = columns.map { "quote(\($0))" }.joined(separator: " || ',' || ")
        return try LegacyFixture.query("SELECT \(row) FROM \(table) ORDER BY rowid", on: path)
    }

    func count(_ sql: String) throws -> Int { Int(try LegacyFixture.query(sql, on: path).first ?? "") ?? -1 }

    @Test func everyRowIdCounterAndRuleIsKept() async throws {
        try writeVersion6()
        let before = try Self.tables.map(dump)
        let storage = try await SQLiteStorage.open(path: path)
        let applied = try LegacyFixture.query("SELECT id FROM schema_migrations", on: path)
        #expect(applied.contains("007_checks_and_indexes"), "\(applied)")
        #expect(try Self.tables.map(dump) == before, "every row as it was")

        let job = try await storage.createJob(NewJob(config: nil, runsDirectory: "runs", status: .queued))
        #expect(job.jobID == 5, "a deleted job's id is not handed out again")
        #expect(try count("SELECT id FROM tasks WHERE job_id = 5") == 10, "nor a deleted task's")
        let claim = try #require(try await storage.claimJob(worker: "w-2", lease: .seconds(30)))
        #expect(claim.job.jobID == 2 && claim.claim.taskID == 2, "the queued job's task is claimed")

        _ = try await storage.deleteJob(1)
        for table in ["job_files", "youtube_uploads", "tasks"] {
            #expect(try count("SELECT COUNT(*) FROM \(table) WHERE job_id = 1") == 0, "\(table) cascades")
        }
        #expect(try count("SELECT COUNT(*) FROM youtube_upload_tasks") == 0, "and so do the upload details")
        await storage.close()

        for bad in [
            "UPDATE jobs SET status = 'paused' WHERE job_id = 2",
            "UPDATE tasks SET state = 'pending' WHERE id = 2",
            "UPDATE tasks SET cancel_requested = 2 WHERE id = 2",
            "INSERT INTO job_files (job_id, file_type, filename, file_path, uploaded_at) VALUES (2, 'docs', 'x', 'y', 'z')",
            "INSERT INTO youtube_uploads (job_id, video_id, video_url, privacy, uploaded_at) VALUES (2, 'v', 'u', 'secret', 'z')",
        ] {
            #expect(throws: FixtureError.self, "\(bad)") { try LegacyFixture.execute(bad, on: path) }
        }
    }

    /// The point of the rebuild: no statement that writes these columns builds a
    /// temporary b-tree for its CHECK. (Values are parameters: a constant would
    /// let SQLite decide the CHECK while compiling.)
    @Test func writesBuildNoTemporaryTables() async throws {
        await (try await SQLiteStorage.open(path: path)).close()
        // Read-write: a read-only connection leaves CHECKs out of its programs.
        let connection = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE)
        for sql in [
            "UPDATE jobs SET status = $1 WHERE job_id = 1",
            "UPDATE tasks SET state = $1, cancel_requested = $2 WHERE id = 1",
            "INSERT INTO job_files (job_id, file_type, filename, file_path, uploaded_at) VALUES (1, $1, 'x', 'y', 'z')",
            "INSERT INTO youtube_uploads (job_id, video_id, video_url, privacy, uploaded_at) VALUES (1, 'v', 'u', $1, 'z')",
        ] {
            let opcodes = try connection.query("EXPLAIN \(sql)") { $0.text(1) ?? "" }
            #expect(opcodes.contains("Halt") && !opcodes.contains("OpenEphemeral"), "\(sql): \(opcodes)")
        }
    }

    /// A page of one status's jobs, and the sweep of stale preparing jobs, read
    /// only the index entries they need: no sort of every job of that status.
    @Test func queriesByStatusWalkTheIndexInOrder() async throws {
        await (try await SQLiteStorage.open(path: path)).close()
        let connection = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE)
        let statements = try SQLiteDriver.dialect.get()
        for name in [Statement.listJobsOfStatusAfter, .deleteStalePreparingJobs] {
            let plan = try connection.query("EXPLAIN QUERY PLAN \(statements[name])") { $0.text(3) ?? "" }
            #expect(
                plan.count == 1 && plan[0].contains("INDEX idx_jobs_status_created (status=? AND created_at<?)"),
                "\(name): \(plan)")
        }
    }

    @Test func aReferenceBrokenBeforeDoesNotStopTheMigrationButOneItWouldBreakDoes() async throws {
        try writeVersion6(extraSQL: "INSERT INTO job_files VALUES (9, 77, 'music', 'x.mp3', 'runs/x/x.mp3', 'z');")
        let storage = try await SQLiteStorage.open(path: path)
        #expect(try await storage.check() == ["row 9 of job_files refers to a missing row of jobs"])
        await storage.close()

        let connection = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE)
        try connection.execute("PRAGMA foreign_keys = ON")
        let target = SQLiteMigrationTarget(connection: connection, now: Timestamp.now())
        let breaking = Migration(id: "900_drop_a_parent", version: 900, sql: "DELETE FROM jobs WHERE job_id = 2")
        let error = try #require(throws: StorageError.self) {
            try target.withMigrationLock { try target.apply(breaking) }
        }
        #expect(
            error.message.contains("900_drop_a_parent was not applied")
                && error.message.contains("refers to a missing row of jobs"), "\(error.message)")
        #expect(try count("SELECT COUNT(*) FROM jobs WHERE job_id = 2") == 1, "nothing of it was kept")
        #expect(try count("SELECT COUNT(*) FROM schema_migrations WHERE id = '900_drop_a_parent'") == 0)
        #expect(try connection.scalarInt("PRAGMA foreign_keys") == 1, "foreign keys are on again")
    }
}
