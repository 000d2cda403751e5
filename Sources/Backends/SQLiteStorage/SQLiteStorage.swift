import CSQLite
import Foundation
import SQLStore
import SchemaSQL
import StorageCore

/// The zero-setup backend: one SQLite file, in WAL mode, shared safely by any
/// number of processes on one host.
public final class SQLiteStorage: SQLStore, DatabaseAdministration, @unchecked Sendable {
    public struct Options: Sendable {
        /// Apply pending migrations (and upgrade a file of the earlier service) on
        /// open. Off, the file is only read: for `db status`.
        public var migrate = true
        /// Create the file (and its folder) when missing. Off, a missing file is an error.
        public var create = true
        /// The zone naive timestamps of the earlier service are read in.
        public var legacyTimeZone = TimeZone.current
        /// How long a write waits for another process's write to finish.
        public var busyTimeoutMilliseconds: Int32 = 10_000
        /// The file is a throwaway copy (as `migrate` reads): no backup before an
        /// upgrade, no rollback journal, no waiting for the disk.
        public var throwaway = false
        public var clock: @Sendable () -> Timestamp = { Timestamp.now() }
        /// What a task this store queues is given (kept on the task).
        public var maximumAttempts = JobQueue.defaultMaximumAttempts

        public init() {}
    }

    public let path: String
    /// What opening the file did to its schema; nil when nothing was pending.
    public let openingReport: MigrationReport?
    let queue: SQLiteQueue
    let options: Options

    private init(
        path: String, queue: SQLiteQueue, statements: SQLStatements, options: Options, openingReport: MigrationReport?
    ) {
        self.path = path
        self.queue = queue
        self.options = options
        self.openingReport = openingReport
        super.init(
            driver: SQLiteDriver(queue: queue, statements: statements), clock: options.clock,
            maximumAttempts: options.maximumAttempts)
    }

    /// A folder where the file should be, or a file where its folder should be,
    /// is a sentence, not a system error.
    static func checkPlace(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw StorageError.invalidInput(
                "\(path) is a folder, not a database file; name a file, such as \(path)/yt-builder.db")
        }
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw StorageError.invalidInput(
                        "cannot keep a database at \(path): \(folder.path) is a file, not a folder")
                }
                return
            }
            folder.deleteLastPathComponent()
        }
    }

    /// Opens (creating it and its folder when missing) the database at `path`.
    public static func open(path: String, options: Options = Options()) async throws -> SQLiteStorage {
        let connection: SQLiteConnection
        let statements = try SQLiteDriver.dialect.get()
        do {
            try checkPlace(path)
            if options.create {
                let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } else if !FileManager.default.fileExists(atPath: path) {
                throw StorageError(.notFound, "there is no database at \(path) yet; it is created on first use")
            }
            let flags = options.create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE
            connection = try SQLiteConnection(path: path, flags: flags)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.unavailable, "cannot open the database at \(path): \(error)")
        }
        let queue = SQLiteQueue(connection: connection, busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
        let report = try await queue.runWaitingForLocks { connection in
            try connection.execute("PRAGMA foreign_keys = ON")
            // Refuses foreign, damaged and newer files before anything is written.
            _ = try runner.pending(applied: SQLiteSchemaState.inspect(connection).applied)
            guard options.migrate else { return nil as MigrationReport? }
            if options.throwaway {
                try connection.execute(
                    "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY"
                )
            }
            let report = try bringUpToDate(connection, path: path, options: options)
            return report.applied.isEmpty ? nil : report
        }
        return SQLiteStorage(
            path: path, queue: queue, statements: statements, options: options, openingReport: report)
    }

    /// Applies what is pending (first upgrading a file of the earlier service),
    /// then switches to WAL.
    static func bringUpToDate(_ connection: SQLiteConnection, path: String, options: Options) throws -> MigrationReport
    {
        let state = try SQLiteSchemaState.inspect(connection)
        let pending = try runner.pending(applied: state.applied)
        let report =
            pending.isEmpty && state != .legacy
            ? MigrationReport(applied: []) : try upgrade(connection, from: state, path: path, options: options)
        guard !options.throwaway else { return report }
        // WAL lets readers and one writer work at once, across processes;
        // NORMAL sync is durable in WAL except for the last commits on power loss.
        try connection.executeRetryingWhileBusy(
            "PRAGMA journal_mode = WAL", milliseconds: options.busyTimeoutMilliseconds)
        try connection.execute("PRAGMA synchronous = NORMAL")
        // Deleted and replaced content (credentials above all) is zeroed, not left in free space.
        try connection.execute("PRAGMA secure_delete = ON")
        return report
    }

    static let runner = MigrationRunner(migrations: Schema.migrations(for: .sqlite))

    /// Backs up an existing file, then upgrades it. Checked first: a damaged
    /// file is refused and left as it is.
    private static func upgrade(
        _ connection: SQLiteConnection, from state: SQLiteSchemaState, path: String, options: Options
    ) throws -> MigrationReport {
        let now = options.clock()
        var backupPath: String?
        if state != .empty {
            let problems = try connection.quickCheck()
            guard problems.isEmpty else {
                throw StorageError(
                    .corruptDatabase,
                    "\(path) is damaged, so it was not upgraded and was left untouched: \(problems.prefix(3).joined(separator: "; "))"
                )
            }
            if !options.throwaway {
                // Another process upgrading at the same moment may take the same name: take the next.
                for attempt in 1...20 {
                    let candidate = preUpgradeBackupPath(for: path, at: now)
                    do {
                        try connection.backup(to: candidate)
                        backupPath = candidate
                        break
                    } catch let error as StorageError where error.kind == .conflict && attempt < 20 {
                        continue
                    }
                }
            }
        }
        var legacyReport: LegacyUpgradeReport?
        var applied: [String] = []
        if state == .legacy, let initial = runner.migrations.first {
            do {
                legacyReport = try LegacyUpgrade(
                    connection: connection, timeZone: options.legacyTimeZone, now: now, initialMigration: initial
                ).run()
            } catch {
                let cause = StorageError(error)
                throw StorageError(
                    cause.kind,
                    "upgrading \(path), a file of the earlier service, failed and changed nothing: \(cause.message)",
                    detail: cause.detail)
            }
            if legacyReport != nil { applied.append(initial.id) }
        }
        applied += try runner.run(on: SQLiteMigrationTarget(connection: connection, now: now))
        if applied.isEmpty, let copy = backupPath {
            // Another process upgraded the file first; this copy is not needed.
            try? FileManager.default.removeItem(atPath: copy)
            backupPath = nil
        }
        return MigrationReport(applied: applied, backupPath: backupPath, legacyUpgrade: legacyReport)
    }

    /// `yt-builder.db` → `yt-builder.pre-upgrade-20261125T194655Z.db`, beside it.
    static func preUpgradeBackupPath(for path: String, at now: Timestamp) -> String {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        let stamp =
            String(now.description.prefix(19)).replacingOccurrences(of: "-", with: "")
            .replacingOccurrences(of: ":", with: "") + "Z"
        let folder = url.deletingLastPathComponent()
        var candidate = folder.appendingPathComponent("\(stem).pre-upgrade-\(stamp).db").path
        var counter = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = folder.appendingPathComponent("\(stem).pre-upgrade-\(stamp)-\(counter).db").path
            counter += 1
        }
        return candidate
    }

    /// Runs `body` on the connection's queue.
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await queue.run(body)
    }

    /// Runs `body` in a write transaction on the connection's queue.
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await queue.run { connection in try connection.writeTransaction { try body(connection) } }
    }

    var now: Timestamp { options.clock() }
}
