import ArgumentParser
import Foundation
import PostgresStorage
import SQLiteStorage
import StorageCore

/// Which database and data directory a command uses, and how a file of the
/// earlier service is read.
struct DatabaseOptions: ParsableArguments {
    static let defaultDataDirectory = "data"
    static let databaseFileName = "yt-builder.db"
    static let defaultPath = defaultDataDirectory + "/" + databaseFileName

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A SQLite file path, or a postgresql:// URL.",
            discussion: """
                Default: env YT_BUILDER_DATABASE_URL, else env YT_BUILDER_DB_PATH, else \(databaseFileName) in the \
                data directory when --data-dir or YT_BUILDER_DATA_DIR names one, else ./\(defaultPath).
                """,
            valueName: "path-or-url"))
    var database: String?

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "Holds runs/ (a folder per job), fonts/, secret.key and, by default, \(databaseFileName).",
            discussion: "Default: env YT_BUILDER_DATA_DIR, else ./\(defaultDataDirectory).", valueName: "folder"))
    var dataDirFlag: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The time zone the earlier service's naive timestamps were written in (an IANA name).",
            discussion: "Default: env YT_BUILDER_LEGACY_TZ, else this machine's zone.", valueName: "zone"))
    var legacyTimezone: String?

    /// The database named by the flag or the environment; nil when neither names one.
    @Option(name: .long, help: "PostgreSQL: how many connections this process may open.")
    var poolSize = 8

    var explicitLocation: String? {
        let environment = ProcessInfo.processInfo.environment
        return [database, environment["YT_BUILDER_DATABASE_URL"], environment["YT_BUILDER_DB_PATH"]]
            .compactMap { $0 }.first { !$0.isEmpty }
    }

    /// The data directory named by the flag or the environment; nil when neither names one.
    var explicitDataDirectory: String? {
        [dataDirFlag, ProcessInfo.processInfo.environment["YT_BUILDER_DATA_DIR"]].compactMap { $0 }.first {
            !$0.isEmpty
        }
    }

    var dataDir: String { explicitDataDirectory ?? Self.defaultDataDirectory }

    /// The database a command opens: named, else the one in the named data
    /// directory, else the earlier service's `./data/yt-builder.db`.
    var location: String {
        explicitLocation ?? explicitDataDirectory.map { $0 + "/" + Self.databaseFileName } ?? Self.defaultPath
    }

    /// Before the database moved into the data directory, `--data-dir` did not
    /// move it: a history may still be at `./data/yt-builder.db`. It is never
    /// picked up silently (its files may be elsewhere); the message says where it is.
    func checkForHistoryAtOldPlace() throws {
        guard explicitLocation == nil, explicitDataDirectory != nil else { return }
        let files = FileManager.default
        let chosen = URL(fileURLWithPath: location).standardizedFileURL.path
        let old = URL(fileURLWithPath: Self.defaultPath).standardizedFileURL.path
        guard chosen != old, !files.fileExists(atPath: chosen), files.fileExists(atPath: old) else { return }
        throw ValidationError(
            """
            there is no history at \(chosen), but there is one at \(old), where yt-builder kept it before the \
            database moved into the data directory. Move it (with its -wal and -shm files) to \(chosen), or name it \
            with --database \(old).
            """)
    }

    func validate() throws {
        _ = try legacyTimeZone()
        if let database, database.isEmpty { throw ValidationError("--database must not be empty") }
        if let dataDirFlag, dataDirFlag.isEmpty { throw ValidationError("--data-dir must not be empty") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dataDir, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError("the data directory \(dataDir) is a file, not a folder")
        }
        guard (1...256).contains(poolSize) else { throw ValidationError("--pool-size must be 1 to 256") }
    }

    func legacyTimeZone() throws -> TimeZone {
        try Self.legacyTimeZone(named: legacyTimezone)
    }

    /// The zone named by the flag, else by env YT_BUILDER_LEGACY_TZ, else this machine's.
    static func legacyTimeZone(named flag: String?) throws -> TimeZone {
        guard let name = flag ?? ProcessInfo.processInfo.environment["YT_BUILDER_LEGACY_TZ"], !name.isEmpty
        else { return TimeZone.current }
        guard let zone = TimeZone(identifier: name) else {
            throw ValidationError("unknown time zone '\(name)'; use an IANA name such as Europe/Berlin or UTC")
        }
        return zone
    }

    /// Opens the database. With `migrate`, brings its schema up to date first and
    /// says on stderr what an upgrade did. Without it, only `db migrate` may create the file.
    /// Tasks the store queues get `maximumAttempts` (`--max-attempts` of `serve` and `worker`).
    func open(
        migrate: Bool = true, create: Bool? = nil, at location: String? = nil,
        maximumAttempts: Int = JobQueue.defaultMaximumAttempts
    ) async throws -> any Storage & DatabaseAdministration {
        if location == nil { try checkForHistoryAtOldPlace() }
        let location = location ?? self.location
        let storage: any Storage & DatabaseAdministration
        if Self.isPostgres(location) {
            var options = PostgresStorage.Options()
            options.migrate = migrate
            options.poolSize = poolSize
            options.maximumAttempts = maximumAttempts
            storage = try await PostgresStorage.open(url: location, options: options)
        } else {
            var options = SQLiteStorage.Options()
            options.migrate = migrate
            options.create = create ?? migrate
            options.legacyTimeZone = try legacyTimeZone()
            options.maximumAttempts = maximumAttempts
            storage = try await SQLiteStorage.open(path: Self.sqlitePath(location), options: options)
        }
        if let report = storage.openingReport {
            Console.error(MigrationReportText(report: report).text)
        }
        return storage
    }

    /// Opens the database, runs `body` on it, and closes it, also when `body` throws.
    func withStorage<T>(
        migrate: Bool = true, create: Bool? = nil, _ body: (any Storage & DatabaseAdministration) async throws -> T
    ) async throws -> T {
        let storage = try await open(migrate: migrate, create: create)
        do {
            let result = try await body(storage)
            await storage.close()
            return result
        } catch {
            await storage.close()
            throw error
        }
    }

    /// A libpq URL, or a libpq keyword/value string such as `host=db dbname=yt`.
    static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
            || location.contains("dbname=") || location.contains("host=")
    }

    /// `sqlite://PATH` and `file:PATH` name the same file as `PATH`.
    static func sqlitePath(_ location: String) -> String {
        for prefix in ["sqlite://", "sqlite:", "file://", "file:"] where location.hasPrefix(prefix) {
            return String(location.dropFirst(prefix.count))
        }
        return location
    }
}
