import ArgumentParser
import Foundation
import HTTPServer
import Logging
import ServiceLifecycle
import StorageCore
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
    @OptionGroup var logging: LogOptions

    @Option(help: "Jobs rendered at once by this process.") var concurrency = 1
    @Option(help: "Serve /metrics and /healthz on this port (none by default).") var metricsPort: Int?
    @Option(help: "The address --metrics-port listens on.") var metricsHost = "127.0.0.1"

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 256") }
        if let metricsPort, !(0...65535).contains(metricsPort) {
            throw ValidationError("--metrics-port must be 0 to 65535")
        }
    }

    func run() async throws {
        let logger = try logging.logger()
        let store = try files.store()
        try await store?.checkAccess()
        let storage = try await database.open(maximumAttempts: workers.maxAttempts)
        ClockCheck.warnIfSkewed(storage, logger: logger)
        do {
            let box = try SecretBox.load(dataDirectory: database.dataDir)
            try await DeploymentCheck.files(storage, store: store)
            try await DeploymentCheck.secretKey(storage, box: box)
            var services = try workers.makeServices(
                storage: storage, dataDirectory: database.dataDir, box: box, concurrency: concurrency, logger: logger,
                files: store)
            if let metricsPort {
                let (host, logger) = (metricsHost, logger)
                services.append(
                    buildOperationsApplication(
                        storage: storage, metrics: ProcessMetrics.registry, host: host, port: metricsPort,
                        logger: logger,
                        onServerRunning: {
                            logger.info("metrics served", metadata: ["address": "\(host):\(metricsPort)"])
                        }))
            }
            logger.info(
                "worker started",
                metadata: [
                    "role": "worker", "version": "\(BuildInfo.version)", "concurrency": "\(concurrency)",
                    "database": "\(Redacted.location(database.location))",
                    "files": "\(store?.location ?? URL(fileURLWithPath: database.dataDir).standardizedFileURL.path)",
                ])
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
