import Foundation
import LegacyFixtures
import SQLiteStorage
import SchemaSQL
import StorageCore
import Testing

/// What only the SQLite backend does: the file, its pragmas, and files it must refuse.
@Suite struct SQLiteFileTests {
    let folder = TemporaryFolder()
    var path: String { folder.path("yt-builder.db") }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func aNewFileAndItsFolderAreCreatedInWALWithForeignKeys() async throws {
        let nested = folder.path("data/sub/yt-builder.db")
        let storage = try await SQLiteStorage.open(path: nested)
        _ = try await storage.createJob(NewJob(config: nil, runsDirectory: "runs"))
        #expect(FileManager.default.fileExists(atPath: nested))
        #expect(try LegacyFixture.query("PRAGMA journal_mode", on: nested) == ["wal"])
        #expect(try LegacyFixture.query("SELECT id FROM schema_migrations", on: nested) == sqliteMigrationIDs)
        #expect(storage.openingReport?.backupPath == nil, "a new file needs no backup")
        await storage.close()
    }

    @Test func timestampsAreFixedWidthUTCText() async throws {
        let storage = try await SQLiteStorage.open(path: path)
        let job = try await storage.createJob(NewJob(config: nil, runsDirectory: "runs"))
        _ = try await storage.updateJob(job.jobID, JobUpdate(status: .queued))
        _ = try await storage.updateJob(job.jobID, JobUpdate(status: .running))
        await storage.close()
        let values = try LegacyFixture.query("SELECT created_at || '|' || started_at FROM jobs", on: path)[0]
        let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/#
        for value in values.split(separator: "|") {
            #expect(value.wholeMatch(of: pattern) != nil, "\(value)")
        }
    }

    @Test func foreignKeysAreEnforcedOnEveryConnection() async throws {
        let storage = try await SQLiteStorage.open(path: path)
        let error = await #expect(throws: StorageError.self) {
            try await storage.addFile(NewJobFile(jobID: 77, fileType: .videos, filename: "a", filePath: "b"))
        }
        #expect(error?.kind == .notFound)
        #expect(error?.detail?.contains("SQLite error 787") == true, "the detail keeps the result code")
        #expect(error?.detail?.contains("INSERT INTO job_files") == true, "and the SQL")
        await storage.close()
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAndLeftAlone() async throws {
        try Data("these are not the bytes you are looking for\n".utf8).write(to: URL(fileURLWithPath: path))
        let before = try bytes(path)
        let error = await #expect(throws: StorageError.self) { try await SQLiteStorage.open(path: path) }
        #expect(error?.kind == .corruptDatabase)
        #expect(error?.message.contains(path) == true)
        #expect(try bytes(path) == before)
    }

    @Test func aDamagedLegacyFileIsRefusedAndLeftAlone() async throws {
        try LegacyFixture.write(to: path)
        var data = try bytes(path)
        let pageSize = 4096
        // Page 3 is the root of a table or index; page 1 (the schema) stays readable.
        data.replaceSubrange(2 * pageSize..<3 * pageSize, with: Data(repeating: 0xA5, count: pageSize))
        try data.write(to: URL(fileURLWithPath: path))
        let error = await #expect(throws: StorageError.self) {
            var options = SQLiteStorage.Options()
            options.legacyTimeZone = TimeZone(identifier: "UTC")!
            return try await SQLiteStorage.open(path: path, options: options)
        }
        #expect(error?.kind == .corruptDatabase)
        #expect(try bytes(path) == data, "the damaged file is untouched")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(!leftovers.contains { $0.contains("pre-upgrade") }, "no backup of a damaged file: \(leftovers)")
    }

    @Test func aFileFromANewerVersionIsRefusedAndLeftAlone() async throws {
        let storage = try await SQLiteStorage.open(path: path)
        await storage.close()
        try LegacyFixture.execute(
            "PRAGMA journal_mode = DELETE; INSERT INTO schema_migrations VALUES ('002_from_the_future', 2, 'x');",
            on: path)
        let before = try bytes(path)
        let error = await #expect(throws: StorageError.self) { try await SQLiteStorage.open(path: path) }
        #expect(error?.kind == .incompatibleSchema)
        #expect(error?.message.contains("002_from_the_future") == true)
        #expect(try bytes(path) == before)
        var readOnly = SQLiteStorage.Options()
        readOnly.migrate = false
        await #expect(throws: StorageError.self) { try await SQLiteStorage.open(path: path, options: readOnly) }
    }

    @Test func aDatabaseOfSomethingElseIsRefused() async throws {
        try LegacyFixture.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);", on: path)
        let before = try bytes(path)
        let error = await #expect(throws: StorageError.self) { try await SQLiteStorage.open(path: path) }
        #expect(error?.kind == .incompatibleSchema)
        #expect(error?.message.contains("users") == true)
        #expect(try bytes(path) == before)
    }

    @Test func manyStoresOpeningOneNewFileMigrateItOnce() async throws {
        let stores = try await withThrowingTaskGroup(of: SQLiteStorage.self) { group in
            for _ in 0..<8 { group.addTask { try await SQLiteStorage.open(path: path) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.compactMap(\.openingReport).count == 1)
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    try await store.createJob(NewJob(config: JobConfig(["i": .int(Int64(index))]), runsDirectory: "r"))
                        .jobID
                }
            }
            return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
        }
        #expect(ids.count == 8)
        for store in stores { await store.close() }
        #expect(
            try LegacyFixture.query("SELECT COUNT(*) FROM schema_migrations", on: path) == [
                String(sqliteMigrationIDs.count)
            ])
    }

    @Test func statusReadsWithoutWriting() async throws {
        try LegacyFixture.write(to: path)
        let before = try bytes(path)
        var options = SQLiteStorage.Options()
        options.migrate = false
        options.create = false
        let storage = try await SQLiteStorage.open(path: path, options: options)
        let status = try await storage.status()
        await storage.close()
        #expect(status.legacy && status.schemaVersion == nil)
        #expect(status.pendingMigrations == ["legacy upgrade"] + sqliteMigrationIDs)
        #expect(status.rowCounts.first { $0.table == "jobs" }?.rows == 5)
        #expect(try bytes(path) == before)
        let missing = await #expect(throws: StorageError.self) {
            try await SQLiteStorage.open(path: folder.path("absent.db"), options: options)
        }
        #expect(missing?.kind == .notFound)
        #expect(!FileManager.default.fileExists(atPath: folder.path("absent.db")))
    }

    @Test func backupWritesAConsistentCopyAndRefusesToOverwrite() async throws {
        let storage = try await SQLiteStorage.open(path: path)
        for _ in 0..<3 { _ = try await storage.createJob(NewJob(config: nil, runsDirectory: "r")) }
        let copy = folder.path("copy.db")
        try await storage.backup(to: copy)
        #expect(try LegacyFixture.query("SELECT COUNT(*) FROM jobs", on: copy) == ["3"])
        let error = await #expect(throws: StorageError.self) { try await storage.backup(to: copy) }
        #expect(error?.kind == .conflict)
        await storage.close()
    }
}
