import Foundation
import LegacyFixtures
import SQLiteStorage
import SchemaSQL
import StorageConformance
import StorageCore
import Testing

@Suite struct SQLiteTaskMigrationTests {
    let folder = TemporaryFolder()
    var path: String { folder.path("history.db") }

    @Test func leasesAndUploadTasksAreCarriedIntoTheTaskQueue() async throws {
        let before = Schema.migrations(for: .sqlite).filter { $0.version <= 3 }
        try LegacyFixture.execute(TaskMigration.schema(before, timeType: "TEXT"), on: path)
        let storage = try await SQLiteStorage.open(path: path)
        try await TaskMigration.checkCarried(storage) { jobID in
            let sql = "SELECT id FROM tasks WHERE kind = 'render' AND job_id = \(jobID)"
            return Int64(try LegacyFixture.query(sql, on: path).first ?? "") ?? -1
        }
        await storage.close()
        let columns = try LegacyFixture.query("SELECT name FROM pragma_table_info('jobs')", on: path)
        #expect(!columns.contains("worker_id") && !columns.contains("lease_expires_at"), "\(columns)")
    }
}
