import Foundation
import HistoryMigration
import LegacyFixtures
import PostgresStorage
import SQLiteStorage
import StorageCore
import Synchronization
import TestPostgres
import Testing

/// `migrate --append`: a SQLite history added to a PostgreSQL database that
/// already holds one, checked through the Storage protocol and the tables.
@Suite(.timeLimit(.minutes(3))) struct HistoryAppendTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "yt-builder-append-\(UUID().uuidString)")
    let zone = TimeZone(identifier: LegacyFixture.timeZone)!

    init() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Runs `migrate` (with `append`), in parts of a few rows; `phases` gets each phase as it begins.
    func migrate(
        _ source: String, into target: PostgresStorage, append: Bool = true, dryRun: Bool = false,
        phases: Phases? = nil
    ) async throws -> HistoryTransferReport {
        let history = try HistorySource(path: source, legacyTimeZone: zone, now: .now(), rowsPerPart: 4)
        defer { history.close() }
        var options = HistoryMigration.Options()
        options.append = append
        options.dryRun = dryRun
        options.rowsPerChecksumSlice = 2
        options.progress = { progress in
            phases?.seen(progress.step)
        }
        return try await HistoryMigration(source: history, target: try await target.historyTarget(), options: options)
            .run()
    }

    /// A target that already has `count` jobs of its own, the first queued.
    func target(jobs count: Int) async throws -> (PostgresStorage, name: String) {
        let (url, name) = try TestPostgres.shared().freshDatabaseNamed()
        let storage = try await PostgresStorage.open(url: url)
        for index in 0..<count {
            _ = try await storage.createJob(
                NewJob(config: nil, runsDirectory: "/srv/new/runs", status: index == 0 ? .queued : .preparing))
        }
        return (storage, name)
    }

    func query(_ sql: String, _ database: String) throws -> [String] {
        try TestPostgres.shared().query(sql, database: database)
    }

    @Test func aHistoryIsAddedAfterTheTargetsJobsWithItsIdsMapped() async throws {
        let source = path("legacy.db")
        try LegacyFixture.write(to: source)
        let (target, database) = try await target(jobs: 3)
        let report = try await migrate(source, into: target)
        let append = try #require(report.append)
        #expect(append.appendID == 1 && !append.alreadyAppended && append.afterJobID == 3)
        // Source jobs 1, 2, 3, 5, 6 in their order, after the target's 1–3.
        #expect(
            append.jobIDs == [
                HistoryAppendReport.IDRun(sourceFrom: 1, sourceTo: 3, targetFrom: 4),
                HistoryAppendReport.IDRun(sourceFrom: 5, sourceTo: 6, targetFrom: 7),
            ])
        #expect(
            try query(
                "SELECT string_agg(source_id || '>' || target_id, ' ' ORDER BY source_id) FROM migrate_append_ids "
                    + "WHERE table_name = 'jobs'", database) == ["1>4 2>5 3>6 5>7 6>8"])
        #expect(try query("SELECT source, jobs, job_files, uploads FROM migrate_appends", database).count == 1)

        // Each appended job, file and upload is the source's as the SQLite backend reads it, but for its ids.
        try FileManager.default.copyItem(atPath: source, toPath: path("upgraded.db"))
        var options = SQLiteStorage.Options()
        options.legacyTimeZone = zone
        let upgraded = try await SQLiteStorage.open(path: path("upgraded.db"), options: options)
        let newID: [Int64: Int64] = [1: 4, 2: 5, 3: 6, 5: 7, 6: 8]
        for (old, new) in newID {
            var expected = try #require(try await upgraded.job(old))
            expected.jobID = new
            #expect(try await target.job(new) == expected, "job \(old) arrives as job \(new)")
            let files = try await upgraded.files(ofJob: old, type: nil)
            let appended = try await target.files(ofJob: new, type: nil)
            #expect(appended.map(\.filename) == files.map(\.filename))
            #expect(appended.map(\.filePath) == files.map(\.filePath), "rows keep naming their files where they are")
            #expect(appended.allSatisfy { $0.jobID == new && $0.id > 0 })
        }
        #expect(try await target.job(9) == nil)
        #expect(try await target.uploads(ofJob: 4, limit: 10).map(\.videoID) == ["dQw4w9WgXcQ"])
        #expect(try await target.credentials(user: "default") != nil)
        #expect(try query("SELECT count(*) FROM quarantined_job_files", database) == ["2"])
        // The target's queued job keeps its one task; the appended queued job (source 5) gets one.
        #expect(try query("SELECT string_agg(job_id::text, ',' ORDER BY job_id) FROM tasks", database) == ["1,7"])
        let next = try await target.createJob(NewJob(config: nil, runsDirectory: "/srv/new/runs"))
        #expect(next.jobID == 9)
        #expect(
            try query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'yt_builder_migrate%'", database) == ["0"])

        // Run again: the same history is recognised, nothing is copied.
        let again = try await migrate(source, into: target)
        #expect(again.append?.alreadyAppended == true && again.append?.appendID == 1 && again.alreadyMigrated)
        #expect(again.append?.jobIDs == append.jobIDs)
        #expect(try query("SELECT count(*) FROM jobs", database) == ["9"])
        await upgraded.close()
        await target.close()
    }

    @Test func theTargetsOwnCredentialsAreKept() async throws {
        let source = path("legacy.db")
        try LegacyFixture.write(to: source)
        let (target, _) = try await target(jobs: 1)
        try await target.saveCredentials(user: "default", text: "the target's own")
        let report = try await migrate(source, into: target)
        #expect(report.append?.credentialsKept == ["default"])
        #expect(try await target.credentials(user: "default")?.text == "the target's own")
        await target.close()
    }

    @Test func aHistoryTheTargetHoldsIsRefusedBeforeAnythingIsLoaded() async throws {
        let source = path("legacy.db")
        try LegacyFixture.write(to: source)
        let (target, database) = try await target(jobs: 0)
        _ = try await migrate(source, into: target, append: false)
        let phases = Phases()
        await #expect {
            try await migrate(source, into: target, phases: phases)
        } throws: { error in
            "\(error)".contains("the target already has job 1 of this history") && "\(error)".contains("4 more")
        }
        #expect(phases.list == ["reading"], "it asked the target before loading anything")
        #expect(try query("SELECT count(*) FROM jobs", database) == ["5"])
        await target.close()
    }

    @Test func aHistoryThatGrewSinceItWasAppendedIsRefused() async throws {
        let source = path("legacy.db")
        try LegacyFixture.write(to: source)
        let (target, database) = try await target(jobs: 2)
        _ = try await migrate(source, into: target)
        try LegacyFixture.execute(
            """
            INSERT INTO jobs VALUES (7, 'run-7-77777777', 'runs/run-7-77777777', 'completed', 100, NULL,
                '{}', NULL, NULL, '2025-12-01T08:00:00', NULL, NULL)
            """, on: source)
        await #expect {
            try await migrate(source, into: target)
        } throws: { error in
            "\(error)".contains("5 of this history's 6 jobs") && "\(error)".contains("append #1")
        }
        #expect(try query("SELECT count(*) FROM jobs", database) == ["7"])
        #expect(try query("SELECT count(*) FROM migrate_appends", database) == ["1"])
        #expect(
            try query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'yt_builder_migrate%'", database) == ["0"])
        await target.close()
    }

    @Test func aPlainMigrateIntoAHistoryIsRefusedBeforeReadingAndNamesAppend() async throws {
        let source = path("legacy.db")
        try LegacyFixture.write(to: source)
        let (target, _) = try await target(jobs: 2)
        let phases = Phases()
        await #expect {
            try await migrate(source, into: target, append: false, phases: phases)
        } throws: { error in
            "\(error)".contains("already holds a history (2 jobs)") && "\(error)".contains("--append")
        }
        #expect(phases.list == ["reading"], "refused before the source was read")
        await target.close()
    }

    @Test func aDryRunAppendWritesNothing() async throws {
        let source = path("legacy.db")
        try LegacyFixture.write(to: source)
        let (target, database) = try await target(jobs: 2)
        let report = try await migrate(source, into: target, dryRun: true)
        #expect(report.dryRun && report.append?.appendID == nil && report.append?.afterJobID == 2)
        #expect(report.tables.first { $0.table == "jobs" }?.copied == 5)
        #expect(try query("SELECT count(*) FROM jobs", database) == ["2"])
        #expect(try query("SELECT count(*) FROM migrate_appends", database) == ["0"])
        await target.close()
    }
}

/// The phases a run began, in order.
final class Phases: Sendable {
    private let steps = Mutex<[String]>([])

    func seen(_ step: String) { steps.withLock { if $0.last != step { $0.append(step) } } }
    var list: [String] { steps.withLock { $0 } }
}
