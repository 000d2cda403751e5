import CLibPQ
import Foundation
import HistoryFormats
import SQLStore
import StorageCore

/// The PostgreSQL side of `yt-builder migrate`: a history is loaded into
/// tables of a staging schema over several connections at once, its keys and
/// indexes built there, verified there by checksums the server computes, and
/// only then swapped into place in one short transaction. Until that commit
/// the live tables are untouched, so a kill at any moment leaves the target
/// as it was (a staging schema left behind is dropped by the next run).
public final class HistoryTarget: Sendable {
    public static let stagingSchema = "yt_builder_migrate_staging"
    static let retiredSchema = "yt_builder_migrate_retired"

    let storage: PostgresStorage
    /// The schema that holds the live history tables.
    let schema: String

    init(storage: PostgresStorage, schema: String) {
        self.storage = storage
        self.schema = schema
    }

    public var location: String { storage.location }

    /// Whether any live history table holds a row (a table not there holds none).
    public func liveTablesHoldRows() async throws -> Bool {
        try await storage.session { connection in
            for layout in HistoryTable.layout {
                // Names come from the fixed layout, never from input.
                let exists = try connection.query("SELECT to_regclass($1) IS NOT NULL", [.text(layout.name)]) {
                    $0.text(0)
                }
                guard exists.first == "t" else { continue }
                if try connection.query("SELECT EXISTS (SELECT 1 FROM \(layout.name))") { $0.text(0) } == ["t"] {
                    return true
                }
            }
            return false
        }
    }

    /// Each history table's row count and checksum as the server computes them
    /// (`checksumSQL`) in the live tables, a table per connection.
    public func liveChecksums() async throws -> [String: TableChecksum] {
        try await withThrowingTaskGroup(of: (String, TableChecksum).self) { group in
            for layout in HistoryTable.layout {
                group.addTask { (layout.name, try await self.checksum(layout, schema: self.schema)) }
            }
            var result: [String: TableChecksum] = [:]
            for try await (table, text) in group { result[table] = text }
            return result
        }
    }

    /// A table's checksum; with `parts` above 1, computed over that many
    /// slices of its rows (by the first column, an id) on as many connections.
    private func checksum(_ table: HistoryTable, schema: String, parts: Int = 1) async throws -> TableChecksum {
        let exists = try await storage.session { connection in
            try connection.query("SELECT to_regclass($1) IS NOT NULL", [.text("\"\(schema)\".\(table.name)")]) {
                $0.text(0)
            }
        }
        guard exists.first == "t" else { return TableChecksum() }
        return try await withThrowingTaskGroup(of: TableChecksum.self) { group in
            for part in 0..<parts {
                let slice = parts > 1 ? "WHERE coalesce(\"\(table.columns[0].name)\", 0) % \(parts) = \(part)" : ""
                let sql = Self.checksumSQL(table, from: "\"\(schema)\".\(table.name)") + " \(slice)) AS hashed"
                group.addTask {
                    try await self.storage.session { connection in try Self.checksum(table, sql: sql, [], connection) }
                }
            }
            return try await group.reduce(into: TableChecksum()) { $0.merge($1) }
        }
    }

    /// Runs a `checksumSQL` query and reads its one row.
    static func checksum(
        _ table: HistoryTable, sql: String, _ values: [SQLValue] = [], _ connection: PostgresConnection
    ) throws -> TableChecksum {
        try connection.query(sql, values) { row in
            guard let sum = row.text(1).flatMap(Int128.init) else {
                throw StorageError(
                    .corruptDatabase, "the server's checksum of \(table.name) reads '\(row.text(1) ?? "")'")
            }
            return try TableChecksum(rows: row.int(0), sum: sum, xor: row.int64(2))
        }.first ?? TableChecksum()
    }

    /// The server's side of the checksum `migrate` computes as it reads (see
    /// `TableChecksum` in HistoryMigration): the row count, and the exact sum
    /// and the xor of `hashtextextended` of each row's text, its
    /// compared columns as PostgreSQL prints them joined by U+001F (U+001E for
    /// NULL).
    /// `relation` is a table or a subquery with its alias, whose columns have
    /// the layout's names. (Ends inside its subquery: a caller may add a WHERE
    /// clause, then `) AS hashed`.)
    static func checksumSQL(_ table: HistoryTable, from relation: String) -> String {
        let values = table.columns.compactMap { column -> String? in
            switch column.kind {
            case .text: "coalesce(\"\(column.name)\", E'\\x1e')"
            case .integer, .json, .timestamp: "coalesce(\"\(column.name)\"::text, E'\\x1e')"
            case .stamp: nil
            }
        }
        return """
            SELECT count(*), coalesce(sum(h), 0)::text, coalesce(bit_xor(h), 0)
            FROM (SELECT hashtextextended(concat_ws(E'\\x1f', \(values.joined(separator: ", "))), 0) AS h
                  FROM \(relation)
            """
    }

    // MARK: Staging

    /// Drops a staging schema an earlier, killed run left behind.
    public func dropStaging() async throws {
        try await storage.session { connection in
            try connection.execute("DROP SCHEMA IF EXISTS \(Self.stagingSchema) CASCADE")
            try connection.execute("DROP SCHEMA IF EXISTS \(Self.retiredSchema) CASCADE")
        }
    }

    /// A new staging schema with a table like each live history table: its
    /// columns, defaults, checks and identity, but no keys or indexes yet, so
    /// rows go in at the speed of COPY; and no autovacuum, whose analyze would
    /// take the cores the checks need (it is switched back on in the swap).
    public func createStaging() async throws {
        try await dropStaging()
        try await storage.session { connection in
            try connection.transaction {
                try connection.execute("CREATE SCHEMA \(Self.stagingSchema)")
                for layout in HistoryTable.layout {
                    try connection.execute(
                        """
                        CREATE TABLE \(Self.stagingSchema).\(layout.name) (LIKE "\(self.schema)".\(layout.name)
                            INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING GENERATED)
                        WITH (autovacuum_enabled = false)
                        """)
                }
            }
        }
    }

    /// Held for the whole of one `migrate` into this database: a second run
    /// started meanwhile is told so at once, instead of dropping the first's
    /// staging schema or racing it to create one. Released when dropped (its
    /// connection closes, and the server releases the lock with it, also when
    /// the process is killed).
    public final class TransferLock: @unchecked Sendable {
        private let connection: PostgresConnection
        init(connection: PostgresConnection) { self.connection = connection }
    }

    static let transferLockKey = "7953817204"

    public func lockForTransfer() throws -> TransferLock {
        let connection: PostgresConnection
        let taken: Bool
        do {
            connection = try PostgresConnection(conninfo: storage.conninfo)
            taken =
                try connection.query("SELECT pg_try_advisory_lock($1::bigint)", [.text(Self.transferLockKey)]) {
                    $0.text(0) == "t"
                }.first ?? false
        } catch {
            throw StorageError(postgres: error)
        }
        guard taken else {
            throw StorageError(
                .conflict,
                "another 'yt-builder migrate' is copying into this database now; let it finish, then run this "
                    + "again (it will say whether the history is already there)")
        }
        return TransferLock(connection: connection)
    }

    /// A connection of its own for one thread's COPYs into staging.
    public func copier() throws -> Copier {
        do {
            return Copier(connection: try PostgresConnection(conninfo: storage.conninfo))
        } catch {
            throw StorageError(postgres: error)
        }
    }

    public final class Copier {
        let connection: PostgresConnection

        init(connection: PostgresConnection) { self.connection = connection }

        /// One binary COPY into a staging table; `produce` hands over the
        /// rows (`CopyBinary` tuples) in chunks through the function it is
        /// given; the header and trailer are this function's.
        public func copy(
            into table: HistoryTable, produce: (_ send: ([UInt8]) throws -> Void) throws -> Void
        ) throws {
            let columns = table.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
            let sql = "COPY \(HistoryTarget.stagingSchema).\(table.name) (\(columns)) FROM STDIN (FORMAT binary)"
            do {
                try connection.startCopy(sql)
                try connection.putCopyData(CopyBinary.header, sql: sql)
                try produce { try connection.putCopyData($0, sql: sql) }
                try connection.putCopyData(CopyBinary.trailer, sql: sql)
                try connection.endCopy(sql: sql)
            } catch {
                throw StorageError(postgres: error)
            }
        }
    }

    /// The types of each staging table's layout columns, as COPY's binary
    /// format needs them.
    public func stagingColumnTypes() async throws -> [String: [CopyBinary.ColumnType]] {
        try await storage.session { connection in
            var result: [String: [CopyBinary.ColumnType]] = [:]
            for layout in HistoryTable.layout {
                let types = Dictionary(
                    uniqueKeysWithValues: try connection.query(
                        """
                        SELECT attname, format_type(atttypid, NULL) FROM pg_attribute
                        WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
                        """, [.text("\(Self.stagingSchema).\(layout.name)")]
                    ) { ($0.text(0) ?? "", $0.text(1) ?? "") })
                result[layout.name] = try layout.columns.map { column in
                    guard let name = types[column.name], let type = CopyBinary.ColumnType(rawValue: name) else {
                        throw StorageError(
                            .incompatibleSchema,
                            "\(layout.name).\(column.name) is \(types[column.name] ?? "missing") in the target, which migrate cannot write"
                        )
                    }
                    return type
                }
            }
            return result
        }
    }

    /// Each staging table's checksum (as `liveChecksums`), while its keys and
    /// indexes are built from the live tables' own definitions. Every index
    /// is built with CREATE INDEX (which lets the checksums read on), large
    /// tables are checksummed in slices, all of it on the pool's connections
    /// at once; then the unique indexes become the primary keys and unique
    /// constraints, and the foreign keys are added. `rows` says how large
    /// each table is; a table is checksummed in slices of about `rowsPerSlice`
    /// rows (four at most).
    public func checksumsBuildingKeys(rows: [String: Int], rowsPerSlice: Int = 150_000, concurrency: Int = 3)
        async throws -> [String: TableChecksum]
    {
        let tables = Self.arrayLiteral(HistoryTable.layout.map { "\"\(schema)\".\($0.name)" })
        // Written by the server from its catalog (%I quotes names); the live
        // schema is on the search path, so names come unqualified and the
        // statements, run with staging first on the path, build staging's.
        let statements = try await storage.session { connection in
            try connection.query(
                """
                SELECT c.relname, 0, pg_get_indexdef(i.indexrelid, 0, true)
                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                WHERE i.indrelid = ANY($1::regclass[])
                UNION ALL
                SELECT c.relname, 1,
                       format('ALTER TABLE %I ADD CONSTRAINT %I %s USING INDEX %I', c.relname, k.conname,
                              CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, ic.relname)
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class ic ON ic.oid = k.conindid
                WHERE k.conrelid = ANY($1::regclass[]) AND k.contype IN ('p', 'u')
                UNION ALL
                SELECT c.relname, 2, format('ALTER TABLE %I ADD CONSTRAINT %I %s', c.relname, k.conname,
                                            pg_get_constraintdef(k.oid))
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                WHERE k.conrelid = ANY($1::regclass[]) AND k.contype = 'f'
                """, [.text(tables)]
            ) { try (table: $0.text(0) ?? "", step: $0.int(1), sql: $0.text(2) ?? "") }
        }
        // Largest tables first, so the longest work starts first.
        let layouts = HistoryTable.layout.sorted { rows[$0.name, default: 0] > rows[$1.name, default: 0] }
        var work: [@Sendable () async throws -> (String, TableChecksum)?] = []
        for layout in layouts {
            let parts =
                layout.columns[0].kind == .integer
                ? max(1, min(4, rows[layout.name, default: 0] / max(1, rowsPerSlice))) : 1
            work.append { (layout.name, try await self.checksum(layout, schema: Self.stagingSchema, parts: parts)) }
            for index in statements where index.table == layout.name && index.step == 0 {
                work.append {
                    try await self.inStaging([index.sql])
                    return nil
                }
            }
        }
        // At most `concurrency` at once: more than the cores only queue for them.
        let checksums = try await withThrowingTaskGroup(of: (String, TableChecksum)?.self) { group in
            var result: [String: TableChecksum] = [:]
            for (offset, item) in work.enumerated() {
                if offset >= concurrency, case (let table, let text)?? = try await group.next() { result[table] = text }
                group.addTask(operation: item)
            }
            for try await case (let table, let text)? in group { result[table] = text }
            return result
        }
        try await inStaging(statements.filter { $0.step == 1 }.map(\.sql))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (_, list) in Dictionary(grouping: statements.filter { $0.step == 2 }, by: \.table) {
                group.addTask { try await self.inStaging(list.map(\.sql)) }
            }
            try await group.waitForAll()
        }
        return checksums
    }

    /// Runs statements with the staging schema first on the search path.
    private func inStaging(_ statements: [String]) async throws {
        guard !statements.isEmpty else { return }
        try await storage.session { connection in
            try connection.execute("SET maintenance_work_mem = '256MB'")
            try connection.execute("SET search_path = \(Self.stagingSchema), \"\(self.schema)\"")
            defer { try? connection.execute("RESET search_path; RESET maintenance_work_mem") }
            for statement in statements { try connection.execute(statement) }
        }
    }

    /// A text array literal of `values`, each element quoted.
    static func arrayLiteral(_ values: [String]) -> String {
        let quoted = values.map {
            "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }

    // MARK: The swap

    /// Puts the staging tables in place of the live ones, in one transaction:
    /// the live tables must still be empty; foreign keys of other tables
    /// (tasks) that point at them are made again on the new ones; sequences
    /// are set past every id the source used; unfinished jobs get their render
    /// task. `beforeCommit` runs last inside the transaction.
    public func swap(highestJobID: Int64, beforeCommit: @escaping @Sendable () -> Void = {}) async throws {
        let live = "\"\(schema)\""
        try await storage.session { connection in
            try connection.transaction {
                try connection.execute("SET LOCAL lock_timeout = '30s'")
                let names = HistoryTable.layout.map { "\(live).\($0.name)" }
                try connection.execute("LOCK TABLE \(names.joined(separator: ", ")) IN ACCESS EXCLUSIVE MODE")
                for name in names {
                    let rows = try connection.query("SELECT EXISTS (SELECT 1 FROM \(name))") { $0.text(0) }
                    guard rows.first == "f" else {
                        throw StorageError(
                            .conflict,
                            "something wrote into \(name) while the history was copied; nothing was changed")
                    }
                }
                let foreignKeys = try connection.query(
                    """
                    SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname,
                                  pg_get_constraintdef(oid))
                    FROM pg_constraint
                    WHERE contype = 'f' AND confrelid = ANY($1::regclass[]) AND NOT conrelid = ANY($1::regclass[])
                    """, [.text(Self.arrayLiteral(names))]
                ) { $0.text(0) ?? "" }
                try connection.execute("CREATE SCHEMA \(Self.retiredSchema)")
                for layout in HistoryTable.layout {
                    try connection.execute("ALTER TABLE \(live).\(layout.name) SET SCHEMA \(Self.retiredSchema)")
                    try connection.execute(
                        "ALTER TABLE \(Self.stagingSchema).\(layout.name) SET SCHEMA \(live)")
                    try connection.execute("ALTER TABLE \(live).\(layout.name) RESET (autovacuum_enabled)")
                }
                try connection.execute("DROP SCHEMA \(Self.retiredSchema) CASCADE")
                try connection.execute("DROP SCHEMA \(Self.stagingSchema) CASCADE")
                for statement in foreignKeys { try connection.execute(statement) }
                try PostgresStorage.setSequences(connection, highestJobID: highestJobID)
                try PostgresStorage.queueUnfinishedJobs(connection)
                beforeCommit()
            }
        }
    }
}

extension PostgresStorage {
    /// The target of a `migrate`: this database (its schema not created yet
    /// only for a dry run, which reads it as empty).
    public func historyTarget() async throws -> HistoryTarget {
        let schema = try await session { connection in
            try connection.query(
                """
                SELECT COALESCE((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                 WHERE c.oid = to_regclass('jobs')), current_schema())
                """
            ) { $0.text(0) }.first ?? nil
        }
        return HistoryTarget(storage: self, schema: schema ?? "public")
    }
}
