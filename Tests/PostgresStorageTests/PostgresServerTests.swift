import Foundation
import PostgresStorage
import SchemaSQL
import StorageCore
import Synchronization
import TestPostgres
import Testing

/// What only a PostgreSQL server can do to the backend: restart, refuse a
/// login, be unreachable, hold a newer schema, be migrated by many at once.
@Suite(.timeLimit(.minutes(3))) struct PostgresServerTests {
    @Test func manyStoresStartingTogetherMigrateOnce() async throws {
        let url = try TestPostgres.shared().freshDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresStorage.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    var options = PostgresStorage.Options()
                    options.poolSize = 2
                    return try await PostgresStorage.open(url: url, options: options)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.compactMap(\.openingReport).count == 1, "exactly one store applied the migrations")
        let status = try await stores[0].status()
        #expect(status.appliedMigrations == Schema.migrations(for: .postgres).map(\.id))
        #expect(status.pendingMigrations.isEmpty)
        for store in stores { await store.close() }
    }

    /// On a cluster of its own: restarting the shared one would break the tests beside it.
    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["YT_BUILDER_TEST_DATABASE_URL"] == nil,
            "starts and restarts a cluster of its own"))
    func theStoreKeepsWorkingAcrossAServerRestart() async throws {
        let server = try TestPostgres.privateCluster()
        var options = PostgresStorage.Options()
        options.poolSize = 4
        let storage = try await PostgresStorage.open(url: try server.freshDatabase(), options: options)
        // Fill the pool with open connections, all of which the restart will break.
        let before = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<8 {
                group.addTask { try await storage.createJob(NewJob(config: nil, runsDirectory: "r")).jobID }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        try server.restart()
        let first = try await storage.job(before[0])
        #expect(first?.jobID == before[0], "the first call after the restart succeeds")
        let after = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<8 {
                group.addTask { try await storage.createJob(NewJob(config: nil, runsDirectory: "r")).jobID }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(before + after).count == 16)
        #expect(try await storage.listJobs(JobQuery(limit: 100)).jobs.count == 16)
        await storage.close()
    }

    /// The server ends the connection at chosen points. While it sits idle:
    /// the work runs on a new connection and succeeds. After the INSERT was
    /// sent and committed, with the answer lost (a commit waiting for a
    /// synchronous standby that never comes, then `pg_terminate_backend`):
    /// the work is not repeated, and the job exists once.
    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["YT_BUILDER_TEST_DATABASE_URL"] == nil,
            "changes the cluster's settings"))
    func aStatementWhoseAnswerWasLostIsNeverSentAgain() async throws {
        let server = try TestPostgres.privateCluster()
        let (url, database) = try server.freshDatabaseNamed()
        var options = PostgresStorage.Options()
        options.poolSize = 1
        let storage = try await PostgresStorage.open(url: url, options: options)
        let first = try await storage.createJob(NewJob(config: nil, runsDirectory: "r"))
        func backends() throws -> [String] {
            try server.query(
                "SELECT pid FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()",
                database: "postgres")
        }

        // Idle: the next call finds the connection ended and sends nothing on it.
        for pid in try backends() { try server.execute("SELECT pg_terminate_backend(\(pid))", database: "postgres") }
        try await Task.sleep(for: .milliseconds(200))
        let second = try await storage.createJob(NewJob(config: nil, runsDirectory: "r"))
        #expect(second.jobID > first.jobID, "work on an idle, ended connection runs on a new one")

        // Sent, committed, answer lost.
        try server.execute("ALTER SYSTEM SET synchronous_standby_names = 'nobody_comes'", database: "postgres")
        try server.execute("SELECT pg_reload_conf()", database: "postgres")
        // The checkpointer takes the new setting up a moment after the reload.
        try await Task.sleep(for: .seconds(1))
        let attempt = Task { try await storage.createJob(NewJob(config: nil, runsDirectory: "r")) }
        var waiting: [String] = []
        for _ in 0..<200 where waiting.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            waiting = try server.query(
                "SELECT pid FROM pg_stat_activity WHERE datname = '\(database)' AND wait_event = 'SyncRep'",
                database: "postgres")
        }
        try #require(waiting.count == 1, "the INSERT is committed locally and waits for the standby")
        try server.execute("SELECT pg_terminate_backend(\(waiting[0]))", database: "postgres")
        let ended = Mutex(false)
        let watcher = Task {
            _ = await attempt.result
            ended.withLock { $0 = true }
        }
        for _ in 0..<400 where !ended.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }
        let gaveUp = ended.withLock { $0 }
        // Let every commit through again: a store that sent the INSERT once more would now finish it.
        try server.execute("ALTER SYSTEM RESET synchronous_standby_names", database: "postgres")
        try server.execute("SELECT pg_reload_conf()", database: "postgres")
        await watcher.value
        #expect(gaveUp, "the store gave up at once instead of sending the INSERT again")
        let result = await attempt.result
        #expect(throws: StorageError.self) { try result.get() }
        if case .failure(let error as StorageError) = result {
            #expect(error.kind == .unavailable)
            #expect(error.message.contains("whether it took effect is unknown"), "\(error)")
        }
        let count = try server.query("SELECT COUNT(*) FROM jobs", database: database)
        #expect(count == ["3"], "the lost answer's job exists once, committed by the first and only send")
        let third = try await storage.createJob(NewJob(config: nil, runsDirectory: "r"))
        #expect(third.jobID > second.jobID + 1, "and the store works on after it")
        await storage.close()
    }

    @Test func aWrongPasswordIsAClearErrorThatNeverShowsThePassword() async throws {
        let server = try TestPostgres.shared()
        let url = server.url(database: "postgres", password: "not-the-password-42")
        let error = await #expect(throws: StorageError.self) { try await PostgresStorage.open(url: url) }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("password authentication failed") == true, "\(String(describing: error))")
        #expect(error?.description.contains("not-the-password-42") == false)
        #expect(error?.message.contains("127.0.0.1") == true, "says which server")
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        let port = try TestPostgres.freePort()
        let error = await #expect(throws: StorageError.self) {
            try await PostgresStorage.open(url: "postgresql://someone:secret@127.0.0.1:\(port)/db?connect_timeout=5")
        }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("Connection refused") == true, "\(String(describing: error))")
        #expect(error?.description.contains("secret") == false)
    }

    @Test func aDatabaseWithANewerSchemaIsRefused() async throws {
        let server = try TestPostgres.shared()
        let url = try server.freshDatabase()
        let storage = try await PostgresStorage.open(url: url)
        await storage.close()
        let database = String(url.split(separator: "/").last!)
        try server.execute("INSERT INTO schema_migrations VALUES ('002_from_the_future', 2, now())", database: database)
        let error = await #expect(throws: StorageError.self) { try await PostgresStorage.open(url: url) }
        #expect(error?.kind == .incompatibleSchema)
        #expect(error?.message.contains("002_from_the_future") == true)
    }

    @Test func aJobsTableOfSomethingElseIsRefused() async throws {
        let server = try TestPostgres.shared()
        let url = try server.freshDatabase()
        try server.execute("CREATE TABLE jobs (id serial)", database: String(url.split(separator: "/").last!))
        let error = await #expect(throws: StorageError.self) { try await PostgresStorage.open(url: url) }
        #expect(error?.kind == .incompatibleSchema)
    }

    /// A column changed behind yt-builder's back is an error that names the
    /// value, not a 0 read in its place.
    @Test func anIntegerThatDoesNotParseIsACorruptDatabase() async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        let storage = try await PostgresStorage.open(url: url)
        let job = try await storage.createJob(NewJob(config: nil, runsDirectory: "runs"))
        try server.execute(
            """
            DO $$ DECLARE c record; BEGIN
                FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'jobs'::regclass AND contype = 'c' LOOP
                    EXECUTE format('ALTER TABLE jobs DROP CONSTRAINT %I', c.conname);
                END LOOP;
            END $$;
            ALTER TABLE jobs ALTER COLUMN progress TYPE text; UPDATE jobs SET progress = 'eleven'
            """, database: database)
        let error = await #expect(throws: StorageError.self) { try await storage.job(job.jobID) }
        #expect(error?.kind == .corruptDatabase)
        #expect(error?.message.contains("'eleven'") == true)
        await storage.close()
    }

    @Test func theSchemaHasThePostgresTypesAndTheREADMEQueriesRun() async throws {
        let server = try TestPostgres.shared()
        let url = try server.freshDatabase()
        let storage = try await PostgresStorage.open(url: url)
        let job = try await storage.createJob(NewJob(config: JobConfig(["fps": .int(30)]), runsDirectory: "runs"))
        _ = try await storage.addFile(NewJobFile(jobID: job.jobID, fileType: .videos, filename: "a.mp4", filePath: "p"))
        #expect(try await storage.check() == [])
        await storage.close()
        let database = String(url.split(separator: "/").last!)
        for sql in [
            "SELECT job_id, status, created_at FROM jobs ORDER BY created_at DESC LIMIT 10",
            "SELECT COUNT(*) FROM jobs WHERE status = 'completed'",
            "SELECT file_type, COUNT(*) FROM job_files GROUP BY file_type",
            "SELECT COUNT(*) as uploads, privacy, COUNT(DISTINCT job_id) as unique_jobs FROM youtube_uploads GROUP BY privacy",
            // The types a PostgreSQL user expects; a wrong one fails the cast.
            "SELECT config->'fps', created_at::timestamptz FROM jobs WHERE config @> '{\"fps\": 30}'::jsonb",
            "DO $$ BEGIN IF (SELECT data_type FROM information_schema.columns WHERE table_name = 'jobs' AND column_name = 'job_id') <> 'bigint' THEN RAISE 'job_id is not bigint'; END IF; END $$",
        ] {
            try server.execute(sql, database: database)
        }
        #expect(throws: TestPostgresError.self, "progress is checked by the schema") {
            try server.execute("UPDATE jobs SET progress = 101", database: database)
        }
    }
}
