import AsyncHTTPClient
import OutboundHTTP

/// The client for Google's endpoints (OAuth, uploads), one for the process.
/// It never follows a redirect: these requests carry tokens and the client
/// secret, which must not reach another host. Each request has its deadline.
public enum GoogleHTTP {
    public static let client = OutboundHTTP.client(readTimeout: .seconds(120))
}
