import Hummingbird
import NIOCore

/// The web page at `/` (and `/admin`), from files embedded in the binary (`web/`).
struct WebController<Context: RequestContext> {
    static var contentTypes: [String: String] {
        [
            "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
            "css": "text/css; charset=utf-8",
            "svg": "image/svg+xml",
        ]
    }

    func addRoutes(to router: Router<Context>) {
        router.get("/") { _, _ in try Self.file("index.html") }
        // The operations view is the same page, opened on its own screen.
        router.get("admin") { _, _ in try Self.file("index.html") }
        router.get("assets/:name") { _, context in try Self.file(context.parameters.get("name") ?? "") }
    }

    static func file(_ name: String) throws -> Response {
        guard !name.contains("/"), let text = EmbeddedWeb.files[name],
            let type = contentTypes[String(name.split(separator: ".").last ?? "")]
        else { throw APIError.notFound("there is no page file named '\(name)'") }
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-cache"]
        // The page loads only its own files and talks only to this server.
        headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; object-src 'none'; frame-ancestors 'none'"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
