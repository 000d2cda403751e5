import ArgumentParser
import Foundation
import Logging
import RunFiles
import ServiceLifecycle
import StorageCore
import Suno
import Worker
import YouTube

/// How render workers are set up, for `worker` and for `serve --workers`.
struct WorkerOptions: ParsableArguments {
    @Option(help: "How long a claim holds without a heartbeat, in seconds (heartbeats come 3 times a lease).")
    var leaseSeconds = 30.0

    @Option(help: "How often an idle worker looks for jobs when no wake-up comes, in seconds.")
    var pollSeconds = 1.0

    @Option(
        help: "Attempts a job or upload queued by this process gets when its workers keep dying (kept on the task).")
    var maxAttempts = JobQueue.defaultMaximumAttempts

    @Option(help: "On shutdown, seconds running jobs get to finish before they are handed back.")
    var shutdownGraceSeconds = 10.0

    @Option(help: "The largest file an upload (or a song of a Suno playlist) may hold, in bytes.")
    var maxFileSize: Int64 = 4 << 30

    @Option(
        help:
            "Pieces of renders this process encodes at once, of its own jobs or any other's: each an ffmpeg with its share of the cores (one: about 430 MB at 1080p; two keep two cores busier, about 620 MB). 0: none; its renders wait for other workers to encode their pieces."
    )
    var piecesAtOnce = 1

    @Option(
        help: ArgumentHelp(
            "What a job runs: `render` (ffmpeg), or `sleep:SECONDS` (makes nothing; for tests and benchmarks).",
            valueName: "runner"))
    var runner = "render"

    func validate() throws {
        guard leaseSeconds >= 0.3, leaseSeconds <= 86_400 else {
            throw ValidationError("--lease-seconds must be between 0.3 and 86400")
        }
        guard pollSeconds >= 0.01, pollSeconds <= 3600 else {
            throw ValidationError("--poll-seconds must be 0.01 to 3600")
        }
        guard (1...100).contains(maxAttempts) else { throw ValidationError("--max-attempts must be 1 to 100") }
        guard (0...16).contains(piecesAtOnce) else { throw ValidationError("--pieces-at-once must be 0 to 16") }
        guard maxFileSize >= 1 else { throw ValidationError("--max-file-size must be at least 1 byte") }
        _ = try sunoSettings()
        guard shutdownGraceSeconds >= 0 else { throw ValidationError("--shutdown-grace-seconds must not be negative") }
        _ = try runnerChoice()
    }

    /// Suno's addresses, from YT_BUILDER_SUNO_API_URL and YT_BUILDER_SUNO_AUDIO_HOSTS.
    func sunoSettings() throws -> SunoSettings {
        do {
            return try SunoSettings.fromEnvironment()
        } catch {
            throw ValidationError(error.description)
        }
    }

    enum RunnerChoice {
        case render
        case sleep(Double)
    }

    func runnerChoice() throws -> RunnerChoice {
        if runner == "render" { return .render }
        if runner.hasPrefix("sleep:"), let seconds = Double(runner.dropFirst("sleep:".count)), seconds >= 0,
            seconds <= 86_400
        {
            return .sleep(seconds)
        }
        throw ValidationError("--runner must be `render` or `sleep:SECONDS`, not '\(runner)'")
    }

    func settings(concurrency: Int, name: String) -> WorkerSettings {
        var settings = WorkerSettings(name: name)
        settings.concurrency = concurrency
        settings.lease = .milliseconds(Int64(leaseSeconds * 1000))
        settings.pollInterval = .milliseconds(Int64(pollSeconds * 1000))
        settings.shutdownGrace = .milliseconds(Int64(shutdownGraceSeconds * 1000))
        return settings
    }

    /// The render workers (one job at a time per `concurrency`), and with the
    /// real renderer the piece workers (`--pieces-at-once` pieces at a time,
    /// of this process's renders or any other's), the YouTube upload worker
    /// and the playlist import worker of a process.
    func makeServices(
        storage: any Storage, dataDirectory: String, box: SecretBox, concurrency: Int, logger: Logger,
        files: (any RunFileStore)?
    ) throws -> [any Service] {
        let account = YouTubeAccount(storage: storage, box: box, configuration: YouTubeSettings.configuration())
        // One name for the process: its tasks carry `<name>/<slot>`, which the registry joins to it.
        let name = WorkerSettings().name
        let settings = { (concurrency: Int) in self.settings(concurrency: concurrency, name: name) }
        var services: [any Service] = []
        let runner: any JobRunner
        switch try runnerChoice() {
        case .sleep(let seconds): runner = SleepRunner(seconds: seconds)
        case .render:
            let renderer = RenderJobRunner(
                storage: storage, dataDirectory: dataDirectory, files: files, piecesAtOnce: max(1, piecesAtOnce),
                pieceQueue: storage)
            runner = renderer
            if piecesAtOnce > 0 {
                services.append(
                    RenderPieceWorker(
                        kind: RenderPieceWork(storage: storage, runner: renderer, logger: logger),
                        settings: settings(piecesAtOnce), logger: logger))
            }
        }
        services.append(
            WorkerPool(
                storage: storage, runner: runner, dataDirectory: DataDirectory(dataDirectory),
                settings: settings(concurrency), logger: logger, files: files))
        services.append(
            UploadWorker(
                storage: storage, account: account, dataDirectory: dataDirectory,
                settings: settings(1), logger: logger, files: files))
        services.append(
            PlaylistImportWorker(
                kind: PlaylistImportWork(
                    storage: storage, settings: try sunoSettings(), dataDirectory: dataDirectory,
                    maximumFileBytes: maxFileSize, logger: logger, files: files),
                settings: settings(1), logger: logger))
        let kinds: [TaskKind] = [.render] + (piecesAtOnce > 0 ? [.renderPiece] : []) + [.youtubeUpload, .sunoImport]
        services.append(
            WorkerPresenceService(
                storage: storage,
                record: WorkerRecord(
                    workerID: name, host: ProcessInfo.processInfo.hostName, kinds: kinds, version: BuildInfo.version),
                logger: logger))
        return services
    }
}

enum YouTubeSettings {
    /// The OAuth client from the environment, or why there is none.
    static func configuration() -> Result<OAuthConfiguration, OAuthConfiguration.Missing> {
        Result { try OAuthConfiguration.fromEnvironment() }.mapError {
            $0 as? OAuthConfiguration.Missing ?? .init(description: "\($0)")
        }
    }
}

enum ServiceLogger {
    static func make(_ label: String = "yt-builder") -> Logger {
        var logger = Logger(label: label)
        logger.logLevel =
            ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        return logger
    }
}
