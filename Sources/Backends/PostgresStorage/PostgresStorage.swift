import CLibPQ
import Foundation
import SQLStore
import SchemaSQL
import StorageCore

/// The backend for shared deployments: any number of API servers and workers,
/// on one host or many, on one PostgreSQL database.
public final class PostgresStorage: SQLStore, DatabaseAdministration, @unchecked Sendable {
    public struct Options: Sendable {
        /// Apply pending migrations on open.
        public var migrate = true
        /// Connections at most, each used by one task at a time.
        public var poolSize = 8
        /// The time tests move (to expire leases); the store adds the measured offset to the server's clock.
        public var clock: @Sendable () -> Timestamp = { Timestamp.now() }
        /// This host's clock, which the offset to the server's is measured against.
        public var systemClock: @Sendable () -> Timestamp = { Timestamp.now() }
        /// What a task this store queues is given (kept on the task).
        public var maximumAttempts = JobQueue.defaultMaximumAttempts

        public init() {}
    }

    /// The URL without its password, for messages.
    public let location: String
    public let openingReport: MigrationReport?
    let pool: PostgresPool
    let options: Options
    let conninfo: String
    let databaseClock: DatabaseClock

    private init(
        conninfo: String, location: String, pool: PostgresPool, statements: SQLStatements, options: Options,
        report: MigrationReport?, databaseClock: DatabaseClock
    ) {
        self.conninfo = conninfo
        self.location = location
        self.pool = pool
        self.options = options
        self.openingReport = report
        self.databaseClock = databaseClock
        let listener = PostgresQueueListener(conninfo: conninfo)
        super.init(
            driver: PostgresDriver(pool: pool, listener: listener, statements: statements),
            clock: { [databaseClock] in databaseClock.now() },
            maximumAttempts: options.maximumAttempts)
    }

    /// The database server's clock minus this host's, as last measured: what
    /// leases are corrected by. Hosts should keep time (NTP); a large offset
    /// is worth a warning at start.
    public var clockOffset: Duration { databaseClock.offset }

    /// Connects with a libpq URL (`postgresql://user:password@host:port/db?sslmode=...`)
    /// or keyword/value string, checks the schema, and migrates it when asked.
    public static func open(url: String, options: Options = Options()) async throws -> PostgresStorage {
        guard (1...256).contains(options.poolSize) else {
            throw StorageError.invalidInput("the pool size must be 1 to 256, not \(options.poolSize)")
        }
        let statements = try PostgresDriver.dialect.get()
        let parameters = try ConnectionParameters(url)
        let conninfo = parameters.withDefaultConnectTimeout(url)
        let pool = PostgresPool(conninfo: conninfo, size: options.poolSize)
        let databaseClock = DatabaseClock(clock: options.clock, systemClock: options.systemClock, pool: pool)
        do {
            let now = options.clock()
            let report = try await pool.withSession { connection in
                try databaseClock.measure(on: connection)
                let target = PostgresMigrationTarget(connection: connection, now: now)
                let applied = try target.appliedMigrationIDs()
                _ = try runner.pending(applied: applied)
                guard options.migrate else { return nil as MigrationReport? }
                let done = try runner.run(on: target)
                return done.isEmpty ? nil : MigrationReport(applied: done)
            }
            return PostgresStorage(
                conninfo: conninfo, location: Redacted.location(url), pool: pool, statements: statements,
                options: options, report: report, databaseClock: databaseClock)
        } catch {
            await pool.close()
            var failure = StorageError(postgres: error)
            failure.message = "\(Redacted.location(url)): \(failure.message)"
            throw failure
        }
    }

    static let runner = MigrationRunner(migrations: Schema.migrations(for: .postgres))

    func session<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await pool.withSession(body)
    }

    var now: String { databaseClock.now().description }
}

/// What libpq makes of a connection string, for messages and for pg_dump.
struct ConnectionParameters {
    var values: [String: String] = [:]

    init(_ conninfo: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &error) else {
            let message = error.map { String(cString: $0) } ?? "cannot be read"
            error.map { PQfreemem($0) }
            let reason = Redacted.message(
                message.trimmingCharacters(in: .whitespacesAndNewlines), connectionString: conninfo)
            throw StorageError.invalidInput("not a PostgreSQL connection string: \(reason)")
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
    }

    /// Without a connect timeout libpq waits for the operating system's, minutes
    /// for a host that does not answer; yt-builder gives up after 10 seconds
    /// unless the URL or PGCONNECT_TIMEOUT says otherwise.
    func withDefaultConnectTimeout(_ conninfo: String) -> String {
        guard values["connect_timeout"] == nil else { return conninfo }
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
            return conninfo + (conninfo.contains("?") ? "&" : "?") + "connect_timeout=10"
        }
        return conninfo + " connect_timeout=10"
    }
}
