import Foundation
import Hummingbird
import Synchronization

/// A local stand-in for Google's OAuth endpoints, for tests: it issues codes
/// and tokens, expires them, revokes them, and can be told to refuse.
public final class FakeGoogle: Sendable {
    public struct State: Sendable {
        public var clientID = "test-client"
        public var clientSecret = "test-secret"
        /// Seconds an access token lives (what `expires_in` says).
        public var tokenLifetime = 3600
        public var refuseRefresh = false
        public var codes: [String: String] = [:]
        public var refreshTokens: Set<String> = []
        public var accessTokens: Set<String> = []
        public var revoked: [String] = []
        public var exchanges = 0
        public var refreshes = 0
    }

    public let state = Mutex(State())

    public init() {}

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("auth") { request, _ in try self.authorize(request) }
        router.post("token") { request, _ in try await self.token(request) }
        router.post("revoke") { request, _ in try await self.revoke(request) }
        return router
    }

    /// Consents at once: back to `redirect_uri` with a code and the state.
    func authorize(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        guard let redirect = query["redirect_uri"],
            query["client_id"].map(String.init) == state.withLock({ $0.clientID })
        else { return Self.json(.badRequest, #"{"error": "invalid_client"}"#) }
        let code = "code-" + UUID().uuidString
        state.withLock { $0.codes[code] = String(redirect) }
        var location = URLComponents(string: String(redirect))!
        location.queryItems = [
            URLQueryItem(name: "code", value: code),
            URLQueryItem(name: "state", value: query["state"].map(String.init)),
        ]
        return Response(status: .found, headers: [.location: location.url!.absoluteString])
    }

    func token(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        return state.withLock { state -> Response in
            guard form["client_id"] == state.clientID, form["client_secret"] == state.clientSecret else {
                return Self.json(.unauthorized, #"{"error": "invalid_client"}"#)
            }
            switch form["grant_type"] {
            case "authorization_code":
                guard let code = form["code"], let redirect = state.codes.removeValue(forKey: code),
                    redirect == form["redirect_uri"]
                else { return Self.json(.badRequest, #"{"error": "invalid_grant"}"#) }
                state.exchanges += 1
                let refresh = "refresh-" + UUID().uuidString
                state.refreshTokens.insert(refresh)
                return Self.issue(&state, refresh: refresh)
            case "refresh_token":
                guard !state.refuseRefresh, let refresh = form["refresh_token"], state.refreshTokens.contains(refresh)
                else {
                    return Self.json(
                        .badRequest,
                        #"{"error": "invalid_grant", "error_description": "Token has been expired or revoked."}"#)
                }
                state.refreshes += 1
                return Self.issue(&state, refresh: nil)
            default:
                return Self.json(.badRequest, #"{"error": "unsupported_grant_type"}"#)
            }
        }
    }

    func revoke(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        guard let token = form["token"] else { return Self.json(.badRequest, #"{"error": "invalid_request"}"#) }
        state.withLock { state in
            state.revoked.append(token)
            state.refreshTokens.remove(token)
            state.accessTokens.remove(token)
        }
        return Self.json(.ok, "{}")
    }

    static func issue(_ state: inout State, refresh: String?) -> Response {
        let access = "access-" + UUID().uuidString
        state.accessTokens.insert(access)
        var body =
            #"{"access_token": "\#(access)", "expires_in": \#(state.tokenLifetime), "token_type": "Bearer", "scope": "https://www.googleapis.com/auth/youtube.upload""#
        if let refresh { body += #", "refresh_token": "\#(refresh)""# }
        return json(.ok, body + "}")
    }

    static func form(_ request: Request) async throws -> [String: String] {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 16))
        var form: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        return form
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
