import Foundation
import Prometheus
import RunFiles
import StorageCore
import Suno
import VideoSettings
import YouTube

/// What `serve` was told: where to listen, where files live, the limits.
public struct ServerSettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 5000
    /// Holds `runs/` (one run directory per job) and `fonts/`.
    public var dataDirectory: String
    /// The database, as the operations view names it (a URL's password already hidden).
    public var databaseLocation = ""
    /// When set, every `/api` route needs `Authorization: Bearer <token>`.
    public var apiToken: String?
    public var maximumFileBytes: Int64 = 4 << 30
    /// Where Suno's playlist API and songs are (tests point it at a local fake).
    public var suno = SunoSettings()
    /// What the rest of the process counts (its workers, the object store),
    /// appended to `/metrics`; `yt-builder` points swift-metrics at it.
    public var processMetrics: PrometheusCollectorRegistry?
    /// How long `POST …/playlist/suno` waits for its import before it
    /// answers 202 with where the import stands.
    public var importWait: Duration = .seconds(600)
    public var maximumJSONBytes = 1 << 20
    /// A connection that sends nothing for this long is closed: between
    /// requests, while its header is still coming, or when its body stalls.
    public var idleTimeout: Duration = .seconds(60)
    /// Connections open at once; more wait in the listen backlog.
    public var maximumConnections = 512
    /// Jobs still `preparing` after this long are abandoned uploads and removed.
    public var abandonedAfter: Duration = .seconds(3600)
    public var fonts: FontCatalog
    /// The Google OAuth client, or why there is none (the YouTube routes say so).
    public var youtube: Result<OAuthConfiguration, OAuthConfiguration.Missing> = .failure(
        .init(description: "YouTube is not configured"))
    /// Seals stored credentials; `serve` loads it from YT_BUILDER_SECRET_KEY or `<data-dir>/secret.key`.
    public var secretBox: SecretBox?
    /// The time the server goes by when it decides what is abandoned.
    public var clock: @Sendable () -> Timestamp = { Timestamp.now() }

    public init(dataDirectory: String, fonts: FontCatalog? = nil) {
        let absolute = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.dataDirectory = absolute
        self.fonts = fonts ?? FontCatalog.load(fontsDirectory: absolute + "/fonts")
    }

    /// Host names a loopback-bound server answers to besides loopback names
    /// and addresses (a reverse proxy on this machine forwarding its own name).
    public var allowedHosts: [String] = []

    /// A name or address that means this machine only: what `serve` may bind
    /// without a token, and the `Host` values a loopback-bound server answers.
    public static func isLoopback(_ host: String) -> Bool { LoopbackName.contains(host) }

    /// Where jobs' files live when not in the data directory (an object store).
    public var objectStore: (any RunFileStore)?
    /// With an object store: downloads answer with a redirect to a presigned
    /// URL valid this long, instead of streaming through this server.
    public var redirectDownloads: Duration?

    /// Where jobs' files live: the object store, else the data directory.
    public var files: any RunFileStore { objectStore ?? LocalRunFileStore(data) }

    /// What new rows name as the folder of run directories: this data
    /// directory's, or, with an object store, `runs` (relative, so that every
    /// host finds the run under its own data directory).
    public var runsDirectory: String { objectStore == nil ? data.runs : "runs" }
    /// The data directory with the rule for the paths rows name.
    public var data: DataDirectory { DataDirectory(dataDirectory) }
}
