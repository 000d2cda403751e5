import AsyncHTTPClient

/// How the service calls other hosts (an S3 store, Suno, Google): a client that never
/// follows a redirect (one could lead off the host that was meant) and gives
/// up on a connection that goes silent, and one way to say what went wrong.
/// Each request also carries a deadline of its own.
public enum OutboundHTTP {
    public static func client(readTimeout: Duration) -> HTTPClient {
        HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(10), read: .init(readTimeout))))
    }

    /// A failed request in a few words: "timed out" for every kind of timeout.
    public static func describe(_ error: any Error) -> String {
        switch error as? HTTPClientError {
        case .deadlineExceeded?, .readTimeout?, .connectTimeout?: "timed out"
        default: "\(error)"
        }
    }
}
