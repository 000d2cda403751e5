import Foundation
import LegacyFixtures
import SQLiteStorage
import SchemaSQL
import StorageCore
import Testing

@Suite struct LegacyUpgradeTests {
    let folder = TemporaryFolder()
    var path: String { folder.path("yt-builder.db") }

    func open(_ path: String? = nil) async throws -> SQLiteStorage {
        var options = SQLiteStorage.Options()
        options.legacyTimeZone = try #require(TimeZone(identifier: LegacyFixture.timeZone))
        return try await SQLiteStorage.open(path: path ?? self.path, options: options)
    }

    func column(_ sql: String, _ file: String? = nil) throws -> [String] {
        try LegacyFixture.query(sql, on: file ?? path)
    }

    @Test func upgradeKeepsEveryRowAndReportsQuarantine() async throws {
        try LegacyFixture.write(to: path)
        let storage = try await open()
        defer { Task { await storage.close() } }
        let report = try #require(storage.openingReport)
        #expect(report.applied.first == "001_initial")
        let legacy = try #require(report.legacyUpgrade)
        #expect(legacy.timeZone == LegacyFixture.timeZone)
        let byTable = Dictionary(uniqueKeysWithValues: legacy.tables.map { ($0.table, $0) })
        #expect(byTable["jobs"] == LegacyTableReport(table: "jobs", before: 5, kept: 5, quarantined: 0))
        #expect(byTable["job_files"] == LegacyTableReport(table: "job_files", before: 7, kept: 5, quarantined: 2))
        #expect(
            byTable["youtube_uploads"]
                == LegacyTableReport(table: "youtube_uploads", before: 2, kept: 1, quarantined: 1))
        #expect(
            byTable["youtube_credentials"]
                == LegacyTableReport(table: "youtube_credentials", before: 1, kept: 1, quarantined: 0))

        #expect(try column("SELECT job_id FROM jobs ORDER BY job_id") == ["1", "2", "3", "5", "6"])
        #expect(try column("SELECT id FROM job_files ORDER BY id") == ["1", "2", "3", "6", "7"])
        #expect(
            try column("SELECT id || ':' || reason FROM quarantined_job_files ORDER BY id") == [
                "4:job no longer exists", "5:belongs to an earlier job with the same id",
            ])
        #expect(
            try column("SELECT file_path FROM quarantined_job_files WHERE id = 5") == [
                "runs/run-5-aaaaaaaa/videos/old.mp4"
            ])
        #expect(try column("SELECT video_id FROM quarantined_youtube_uploads") == ["orphanVid01"])
        #expect(
            try column("SELECT credentials_json FROM youtube_credentials") == [
                #"{"token": "legacy-token", "refresh_token": "r"}"#
            ])
    }

    @Test func timestampsBecomeUTCAndValuesStayAsTheyWere() async throws {
        try LegacyFixture.write(to: path)
        let storage = try await open()
        defer { Task { await storage.close() } }
        #expect(
            try column("SELECT created_at || ' ' || started_at || ' ' || finished_at FROM jobs WHERE job_id = 1") == [
                "2025-01-10T15:00:00.123456Z 2025-01-10T15:05:00.000000Z 2025-01-10T15:15:00.500000Z"
            ])
        #expect(
            try column("SELECT created_at FROM jobs WHERE job_id = 2") == ["2025-07-04T13:00:00.000000Z"], "summer time"
        )
        // 01:30 happened twice that night; the earlier (daylight) reading is taken.
        #expect(try column("SELECT created_at FROM jobs WHERE job_id = 3") == ["2025-11-02T05:30:00.000000Z"])
        #expect(try column("SELECT uploaded_at FROM job_files WHERE id = 2") == ["2025-01-10T15:02:00.000001Z"])
        #expect(try column("SELECT updated_at FROM youtube_credentials") == ["2025-01-10T14:00:00.000000Z"])
        #expect(
            try column("SELECT quote(config) FROM jobs ORDER BY job_id") == [
                #"'{"duration": 600, "fps": 30, "custom_key": "kept"}'"#, "NULL", "'null'",
                #"'{"quote_font": "TenPounds", "title": "Café ☕ 日本"}'"#, "'{}'",
            ])
        #expect(
            try column("SELECT filename FROM job_files WHERE job_id = 1 ORDER BY id") == [
                "clip one.mp4", "música.mp3", "名言.txt",
            ])

        let first = try #require(try await storage.job(1))
        #expect(first.config?["custom_key"] == .string("kept"))
        #expect(first.status == .completed && first.progress == 100)
        #expect(try await storage.job(3)?.config == nil)
        #expect(try await storage.job(3)?.unreadableConfig == nil, "JSON null is no config, not unreadable text")
        #expect(try await storage.fileCounts(ofJob: 5).videos == 1, "the earlier job 5's file is not job 5's")
        #expect(try await storage.uploads(ofJob: 1, limit: 10).first?.tags == ["tag1", "tag2"])
    }

    @Test func idsHandedOutBeforeAreNeverHandedOutAgain() async throws {
        try LegacyFixture.write(to: path)
        let storage = try await open()
        defer { Task { await storage.close() } }
        let job = try await storage.createJob(NewJob(config: nil, runsDirectory: "runs"))
        #expect(job.jobID == 10, "job 9 existed once (an orphan upload names it)")
        let file = try await storage.addFile(NewJobFile(jobID: 1, fileType: .videos, filename: "n.mp4", filePath: "p"))
        #expect(file.id > 7)
    }

    @Test func aBackupOfTheUntouchedFileIsWrittenFirst() async throws {
        try LegacyFixture.write(to: path)
        let storage = try await open()
        await storage.close()
        let backup = try #require(storage.openingReport?.backupPath)
        #expect(URL(fileURLWithPath: backup).lastPathComponent.hasPrefix("yt-builder.pre-upgrade-"))
        #expect(URL(fileURLWithPath: backup).deletingLastPathComponent().path == folder.url.path)
        #expect(try column("SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_migrations'", backup) == ["0"])
        for (table, count) in LegacyFixture.counts {
            #expect(try column("SELECT COUNT(*) FROM \(table)", backup) == ["\(count)"], "\(table) in the backup")
        }
        #expect(try column("SELECT created_at FROM jobs WHERE job_id = 1", backup) == ["2025-01-10T10:00:00.123456"])

        let again = try await open()
        await again.close()
        #expect(again.openingReport == nil, "an upgraded file is not upgraded again")
        let backups = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter {
            $0.contains("pre-upgrade")
        }
        #expect(backups.count == 1)
    }

    @Test func twoProcessesOpeningALegacyFileUpgradeItOnce() async throws {
        try LegacyFixture.write(to: path)
        async let first = open()
        async let second = open()
        let stores = try await [first, second]
        #expect(stores.compactMap { $0.openingReport?.legacyUpgrade }.count == 1)
        for store in stores { await store.close() }
        #expect(try column("SELECT COUNT(*) FROM schema_migrations") == [String(sqliteMigrationIDs.count)])
        #expect(try column("SELECT COUNT(*) FROM jobs") == ["5"])
        #expect(try column("SELECT COUNT(*) FROM quarantined_job_files") == ["2"])
    }

    @Test func anUpgradedFilePassesTheChecks() async throws {
        try LegacyFixture.write(to: path)
        let storage = try await open()
        defer { Task { await storage.close() } }
        #expect(try await storage.check() == [])
        let status = try await storage.status()
        #expect(status.schemaVersion == sqliteMigrationIDs.count && status.pendingMigrations.isEmpty && !status.legacy)
        #expect(status.rowCounts.first { $0.table == "quarantined_job_files" }?.rows == 2)
    }

    @Test func legacyTimestampsThatAreNotTimesStopTheUpgrade() async throws {
        try LegacyFixture.write(to: path, extraSQL: "UPDATE jobs SET started_at = 'yesterday' WHERE job_id = 2;")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = await #expect(throws: StorageError.self) { try await open() }
        #expect(error?.message.contains("'yesterday'") == true, "\(String(describing: error))")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the file is as it was")
    }
}
