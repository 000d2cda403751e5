import CSQLite
import Dispatch
import StorageCore
import Synchronization

/// Owns one connection and gives it to one caller at a time, in the order
/// they asked. Waiting for a turn suspends the caller (no thread is held).
/// A turn runs inline first with no busy timeout: SQLite calls take
/// microseconds, and a hop to another thread and back costs more than the
/// call (docs/benchmarks.md). Only when the database is locked by another
/// process (SQLITE_BUSY) does the turn move to a thread of its own, off the
/// cooperative pool, and wait there up to the busy timeout; so a write that
/// waits for another process never stalls requests that do not need the
/// database, nor the pool's few threads.
final class SQLiteQueue: Sendable {
    private struct State {
        var connection: SQLiteConnection?
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>
    private let busyTimeoutMilliseconds: Int32
    /// Where a turn that must wait for another process's lock waits.
    private let waitingThread = DispatchQueue(label: "yt-builder.sqlite.busy")

    init(connection: sending SQLiteConnection, busyTimeoutMilliseconds: Int32) {
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        sqlite3_busy_timeout(connection.handle, 0)
        state = Mutex(State(connection: connection))
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let connection = try await turn()
        defer { endTurn() }
        do {
            do {
                return try body(connection)
            } catch let error as SQLiteError where error.code == SQLITE_BUSY {
                // Nothing was written: a read is repeated whole, and a write
                // meets SQLITE_BUSY at BEGIN IMMEDIATE, before its body ran.
                return try await waitingForLocks(connection, body)
            }
        } catch {
            throw StorageError(error)
        }
    }

    /// A turn that may wait for locks from the start (opening and migrating
    /// the file, once: it may do work outside the database, such as a backup,
    /// that must not be repeated).
    func runWaitingForLocks<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let connection = try await turn()
        defer { endTurn() }
        do {
            return try await waitingForLocks(connection, body)
        } catch {
            throw StorageError(error)
        }
    }

    private func waitingForLocks<T: Sendable>(
        _ connection: SQLiteConnection, _ body: @escaping @Sendable (SQLiteConnection) throws -> T
    ) async throws -> T {
        let timeout = busyTimeoutMilliseconds
        nonisolated(unsafe) let connection = connection
        return try await withCheckedThrowingContinuation { continuation in
            waitingThread.async {
                sqlite3_busy_timeout(connection.handle, timeout)
                defer { sqlite3_busy_timeout(connection.handle, 0) }
                continuation.resume(with: Result { try body(connection) })
            }
        }
    }

    /// The connection, once every caller before this one is done.
    private func turn() async throws -> SQLiteConnection {
        let ready: Bool = state.withLock { state in
            guard state.busy else {
                state.busy = true
                return true
            }
            return false
        }
        if !ready {
            await withCheckedContinuation { continuation in
                let handedOver: Bool = state.withLock { state in
                    guard state.busy else {
                        state.busy = true
                        return true
                    }
                    state.waiting.append(continuation)
                    return false
                }
                if handedOver { continuation.resume() }
            }
        }
        guard let connection = state.withLock({ $0.connection }) else {
            endTurn()
            throw StorageError(.unavailable, "the database is closed")
        }
        return connection
    }

    /// Hands the connection to the next caller, or frees it.
    private func endTurn() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }

    /// Waits for the turn in progress, then closes the connection.
    func close() async {
        _ = try? await run { _ in () }
        state.withLock { $0.connection = nil }
    }
}
