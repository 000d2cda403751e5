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
        public var clock: @Sendable () -> Timestamp = { Timestamp.now() }
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

    private init(
        conninfo: String, location: String, pool: PostgresPool, statements: SQLStatements, options: Options,
        report: MigrationReport?
    ) {
        self.conninfo = conninfo
        self.location = location
        self.pool = pool
        self.options = options
        self.openingReport = report
        let listener = PostgresQueueListener(conninfo: conninfo)
        super.init(
            driver: PostgresDriver(pool: pool, listener: listener, statements: statements), clock: options.clock,
            maximumAttempts: options.maximumAttempts)
    }

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
        do {
            let now = options.clock()
            let report = try await pool.withSession { connection in
                let target = PostgresMigrationTarget(connection: connection, now: now)
                let applied = try target.appliedMigrationIDs()
                _ = try runner.pending(applied: applied)
                guard options.migrate else { return nil as MigrationReport? }
                let done = try runner.run(on: target)
                return done.isEmpty ? nil : MigrationReport(applied: done)
            }
            return PostgresStorage(
                conninfo: conninfo, location: Redacted.location(url), pool: pool, statements: statements,
                options: options, report: report)
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

    var now: String { options.clock().description }
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
