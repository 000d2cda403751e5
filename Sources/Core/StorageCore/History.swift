/// A table of a history as it moves from one backend to another (`yt-builder
/// migrate`). Every value travels as text; a column's kind says how two
/// backends' texts of the same value are compared.
public struct HistoryTable: Sendable {
    public enum Kind: Sendable {
        case text, integer, timestamp, json
        /// A time the transfer itself writes (when a row was quarantined): copied,
        /// but not compared, so that a second run recognises the same history.
        case stamp
    }

    public struct Column: Sendable {
        public var name: String
        public var kind: Kind
    }

    public var name: String
    public var columns: [Column]

    public init(name: String, columns: [Column]) {
        self.name = name
        self.columns = columns
    }

    /// The tables of a history and their columns, in the order they are copied
    /// (parents before children). Names are those of both schemas.
    public static let layout: [HistoryTable] = [
        table(
            "jobs",
            [
                ("job_id", .integer), ("run_id", .text), ("run_dir", .text), ("status", .text), ("progress", .integer),
                ("current_step", .text), ("config", .json), ("output_file", .text), ("error", .text),
                ("created_at", .timestamp), ("started_at", .timestamp), ("finished_at", .timestamp),
            ]),
        table(
            "job_files",
            [
                ("id", .integer), ("job_id", .integer), ("file_type", .text), ("filename", .text), ("file_path", .text),
                ("uploaded_at", .timestamp),
            ]),
        table(
            "youtube_uploads",
            [
                ("id", .integer), ("job_id", .integer), ("video_id", .text), ("video_url", .text), ("title", .text),
                ("description", .text), ("privacy", .text), ("tags", .json), ("category", .text),
                ("uploaded_at", .timestamp),
            ]),
        table("youtube_credentials", [("user_id", .text), ("credentials_json", .text), ("updated_at", .timestamp)]),
        table(
            "quarantined_job_files",
            [
                ("id", .integer), ("job_id", .integer), ("file_type", .text), ("filename", .text), ("file_path", .text),
                ("uploaded_at", .text), ("reason", .text), ("quarantined_at", .stamp),
            ]),
        table(
            "quarantined_youtube_uploads",
            [
                ("id", .integer), ("job_id", .integer), ("video_id", .text), ("video_url", .text), ("title", .text),
                ("description", .text), ("privacy", .text), ("tags", .text), ("category", .text),
                ("uploaded_at", .text),
                ("reason", .text), ("quarantined_at", .stamp),
            ]),
        table(
            "quarantined_json",
            [
                ("table_name", .text), ("row_key", .text), ("column_name", .text), ("value", .text), ("reason", .text),
            ]),
    ]

    private static func table(_ name: String, _ columns: [(String, Kind)]) -> HistoryTable {
        HistoryTable(name: name, columns: columns.map { Column(name: $0.0, kind: $0.1) })
    }
}

/// How far a transfer is: rows copied of all rows, and what it is doing.
public struct HistoryProgress: Sendable {
    public var step: String
    public var rowsDone: Int
    public var rowsTotal: Int

    public init(step: String, rowsDone: Int, rowsTotal: Int) {
        self.step = step
        self.rowsDone = rowsDone
        self.rowsTotal = rowsTotal
    }
}

/// What moving a history found and did, per table.
public struct HistoryTransferReport: Sendable, Codable {
    public struct Table: Sendable, Codable {
        public var table: String
        public var source: Int
        public var copied: Int
        public var quarantined: Int
        public var checksum: String

        public init(table: String, source: Int, copied: Int, quarantined: Int, checksum: String) {
            self.table = table
            self.source = source
            self.copied = copied
            self.quarantined = quarantined
            self.checksum = checksum
        }
    }

    public var tables: [Table]
    /// The target already held this very history: nothing was copied.
    public var alreadyMigrated: Bool
    public var dryRun: Bool
    public var seconds: Double
    /// What this run moved to `quarantined_json`, one sentence each, naming the row.
    public var quarantinedValues: [String]
    /// With `--append`: what was (or, in a dry run, would be) appended.
    public var append: HistoryAppendReport?

    public init(
        tables: [Table], alreadyMigrated: Bool, dryRun: Bool, seconds: Double, quarantinedValues: [String] = [],
        append: HistoryAppendReport? = nil
    ) {
        self.tables = tables
        self.alreadyMigrated = alreadyMigrated
        self.dryRun = dryRun
        self.seconds = seconds
        self.quarantinedValues = quarantinedValues
        self.append = append
    }

    enum CodingKeys: String, CodingKey {
        case append
        case quarantinedValues = "quarantined_values"
        case tables
        case alreadyMigrated = "already_migrated"
        case dryRun = "dry_run"
        case seconds
    }
}

/// A history added to a database that already held one (`migrate --append`).
public struct HistoryAppendReport: Sendable, Codable, Equatable {
    /// Source job ids `sourceFrom...sourceTo` became `targetFrom...`, one by one.
    public struct IDRun: Sendable, Codable, Equatable {
        public var sourceFrom: Int64
        public var sourceTo: Int64
        public var targetFrom: Int64

        public init(sourceFrom: Int64, sourceTo: Int64, targetFrom: Int64) {
            self.sourceFrom = sourceFrom
            self.sourceTo = sourceTo
            self.targetFrom = targetFrom
        }

        enum CodingKeys: String, CodingKey {
            case sourceFrom = "source_from"
            case sourceTo = "source_to"
            case targetFrom = "target_from"
        }
    }

    /// Its number in `migrate_appends` (nil in a dry run).
    public var appendID: Int64?
    public var appendedAt: String?
    /// This very history was appended before (`appendID` says when): nothing was copied.
    public var alreadyAppended: Bool
    /// The job ids, as runs; the whole map is in `migrate_append_ids`.
    public var jobIDs: [IDRun]
    /// Runs of the map not listed in `jobIDs`.
    public var moreJobIDRuns: Int
    /// Users whose YouTube credentials the target already had: its own were kept.
    public var credentialsKept: [String]
    /// The target's highest job id before the append: new ids come after it.
    public var afterJobID: Int64

    public init(
        appendID: Int64?, appendedAt: String?, alreadyAppended: Bool, jobIDs: [IDRun] = [], moreJobIDRuns: Int = 0,
        credentialsKept: [String] = [], afterJobID: Int64 = 0
    ) {
        self.appendID = appendID
        self.appendedAt = appendedAt
        self.alreadyAppended = alreadyAppended
        self.jobIDs = jobIDs
        self.moreJobIDRuns = moreJobIDRuns
        self.credentialsKept = credentialsKept
        self.afterJobID = afterJobID
    }

    enum CodingKeys: String, CodingKey {
        case appendID = "append_id"
        case appendedAt = "appended_at"
        case alreadyAppended = "already_appended"
        case jobIDs = "job_ids"
        case moreJobIDRuns = "more_job_id_runs"
        case credentialsKept = "credentials_kept"
        case afterJobID = "after_job_id"
    }
}

extension Array where Element == HistoryTable {
    public subscript(table name: String) -> HistoryTable? {
        first { $0.name == name }
    }
}
