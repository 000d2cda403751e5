import StorageCore

extension SQLiteStorage {
    public func status() async throws -> DatabaseStatus {
        let path = path
        return try await read { connection in
            let state = try SQLiteSchemaState.inspect(connection)
            let pending = try Self.runner.pending(applied: state.applied)
            return DatabaseStatus(
                backend: "sqlite", location: path,
                schemaVersion: state == .legacy ? nil : Self.runner.version(ofApplied: state.applied),
                appliedMigrations: state.applied,
                pendingMigrations: state == .legacy ? ["legacy upgrade"] + pending.map(\.id) : pending.map(\.id),
                legacy: state == .legacy, rowCounts: try connection.rowCounts())
        }
    }

    public func migrate() async throws -> MigrationReport {
        let (path, options) = (path, options)
        return try await queue.runWaitingForLocks { try Self.bringUpToDate($0, path: path, options: options) }
    }

    public func check() async throws -> [String] {
        try await read { connection in
            var problems = try connection.query("PRAGMA integrity_check") { $0.text(0) ?? "" }.filter { $0 != "ok" }
            problems += try connection.foreignKeyProblems()
            let state = try SQLiteSchemaState.inspect(connection)
            if state == .legacy {
                problems.append("the file is in the earlier service's format; run 'yt-builder db migrate'")
            } else {
                let pending = try Self.runner.pending(applied: state.applied)
                if !pending.isEmpty {
                    problems.append("migrations not applied: \(pending.map(\.id).joined(separator: ", "))")
                }
            }
            return problems
        }
    }

    public func backup(to destination: String) async throws {
        try await read { try $0.backup(to: destination) }
    }
}
