import Dispatch
import Synchronization

/// A whole history, table by table, as it moves from one backend to another
/// (`yt-builder migrate`). Every value travels as text; a column's kind says how
/// two backends' texts of the same value are compared.
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
    public var rows: [[String?]]

    public init(name: String, columns: [Column], rows: [[String?]] = []) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    public func emptied() -> HistoryTable { HistoryTable(name: name, columns: columns) }

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

    // MARK: Comparing

    /// A value in the form both backends agree on: times as fixed-width UTC,
    /// JSON re-serialized with sorted keys.
    public static func canonical(_ value: String?, _ kind: Kind) -> String {
        guard let value else { return "\u{0}NULL" }
        switch kind {
        case .text, .integer: return value
        case .timestamp: return Timestamp(parsing: value)?.description ?? value
        case .json: return JSONValue(jsonText: value)?.jsonText ?? value
        case .stamp: return ""
        }
    }

    /// Row count and a checksum of the contents, independent of row order:
    /// each row's canonical text is hashed (FNV-1a, 64 bits) and the hashes are
    /// summed and xor-ed, so rows can be hashed in parallel and in any order.
    public var fingerprint: Fingerprint {
        let chunk = 20_000
        let chunks = (rows.count + chunk - 1) / chunk
        let partial = Mutex<[(UInt64, UInt64)]>([])
        DispatchQueue.concurrentPerform(iterations: chunks) { index in
            var sum: UInt64 = 0
            var mix: UInt64 = 0
            for row in rows[(index * chunk)..<min(rows.count, (index + 1) * chunk)] {
                let hash = rowHash(row)
                sum = sum &+ hash
                mix ^= hash &* 0x9E37_79B9_7F4A_7C15
            }
            partial.withLock { $0.append((sum, mix)) }
        }
        let (sum, mix) = partial.withLock { $0 }.reduce((UInt64(0), UInt64(0))) { ($0.0 &+ $1.0, $0.1 ^ $1.1) }
        return Fingerprint(rows: rows.count, checksum: String(sum, radix: 16) + "-" + String(mix, radix: 16))
    }

    private func rowHash(_ row: [String?]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (value, column) in zip(row, columns) {
            for byte in Self.canonical(value, column.kind).utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            hash ^= 0x01
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    public struct Fingerprint: Hashable, Sendable, Codable {
        public var rows: Int
        public var checksum: String
    }
}

/// A history read from one backend, ready to be written to another.
public struct History: Sendable {
    public var tables: [HistoryTable]
    /// The highest job id the source ever handed out (deleted jobs included),
    /// so that the target never hands it out again.
    public var highestJobID: Int64

    public init(tables: [HistoryTable], highestJobID: Int64) {
        self.tables = tables
        self.highestJobID = highestJobID
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

    public init(
        tables: [Table], alreadyMigrated: Bool, dryRun: Bool, seconds: Double, quarantinedValues: [String] = []
    ) {
        self.tables = tables
        self.alreadyMigrated = alreadyMigrated
        self.dryRun = dryRun
        self.seconds = seconds
        self.quarantinedValues = quarantinedValues
    }

    enum CodingKeys: String, CodingKey {
        case quarantinedValues = "quarantined_values"
        case tables
        case alreadyMigrated = "already_migrated"
        case dryRun = "dry_run"
        case seconds
    }
}

extension Array where Element == HistoryTable {
    public subscript(table name: String) -> HistoryTable? {
        first { $0.name == name }
    }

    /// JSON columns whose text is not JSON, or holds a NUL character that not
    /// every backend can store, move verbatim to `quarantined_json` (their row
    /// keeps NULL); JSON `null` becomes NULL. Nothing is dropped. Also returns
    /// a sentence per moved value, naming its row.
    public func quarantiningInvalidJSON() -> (tables: [HistoryTable], moved: [String]) {
        var moved: [String] = []
        var quarantine = HistoryTable.layout[table: "quarantined_json"]!
        var result = map { table -> HistoryTable in
            guard table.name != "quarantined_json" else { return table }
            var table = table
            for (index, column) in table.columns.enumerated() where column.kind == .json {
                for row in table.rows.indices {
                    guard let text = table.rows[row][index] else { continue }
                    let parsed = JSONValue(jsonText: text)
                    let reason: String
                    switch parsed {
                    case .none: reason = "not valid JSON"
                    case .null?:
                        table.rows[row][index] = nil
                        continue
                    case .some(let value):
                        guard let path = value.pathToNUL(column.name) else { continue }
                        reason = "\(path) holds \\u0000 (NUL), which PostgreSQL cannot store"
                    }
                    quarantine.rows.append([table.name, table.rows[row][0], column.name, text, reason])
                    moved.append("\(table.name) row \(table.rows[row][0] ?? "?"), \(column.name): \(reason)")
                    table.rows[row][index] = nil
                }
            }
            return table
        }
        if let existing = result.firstIndex(where: { $0.name == "quarantined_json" }) {
            result[existing].rows += quarantine.rows
        } else {
            result.append(quarantine)
        }
        return (result, moved)
    }
}
