import CSQLite
import Foundation
import SQLStore
import SchemaSQL
import StorageCore

/// A SQLite history as `yt-builder migrate` reads it: straight from the file,
/// never changed, in parts that several readers can take at once. A file of
/// the earlier service is read through the legacy rules (`sql/sqlite/legacy/
/// rules.sql`, the same views the in-place upgrade inserts from), so its
/// times arrive in UTC and its orphans are told apart as they are read.
///
/// A file with a write-ahead log may be written while it is read: it is
/// first copied through SQLite's backup API (one read transaction, a
/// consistent copy) and the copy is read. A file without one is opened
/// `immutable`: nothing is created beside it.
public final class HistorySource: Sendable {
    /// Rows of one table, or one range of a large table's ids.
    public struct Part: Sendable {
        /// The layout table its rows go to.
        public var table: String
        /// Where rows that come with a reason go (the earlier service's orphans).
        public var quarantine: String?
        /// Rows in the range as the file has them (orphans included): for progress.
        public var estimatedRows: Int
        let sql: String
        let values: [SQLValue]
    }

    public let path: String
    public let isLegacy: Bool
    public let parts: [Part]
    /// The highest job id the source ever handed out (deleted jobs included).
    public let highestJobID: Int64
    /// How many jobs it holds.
    public let jobCount: Int
    private let readPath: String
    private let snapshotFolder: URL?
    private let timeZone: TimeZone
    private let now: Timestamp

    /// Checks the file (not there, not SQLite, of something else, newer,
    /// damaged: each a clear error, before anything is written anywhere) and
    /// plans its parts, `rowsPerPart` rows at most each.
    public init(path: String, legacyTimeZone: TimeZone, now: Timestamp, rowsPerPart: Int = 25_000) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StorageError(.notFound, "there is no SQLite file at \(path)")
        }
        self.path = path
        self.timeZone = legacyTimeZone
        self.now = now
        var snapshot: URL?
        do {
            let source = try SQLiteStorage.openSource(path)
            sqlite3_busy_timeout(source.handle, 10_000)
            let state = try SQLiteSchemaState.inspect(source)
            _ = try SQLiteStorage.runner.pending(applied: state.applied)
            guard state != .empty else {
                throw StorageError(.invalidInput, "\(path) holds no history (it has no tables)")
            }
            let legacy = state == .legacy
            if FileManager.default.fileExists(atPath: path + "-wal") {
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "yt-builder-migrate-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                snapshot = folder
                try source.backup(to: folder.appendingPathComponent("history.db").path)
            }
            let readPath = snapshot?.appendingPathComponent("history.db").path ?? path
            let connection = try Self.connect(readPath, legacy: legacy, zone: legacyTimeZone, now: now)
            let problems = try connection.quickCheck()
            guard problems.isEmpty else {
                throw StorageError(
                    .corruptDatabase, "\(path) is damaged: \(problems.prefix(3).joined(separator: "; "))")
            }
            parts = try Self.plan(connection, legacy: legacy, rowsPerPart: max(1, rowsPerPart))
            highestJobID =
                try connection.scalarInt(
                    legacy
                        ? "SELECT seq FROM legacy_highest_job_id"
                        : "SELECT seq FROM sqlite_sequence WHERE name = 'jobs'") ?? 0
            jobCount = Int(
                try connection.scalarInt("SELECT COUNT(*) FROM \(legacy ? "legacy_jobs" : "main.jobs")") ?? 0)
            isLegacy = legacy
            self.readPath = readPath
            snapshotFolder = snapshot
        } catch {
            if let snapshot { try? FileManager.default.removeItem(at: snapshot) }
            throw Self.failure(error, source: path)
        }
    }

    deinit { close() }

    /// Removes the snapshot, if one was taken.
    public func close() {
        if let snapshotFolder { try? FileManager.default.removeItem(at: snapshotFolder) }
    }

    /// A reader of its own, for one thread.
    public func reader() throws -> Reader {
        do {
            return Reader(connection: try Self.connect(readPath, legacy: isLegacy, zone: timeZone, now: now))
        } catch {
            throw StorageError(error)
        }
    }

    public final class Reader {
        let connection: SQLiteConnection

        init(connection: SQLiteConnection) { self.connection = connection }

        /// Calls `body` with each row of `part`: the columns of its table's
        /// layout, then, for a part with a quarantine, the reason (NULL for a
        /// row that is kept). A row is valid only during its call.
        public func read(_ part: Part, _ body: (Row) throws -> Void) throws {
            do {
                guard let statement = try connection.prepared(part.sql).first else { return }
                defer { statement.reset() }
                try statement.bind(part.values)
                let row = Row(handle: statement.handle)
                while try statement.step() { try body(row) }
            } catch {
                throw HistorySource.failure(error, source: "the source")
            }
        }
    }

    /// One row as SQLite returns it.
    public struct Row {
        let handle: OpaquePointer

        /// The value's bytes as text, nil for NULL.
        public func bytes(_ column: Int) -> UnsafeRawBufferPointer? {
            guard let text = sqlite3_column_text(handle, Int32(column)) else { return nil }
            return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, Int32(column))))
        }

        public func text(_ column: Int) -> String? {
            bytes(column).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// A damaged page met while reading says so; other errors as the backend maps them.
    static func failure(_ error: any Error, source: String) -> StorageError {
        guard let error = error as? SQLiteError, [SQLITE_CORRUPT, SQLITE_NOTADB].contains(error.code & 0xff) else {
            return StorageError(error)
        }
        return StorageError(.corruptDatabase, "\(source) is damaged: \(error.message)", detail: error.description)
    }

    // MARK: Opening and planning

    /// The earlier service's tables under the names the rules read; tables
    /// its oldest versions lacked are empty.
    private static let legacyTables = [
        ("jobs", ""),
        (
            "job_files",
            "(id INTEGER PRIMARY KEY, job_id INTEGER, file_type TEXT, filename TEXT, file_path TEXT, uploaded_at TEXT)"
        ),
        (
            "youtube_uploads",
            "(id INTEGER PRIMARY KEY, job_id INTEGER, video_id TEXT, video_url TEXT, title TEXT, description TEXT, "
                + "privacy TEXT, tags TEXT, category TEXT, uploaded_at TEXT)"
        ),
        ("youtube_credentials", "(user_id TEXT, credentials_json TEXT, updated_at TEXT)"),
    ]

    private static func connect(_ path: String, legacy: Bool, zone: TimeZone, now: Timestamp) throws
        -> SQLiteConnection
    {
        let connection = try SQLiteStorage.openSource(path)
        sqlite3_busy_timeout(connection.handle, 10_000)
        guard legacy else { return connection }
        try connection.registerLegacyTimeFunctions(zone: zone, now: now)
        let present = Set(
            try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'") { $0.text(0) ?? "" })
        for (table, definition) in legacyTables {
            // Names come from the list above, never from input.
            try connection.execute(
                present.contains(table)
                    ? "CREATE TEMP VIEW legacy_\(table) AS SELECT * FROM main.\"\(table)\""
                    : "CREATE TEMP TABLE legacy_\(table) \(definition)")
        }
        guard let rules = Schema.script("legacy/rules.sql", for: .sqlite) else {
            throw StorageError(.incompatibleSchema, "this yt-builder was built without sql/sqlite/legacy/rules.sql")
        }
        try connection.execute(rules)
        return connection
    }

    private static func plan(_ connection: SQLiteConnection, legacy: Bool, rowsPerPart: Int) throws -> [Part] {
        let present = Set(
            try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'") { $0.text(0) ?? "" })
        var parts: [Part] = []
        for layout in HistoryTable.layout {
            let columns = layout.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
            let from: (select: String, base: String, id: String?, quarantine: String?)
            switch (legacy, layout.name) {
            case (true, "jobs"): from = ("SELECT \(columns) FROM upgraded_jobs", "legacy_jobs", "job_id", nil)
            case (true, "job_files"):
                from = (
                    "SELECT \(columns), reason FROM legacy_file_fate", "legacy_job_files", "id",
                    "quarantined_job_files"
                )
            case (true, "youtube_uploads"):
                from = (
                    "SELECT \(columns), reason FROM legacy_upload_fate", "legacy_youtube_uploads", "id",
                    "quarantined_youtube_uploads"
                )
            case (true, "youtube_credentials"):
                from = ("SELECT \(columns) FROM upgraded_youtube_credentials", "legacy_youtube_credentials", nil, nil)
            case (true, _): continue  // quarantine tables fill as the rows above are read
            case (false, let table):
                guard present.contains(table) else { continue }
                let id = ["jobs": "job_id", "job_files": "id", "youtube_uploads": "id"][table]
                from = ("SELECT \(columns) FROM main.\"\(table)\"", "main.\"\(table)\"", id, nil)
            }
            let count = Int(try connection.scalarInt("SELECT COUNT(*) FROM \(from.base)") ?? 0)
            guard let id = from.id, count > rowsPerPart,
                let low = try connection.scalarInt("SELECT MIN(\(id)) FROM \(from.base)"),
                let high = try connection.scalarInt("SELECT MAX(\(id)) FROM \(from.base)")
            else {
                parts.append(
                    Part(
                        table: layout.name, quarantine: from.quarantine, estimatedRows: count, sql: from.select,
                        values: []))
                continue
            }
            let pieces = Int64((count + rowsPerPart - 1) / rowsPerPart)
            let width = (high - low) / pieces + 1
            var start = low
            while start <= high {
                let end = min(high, start + width - 1)
                parts.append(
                    Part(
                        table: layout.name, quarantine: from.quarantine, estimatedRows: count / Int(pieces),
                        sql: "\(from.select) WHERE \(id) BETWEEN $1 AND $2", values: [.integer(start), .integer(end)]))
                start = end + 1
            }
        }
        return parts
    }
}
