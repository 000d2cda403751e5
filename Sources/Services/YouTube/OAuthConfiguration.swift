import Foundation
import StorageCore

/// The Google OAuth client and the endpoints it talks to. Everything comes
/// from the environment (or a client-secrets JSON file as Google issues it),
/// so tests point it at a local fake of Google.
public struct OAuthConfiguration: Sendable {
    public static let scope = "https://www.googleapis.com/auth/youtube.upload"

    public var clientID: String
    public var clientSecret: String
    /// Where Google sends the browser back; nil: this server's own callback route, from the request's host.
    public var redirectURL: String?
    public var authorizationEndpoint = "https://accounts.google.com/o/oauth2/v2/auth"
    public var tokenEndpoint = "https://oauth2.googleapis.com/token"
    public var revocationEndpoint = "https://oauth2.googleapis.com/revoke"
    public var uploadEndpoint = "https://www.googleapis.com/upload/youtube/v3/videos"

    public init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public struct Missing: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// From `YT_BUILDER_GOOGLE_CLIENT_ID` and `YT_BUILDER_GOOGLE_CLIENT_SECRET`, or
    /// `YT_BUILDER_GOOGLE_CLIENT_SECRETS` (the downloaded JSON); endpoints from
    /// `YT_BUILDER_GOOGLE_AUTH_URL`, `_TOKEN_URL`, `_REVOKE_URL`, `_UPLOAD_URL`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> OAuthConfiguration
    {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        var configuration: OAuthConfiguration
        if let id = value("YT_BUILDER_GOOGLE_CLIENT_ID"), let secret = value("YT_BUILDER_GOOGLE_CLIENT_SECRET") {
            configuration = OAuthConfiguration(clientID: id, clientSecret: secret)
        } else if let path = value("YT_BUILDER_GOOGLE_CLIENT_SECRETS") {
            configuration = try fromClientSecrets(path)
        } else {
            throw Missing(
                description: "YouTube is not configured: set YT_BUILDER_GOOGLE_CLIENT_ID and "
                    + "YT_BUILDER_GOOGLE_CLIENT_SECRET, or YT_BUILDER_GOOGLE_CLIENT_SECRETS to the client-secrets JSON file"
            )
        }
        configuration.redirectURL = value("YT_BUILDER_OAUTH_REDIRECT_URL") ?? configuration.redirectURL
        if let url = value("YT_BUILDER_GOOGLE_AUTH_URL") { configuration.authorizationEndpoint = url }
        if let url = value("YT_BUILDER_GOOGLE_TOKEN_URL") { configuration.tokenEndpoint = url }
        if let url = value("YT_BUILDER_GOOGLE_REVOKE_URL") { configuration.revocationEndpoint = url }
        if let url = value("YT_BUILDER_GOOGLE_UPLOAD_URL") { configuration.uploadEndpoint = url }
        return configuration
    }

    static func fromClientSecrets(_ path: String) throws -> OAuthConfiguration {
        guard let data = FileManager.default.contents(atPath: path),
            let root = JSONValue(jsonText: String(decoding: data, as: UTF8.self))?.objectValue,
            let client = (root["web"] ?? root["installed"])?.objectValue,
            let id = client["client_id"]?.stringValue, let secret = client["client_secret"]?.stringValue
        else {
            throw Missing(description: "\(path) is not a Google client-secrets file (no web or installed client)")
        }
        var configuration = OAuthConfiguration(clientID: id, clientSecret: secret)
        if let auth = client["auth_uri"]?.stringValue { configuration.authorizationEndpoint = auth }
        if let token = client["token_uri"]?.stringValue { configuration.tokenEndpoint = token }
        configuration.redirectURL = client["redirect_uris"]?.arrayValue?.first?.stringValue
        return configuration
    }
}
