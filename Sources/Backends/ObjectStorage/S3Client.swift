import AsyncHTTPClient
import CoreMetrics
import Foundation
import NIOCore
import NIOHTTP1
import OutboundHTTP

/// A small S3 client: SigV4-signed requests over AsyncHTTPClient, retried
/// with backoff while the service fails or cannot be reached, each with a
/// deadline. Bodies go up from memory one part at a time and come down as
/// streams, so memory does not grow with an object's size.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    let http: HTTPClient
    let clock: @Sendable () -> Date

    /// One client for the process; `send` does the retrying, within the store's window.
    public static let sharedHTTP = OutboundHTTP.client(readTimeout: .seconds(60), retryingConnections: false)

    public init(
        _ configuration: S3Configuration, http: HTTPClient = S3Client.sharedHTTP,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.configuration = configuration
        self.http = http
        self.clock = clock
    }

    /// One request as the client sends it; `body` is resent on a retry.
    struct Call {
        var operation: String
        var method: HTTPMethod
        var key: String?
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        var body: ByteBuffer?
        /// Statuses that are answers, not failures (404 for a HEAD, say).
        var accepted: Set<Int> = []
    }

    /// Sends `call`, retrying 5xx, throttling and unreachable service until
    /// the retry window closes. The response's body is the caller's to read.
    func send(_ call: Call) async throws -> HTTPClientResponse {
        let deadline = ContinuousClock.now + configuration.retryWindow
        // Each attempt is signed anew (its time changes); the body's hash does not.
        let payloadHash = call.body.map { SigV4.hex(SHA256Digest.of($0)) } ?? SigV4.emptyPayloadHash
        var pause = Duration.milliseconds(200)
        while true {
            let failure: String
            do {
                let response = try await http.execute(
                    request(for: call, payloadHash: payloadHash), timeout: TimeAmount(configuration.requestTimeout))
                let status = Int(response.status.code)
                if (200..<300).contains(status) || call.accepted.contains(status) { return response }
                let text = try await Self.text(of: response, limit: 64 * 1024)
                Self.countError(call, reason: status >= 500 ? "server_error" : "http_\(status)")
                guard status >= 500 || status == 429 || status == 408 else {
                    throw S3Error.service(
                        status: status, code: S3XML.value("Code", in: text) ?? "",
                        message: S3XML.value("Message", in: text) ?? "", operation: call.operation)
                }
                failure = "HTTP \(status) \(S3XML.value("Code", in: text) ?? "")"
            } catch let error as S3Error {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                Self.countError(call, reason: "unreachable")
                failure = OutboundHTTP.describe(error)
            }
            guard ContinuousClock.now + pause < deadline else {
                throw S3Error.unavailable(
                    operation: call.operation, reason: "\(failure) (retried for \(configuration.retryWindow))")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
        }
    }

    /// Every failed request, retried or not, by method and why; through
    /// swift-metrics, so the process decides where it goes.
    static func countError(_ call: Call, reason: String) {
        Counter(
            label: "yt_builder_object_store_request_errors_total",
            dimensions: [("method", call.method.rawValue), ("reason", reason)]
        ).increment()
    }

    func request(for call: Call, payloadHash: String) -> HTTPClientRequest {
        let (host, path) = configuration.address(ofKey: call.key)
        let signed = configuration.signer.signedHeaders(
            SigV4.Request(
                method: call.method.rawValue, host: host, path: path, query: call.query, headers: call.headers,
                payloadHash: payloadHash),
            at: clock())
        let query = call.query.isEmpty ? "" : "?" + SigV4.canonicalQuery(call.query)
        var request = HTTPClientRequest(url: "\(configuration.endpoint.scheme!)://\(host)\(path)\(query)")
        request.method = call.method
        for (name, value) in signed where name != "host" { request.headers.add(name: name, value: value) }
        if let body = call.body {
            request.body = .bytes(body)
        } else if call.method == .PUT || call.method == .POST {
            request.headers.add(name: "Content-Length", value: "0")
        }
        return request
    }

    /// The body as text, refusing more than `limit` bytes (error documents, listings).
    static func text(of response: HTTPClientResponse, limit: Int) async throws -> String {
        let buffer = try await response.body.collect(upTo: limit)
        return String(buffer: buffer)
    }
}
