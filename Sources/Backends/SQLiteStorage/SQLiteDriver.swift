import SQLStore
import SchemaSQL
import StorageCore

/// SQLite for the one store: one connection behind a lock; a write takes the
/// write lock first (`BEGIN IMMEDIATE`), so it never fails half-way because
/// another process writes too.
struct SQLiteDriver: SQLDriver {
    let queue: SQLiteQueue
    let statements: SQLStatements
    /// Other processes on this host cannot tell this one: short waits are the poll.
    let queueWakeups = WakeSignal()

    static let dialect = Result { try SQLStatements(files: Schema.statements(for: .sqlite)) }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await queue.run { try body($0) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await queue.run { connection in try connection.writeTransaction { try body(connection) } }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await write(body)
    }

    func startListening() {}

    func close() async {
        await queue.close()
    }
}
