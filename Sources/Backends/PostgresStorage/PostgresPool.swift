import Dispatch
import StorageCore
import Synchronization

/// A connection confined to its own serial queue: libpq calls block, and never
/// run on Swift's cooperative threads.
final class PostgresSession: @unchecked Sendable {
    private let queue = DispatchQueue(label: "yt-builder.postgres")
    private let conninfo: String
    /// Touched only on `queue`; made on first use and after it breaks.
    private var connection: PostgresConnection?

    init(conninfo: String) { self.conninfo = conninfo }

    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.runHere(body) })
            }
        }
    }

    /// Work runs again on a new connection only when none of it can have
    /// reached the server: a connection found stale before use is replaced
    /// first (so the first call after a restart succeeds), and a failure before
    /// the first statement was sent is tried once more. A statement that was
    /// sent and whose answer was lost is never repeated: it may have committed,
    /// and a job must never be created twice.
    private func runHere<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                if let current = connection, current.isBroken || current.isStale { connection = nil }
                if connection == nil { connection = try PostgresConnection(conninfo: conninfo) }
                let current = connection!
                current.resetProgress()
                do {
                    return try body(current)
                } catch let error as PostgresError where error.connectionLost {
                    connection = nil
                    if attempt == 1 && current.sent == 0 { continue }
                    guard current.sent > 0 else { throw error }
                    throw StorageError(
                        .unavailable,
                        "the connection to PostgreSQL was lost after a statement was sent, so whether it took "
                            + "effect is unknown; look before doing it again: \(error.message)",
                        detail: error.description)
                }
            } catch {
                throw StorageError(postgres: error)
            }
        }
    }

    func close() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.connection = nil
                continuation.resume()
            }
        }
    }
}

/// At most `size` sessions; a caller waits (suspended, not blocking a thread)
/// for a free one.
final class PostgresPool: Sendable {
    private struct State {
        var idle: [PostgresSession] = []
        var made = 0
        var waiting: [CheckedContinuation<PostgresSession, any Error>] = []
        var closed = false
    }

    let size: Int
    private let conninfo: String
    private let state = Mutex(State())

    init(conninfo: String, size: Int) {
        self.conninfo = conninfo
        self.size = size
    }

    func withSession<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let session = try await acquire()
        defer { release(session) }
        return try await session.run(body)
    }

    private func acquire() async throws -> PostgresSession {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<PostgresSession, any Error>? = state.withLock { state in
                if state.closed { return .failure(StorageError(.unavailable, "the database is closed")) }
                if let session = state.idle.popLast() { return .success(session) }
                if state.made < size {
                    state.made += 1
                    return .success(PostgresSession(conninfo: conninfo))
                }
                state.waiting.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private func release(_ session: PostgresSession) {
        let next = state.withLock { state -> CheckedContinuation<PostgresSession, any Error>? in
            if state.waiting.isEmpty {
                if !state.closed { state.idle.append(session) }
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: session)
    }

    func close() async {
        let (sessions, waiting) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiting = []
            }
            return (state.idle, state.waiting)
        }
        for waiter in waiting { waiter.resume(throwing: StorageError(.unavailable, "the database is closed")) }
        for session in sessions { await session.close() }
    }
}
