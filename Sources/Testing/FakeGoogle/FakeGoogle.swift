import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
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
        /// Upload sessions by id: expected size, bytes received, metadata.
        public var sessions: [String: Session] = [:]
        /// Answer the next chunk with 503 (after storing nothing).
        public var failNextChunks = 0
        /// Store only half of the next chunk and drop the connection without an answer.
        public var dropNextChunks = 0
        /// Refuse the next upload request with 403 quotaExceeded.
        public var quotaExceeded = false
        /// Every chunk request, for tests to count.
        public var chunkRequests = 0
        public var completedVideos: [String: Session] = [:]
        /// Milliseconds each chunk takes to answer: a slow network.
        public var chunkDelayMilliseconds = 0
        /// Answer token requests with a redirect to `/elsewhere`, which counts what reaches it.
        public var redirectTokenRequests = false
        public var requestsElsewhere = 0
    }

    public struct Session: Sendable {
        public var size: Int
        public var data = Data()
        public var metadata: String
        public var videoID: String?
    }

    public let state = Mutex(State())

    public init() {}

    /// Keeps the connection, so the fake can drop it in the middle of a request.
    public struct Context: RequestContext {
        public var coreContext: CoreRequestContextStorage
        let channel: any Channel

        public init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            channel = source.channel
        }
    }

    public func router() -> Router<Context> {
        let router = Router(context: Context.self)
        router.get("auth") { request, _ in try self.authorize(request) }
        router.post("token") { request, _ in try await self.token(request) }
        router.post("elsewhere") { _, _ in
            self.state.withLock { $0.requestsElsewhere += 1 }
            return Self.json(.ok, #"{"access_token": "elsewhere", "expires_in": 3600}"#)
        }
        router.post("revoke") { request, _ in try await self.revoke(request) }
        router.post("upload") { request, _ in try await self.openSession(request) }
        router.put("upload/session/:id") { request, context in
            try await self.receive(request, session: context.parameters.get("id") ?? "", channel: context.channel)
        }
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
        if state.withLock({ $0.redirectTokenRequests }) {
            return Response(status: .temporaryRedirect, headers: [.location: "/elsewhere"])
        }
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

    func authorized(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        return state.withLock { $0.accessTokens.contains(String(header.dropFirst(7))) }
    }

    func openSession(_ request: Request) async throws -> Response {
        guard authorized(request) else {
            return Self.json(.unauthorized, #"{"error": {"code": 401, "message": "Invalid Credentials"}}"#)
        }
        let metadata = String(buffer: try await request.body.collect(upTo: 1 << 16))
        guard let size = request.headers[HTTPField.Name("X-Upload-Content-Length")!].flatMap(Int.init), size > 0 else {
            return Self.json(.badRequest, #"{"error": {"code": 400, "message": "X-Upload-Content-Length is missing"}}"#)
        }
        let id = UUID().uuidString
        let refused = state.withLock { state -> Bool in
            if state.quotaExceeded { return true }
            state.sessions[id] = Session(size: size, metadata: metadata)
            return false
        }
        if refused {
            return Self.json(
                .forbidden,
                #"{"error": {"code": 403, "message": "The request cannot be completed because you have exceeded your quota.", "errors": [{"reason": "quotaExceeded"}]}}"#
            )
        }
        let host = request.head.authority ?? "127.0.0.1"
        return Response(status: .ok, headers: [.location: "http://\(host)/upload/session/\(id)"])
    }

    func receive(_ request: Request, session id: String, channel: any Channel) async throws -> Response {
        let body = Data(buffer: try await request.body.collect(upTo: 64 << 20))
        let delay = state.withLock { $0.chunkDelayMilliseconds }
        if delay > 0, !body.isEmpty { try await Task.sleep(for: .milliseconds(delay)) }
        let range = request.headers[HTTPField.Name("Content-Range")!] ?? ""
        enum Answer {
            case response(Response)
            case drop
        }
        let answer = state.withLock { state -> Answer in
            guard var session = state.sessions[id] else {
                return .response(Self.json(.notFound, #"{"error": {"code": 404, "message": "no such session"}}"#))
            }
            defer { state.sessions[id] = session }
            func progress() -> Response {
                if let video = session.videoID {
                    return Self.json(.ok, #"{"id": "\#(video)", "kind": "youtube#video"}"#)
                }
                var headers: HTTPFields = [:]
                if !session.data.isEmpty { headers[HTTPField.Name("Range")!] = "bytes=0-\(session.data.count - 1)" }
                return Response(status: .permanentRedirect, headers: headers)
            }
            if range.hasPrefix("bytes */") { return .response(progress()) }
            state.chunkRequests += 1
            if state.failNextChunks > 0 {
                state.failNextChunks -= 1
                return .response(
                    Self.json(.serviceUnavailable, #"{"error": {"code": 503, "message": "Backend Error"}}"#))
            }
            // "bytes A-B/N": only the bytes that continue what is stored are kept.
            let numbers = range.dropFirst("bytes ".count).split(whereSeparator: { $0 == "-" || $0 == "/" }).compactMap {
                Int($0)
            }
            guard numbers.count == 3, numbers[0] <= session.data.count, numbers[2] == session.size,
                body.count == numbers[1] - numbers[0] + 1
            else {
                return .response(Self.json(.badRequest, #"{"error": {"code": 400, "message": "bad Content-Range"}}"#))
            }
            var fresh = body.dropFirst(session.data.count - numbers[0])
            if state.dropNextChunks > 0 {
                state.dropNextChunks -= 1
                fresh = fresh.prefix(fresh.count / 2)
                session.data.append(contentsOf: fresh)
                return .drop
            }
            session.data.append(contentsOf: fresh)
            if session.data.count == session.size {
                let video = "vid" + String(UUID().uuidString.prefix(8))
                session.videoID = video
                state.completedVideos[video] = session
            }
            return .response(progress())
        }
        switch answer {
        case .response(let response): return response
        case .drop:
            // No answer at all: the client sees its connection drop.
            try? await channel.close()
            return Response(status: .internalServerError)
        }
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
