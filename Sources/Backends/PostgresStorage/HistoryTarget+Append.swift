import Foundation
import HistoryFormats
import StorageCore

/// `migrate --append`: a history loaded and verified in staging as for an
/// empty target, then added to the live tables in one transaction, while
/// API servers and workers go on using them. Its jobs, files and uploads get
/// new ids from the live sequences (after every id the target has handed
/// out, in the source's order); the map is kept in `migrate_append_ids`, and
/// the appended rows, read back through it, must match the source's
/// checksums before the commit.
extension HistoryTarget {
    /// The tables whose rows get new ids.
    static let renumbered = ["jobs", "job_files", "youtube_uploads"]

    private var live: String { "\"\(schema)\"" }

    /// Whether the live schema has this table (a dry run's target may not be
    /// made or brought up to date).
    private func has(_ table: String, _ connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT to_regclass($1) IS NOT NULL", [.text("\(live).\(table)")]) {
            $0.text(0) == "t"
        }.first ?? false
    }

    private func hasAppendRecord(_ connection: PostgresConnection) throws -> Bool {
        try has("migrate_append_ids", connection)
    }

    /// The target's highest job id (0 without any).
    public func highestJobID() async throws -> Int64 {
        try await storage.session { connection in
            guard try self.has("jobs", connection) else { return 0 }
            return try connection.query("SELECT COALESCE(MAX(job_id), 0) FROM \(self.live).jobs") { try $0.int64(0) }
                .first ?? 0
        }
    }

    /// How many jobs the live table holds (0 when there is none).
    public func liveJobCount() async throws -> Int {
        try await storage.session { connection in
            guard try self.has("jobs", connection) else { return 0 }
            return try connection.query("SELECT count(*) FROM \(self.live).jobs") { try $0.int(0) }.first ?? 0
        }
    }

    /// The append that copied a history with this fingerprint, if one did.
    public func earlierAppend(fingerprint: String) async throws -> HistoryAppendReport? {
        try await storage.session { connection in
            guard try self.hasAppendRecord(connection) else { return nil }
            let found = try connection.query(
                """
                SELECT append_id, to_char(appended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM \(self.live).migrate_appends WHERE fingerprint = $1
                """, [.text(fingerprint)]
            ) { (try $0.int64(0), $0.text(1)) }
            guard let (appendID, appendedAt) = found.first else { return nil }
            var report = try self.idRuns(appendID, connection)
            report.appendedAt = appendedAt
            report.alreadyAppended = true
            return report
        }
    }

    /// The job id map of an append, as runs of consecutive ids (at most `limit`).
    private func idRuns(_ appendID: Int64, _ connection: PostgresConnection, limit: Int = 1000) throws
        -> HistoryAppendReport
    {
        let runs = try connection.query(
            """
            SELECT min(source_id), max(source_id), min(target_id), count(*) OVER () FROM (
                SELECT source_id, target_id, source_id - row_number() OVER (ORDER BY source_id) AS a,
                       target_id - row_number() OVER (ORDER BY source_id) AS b
                FROM \(live).migrate_append_ids WHERE append_id = $1 AND table_name = 'jobs') AS ids
            GROUP BY a, b ORDER BY 1 LIMIT $2
            """, [.integer(appendID), .integer(Int64(limit))]
        ) {
            (
                try HistoryAppendReport.IDRun(sourceFrom: $0.int64(0), sourceTo: $0.int64(1), targetFrom: $0.int64(2)),
                try $0.int(3)
            )
        }
        return HistoryAppendReport(
            appendID: appendID, appendedAt: nil, alreadyAppended: false, jobIDs: runs.map(\.0),
            moreJobIDRuns: max(0, (runs.first?.1 ?? 0) - runs.count))
    }

    // MARK: Jobs already there

    /// A job of the source that the target already has (same run id and run directory).
    public struct JobAlreadyThere: Sendable {
        public var sourceJobID: Int64
        public var targetJobID: Int64
        public var runID: String
        /// The append that brought it, if one did.
        public var appendID: Int64?
    }

    /// A connection of its own, for a thread that looks up the source's jobs
    /// in the target as it reads them.
    public func jobLookup() throws -> JobLookup {
        do {
            let connection = try PostgresConnection(conninfo: storage.conninfo)
            let hasJobs = try has("jobs", connection)
            return JobLookup(
                connection: connection, live: live, hasJobs: hasJobs,
                hasAppendRecord: try hasJobs && hasAppendRecord(connection))
        } catch {
            throw StorageError(postgres: error)
        }
    }

    public final class JobLookup {
        let connection: PostgresConnection
        let live: String
        let hasJobs: Bool
        let hasAppendRecord: Bool

        init(connection: PostgresConnection, live: String, hasJobs: Bool, hasAppendRecord: Bool) {
            self.connection = connection
            self.live = live
            self.hasJobs = hasJobs
            self.hasAppendRecord = hasAppendRecord
        }

        /// Which of these source jobs (id, run id, run directory) the target has.
        public func find(_ jobs: [(id: Int64, runID: String, runDir: String)]) throws -> [JobAlreadyThere] {
            guard hasJobs, !jobs.isEmpty else { return [] }
            let appended =
                hasAppendRecord
                ? "(SELECT max(append_id) FROM \(live).migrate_append_ids m WHERE m.table_name = 'jobs' AND m.target_id = j.job_id)"
                : "NULL::bigint"
            do {
                return try connection.query(
                    """
                    SELECT k.id, j.job_id, j.run_id, \(appended)
                    FROM unnest($1::bigint[], $2::text[], $3::text[]) AS k(id, run_id, run_dir)
                    JOIN \(live).jobs j ON j.run_id = k.run_id AND j.run_dir = k.run_dir
                    ORDER BY k.id
                    """,
                    [
                        .text("{" + jobs.map { String($0.id) }.joined(separator: ",") + "}"),
                        .text(HistoryTarget.arrayLiteral(jobs.map(\.runID))),
                        .text(HistoryTarget.arrayLiteral(jobs.map(\.runDir))),
                    ]
                ) { row in
                    JobAlreadyThere(
                        sourceJobID: try row.int64(0), targetJobID: try row.int64(1), runID: row.text(2) ?? "",
                        appendID: row.text(3).flatMap { Int64($0) })
                }
            } catch {
                throw StorageError(postgres: error)
            }
        }
    }

    // MARK: The append

    /// Adds the verified staging tables to the live ones in one transaction
    /// (see the type's extension comment), queues the appended unfinished
    /// jobs and drops staging. `expected` are the source's checksums;
    /// `beforeCommit` runs last inside the transaction.
    public func append(
        source: String, fingerprint: String, expected: [String: TableChecksum],
        beforeCommit: @escaping @Sendable () -> Void = {}
    ) async throws -> HistoryAppendReport {
        let (live, staging) = (self.live, Self.stagingSchema)
        return try await storage.session { connection in
            try connection.transaction {
                try connection.execute("SET LOCAL lock_timeout = '30s'")
                let before =
                    try connection.query("SELECT COALESCE(MAX(job_id), 0) FROM \(live).jobs") {
                        try $0.int64(0)
                    }.first ?? 0
                let rows = { (table: String) in Int64(expected[table]?.rows ?? 0) }
                let appendID = try connection.query(
                    """
                    INSERT INTO \(live).migrate_appends
                        (append_id, source, fingerprint, appended_at, jobs, job_files, uploads)
                    SELECT COALESCE(MAX(append_id), 0) + 1, $1, $2, now(), $3, $4, $5 FROM \(live).migrate_appends
                    RETURNING append_id
                    """,
                    [
                        .text(source), .text(fingerprint), .integer(rows("jobs")), .integer(rows("job_files")),
                        .integer(rows("youtube_uploads")),
                    ]
                ) { try $0.int64(0) }[0]
                let id: SQLValue = .integer(appendID)
                for name in Self.renumbered {
                    let idColumn = HistoryTable.layout[table: name]!.columns[0].name
                    // New ids from the live sequence, given out in the source's order.
                    try connection.run(
                        """
                        INSERT INTO \(live).migrate_append_ids (append_id, table_name, source_id, target_id)
                        SELECT $1, $2, s.id, n.id
                        FROM (SELECT \(idColumn) AS id, row_number() OVER (ORDER BY \(idColumn)) AS r
                              FROM \(staging).\(name)) AS s
                        JOIN (SELECT id, row_number() OVER (ORDER BY id) AS r
                              FROM (SELECT nextval(pg_get_serial_sequence($3, $4)) AS id FROM \(staging).\(name)) AS x
                             ) AS n USING (r)
                        """, [id, .text(name), .text("\(live).\(name)"), .text(idColumn)])
                }
                var wrong: [String] = []
                for name in Self.renumbered {
                    let table = HistoryTable.layout[table: name]!
                    let columns = table.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
                    let copied = try connection.run(
                        "INSERT INTO \(live).\(name) (\(columns)) "
                            + self.renumber(
                                table, from: "\(staging).\(name)", matching: "source_id", giving: "target_id"),
                        [id])
                    let back = self.renumber(table, from: "\(live).\(name)", matching: "target_id", giving: "source_id")
                    let stored = try Self.checksum(
                        table, sql: Self.checksumSQL(table, from: "(\(back)) AS mapped") + ") AS hashed", [id],
                        connection)
                    if Int64(copied) != rows(name) || stored != expected[name] { wrong.append(name) }
                }
                let kept = try connection.query(
                    """
                    SELECT s.user_id FROM \(staging).youtube_credentials s
                    JOIN \(live).youtube_credentials l ON l.user_id = s.user_id ORDER BY 1
                    """
                ) { $0.text(0) ?? "" }
                let credentials = try connection.run(
                    """
                    INSERT INTO \(live).youtube_credentials (user_id, credentials_json, updated_at)
                    SELECT user_id, credentials_json, updated_at FROM \(staging).youtube_credentials
                    ON CONFLICT (user_id) DO NOTHING
                    """)
                if Int64(credentials + kept.count) != rows("youtube_credentials") {
                    wrong.append("youtube_credentials")
                }
                for name in ["quarantined_job_files", "quarantined_youtube_uploads"] {
                    let columns = HistoryTable.layout[table: name]!.columns.map { "\"\($0.name)\"" }
                        .joined(separator: ", ")
                    let copied = try connection.run(
                        "INSERT INTO \(live).\(name) (\(columns)) SELECT \(columns) FROM \(staging).\(name)")
                    if Int64(copied) != rows(name) { wrong.append(name) }
                }
                // A value kept aside names its row by id: the row's new one.
                let json = try connection.run(
                    """
                    INSERT INTO \(live).quarantined_json (table_name, row_key, column_name, value, reason)
                    SELECT s.table_name, COALESCE(m.target_id::text, s.row_key), s.column_name, s.value, s.reason
                    FROM \(staging).quarantined_json s
                    LEFT JOIN \(live).migrate_append_ids m
                           ON m.append_id = $1 AND m.table_name = s.table_name AND m.source_id::text = s.row_key
                    """, [id])
                if Int64(json) != rows("quarantined_json") { wrong.append("quarantined_json") }
                guard wrong.isEmpty else {
                    throw StorageError(
                        .corruptDatabase,
                        "the appended rows do not match the source in \(wrong.joined(separator: ", ")); nothing was kept"
                    )
                }
                try PostgresStorage.queueUnfinishedJobs(connection, appended: appendID)
                try connection.execute("NOTIFY yt_builder_jobs")
                try connection.execute("DROP SCHEMA \(staging) CASCADE")
                var report = try self.idRuns(appendID, connection)
                report.appendedAt =
                    try connection.query(
                        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                    ) { $0.text(0) }.first ?? nil
                report.credentialsKept = kept
                report.afterJobID = before
                beforeCommit()
                return report
            }
        }
    }

    /// The rows of `relation` (a table of `table`'s layout, aliased `t`) with
    /// their ids, and the job id they name, looked up in append `$1`'s map by
    /// `matching` and replaced by `giving`.
    func renumber(_ table: HistoryTable, from relation: String, matching: String, giving: String) -> String {
        let idColumn = table.columns[0].name
        var joins = [
            "JOIN \(live).migrate_append_ids own ON own.append_id = $1 AND own.table_name = '\(table.name)' "
                + "AND own.\(matching) = t.\"\(idColumn)\""
        ]
        if table.name != "jobs" {
            joins.append(
                "JOIN \(live).migrate_append_ids job ON job.append_id = $1 AND job.table_name = 'jobs' AND job.\(matching) = t.job_id"
            )
        }
        let columns = table.columns.map { column in
            column.name == idColumn
                ? "own.\(giving) AS \"\(column.name)\""
                : column.name == "job_id" ? "job.\(giving) AS job_id" : "t.\"\(column.name)\""
        }
        return "SELECT \(columns.joined(separator: ", ")) FROM \(relation) t \(joins.joined(separator: " "))"
    }
}
