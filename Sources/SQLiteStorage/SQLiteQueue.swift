import Dispatch
import StorageCore

/// Owns one connection and runs every use of it, one at a time, on its own
/// serial dispatch queue: SQLite calls can block (on the busy timeout, on disk),
/// and must not block Swift's cooperative threads.
final class SQLiteQueue: @unchecked Sendable {
    private let queue: DispatchQueue
    /// Touched only on `queue`.
    private var connection: SQLiteConnection?

    init(connection: SQLiteConnection, label: String) {
        self.connection = connection
        self.queue = DispatchQueue(label: label)
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                guard let connection = self.connection else {
                    continuation.resume(throwing: StorageError(.unavailable, "the database is closed"))
                    return
                }
                do {
                    continuation.resume(returning: try body(connection))
                } catch {
                    continuation.resume(throwing: StorageError(error))
                }
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
