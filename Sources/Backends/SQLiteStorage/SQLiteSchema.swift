import CSQLite
import Foundation
import SchemaSQL
import StorageCore

/// What a database file holds before yt-builder touches it.
enum SQLiteSchemaState: Equatable {
    /// No tables: a new file.
    case empty
    /// The earlier service's tables, no migration record.
    case legacy
    /// Written by yt-builder; the applied migration ids.
    case versioned(applied: [String])

    /// Reads the state without writing. Refuses files that are not databases and
    /// databases that belong to something else.
    static func inspect(_ connection: SQLiteConnection) throws -> SQLiteSchemaState {
        let tables: [String]
        do {
            tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'") { $0.text(0) ?? "" }
        } catch let error as SQLiteError where [SQLITE_NOTADB, SQLITE_CORRUPT].contains(error.code) {
            throw StorageError(
                .corruptDatabase,
                "\(connection.path) is not a readable SQLite database (\(error.message)); it was left untouched. "
                    + "If it is a damaged yt-builder database, restore a backup or see 'Recover' in README.md.",
                detail: error.description)
        }
        if tables.contains("schema_migrations") {
            return .versioned(
                applied: try connection.query("SELECT id FROM schema_migrations ORDER BY id") {
                    $0.text(0) ?? ""
                })
        }
        if tables.contains("jobs") { return .legacy }
        let own = tables.filter { !$0.hasPrefix("sqlite_") }
        guard own.isEmpty else {
            throw StorageError(
                .incompatibleSchema,
                "\(connection.path) is a SQLite database of something else (tables: \(own.sorted().joined(separator: ", "))); "
                    + "yt-builder will not touch it. Choose another path.")
        }
        return .empty
    }

    var applied: [String] {
        if case .versioned(let applied) = self { applied } else { [] }
    }
}

/// The migration runner's hold on one SQLite connection. The lock is one
/// `BEGIN IMMEDIATE` transaction around the whole run: the first of several
/// processes opening a new or older file applies everything pending, all or
/// nothing, and the others find it done.
struct SQLiteMigrationTarget: MigrationTarget {
    static let recordTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            id         TEXT PRIMARY KEY,
            version    INTEGER NOT NULL,
            applied_at TEXT NOT NULL
        )
        """

    let connection: SQLiteConnection
    let now: Timestamp

    func appliedMigrationIDs() throws -> [String] {
        try SQLiteSchemaState.inspect(connection).applied
    }

    /// Foreign keys are off while migrations run, so that one can rebuild a
    /// table under its children the way SQLite documents.
    func withMigrationLock<T>(_ body: () throws -> T) throws -> T {
        try connection.withForeignKeysOff { try connection.writeTransaction(body) }
    }

    /// A migration may not leave a reference broken that was whole before it.
    func apply(_ migration: Migration) throws -> Bool {
        try connection.writeTransaction {
            let before = Set(try connection.foreignKeyProblems())
            guard try run(migration) else { return false }
            let broken = try connection.foreignKeyProblems().filter { !before.contains($0) }
            guard broken.isEmpty else {
                throw StorageError(
                    .incompatibleSchema,
                    "migration \(migration.id) was not applied: it would break references between rows ("
                        + broken.prefix(3).joined(separator: "; ") + ")")
            }
            return true
        }
    }

    /// Runs and records a migration inside the caller's transaction.
    func run(_ migration: Migration) throws -> Bool {
        try connection.execute(Self.recordTable)
        if try connection.scalarInt("SELECT COUNT(*) FROM schema_migrations WHERE id = ?", [.text(migration.id)]) != 0 {
            return false
        }
        try connection.execute(migration.sql)
        try connection.run(
            "INSERT INTO schema_migrations (id, version, applied_at) VALUES (?, ?, ?)",
            [.text(migration.id), .integer(migration.version), .timestamp(now)])
        return true
    }
}

extension SQLiteConnection {
    /// Foreign keys cannot be switched inside a transaction: `body` starts one.
    func withForeignKeysOff<T>(_ body: () throws -> T) throws -> T {
        try execute("PRAGMA foreign_keys = OFF")
        defer { try? execute("PRAGMA foreign_keys = ON") }
        return try body()
    }

    /// PRAGMA foreign_key_check, a sentence a row.
    func foreignKeyProblems() throws -> [String] {
        try query("PRAGMA foreign_key_check") {
            try "row \($0.int64(1)) of \($0.text(0) ?? "?") refers to a missing row of \($0.text(2) ?? "?")"
        }
    }

    func rowCounts() throws -> [TableCount] {
        let existing = Set(try query("SELECT name FROM sqlite_master WHERE type = 'table'") { $0.text(0) ?? "" })
        return try HistoryTable.layout.map(\.name).filter(existing.contains).map { table in
            // Table names come from the fixed list above, never from input.
            TableCount(table: table, rows: Int(try scalarInt("SELECT COUNT(*) FROM \"\(table)\"") ?? 0))
        }
    }

    /// A consistent copy through SQLite's online backup API, taken in one step
    /// so that writers in other processes cannot tear it. The copy is readable
    /// by its owner only (mode 0600): it holds everything, credentials too.
    func backup(to destination: String) throws {
        let descriptor = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST {
                throw StorageError(.conflict, "\(destination) already exists; choose a new name for the backup")
            }
            throw StorageError(.unavailable, "cannot write \(destination): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        let target = try SQLiteConnection(path: destination, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        guard let backup = sqlite3_backup_init(target.handle, "main", handle, "main") else {
            throw SQLiteError(code: sqlite3_errcode(target.handle), connection: target.handle, sql: nil)
        }
        // The source's busy handler is not used by the backup: a writer committing in
        // another process makes the step fail at once, so it is tried again.
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        var stepCode = sqlite3_backup_step(backup, -1)
        while stepCode == SQLITE_BUSY || stepCode == SQLITE_LOCKED, ContinuousClock.now < deadline {
            usleep(5_000)
            stepCode = sqlite3_backup_step(backup, -1)
        }
        let finishCode = sqlite3_backup_finish(backup)
        guard stepCode == SQLITE_DONE, finishCode == SQLITE_OK else {
            try? FileManager.default.removeItem(atPath: destination)
            throw SQLiteError(
                code: stepCode == SQLITE_DONE ? finishCode : stepCode, connection: target.handle, sql: nil)
        }
    }

    /// `PRAGMA quick_check`'s complaints; empty when the file is sound.
    func quickCheck() throws -> [String] {
        try query("PRAGMA quick_check") { $0.text(0) ?? "" }.filter { $0 != "ok" }
    }
}
