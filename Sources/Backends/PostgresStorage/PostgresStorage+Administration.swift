import ChildProcess
import Foundation
import StorageCore

extension PostgresStorage {
    public func status() async throws -> DatabaseStatus {
        let location = location
        return try await session { connection in
            let applied = try PostgresMigrationTarget(connection: connection, now: .now()).appliedMigrationIDs()
            let pending = try Self.runner.pending(applied: applied)
            var counts: [TableCount] = []
            for table in HistoryTable.layout.map(\.name) {
                // Table names come from the fixed list above, never from input.
                let exists = try connection.query("SELECT to_regclass($1) IS NOT NULL", [.text(table)]) { $0.text(0) }
                guard exists.first == "t" else { continue }
                counts.append(
                    TableCount(
                        table: table, rows: try connection.query("SELECT COUNT(*) FROM \(table)") { try $0.int(0) }[0]))
            }
            return DatabaseStatus(
                backend: "postgresql", location: location, schemaVersion: Self.runner.version(ofApplied: applied),
                appliedMigrations: applied, pendingMigrations: pending.map(\.id), legacy: false, rowCounts: counts)
        }
    }

    public func migrate() async throws -> MigrationReport {
        let now = databaseClock.now()
        return try await session { connection in
            MigrationReport(applied: try Self.runner.run(on: PostgresMigrationTarget(connection: connection, now: now)))
        }
    }

    /// PostgreSQL enforces foreign keys itself; what can still be wrong is a schema
    /// behind the binary, an index left invalid by a failed build, or a constraint
    /// added without validating the rows.
    public func check() async throws -> [String] {
        try await session { connection in
            let applied = try PostgresMigrationTarget(connection: connection, now: .now()).appliedMigrationIDs()
            var problems: [String] = []
            let pending = try Self.runner.pending(applied: applied)
            if !pending.isEmpty {
                problems.append("migrations not applied: \(pending.map(\.id).joined(separator: ", "))")
            }
            problems += try connection.query(
                """
                SELECT 'index ' || c.relname || ' is invalid; rebuild it with REINDEX'
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE NOT i.indisvalid AND n.nspname = current_schema()
                """
            ) { $0.text(0) ?? "" }
            problems += try connection.query(
                """
                SELECT 'constraint ' || conname || ' on ' || conrelid::regclass || ' is not validated'
                FROM pg_constraint WHERE NOT convalidated AND connamespace = current_schema()::regnamespace
                """
            ) { $0.text(0) ?? "" }
            return problems
        }
    }

    /// Runs `pg_dump` (custom format, for `pg_restore`), with the password passed
    /// in its environment rather than on its command line.
    public func backup(to destination: String) async throws {
        if FileManager.default.fileExists(atPath: destination) {
            throw StorageError(.conflict, "\(destination) already exists; choose a new name for the backup")
        }
        guard let pgDump = ChildProcess.find("pg_dump") else {
            throw StorageError(
                .unavailable,
                "pg_dump is not installed, so a PostgreSQL database cannot be backed up from here; "
                    + "install it (Debian: apt-get install postgresql-client) and run this again")
        }
        let environment = try Self.toolEnvironment(conninfo)
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess(
                pgDump, ["--format=custom", "--no-password", "--file", destination], environment: environment
            ).run()
        } catch {
            throw StorageError(.unavailable, "pg_dump cannot be started: \(error)")
        }
        guard result.status == 0 else {
            try? FileManager.default.removeItem(atPath: destination)
            let message = String(decoding: result.errors, as: UTF8.self)
            throw StorageError(
                .unavailable, "pg_dump failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// The connection as libpq's tools read it from their environment, so
    /// the password is never on a command line.
    static func toolEnvironment(_ conninfo: String) throws -> [String: String] {
        let parameters = try ConnectionParameters(conninfo)
        var environment = ProcessInfo.processInfo.environment
        let mapping = [
            "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
            "dbname": "PGDATABASE", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
            "sslkey": "PGSSLKEY", "options": "PGOPTIONS", "passfile": "PGPASSFILE",
        ]
        for (keyword, variable) in mapping {
            if let value = parameters.values[keyword] { environment[variable] = value }
        }
        return environment
    }

    /// Loads a `backup` (pg_dump's custom format) into the database at `url`,
    /// which must hold nothing yet: one transaction, stopped at the first error.
    public static func restore(dump: String, into url: String) async throws {
        let target = try await PostgresStorage.open(
            url: url,
            options: {
                var o = Options()
                o.migrate = false
                return o
            }())
        let status = try await target.status()
        await target.close()
        guard status.appliedMigrations.isEmpty, status.rowCounts.isEmpty else {
            throw StorageError(
                .conflict, "\(status.location) already holds a yt-builder history; restore into an empty database")
        }
        guard let pgRestore = ChildProcess.find("pg_restore") else {
            throw StorageError(
                .unavailable, "pg_restore is not installed; install it (Debian: apt-get install postgresql-client)")
        }
        let environment = try toolEnvironment(url)
        let result = try await ChildProcess(
            pgRestore,
            [
                "--no-password", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                "--dbname", environment["PGDATABASE"] ?? "postgres", dump,
            ], environment: environment
        ).run()
        guard result.status == 0 else {
            let message = String(decoding: result.errors, as: UTF8.self)
            throw StorageError(
                .unavailable, "pg_restore failed: \(PostgresError.oneLine(message))")
        }
    }
}
