import Foundation
import StorageCore
import Synchronization

/// One connection, on a thread of its own, that LISTENs for queued jobs and
/// wakes this process's idle workers. After a lost connection it reconnects
/// and listens again; meanwhile (and always) workers also poll.
final class PostgresQueueListener: Sendable {
    static let channel = "yt_builder_jobs"

    let signal = WakeSignal()
    private let conninfo: String
    private let state = Mutex<(started: Bool, stopped: Bool)>((false, false))

    init(conninfo: String) {
        self.conninfo = conninfo
    }

    /// Starts the listening thread the first time it is needed.
    func start() {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopped
        }
        guard first else { return }
        let thread = Thread { [self] in listen() }
        thread.name = "yt-builder LISTEN"
        thread.start()
    }

    func stop() {
        state.withLock { $0.stopped = true }
        signal.notifyAll()
    }

    private var stopped: Bool { state.withLock { $0.stopped } }

    private func listen() {
        var connection: PostgresConnection?
        while !stopped {
            do {
                if connection == nil {
                    let fresh = try PostgresConnection(conninfo: conninfo)
                    try fresh.execute("LISTEN \(Self.channel)")
                    connection = fresh
                    // Jobs may have been queued while nobody listened.
                    signal.notifyAll()
                }
                if try connection?.waitForNotification(timeout: 0.5) == true { signal.notifyAll() }
            } catch {
                connection = nil
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }
}
