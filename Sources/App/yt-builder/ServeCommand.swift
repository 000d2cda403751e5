import ArgumentParser
import Foundation
import HTTPServer
import Hummingbird
import Logging
import StorageCore
import YouTube

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API (the earlier service's routes) over the selected database.",
        discussion: """
            Set YT_BUILDER_API_TOKEN to require `Authorization: Bearer <token>` on every /api route. \
            Without a token the server listens only on a loopback address unless --insecure-no-auth is given. \
            LOG_LEVEL (trace, debug, info, notice, warning, error) sets how much is logged. YouTube: \
            YT_BUILDER_GOOGLE_CLIENT_ID and YT_BUILDER_GOOGLE_CLIENT_SECRET (or YT_BUILDER_GOOGLE_CLIENT_SECRETS), \
            YT_BUILDER_OAUTH_REDIRECT_URL; credentials are sealed with YT_BUILDER_SECRET_KEY or <data-dir>/secret.key.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var workerOptions: WorkerOptions
    @OptionGroup var files: FilesOptions
    @OptionGroup var logging: LogOptions

    @Option(
        help: ArgumentHelp(
            "With --files: answer downloads with a redirect to a presigned URL valid this many seconds, "
                + "instead of streaming them through this server.",
            valueName: "seconds"))
    var downloadRedirectSeconds: Int?

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on. Default: env PORT, else 5000.") var port: Int?
    @Option(help: "Render workers run inside this server (0: API only).") var workers = 1
    @Flag(help: "Listen on a non-loopback address without a token.") var insecureNoAuth = false
    @Option(help: "Seconds a connection may send nothing (between requests, mid-header, mid-body) before it is closed.")
    var idleTimeoutSeconds = 60.0
    @Option(help: "Connections served at once; more wait to be accepted.") var maxConnections = 512
    @Option(
        help: ArgumentHelp(
            "How long a Suno playlist request waits for its import before answering 202 with where it stands.",
            discussion: "Clients that send `Prefer: respond-async` get the 202 at once.", valueName: "seconds"))
    var importWaitSeconds = 600
    @Option(
        name: .customLong("allowed-host"),
        help: ArgumentHelp(
            "A host name this server answers to besides localhost and 127.x, when it listens on loopback (repeatable).",
            discussion:
                "For a reverse proxy on this machine that forwards its own name. Default: env YT_BUILDER_ALLOWED_HOSTS (comma-separated)."
        ))
    var allowedHosts: [String] = []

    var resolvedPort: Int {
        get throws {
            if let port { return port }
            guard let text = ProcessInfo.processInfo.environment["PORT"], !text.isEmpty else { return 5000 }
            guard let value = Int(text) else { throw ValidationError("PORT must be a port number, not '\(text)'") }
            return value
        }
    }

    var apiToken: String? {
        ProcessInfo.processInfo.environment["YT_BUILDER_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        if let seconds = downloadRedirectSeconds {
            guard files.location != nil else { throw ValidationError("--download-redirect-seconds needs --files") }
            guard (1...604_800).contains(seconds) else {
                throw ValidationError("--download-redirect-seconds must be 1 to 604800 (a week, S3's limit)")
            }
        }
        guard (0...65535).contains(try resolvedPort) else { throw ValidationError("the port must be 0 to 65535") }
        guard workers >= 0 && workers <= 64 else { throw ValidationError("--workers must be 0 to 64") }
        guard idleTimeoutSeconds >= 0.1, idleTimeoutSeconds <= 86_400 else {
            throw ValidationError("--idle-timeout-seconds must be 0.1 to 86400")
        }
        guard (0...86_400).contains(importWaitSeconds) else {
            throw ValidationError("--import-wait-seconds must be 0 to 86400")
        }
        guard (1...100_000).contains(maxConnections) else {
            throw ValidationError("--max-connections must be 1 to 100000")
        }
        if apiToken == nil, !insecureNoAuth, !ServerSettings.isLoopback(host) {
            throw ValidationError(
                "refusing to listen on \(host) without authentication: set YT_BUILDER_API_TOKEN, "
                    + "or pass --insecure-no-auth if something in front of this server checks every request")
        }
    }

    func run() async throws {
        let logger = try logging.logger()
        var settings = ServerSettings(dataDirectory: database.dataDir)
        try settings.data.create()
        settings.host = host
        settings.databaseLocation = Redacted.location(database.location)
        settings.port = try resolvedPort
        settings.apiToken = apiToken
        settings.maximumFileBytes = workerOptions.maxFileSize
        settings.suno = try workerOptions.sunoSettings()
        settings.idleTimeout = .milliseconds(Int64(idleTimeoutSeconds * 1000))
        settings.maximumConnections = maxConnections
        settings.importWait = .seconds(importWaitSeconds)
        settings.processMetrics = ProcessMetrics.registry
        settings.allowedHosts =
            allowedHosts.isEmpty
            ? (ProcessInfo.processInfo.environment["YT_BUILDER_ALLOWED_HOSTS"] ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty } : allowedHosts
        settings.youtube = YouTubeSettings.configuration()
        let box = try SecretBox.load(dataDirectory: settings.dataDirectory)
        settings.secretBox = box
        settings.objectStore = try files.store()
        try await settings.objectStore?.checkAccess()
        settings.redirectDownloads = downloadRedirectSeconds.map { .seconds($0) }
        let storage = try await database.open(maximumAttempts: workerOptions.maxAttempts)
        ClockCheck.warnIfSkewed(storage, logger: logger)
        do {
            try await DeploymentCheck.files(storage, store: settings.objectStore)
            try await DeploymentCheck.secretKey(storage, box: box)
            let sealed = try await YouTubeAccount(storage: storage, box: box, configuration: settings.youtube)
                .sealPlainCredentials()
            if sealed > 0 { logger.notice("sealed the earlier service's plain-text YouTube credentials") }
            // Workers stop before the server does (services stop in reverse order), the database last.
            let services =
                workers > 0
                ? try workerOptions.makeServices(
                    storage: storage, dataDirectory: settings.dataDirectory, box: box, concurrency: workers,
                    logger: logger, files: settings.objectStore) : []
            let metadata: Logger.Metadata = [
                "role": "serve", "version": "\(BuildInfo.version)", "workers": "\(workers)",
                "address": "\(host):\(settings.port)", "data_dir": "\(settings.dataDirectory)",
                "files": "\(settings.files.location)",
                "database": "\(Redacted.location(database.location))",
                "authentication": "\(apiToken == nil ? "none" : "bearer token")",
            ]
            // Announced once the port is bound, never before a bind that fails.
            let app = try await buildApplication(
                storage: storage, settings: settings, services: services, logger: logger,
                onServerRunning: { logger.info("serving", metadata: metadata) })
            do {
                try await app.runService()
            } catch {
                guard let sentence = listenFailure(error, host: host, port: settings.port) else { throw error }
                throw ValidationError(sentence)
            }
        } catch {
            await storage.close()
            throw error
        }
    }
}
