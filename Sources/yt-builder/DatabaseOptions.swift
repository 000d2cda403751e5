import ArgumentParser
import Foundation
import PostgresStorage
import SQLiteStorage
import StorageCore

/// Which database a command uses, and how a file of the earlier service is read.
struct DatabaseOptions: ParsableArguments {
    static let defaultPath = "data/yt-builder.db"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A SQLite file path, or a postgresql:// URL.",
            discussion: "Default: env YT_BUILDER_DATABASE_URL, else env YT_BUILDER_DB_PATH, else ./\(defaultPath).",
            valueName: "path-or-url"))
    var database: String?

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

    var location: String { explicitLocation ?? Self.defaultPath }

    func validate() throws {
        _ = try legacyTimeZone()
        if let database, database.isEmpty { throw ValidationError("--database must not be empty") }
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
    func open(migrate: Bool = true, create: Bool? = nil, at location: String? = nil) async throws -> any Storage
        & DatabaseAdministration
    {
        let location = location ?? self.location
        let storage: any Storage & DatabaseAdministration
        if Self.isPostgres(location) {
            var options = PostgresStorage.Options()
            options.migrate = migrate
            options.poolSize = poolSize
            storage = try await PostgresStorage.open(url: location, options: options)
        } else {
            var options = SQLiteStorage.Options()
            options.migrate = migrate
            options.create = create ?? migrate
            options.legacyTimeZone = try legacyTimeZone()
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
