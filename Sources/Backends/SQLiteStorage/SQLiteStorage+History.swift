import CSQLite
import Foundation
import StorageCore

extension SQLiteStorage {
    /// Reads the whole history of the file at `path` without changing it: a
    /// consistent copy is taken through the online backup API (one read
    /// transaction, so a service writing meanwhile cannot tear it), the copy is
    /// brought up to the current schema (a file of the earlier service is
    /// upgraded: timestamps made UTC, orphans quarantined), and read.
    public static func exportHistory(from path: String, legacyTimeZone: TimeZone) async throws -> History {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StorageError(.notFound, "there is no SQLite file at \(path)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "yt-builder-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("history.db").path
        do {
            let source = try openSource(path)
            sqlite3_busy_timeout(source.handle, 10_000)
            _ = try runner.pending(applied: SQLiteSchemaState.inspect(source).applied)
            try source.backup(to: copy)
        } catch {
            throw StorageError(error)
        }
        var options = Options()
        options.legacyTimeZone = legacyTimeZone
        options.throwaway = true
        let storage = try await open(path: copy, options: options)
        do {
            let history = try await storage.readHistory(of: path, upgraded: storage.openingReport != nil)
            await storage.close()
            return history
        } catch {
            await storage.close()
            throw error
        }
    }

    /// Opens a source read-only without writing beside it. With no `-wal` file
    /// nobody is writing it, and it is opened `immutable`: no `-wal` or `-shm`
    /// is made, so a read-only mount works. With one, SQLite must read it (it
    /// holds committed rows) and needs its `-shm`.
    static func openSource(_ path: String) throws -> SQLiteConnection {
        guard FileManager.default.fileExists(atPath: path + "-wal") else {
            let uri = "file:" + path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)! + "?immutable=1"
            return try SQLiteConnection(path: uri, flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_URI)
        }
        let source = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READONLY)
        do {
            _ = try source.scalarInt("SELECT COUNT(*) FROM sqlite_master")
        } catch let error as SQLiteError {
            throw StorageError(
                .unavailable,
                "\(path) has a write-ahead log (\(path)-wal) that cannot be read from here (a read-only folder?); "
                    + "stop what writes it, or copy the file with its -wal and -shm files somewhere writable",
                detail: error.description)
        }
        return source
    }

    private func readHistory(of path: String, upgraded: Bool) async throws -> History {
        try await read { connection in
            // An upgrade checked the file already; a current file is checked here.
            let problems = upgraded ? [] : try connection.quickCheck()
            guard problems.isEmpty else {
                throw StorageError(
                    .corruptDatabase, "\(path) is damaged: \(problems.prefix(3).joined(separator: "; "))")
            }
            let existing = Set(
                try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'") { $0.text(0) ?? "" })
            return try connection.readTransaction {
                let tables = try HistoryTable.layout.map { layout in
                    guard existing.contains(layout.name) else { return layout.emptied() }
                    var table = layout.emptied()
                    // Names come from the fixed layout, never from input.
                    let columns = layout.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
                    table.rows = try connection.query("SELECT \(columns) FROM \"\(layout.name)\"") { row in
                        (0..<Int32(layout.columns.count)).map { row.text($0) }
                    }
                    return table
                }
                let highest = try connection.scalarInt("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'") ?? 0
                return History(tables: tables, highestJobID: highest)
            }
        }
    }
}
