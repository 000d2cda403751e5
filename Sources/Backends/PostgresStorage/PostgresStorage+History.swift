import Foundation
import StorageCore

extension PostgresStorage {
    /// A history carries no leases: its queued jobs get a render task, and its
    /// running ones a running task without a lease, which the next rescue sends
    /// back to the queue (their worker is on the old host).
    static func queueUnfinishedJobs(_ connection: PostgresConnection, appended appendID: Int64? = nil) throws {
        // With an append, only the jobs it added: the others have their tasks already.
        let appended =
            appendID == nil
            ? ""
            : "AND job_id IN (SELECT target_id FROM migrate_append_ids WHERE append_id = $2 AND table_name = 'jobs')"
        try connection.run(
            """
            INSERT INTO tasks (kind, job_id, state, max_attempts, created_at, updated_at)
            SELECT 'render', job_id, status, $1::integer, created_at, COALESCE(started_at, created_at) FROM jobs
            WHERE status IN ('queued', 'running') \(appended) ORDER BY job_id
            """, [.integer(JobQueue.defaultMaximumAttempts)] + (appendID.map { [.integer($0)] } ?? []))
    }

    /// The next ids come after every id the source used, including job ids that
    /// only quarantined rows (or the source's own sequence) still name.
    static func setSequences(_ connection: PostgresConnection, highestJobID: Int64) throws {
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
}
