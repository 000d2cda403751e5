import Foundation
import StorageCore

extension PostgresStorage {
    /// Writes a whole history in one transaction and verifies it before
    /// committing: rows go in with COPY; identity sequences are set past every
    /// id the source handed out; then each table is read back and its row count
    /// and checksum must equal the source's, or nothing is kept. A target that
    /// already holds this very history is left as it is and reported; one that
    /// holds anything else is refused.
    public func importHistory(
        _ history: History, dryRun: Bool, progress: @escaping @Sendable (HistoryProgress) -> Void = { _ in }
    ) async throws -> HistoryTransferReport {
        let started = ContinuousClock.now
        let (prepared, moved) = history.tables.quarantiningInvalidJSON()
        let expected = prepared.map(\.fingerprint)
        return try await session { connection in
            try connection.transaction {
                let present = try Self.readHistory(connection)
                let alreadyThere = present.map(\.fingerprint) == expected
                if !alreadyThere, present.contains(where: { !$0.rows.isEmpty }) {
                    let jobs = present[table: "jobs"]?.rows.count ?? 0
                    throw StorageError(
                        .conflict,
                        "the target database already holds a history (\(jobs) jobs) that is not this one; "
                            + "migrate into an empty database")
                }
                if !alreadyThere && !dryRun {
                    let total = prepared.reduce(0) { $0 + $1.rows.count }
                    var before = 0
                    try Self.withoutKeysAndIndexes(connection) {
                        for table in prepared where !table.rows.isEmpty {
                            try connection.bulkLoad(
                                table: table.name, columns: table.columns.map(\.name), rows: table.rows
                            ) {
                                progress(
                                    HistoryProgress(
                                        step: "copying \(table.name)", rowsDone: before + $0, rowsTotal: total))
                            }
                            before += table.rows.count
                        }
                        progress(
                            HistoryProgress(step: "re-creating keys and indexes", rowsDone: total, rowsTotal: total))
                    }
                    progress(HistoryProgress(step: "verifying", rowsDone: total, rowsTotal: total))
                    try Self.setSequences(connection, highestJobID: history.highestJobID)
                    try Self.queueUnfinishedJobs(connection)
                    let written = try Self.readHistory(connection).map(\.fingerprint)
                    let wrong = zip(prepared, zip(written, expected)).filter { $1.0 != $1.1 }.map(\.0.name)
                    guard wrong.isEmpty else {
                        throw StorageError(
                            .corruptDatabase,
                            "the copy does not match the source in \(wrong.joined(separator: ", ")); nothing was kept")
                    }
                }
                let elapsed = started.duration(to: .now)
                return HistoryTransferReport(
                    tables: Self.report(prepared, expected), alreadyMigrated: alreadyThere, dryRun: dryRun,
                    seconds: elapsed.inSeconds, quarantinedValues: moved)
            }
        }
    }

    /// Every table of the layout as it is in this database.
    public func readHistory() async throws -> [HistoryTable] {
        try await session { try Self.readHistory($0) }
    }

    /// A table not created yet reads as empty.
    static func readHistory(_ connection: PostgresConnection) throws -> [HistoryTable] {
        try HistoryTable.layout.map { layout in
            var table = layout.emptied()
            let exists = try connection.query("SELECT to_regclass($1) IS NOT NULL", [.text(layout.name)]) { $0.text(0) }
            guard exists.first == "t" else { return table }
            // Names come from the fixed layout, never from input.
            let columns = layout.columns.map { "\($0.name)::text" }.joined(separator: ", ")
            table.rows = try connection.query("SELECT \(columns) FROM \(layout.name)") { row in
                (0..<Int32(layout.columns.count)).map { row.text($0) }
            }
            return table
        }
    }

    /// As a bulk load into empty tables should: keys, unique constraints and
    /// indexes are dropped, the rows copied, then all re-created from their own
    /// definitions (which checks every row once, in bulk, instead of row by row).
    /// All inside the caller's transaction, so a failure leaves them as they were.
    /// The keys of the history's tables, and the foreign keys of any other table
    /// (upload tasks) that point at them, which would otherwise hold them in place.
    static let bulkLoadConstraints = """
        (conrelid = ANY($1::regclass[]) AND contype IN ('f', 'p', 'u')) OR (confrelid = ANY($1::regclass[]) AND contype = 'f')
        """

    private static func withoutKeysAndIndexes(_ connection: PostgresConnection, _ body: () throws -> Void) throws {
        let tables = "{" + HistoryTable.layout.map(\.name).joined(separator: ",") + "}"
        // The statements are built by the server from its catalog (format's %I
        // and %s quote the names), foreign keys dropped first and added last.
        let drops = try connection.query(
            """
            SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname)
            FROM pg_constraint WHERE \(Self.bulkLoadConstraints)
            ORDER BY contype <> 'f'
            """, [.text(tables)]
        ) { $0.text(0) ?? "" }
        let adds = try connection.query(
            """
            SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
            FROM pg_constraint WHERE \(Self.bulkLoadConstraints)
            ORDER BY contype = 'f'
            """, [.text(tables)]
        ) { $0.text(0) ?? "" }
        let indexes = try connection.query(
            """
            SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
            FROM pg_index i WHERE i.indrelid = ANY($1::regclass[])
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """, [.text(tables)]
        ) { ($0.text(0) ?? "", $0.text(1) ?? "") }
        for statement in drops + indexes.map(\.0) { try connection.execute(statement) }
        try connection.execute("SET LOCAL maintenance_work_mem = '256MB'")
        try body()
        for statement in adds.filter({ !$0.contains("FOREIGN KEY") }) + indexes.map(\.1)
            + adds.filter({ $0.contains("FOREIGN KEY") })
        {
            try connection.execute(statement)
        }
    }

    /// A history carries no leases: its queued jobs get a render task, and its
    /// running ones a running task without a lease, which the next rescue sends
    /// back to the queue (their worker is on the old host).
    private static func queueUnfinishedJobs(_ connection: PostgresConnection) throws {
        try connection.run(
            """
            INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
            SELECT 'render', job_id, status, $1::integer, created_at, COALESCE(started_at, created_at) FROM jobs
            WHERE status IN ('queued', 'running') ORDER BY job_id
            """, [.integer(JobQueue.defaultMaximumAttempts)])
    }

    /// The next ids come after every id the source used, including job ids that
    /// only quarantined rows (or the source's own sequence) still name.
    private static func setSequences(_ connection: PostgresConnection, highestJobID: Int64) throws {
        try connection.run(
            """
            SELECT setval(pg_get_serial_sequence('jobs', 'job_id'), m) FROM (
                SELECT MAX(id) AS m FROM (
                    SELECT MAX(job_id) AS id FROM jobs
                    UNION ALL SELECT MAX(job_id) FROM quarantined_job_files
                    UNION ALL SELECT MAX(job_id) FROM quarantined_youtube_uploads
                    UNION ALL SELECT NULLIF($1::bigint, 0)) AS ids) AS highest
            WHERE m IS NOT NULL
            """, [.integer(highestJobID)])
        for (table, quarantine) in [
            ("job_files", "quarantined_job_files"), ("youtube_uploads", "quarantined_youtube_uploads"),
        ] {
            try connection.run(
                """
                SELECT setval(pg_get_serial_sequence('\(table)', 'id'), m) FROM (
                    SELECT GREATEST((SELECT MAX(id) FROM \(table)), (SELECT MAX(id) FROM \(quarantine))) AS m) AS highest
                WHERE m IS NOT NULL
                """)
        }
    }

    private static func report(
        _ tables: [HistoryTable], _ fingerprints: [HistoryTable.Fingerprint]
    ) -> [HistoryTransferReport.Table] {
        let quarantine = ["job_files": "quarantined_job_files", "youtube_uploads": "quarantined_youtube_uploads"]
        let json = tables[table: "quarantined_json"]?.rows ?? []
        return zip(tables, fingerprints).map { table, fingerprint in
            let quarantined =
                quarantine[table.name].flatMap { tables[table: $0]?.rows.count }
                ?? json.filter { $0.first == table.name }.count
            let moved = quarantine[table.name] == nil ? 0 : quarantined
            return HistoryTransferReport.Table(
                table: table.name, source: table.rows.count + moved, copied: table.rows.count,
                quarantined: quarantined, checksum: fingerprint.checksum)
        }
    }
}
