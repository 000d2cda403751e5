import Foundation
import Logging
import ServiceLifecycle
import StorageCore

/// Says, every `interval`, that this process's workers are alive
/// (`WorkerRegistry`), so the operations view can list them, idle ones too;
/// on a graceful stop it takes the record away.
public struct WorkerPresenceService: Service {
    let storage: any WorkerRegistry
    let record: WorkerRecord
    let interval: Duration
    let logger: Logger

    public init(storage: any WorkerRegistry, record: WorkerRecord, interval: Duration = .seconds(15), logger: Logger) {
        self.storage = storage
        self.record = record
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let stop = WakeSignal()
        let first = stop.mark
        await withGracefulShutdownHandler {
            while !Task.isCancelled, stop.mark == first {
                do {
                    try await storage.recordWorker(record)
                } catch {
                    logger.warning("cannot record this worker", metadata: ["error": "\(error)"])
                }
                await stop.wait(since: first, timeout: interval)
            }
        } onGracefulShutdown: {
            stop.notifyAll()
        }
        try? await storage.forgetWorker(record.workerID)
    }
}
