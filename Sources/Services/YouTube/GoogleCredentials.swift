import Foundation
import StorageCore

/// What Google gave for the `youtube.upload` scope, as yt-builder keeps it
/// (sealed). Files of the earlier service hold google-auth's JSON instead
/// (`token`, `refresh_token`, `expiry`), which `init(legacyJSON:)` reads.
public struct GoogleCredentials: Codable, Hashable, Sendable {
    public var accessToken: String
    public var refreshToken: String?
    /// Seconds since 1970 when the access token stops working.
    public var expiresAt: Double?
    public var scope: String?
    /// Google refused the refresh token: a person must authorize again.
    public var needsReauthorization = false

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case expiresAt = "expires_at"
        case scope
        case needsReauthorization = "needs_reauthorization"
    }

    public init(accessToken: String, refreshToken: String?, expiresAt: Double?, scope: String?) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scope = scope
    }

    /// google-auth's `Credentials.to_json()`, as the earlier service stored it.
    public init?(legacyJSON text: String) {
        guard let object = JSONValue(jsonText: text)?.objectValue, let token = object["token"]?.stringValue else {
            return nil
        }
        let expiry = object["expiry"]?.stringValue.flatMap {
            Timestamp(parsing: $0, naiveZone: TimeZone(identifier: "UTC"))
        }
        self.init(
            accessToken: token, refreshToken: object["refresh_token"]?.stringValue,
            expiresAt: expiry.map { Double($0.microsecondsSinceEpoch) / 1e6 },
            scope: object["scopes"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " "))
    }

    /// Sorted keys: the same credentials always make the same text (and seal the same way).
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    public func expires(within seconds: Double, now: Date = Date()) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt - now.timeIntervalSince1970 < seconds
    }
}
