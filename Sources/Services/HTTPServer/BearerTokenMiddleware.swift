import Hummingbird

/// Lets a request through only with `Authorization: Bearer <token>`; the
/// comparison takes the same time wherever the first difference is.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]
    let exempt: Set<String>

    init(token: String, exempt: Set<String> = []) {
        self.token = Array(token.utf8)
        self.exempt = exempt
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if exempt.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            Self.equal(Array(header.utf8.dropFirst("bearer ".count)), token)
        else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer"
            var response = APIError(
                status: .unauthorized, message: "this server needs Authorization: Bearer <YT_BUILDER_API_TOKEN>"
            ).response
            response.headers.append(contentsOf: headers)
            return response
        }
        return try await next(request, context)
    }

    /// Constant time for inputs of the token's length; a different length is
    /// refused after the same loop.
    static func equal(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices {
            difference |= (index < given.count ? given[index] : 0) ^ expected[index]
        }
        return difference == 0
    }
}
