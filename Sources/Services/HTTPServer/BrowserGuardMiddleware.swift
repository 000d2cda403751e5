import HTTPTypes
import Hummingbird

/// What a browser can be made to send by a page of another site. A request
/// that changes something (any method but GET, HEAD, OPTIONS) is refused when
/// its `Origin` is not this server's own, or the browser says it comes from
/// another site. When the server listens on a loopback address, a `Host`
/// other than a loopback name (or one of `allowedHosts`) is refused too: that
/// is how DNS rebinding reaches a server on 127.0.0.1. Clients that are not
/// browsers (curl, scripts) send neither header and pass.
struct BrowserGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Host names (lower case, without port) accepted besides loopback names; nil accepts every host.
    let allowedHosts: Set<String>?

    init(settings: ServerSettings) {
        allowedHosts =
            ServerSettings.isLoopback(settings.host) ? Set(settings.allowedHosts.map(Self.hostName)) : nil
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let host = request.head.authority
        if let allowedHosts, let host, !ServerSettings.isLoopback(Self.hostName(host)),
            !allowedHosts.contains(Self.hostName(host))
        {
            return APIError(
                status: .misdirectedRequest,
                message: "this server answers to localhost only; add '\(Self.hostName(host))' with --allowed-host "
                    + "if a proxy forwards that name here"
            ).response
        }
        if ![.get, .head, .options].contains(request.method) {
            if let origin = request.headers[.origin], !Self.sameOrigin(origin, host: host) {
                return APIError(status: .forbidden, message: "a request from another site (\(origin)) was refused")
                    .response
            }
            if request.headers[.secFetchSite] == "cross-site" {
                return APIError(status: .forbidden, message: "a request from another site was refused").response
            }
        }
        return try await next(request, context)
    }

    /// `Origin` is scheme://host[:port]; it matches when its host and port are
    /// the request's Host (a scheme's default port may be left out on either side).
    static func sameOrigin(_ origin: String, host: String?) -> Bool {
        guard let host, let range = origin.range(of: "://") else { return false }
        let scheme = origin[..<range.lowerBound].lowercased()
        let defaultPort = scheme == "https" ? ":443" : ":80"
        func plain(_ authority: Substring) -> String {
            let lower = authority.lowercased()
            return lower.hasSuffix(defaultPort) ? String(lower.dropLast(defaultPort.count)) : lower
        }
        return plain(origin[range.upperBound...]) == plain(Substring(host))
    }

    /// The name in a Host value, lower case, without its port or a trailing
    /// dot: `[::1]:5000` → `::1`, `Yt.Example.:80` → `yt.example`.
    static func hostName(_ host: String) -> String {
        let lower = host.lowercased()
        if lower.hasPrefix("["), let end = lower.firstIndex(of: "]") {
            return String(lower[lower.index(after: lower.startIndex)..<end])
        }
        let name = lower.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(name.hasSuffix(".") ? name.dropLast() : name)
    }
}
