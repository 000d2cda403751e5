import CSQLite
import StorageCore
import Synchronization

/// Owns one connection and lets one caller at a time use it. Work runs inline
/// on the calling thread under a lock: SQLite calls take microseconds, and a
/// hop to another thread and back costs more than the call (two context
/// switches; measured in docs/benchmarks.md). The connection has no busy
/// timeout: when another process holds the lock (SQLITE_BUSY), the caller
/// lets go of the connection and of its thread, sleeps (a suspension, not a
/// blocked thread) and tries again, until the busy timeout has passed. So a
/// write that waits for another process holds neither a cooperative thread
/// nor the connection: requests that do not need the lock go on meanwhile.
final class SQLiteQueue: Sendable {
    private let connection: Mutex<SQLiteConnection?>
    private let busyTimeout: Duration

    init(connection: sending SQLiteConnection, busyTimeoutMilliseconds: Int32) {
        busyTimeout = .milliseconds(Int64(busyTimeoutMilliseconds))
        sqlite3_busy_timeout(connection.handle, 0)
        self.connection = Mutex(connection)
    }

    /// Nothing was written when SQLITE_BUSY comes back: a write meets it at
    /// `BEGIN IMMEDIATE`, before its body ran, and a read is repeated whole.
    func run<T: Sendable>(_ body: (SQLiteConnection) throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + busyTimeout
        var pause = Duration.milliseconds(1)
        while true {
            do {
                return try connection.withLock { connection in
                    guard let connection else { throw StorageError(.unavailable, "the database is closed") }
                    return try body(connection)
                }
            } catch let error as SQLiteError where error.code == SQLITE_BUSY && ContinuousClock.now + pause < deadline {
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(50))
            } catch {
                throw StorageError(error)
            }
        }
    }

    /// Waits for locks inside the call, with the busy timeout (holding this
    /// thread): for opening and migrating the file, once, whose work outside
    /// the database (a backup first) must not be repeated.
    func runWaitingForLocks<T: Sendable>(_ body: (SQLiteConnection) throws -> T) async throws -> T {
        let milliseconds = Int32(busyTimeout / .milliseconds(1))
        return try await run { connection in
            sqlite3_busy_timeout(connection.handle, milliseconds)
            defer { sqlite3_busy_timeout(connection.handle, 0) }
            return try body(connection)
        }
    }

    func close() async {
        connection.withLock { $0 = nil }
    }
}
