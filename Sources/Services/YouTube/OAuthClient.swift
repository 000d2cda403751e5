import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StorageCore

/// The token endpoint's side of OAuth: exchange a code, refresh, revoke.
struct OAuthClient: Sendable {
    let configuration: OAuthConfiguration
    let http: HTTPClient

    enum Failure: Error, CustomStringConvertible {
        /// Google refused the grant (a refresh token revoked or expired): authorize again.
        case refused(String)
        case failed(String)

        var description: String {
            switch self {
            case .refused(let reason): "Google refused the authorization: \(reason)"
            case .failed(let reason): "Google's token endpoint failed: \(reason)"
            }
        }
    }

    func exchange(code: String, redirectURL: String) async throws -> GoogleCredentials {
        let answer = try await post(
            configuration.tokenEndpoint,
            [
                "grant_type": "authorization_code", "code": code, "redirect_uri": redirectURL,
                "client_id": configuration.clientID, "client_secret": configuration.clientSecret,
            ])
        return try credentials(from: answer, keeping: nil)
    }

    func refresh(_ credentials: GoogleCredentials) async throws -> GoogleCredentials {
        guard let refreshToken = credentials.refreshToken else { throw Failure.refused("there is no refresh token") }
        let answer = try await post(
            configuration.tokenEndpoint,
            [
                "grant_type": "refresh_token", "refresh_token": refreshToken, "client_id": configuration.clientID,
                "client_secret": configuration.clientSecret,
            ])
        return try self.credentials(from: answer, keeping: refreshToken)
    }

    func revoke(_ token: String) async throws {
        _ = try await post(configuration.revocationEndpoint, ["token": token])
    }

    private func credentials(from answer: [String: JSONValue], keeping refreshToken: String?) throws
        -> GoogleCredentials
    {
        guard let access = answer["access_token"]?.stringValue else {
            throw Failure.failed("the answer has no access_token")
        }
        let lifetime = answer["expires_in"]?.intValue.map(Double.init) ?? 3600
        return GoogleCredentials(
            accessToken: access, refreshToken: answer["refresh_token"]?.stringValue ?? refreshToken,
            expiresAt: Date().timeIntervalSince1970 + lifetime, scope: answer["scope"]?.stringValue)
    }

    /// A form POST; the JSON object answered. Tokens never go into an error's text.
    private func post(_ url: String, _ form: [String: String]) async throws -> [String: JSONValue] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: Self.formEncoded(form)))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(30))
        } catch {
            throw Failure.failed("\(URL(string: url)?.host ?? url) cannot be reached (\(type(of: error)))")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = JSONValue(jsonText: String(buffer: body))?.objectValue ?? [:]
        guard (200..<300).contains(response.status.code) else {
            let reason = object["error"]?.stringValue ?? "HTTP \(response.status.code)"
            let detail = object["error_description"]?.stringValue.map { ": \($0)" } ?? ""
            if response.status.code == 400 || response.status.code == 401 {
                throw Failure.refused(reason + detail)
            }
            throw Failure.failed(reason + detail)
        }
        return object
    }

    static func formEncoded(_ form: [String: String]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return form.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}
