import PostgresStorage
import SchemaSQL
import StorageConformance
import StorageCore
import TestPostgres
import Testing

@Suite(.timeLimit(.minutes(2))) struct PostgresTaskMigrationTests {
    @Test func leasesAndUploadTasksAreCarriedIntoTheTaskQueue() async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        let before = Schema.migrations(for: .postgres).filter { $0.version <= 4 }
        try server.execute(TaskMigration.schema(before, timeType: "timestamptz"), database: database)
        let storage = try await PostgresStorage.open(url: url)
        try await TaskMigration.checkCarried(storage) { jobID in
            let sql = "SELECT id FROM tasks WHERE kind = 'render' AND job_id = \(jobID)"
            return Int64(try server.query(sql, database: database).first ?? "") ?? -1
        }
        await storage.close()
        let columns = try server.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'jobs'", database: database)
        #expect(!columns.contains("worker_id") && !columns.contains("lease_expires_at"), "\(columns)")
    }
}
