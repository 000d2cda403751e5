import Foundation
import StorageCore

public struct WorkerSettings: Sendable {
    /// Names this process's workers in `tasks.worker_id`: host, pid and a random part.
    public var name: String
    /// Jobs rendered at once.
    public var concurrency = 1
    /// How long a claim holds without a heartbeat; heartbeats come three times a lease.
    public var lease: Duration = .seconds(30)
    /// How long an idle worker waits for a NOTIFY (or a local wake-up) before it looks again.
    public var pollInterval: Duration = .seconds(1)
    /// On shutdown, how long running jobs may take to finish before they are handed back.
    public var shutdownGrace: Duration = .seconds(10)

    public init(name: String? = nil) {
        self.name = name ?? Self.defaultName()
    }

    public var heartbeat: Duration { lease / 3 }
    /// Leases are checked twice a lease, by every worker process: a dead worker's job waits at most 1.5 leases.
    public var rescueInterval: Duration { max(lease / 2, .milliseconds(200)) }

    static func defaultName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return "\(host)-\(getpid())-\(RunID.randomSuffix().prefix(4))"
    }

    public func validate() throws {
        guard (1...256).contains(concurrency) else {
            throw StorageError.invalidInput("concurrency must be 1 to 256, not \(concurrency)")
        }
        try JobQueue.validate(lease: lease)
    }
}
