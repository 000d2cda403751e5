import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import YouTube

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Render queued jobs: claim, heartbeat, finish; rescue jobs of lost workers.",
        discussion: """
            Any number of worker processes, on any number of hosts, may share one PostgreSQL database and one \
            data directory (several processes on one host may share a SQLite file). SIGTERM or SIGINT: no new \
            claims; running jobs get --shutdown-grace-seconds to finish and are then handed back to the queue. \
            LOG_LEVEL (trace, debug, info, notice, warning, error) sets how much is logged. Workers also publish \
            queued YouTube uploads, with YT_BUILDER_GOOGLE_CLIENT_ID and YT_BUILDER_GOOGLE_CLIENT_SECRET and the \
            key in YT_BUILDER_SECRET_KEY or <data-dir>/secret.key.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var workers: WorkerOptions
    @OptionGroup var files: FilesOptions

    @Option(help: "Jobs rendered at once by this process.") var concurrency = 1

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 256") }
    }

    func run() async throws {
        let logger = ServiceLogger.make()
        let store = try files.store()
        try await store?.checkAccess()
        let storage = try await database.open(maximumAttempts: workers.maxAttempts)
        ClockCheck.warnIfSkewed(storage, logger: logger)
        do {
            let box = try SecretBox.load(dataDirectory: database.dataDir)
            try await DeploymentCheck.files(storage, store: store)
            try await DeploymentCheck.secretKey(storage, box: box)
            let services = try workers.makeServices(
                storage: storage, dataDirectory: database.dataDir, box: box, concurrency: concurrency, logger: logger,
                files: store)
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch {
            await storage.close()
            throw error
        }
        await storage.close()
    }
}
