import Dispatch

/// File work that may block (a read of a log, a write to a slow or full
/// disk), run on Dispatch's threads so that the cooperative pool's few
/// threads keep serving requests meanwhile.
public enum BlockingIO {
    private static let queue = DispatchQueue(label: "yt-builder.blocking-io", attributes: .concurrent)

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
