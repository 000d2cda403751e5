import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for Suno, for tests: its studio API's playlist pages
/// (`GET /api/playlist/{id}/?page=N`, `{"playlist_clips": [{"clip": {...}}]}`)
/// and the songs they point at (`GET /audio/{name}`).
public final class FakeSuno: Sendable {
    public struct Clip: Sendable {
        public var id: String
        public var title: String
        /// A path on this server (`/audio/x.mp3`) or a whole URL; nil leaves `audio_url` out.
        public var audio: String?

        public init(id: String, title: String, audio: String?) {
            self.id = id
            self.title = title
            self.audio = audio
        }
    }

    public struct State: Sendable {
        /// Each playlist's pages; a page past the last answers no clips, an unknown playlist 404.
        public var playlists: [String: [[Clip]]] = [:]
        /// The bytes of each song, by name.
        public var songs: [String: Data] = [:]
        /// Songs that answer 500.
        public var failingSongs: Set<String> = []
        /// Pages that answer 500, by playlist and page number.
        public var failingPages: Set<String> = []
        /// Every request's path and query, in order.
        public var requests: [String] = []
    }

    public let state = Mutex(State())
    /// Set once the server listens: `http://127.0.0.1:PORT`.
    public let base = Mutex("")

    public init() {}

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("api/playlist/:id") { request, context in
            self.page(request, id: context.parameters.get("id") ?? "")
        }
        router.get("audio/:name") { request, context in
            self.song(request, name: context.parameters.get("name") ?? "")
        }
        return router
    }

    func record(_ request: Request) {
        state.withLock { $0.requests.append(request.uri.description) }
    }

    func page(_ request: Request, id: String) -> Response {
        record(request)
        let number = request.uri.queryParameters["page"].flatMap { Int(String($0)) } ?? 0
        let (pages, failing) = state.withLock { ($0.playlists[id], $0.failingPages.contains("\(id)/\(number)")) }
        guard let pages else { return Self.json(.notFound, #"{"detail": "Playlist not found"}"#) }
        if failing { return Self.json(.internalServerError, #"{"detail": "boom"}"#) }
        let base = self.base.withLock { $0 }
        let clips = number < pages.count ? pages[number] : []
        let items: [[String: Any]] = clips.map { clip in
            var fields: [String: Any] = ["id": clip.id, "title": clip.title, "status": "complete"]
            if let audio = clip.audio { fields["audio_url"] = audio.hasPrefix("/") ? base + audio : audio }
            return ["clip": fields, "relative_index": 0]
        }
        let body = try! JSONSerialization.data(
            withJSONObject: ["id": id, "name": "Fake playlist", "playlist_clips": items, "num_total_results": 0])
        return Self.json(.ok, String(decoding: body, as: UTF8.self))
    }

    func song(_ request: Request, name: String) -> Response {
        record(request)
        let (data, failing) = state.withLock { ($0.songs[name], $0.failingSongs.contains(name)) }
        if failing { return Response(status: .internalServerError) }
        guard let data else { return Response(status: .notFound) }
        return Response(
            status: .ok, headers: [.contentType: "audio/mpeg"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
