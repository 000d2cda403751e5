import AsyncHTTPClient

/// How the service calls other hosts (an S3 store, Suno, Google): a client that never
/// follows a redirect (one could lead off the host that was meant) and gives
/// up on a connection that goes silent, and one way to say what went wrong.
/// Each request also carries a deadline of its own.
public enum OutboundHTTP {
    /// `retryingConnections: false` is for callers that retry every failure
    /// themselves within a window of their own: the client's pool would
    /// otherwise keep retrying a refused connection for the whole connect
    /// timeout inside a single request, whatever that window says.
    public static func client(readTimeout: Duration, retryingConnections: Bool = true) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .init(readTimeout)))
        configuration.connectionPool.retryConnectionEstablishment = retryingConnections
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A failed request in a few words: "timed out" for every kind of timeout.
    public static func describe(_ error: any Error) -> String {
        switch error as? HTTPClientError {
        case .deadlineExceeded?, .readTimeout?, .connectTimeout?: "timed out"
        default: "\(error)"
        }
    }
}
