import StorageCore
import Synchronization

/// Owns one connection and lets one caller at a time use it. Work runs inline
/// on the calling thread under a lock: SQLite calls take microseconds, and a
/// hop to another thread and back costs more than the call (two context
/// switches; measured in docs/benchmarks.md). The price is that a write waiting
/// for another process's write lock (up to the busy timeout) holds a thread.
final class SQLiteQueue: Sendable {
    private let connection: Mutex<SQLiteConnection?>

    init(connection: sending SQLiteConnection) {
        self.connection = Mutex(connection)
    }

    func run<T: Sendable>(_ body: (SQLiteConnection) throws -> T) async throws -> T {
        try connection.withLock { connection in
            guard let connection else { throw StorageError(.unavailable, "the database is closed") }
            do {
                return try body(connection)
            } catch {
                throw StorageError(error)
            }
        }
    }

    func close() async {
        connection.withLock { $0 = nil }
    }
}
