import StorageCore

/// The migration runner's hold on one connection: a session advisory lock
/// makes processes that start together migrate one after another, and each
/// migration runs in its own transaction.
struct PostgresMigrationTarget: MigrationTarget {
    /// Any fixed number; the same in every yt-builder process.
    static let lockKey = "7953817203"

    let connection: PostgresConnection
    let now: Timestamp

    func appliedMigrationIDs() throws -> [String] {
        // jobs first, then schema_migrations, each in its own statement: catalog
        // lookups see commits as they happen, and both tables are committed together,
        // so once jobs is visible a later look finds schema_migrations too.
        let hasJobs = try connection.query("SELECT to_regclass('jobs') IS NOT NULL") { $0.text(0) == "t" }[0]
        let hasMigrations = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL") {
            $0.text(0) == "t"
        }[0]
        if !hasMigrations {
            guard !hasJobs else {
                throw StorageError(
                    .incompatibleSchema,
                    "the database has a jobs table that yt-builder did not make (no schema_migrations table); "
                        + "use another database or schema")
            }
            return []
        }
        return try connection.query("SELECT id FROM schema_migrations ORDER BY id") { $0.text(0) ?? "" }
    }

    func withMigrationLock<T>(_ body: () throws -> T) throws -> T {
        try connection.run("SELECT pg_advisory_lock($1::bigint)", [.text(Self.lockKey)])
        defer { _ = try? connection.run("SELECT pg_advisory_unlock($1::bigint)", [.text(Self.lockKey)]) }
        return try body()
    }

    func apply(_ migration: Migration) throws -> Bool {
        try connection.transaction {
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    id         text PRIMARY KEY,
                    version    integer NOT NULL,
                    applied_at timestamptz NOT NULL
                )
                """)
            let recorded = try connection.query("SELECT 1 FROM schema_migrations WHERE id = $1", [.text(migration.id)])
            {
                try $0.int(0)
            }
            if !recorded.isEmpty { return false }
            try connection.execute(migration.sql)
            try connection.run(
                "INSERT INTO schema_migrations (id, version, applied_at) VALUES ($1, $2, $3)",
                [.text(migration.id), .integer(Int64(migration.version)), .timestamp(now)])
            return true
        }
    }
}
