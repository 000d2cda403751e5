import Foundation

/// Where Suno is and how long to wait for it. The earlier service called
/// Suno's studio API and downloaded from the URLs it answered; both are
/// settings here, so tests (and a proxy) can stand in for Suno.
public struct SunoSettings: Hashable, Sendable {
    public static let defaultAPIURL = "https://studio-api.prod.suno.com"
    public static let defaultAudioHosts = ["suno.ai", "suno.com"]

    /// The playlist pages are `<apiURL>/api/playlist/<id>/?page=N`.
    public var apiURL: String
    /// A song is downloaded only from these hosts or their subdomains: a
    /// playlist's answer is data, and must not send the server anywhere else.
    public var audioHosts: [String]
    /// The earlier service's limit: pages after this many are not read.
    public var maximumPages = 100
    public var pageTimeout: Duration = .seconds(30)
    /// The longest one song's download may take.
    public var songTimeout: Duration = .seconds(300)
    /// What one page's JSON may weigh.
    public var maximumPageBytes = 16 << 20
    /// Songs one import takes: a playlist's first this many; the rest are
    /// left, and the import says so (an import of more costs hours and disk).
    public var maximumSongs = 1_000
    /// Error messages an import keeps: the first this many, then one line
    /// counting the rest, so that what it stores and answers stays small.
    public var maximumErrorMessages = 50
    /// Progress is written at most this often (and at the end).
    public var progressInterval: Duration = .seconds(1)

    public init(apiURL: String = defaultAPIURL, audioHosts: [String] = defaultAudioHosts) {
        self.apiURL = apiURL
        self.audioHosts = audioHosts
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// From `YT_BUILDER_SUNO_API_URL` and `YT_BUILDER_SUNO_AUDIO_HOSTS` (comma separated).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(Invalid) -> SunoSettings
    {
        var settings = SunoSettings()
        if let url = environment["YT_BUILDER_SUNO_API_URL"], !url.isEmpty {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil
            else { throw Invalid(description: "YT_BUILDER_SUNO_API_URL must be an http(s) URL, not '\(url)'") }
            settings.apiURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        if let hosts = environment["YT_BUILDER_SUNO_AUDIO_HOSTS"], !hosts.isEmpty {
            settings.audioHosts = hosts.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            .filter { !$0.isEmpty }
        }
        return settings
    }

    func playlistPageURL(_ id: String, page: Int) -> String {
        "\(apiURL)/api/playlist/\(id)/" + (page > 0 ? "?page=\(page)" : "")
    }

    /// Nil when `url` may be downloaded; otherwise why not.
    func refusal(ofAudioURL url: String) -> String? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            ["http", "https"].contains(scheme),
            let host = parsed.host?.lowercased()
        else { return "not an http(s) URL" }
        let allowed = audioHosts.contains { host == $0 || host.hasSuffix("." + $0) }
        return allowed ? nil : "host \(host) is not one of Suno's (YT_BUILDER_SUNO_AUDIO_HOSTS)"
    }
}
