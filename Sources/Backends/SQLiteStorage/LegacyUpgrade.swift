import CSQLite
import Foundation
import SchemaSQL
import StorageCore

/// Upgrades a file of the earlier service, in place and in one transaction:
/// its tables are set aside, the current schema (migration 001) is created, and
/// every row is copied: timestamps made UTC, orphans moved to quarantine.
struct LegacyUpgrade {
    let connection: SQLiteConnection
    let timeZone: TimeZone
    let now: Timestamp
    let initialMigration: Migration

    private static let legacyTables = ["jobs", "job_files", "youtube_uploads", "youtube_credentials"]

    /// Nil when another process upgraded the file first.
    func run() throws -> LegacyUpgradeReport? {
        try connection.registerLegacyTimeFunctions(zone: timeZone, now: now)
        defer { connection.unregisterLegacyTimeFunctions() }
        // The check below stands in for foreign keys while the tables are rebuilt.
        return try connection.withForeignKeysOff { try upgradeInOneTransaction() }
    }

    private func upgradeInOneTransaction() throws -> LegacyUpgradeReport? {
        try connection.writeTransaction {
            guard try SQLiteSchemaState.inspect(connection) == .legacy else { return nil }
            let before = try Self.legacyTables.map { table in try count(table) }
            try connection.execute(try script("legacy/1_set_aside.sql"))
            guard try SQLiteMigrationTarget(connection: connection, now: now).run(initialMigration) else {
                throw StorageError(
                    .incompatibleSchema, "the legacy upgrade found \(initialMigration.id) already applied")
            }
            try connection.execute(try script("legacy/rules.sql"))
            try connection.execute(try script("legacy/2_copy.sql"))
            let problems = try connection.foreignKeyProblems()
            guard problems.isEmpty else {
                throw StorageError(
                    .corruptDatabase,
                    "the upgrade left rows without their job: \(problems.prefix(3).joined(separator: "; "))")
            }
            let quarantined = [
                "job_files": try count("quarantined_job_files"),
                "youtube_uploads": try count("quarantined_youtube_uploads"),
            ]
            let tables = try zip(Self.legacyTables, before).map { table, before in
                LegacyTableReport(
                    table: table, before: before, kept: try count(table), quarantined: quarantined[table] ?? 0)
            }
            return LegacyUpgradeReport(timeZone: timeZone.identifier, tables: tables)
        }
    }

    private func count(_ table: String) throws -> Int {
        let exists = try connection.scalarInt(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(table)])
        guard exists == 1 else { return 0 }
        return Int(try connection.scalarInt("SELECT COUNT(*) FROM \"\(table)\"") ?? 0)
    }

    private func script(_ name: String) throws -> String {
        guard let sql = Schema.script(name, for: .sqlite) else {
            throw StorageError(.incompatibleSchema, "this yt-builder was built without sql/sqlite/\(name)")
        }
        return sql
    }
}

private final class LegacyTimeContext {
    /// A connection runs one statement at a time: its functions' cache is its own.
    let offsets: ZoneOffsets
    let now: String

    init(zone: TimeZone, now: String) {
        offsets = ZoneOffsets(zone: zone)
        self.now = now
    }

    static func from(_ invocation: OpaquePointer?) -> LegacyTimeContext {
        Unmanaged<LegacyTimeContext>.fromOpaque(sqlite3_user_data(invocation)).takeUnretainedValue()
    }
}

/// yt_utc(text) and yt_now(), which the legacy rules (`sql/sqlite/legacy/rules.sql`) use.
extension SQLiteConnection {
    func registerLegacyTimeFunctions(zone timeZone: TimeZone, now: Timestamp) throws {
        // Each function owns a reference to the context; SQLite releases it when the function goes.
        let context = { Unmanaged.passRetained(LegacyTimeContext(zone: timeZone, now: now.description)).toOpaque() }
        var code = sqlite3_create_function_v2(
            handle, "yt_utc", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, context(),
            { invocation, _, arguments in
                let context = LegacyTimeContext.from(invocation)
                guard let argument = arguments?[0], sqlite3_value_type(argument) != SQLITE_NULL else {
                    sqlite3_result_null(invocation)
                    return
                }
                let text = String(cString: sqlite3_value_text(argument))
                guard let timestamp = Timestamp(parsing: text, naiveOffsets: context.offsets) else {
                    sqlite3_result_error(
                        invocation, "the earlier service's file holds '\(text)' where a time belongs", -1)
                    return
                }
                sqlite3_result_text(invocation, timestamp.description, -1, sqliteTransient)
            }, nil, nil,
            { context in context.map { Unmanaged<LegacyTimeContext>.fromOpaque($0).release() } })
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: handle, sql: "yt_utc") }
        code = sqlite3_create_function_v2(
            handle, "yt_now", 0, SQLITE_UTF8, context(),
            { invocation, _, _ in
                sqlite3_result_text(invocation, LegacyTimeContext.from(invocation).now, -1, sqliteTransient)
            }, nil, nil,
            { context in context.map { Unmanaged<LegacyTimeContext>.fromOpaque($0).release() } })
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: handle, sql: "yt_now") }
    }

    func unregisterLegacyTimeFunctions() {
        sqlite3_create_function_v2(handle, "yt_utc", 1, SQLITE_UTF8, nil, nil, nil, nil, nil)
        sqlite3_create_function_v2(handle, "yt_now", 0, SQLITE_UTF8, nil, nil, nil, nil, nil)
    }
}
