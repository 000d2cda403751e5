import SQLStore
import SchemaSQL
import StorageCore

/// PostgreSQL for the one store: a pool of libpq connections, each statement
/// committing on its own unless the store asks for a transaction; queued work
/// is announced with NOTIFY and heard by one LISTEN connection.
struct PostgresDriver: SQLDriver {
    let pool: PostgresPool
    let listener: PostgresQueueListener
    let statements: SQLStatements

    static let dialect = Result { try SQLStatements(files: Schema.statements(for: .postgres)) }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await pool.withSession { try body($0) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await pool.withSession { try body($0) }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await pool.withSession { connection in try connection.transaction { try body(connection) } }
    }

    var queueWakeups: WakeSignal { listener.signal }

    func startListening() { listener.start() }

    func close() async {
        listener.stop()
        await pool.close()
    }
}
