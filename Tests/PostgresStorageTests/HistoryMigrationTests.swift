import Foundation
import HistoryMigration
import LegacyFixtures
import PostgresStorage
import SQLiteStorage
import StorageCore
import TestPostgres
import Testing

/// Moving SQLite histories into PostgreSQL, checked through the Storage protocol.
@Suite(.timeLimit(.minutes(3))) struct HistoryMigrationTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "yt-builder-history-\(UUID().uuidString)")
    let zone = TimeZone(identifier: LegacyFixture.timeZone)!

    init() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Runs `migrate` from `source` into `target`, in parts of a few rows (so
    /// even a small file is read by several threads in id ranges, and the
    /// server checksums its tables in slices).
    func migrate(_ source: String, into target: PostgresStorage, dryRun: Bool = false) async throws
        -> HistoryTransferReport
    {
        let history = try HistorySource(path: source, legacyTimeZone: zone, now: .now(), rowsPerPart: 4)
        defer { history.close() }
        var options = HistoryMigration.Options()
        options.dryRun = dryRun
        options.rowsPerChecksumSlice = 2
        return try await HistoryMigration(source: history, target: try await target.historyTarget(), options: options)
            .run()
    }

    /// Every job, file and upload of one store, read through the protocol.
    func contents(_ storage: any Storage) async throws -> (jobs: [Job], files: [JobFile], uploads: [YouTubeUpload]) {
        var jobs: [Job] = []
        var cursor: JobCursor?
        repeat {
            let page = try await storage.listJobs(JobQuery(limit: 1000, after: cursor))
            jobs += page.jobs
            cursor = page.nextCursor
        } while cursor != nil
        var files: [JobFile] = []
        for job in jobs { files += try await storage.files(ofJob: job.jobID, type: nil) }
        return (jobs, files, try await storage.uploads(ofJob: nil, limit: 1000))
    }

    @Test func aLegacyFileArrivesWhole() async throws {
        let source = path("legacy.db")
        try LegacyFixture.write(to: source)
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        let url = try TestPostgres.shared().freshDatabase()
        let target = try await PostgresStorage.open(url: url)
        let report = try await migrate(source, into: target)
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before, "the source is never changed")
        #expect(!report.alreadyMigrated)
        let byTable = Dictionary(uniqueKeysWithValues: report.tables.map { ($0.table, $0) })
        #expect(byTable["jobs"]?.copied == 5)
        #expect(byTable["job_files"].map { [$0.source, $0.copied, $0.quarantined] } == [7, 5, 2])
        #expect(byTable["youtube_uploads"].map { [$0.source, $0.copied, $0.quarantined] } == [2, 1, 1])
        #expect(byTable["youtube_credentials"]?.copied == 1)

        // The same history as the SQLite backend shows it after upgrading the file in place.
        try FileManager.default.copyItem(atPath: source, toPath: path("upgraded.db"))
        var options = SQLiteStorage.Options()
        options.legacyTimeZone = zone
        let upgraded = try await SQLiteStorage.open(path: path("upgraded.db"), options: options)
        let expected = try await contents(upgraded)
        let actual = try await contents(target)
        #expect(actual.jobs == expected.jobs)
        #expect(actual.files == expected.files)
        #expect(actual.uploads == expected.uploads)
        #expect(try await target.job(3)?.config == nil, "JSON null config became NULL")
        #expect(try await target.job(1)?.createdAt.description == "2025-01-10T15:00:00.123456Z")
        let next = try await target.createJob(NewJob(config: nil, runsDirectory: "runs"))
        #expect(next.jobID == 10, "past job 9, which only an orphan still names")
        await upgraded.close()
        await target.close()
    }

    @Test func aFileOfTheSQLiteBackendArrivesWholeAndRunsAgainAsAlreadyMigrated() async throws {
        let source = path("current.db")
        let sqlite = try await SQLiteStorage.open(path: source)
        for index in 0..<30 {
            let job = try await sqlite.createJob(
                NewJob(
                    config: JobConfig(["i": .int(Int64(index)), "name": .string("clip «\(index)» 🎬")]),
                    runsDirectory: "runs"))
            _ = try await sqlite.addFile(
                NewJobFile(jobID: job.jobID, fileType: .videos, filename: "a\tb\\c\nd.mp4", filePath: "p/\(index)"))
            _ = try await sqlite.updateJob(job.jobID, JobUpdate(status: .queued))
        }
        let newest = try #require(try await sqlite.listJobs(JobQuery(limit: 1)).jobs.first)
        _ = try await sqlite.deleteJob(newest.jobID)
        let expected = try await contents(sqlite)
        await sqlite.close()

        let url = try TestPostgres.shared().freshDatabase()
        let target = try await PostgresStorage.open(url: url)
        let dry = try await migrate(source, into: target, dryRun: true)
        let afterDryRun = try await target.listJobs(JobQuery()).jobs
        #expect(dry.dryRun && afterDryRun.isEmpty, "a dry run writes nothing")
        _ = try await migrate(source, into: target)
        let actual = try await contents(target)
        #expect(actual.jobs == expected.jobs)
        #expect(actual.files == expected.files)
        let again = try await migrate(source, into: target)
        #expect(again.alreadyMigrated)
        let afterSecondRun = try await contents(target)
        #expect(afterSecondRun.jobs.count == 29, "nothing copied twice")
        let next = try await target.createJob(NewJob(config: nil, runsDirectory: "runs"))
        #expect(next.jobID > newest.jobID, "the deleted newest id is not handed out again")

        let before = try await contents(target)
        try FileManager.default.copyItem(atPath: source, toPath: path("changed.db"))
        let changed = try await SQLiteStorage.open(path: path("changed.db"))
        _ = try await changed.deleteJob(expected.jobs[0].jobID)
        await changed.close()
        let refused = await #expect(throws: StorageError.self) {
            try await migrate(path("changed.db"), into: target)
        }
        #expect(refused?.kind == .conflict)
        let after = try await contents(target)
        #expect(after.jobs == before.jobs && after.files == before.files, "the target is as it was")
        await target.close()
    }

    @Test func configThatIsNotJSONIsQuarantinedVerbatim() async throws {
        let source = path("bad-json.db")
        try LegacyFixture.write(
            to: source,
            extraSQL:
                "UPDATE jobs SET config = '{\"duration\": 600,' WHERE job_id = 2; UPDATE youtube_uploads SET tags = 'a, b' WHERE id = 1;"
        )
        let (url, database) = try TestPostgres.shared().freshDatabaseNamed()
        let target = try await PostgresStorage.open(url: url)
        let report = try await migrate(source, into: target)
        #expect(report.tables.first { $0.table == "jobs" }?.quarantined == 1)
        #expect(try await target.job(2)?.configText == nil)
        let quarantine = try TestPostgres.shared().query(
            "SELECT table_name || '|' || row_key || '|' || column_name || '|' || value FROM quarantined_json ORDER BY 1",
            database: database)
        #expect(quarantine == ["jobs|2|config|{\"duration\": 600,", "youtube_uploads|1|tags|a, b"])
        await target.close()
    }
}
