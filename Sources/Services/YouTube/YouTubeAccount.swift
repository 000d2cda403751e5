import AsyncHTTPClient
import Foundation
import StorageCore

/// What went wrong with YouTube, in words a person can act on; never with a token in them.
public enum YouTubeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No OAuth client configured (400, as before).
    case notConfigured(String)
    /// Nobody has authorized yet, or Google refused the refresh token (401, `requires_reauth`).
    case authorizationNeeded(String)
    /// The callback's `state` is not one this service issued, or is too old (400).
    case badState
    /// Google answered with an error or could not be reached (502).
    case google(String)
    /// The stored credentials cannot be read with this key (500; the row is left as it is).
    case storedCredentials(String)

    public var description: String {
        switch self {
        case .notConfigured(let reason), .authorizationNeeded(let reason), .google(let reason),
            .storedCredentials(let reason):
            reason
        case .badState:
            "the authorization answer does not belong to a request of this service (or is over 10 minutes old)"
        }
    }
}

/// The one YouTube account of this service: authorization, sealed storage of
/// its credentials, tokens refreshed before they expire.
public final class YouTubeAccount: Sendable {
    public static let user = "default"
    static let stateLifetime = 600.0

    let storage: any CredentialStore
    let box: SecretBox
    let configuration: Result<OAuthConfiguration, OAuthConfiguration.Missing>
    let http: HTTPClient

    public init(
        storage: any CredentialStore, box: SecretBox,
        configuration: Result<OAuthConfiguration, OAuthConfiguration.Missing>,
        http: HTTPClient = GoogleHTTP.client
    ) {
        self.storage = storage
        self.box = box
        self.configuration = configuration
        self.http = http
    }

    public var isConfigured: Bool { (try? configuration.get()) != nil }

    func client() throws -> OAuthClient {
        switch configuration {
        case .success(let configuration): OAuthClient(configuration: configuration, http: http)
        case .failure(let missing): throw YouTubeError.notConfigured(missing.description)
        }
    }

    public struct Status: Hashable, Sendable {
        public var configured: Bool
        public var authenticated: Bool
        public var requiresReauthorization: Bool
        public var expiresAt: Double?
    }

    public func status() async throws -> Status {
        let credentials = try await stored()
        return Status(
            configured: isConfigured,
            authenticated: credentials != nil && credentials?.needsReauthorization == false,
            requiresReauthorization: credentials?.needsReauthorization ?? false, expiresAt: credentials?.expiresAt)
    }

    /// Where to send a person to authorize; its `state` is signed and expires.
    public func authorizationURL(redirectURL: String, now: Date = Date()) throws -> String {
        let client = try client()
        let redirect = client.configuration.redirectURL ?? redirectURL
        let payload = "\(Int(now.timeIntervalSince1970 + Self.stateLifetime)).\(UUID().uuidString)"
        let state = payload + "." + box.sign(payload)
        var components = URLComponents(string: client.configuration.authorizationEndpoint)
        let existing = components?.queryItems ?? []
        components?.queryItems =
            existing + [
                URLQueryItem(name: "client_id", value: client.configuration.clientID),
                URLQueryItem(name: "redirect_uri", value: redirect),
                URLQueryItem(name: "response_type", value: "code"),
                URLQueryItem(name: "scope", value: OAuthConfiguration.scope),
                URLQueryItem(name: "access_type", value: "offline"),
                URLQueryItem(name: "prompt", value: "consent"),
                URLQueryItem(name: "state", value: state),
            ]
        guard let url = components?.url?.absoluteString else {
            throw YouTubeError.notConfigured("the authorization endpoint is not a URL")
        }
        return url
    }

    /// The callback: checks `state`, exchanges `code`, stores the credentials sealed.
    public func completeAuthorization(code: String, state: String, redirectURL: String, now: Date = Date())
        async throws
    {
        let client = try client()
        let parts = state.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let expiry = Double(parts[0]), expiry >= now.timeIntervalSince1970,
            box.sign("\(parts[0]).\(parts[1])") == parts[2]
        else { throw YouTubeError.badState }
        let credentials: GoogleCredentials
        do {
            credentials = try await client.exchange(
                code: code, redirectURL: client.configuration.redirectURL ?? redirectURL)
        } catch let failure as OAuthClient.Failure {
            throw YouTubeError.google(failure.description)
        }
        try await save(credentials)
    }

    /// Revokes the tokens at Google (best effort) and forgets them here.
    @discardableResult
    public func revoke() async throws -> Bool {
        guard let credentials = try await stored() else { return false }
        if let client = try? client() {
            try? await client.revoke(credentials.refreshToken ?? credentials.accessToken)
        }
        return try await storage.deleteCredentials(user: Self.user)
    }

    /// A new access token even if the stored one looks valid (YouTube answered 401).
    public func refreshedAccessToken() async throws -> String {
        try await accessToken(forceRefresh: true)
    }

    /// A working access token, refreshed first when it expires within a minute.
    public func accessToken(forceRefresh: Bool = false) async throws -> String {
        guard var credentials = try await stored() else {
            throw YouTubeError.authorizationNeeded("YouTube is not authorized yet: open /api/youtube/auth/url")
        }
        guard !credentials.needsReauthorization else {
            throw YouTubeError.authorizationNeeded("Google refused the stored authorization: authorize again")
        }
        // The earlier service's credentials may carry no expiry: refresh them to be sure.
        let unknown = credentials.expiresAt == nil && credentials.refreshToken != nil
        guard forceRefresh || unknown || credentials.expires(within: 60) else { return credentials.accessToken }
        do {
            credentials = try await client().refresh(credentials)
        } catch OAuthClient.Failure.refused(let reason) {
            credentials.needsReauthorization = true
            try await save(credentials)
            throw YouTubeError.authorizationNeeded(
                "Google refused to refresh the authorization (\(reason)): authorize again")
        } catch let failure as OAuthClient.Failure {
            throw YouTubeError.google(failure.description)
        }
        try await save(credentials)
        return credentials.accessToken
    }

    /// Seals credentials the earlier service stored as plain JSON; the number sealed.
    @discardableResult
    public func sealPlainCredentials() async throws -> Int {
        var sealed = 0
        for row in try await storage.allCredentials() where !SecretBox.isSealed(row.text) {
            guard let credentials = GoogleCredentials(legacyJSON: row.text) else { continue }
            try await storage.saveCredentials(user: row.user, text: try box.seal(Self.encode(credentials)))
            sealed += 1
        }
        return sealed
    }

    func stored() async throws -> GoogleCredentials? {
        guard let row = try await storage.credentials(user: Self.user) else { return nil }
        if !SecretBox.isSealed(row.text) {
            // Plain JSON of the earlier service, not sealed yet: read it, and seal it now.
            guard let legacy = GoogleCredentials(legacyJSON: row.text) else {
                throw YouTubeError.storedCredentials("the stored YouTube credentials cannot be read")
            }
            try await save(legacy)
            return legacy
        }
        let text: String
        do { text = try box.open(row.text) } catch { throw YouTubeError.storedCredentials("\(error)") }
        guard let credentials = try? JSONDecoder().decode(GoogleCredentials.self, from: Data(text.utf8)) else {
            throw YouTubeError.storedCredentials("the stored YouTube credentials cannot be read")
        }
        return credentials
    }

    func save(_ credentials: GoogleCredentials) async throws {
        try await storage.saveCredentials(user: Self.user, text: try box.seal(Self.encode(credentials)))
    }

    static func encode(_ credentials: GoogleCredentials) throws -> String {
        String(decoding: try GoogleCredentials.encoder.encode(credentials), as: UTF8.self)
    }
}
