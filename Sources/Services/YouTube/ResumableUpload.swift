import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RunFiles
import StorageCore

/// YouTube's resumable upload protocol: open a session, send the file in
/// chunks, and after any error (or a restart, given the session URL) ask the
/// server how much it has and go on from there. 5xx answers and network
/// errors are retried with exponential backoff and jitter; a 4xx stops with
/// the server's message; a 401 gets a fresh token once.
public struct ResumableUpload: Sendable {
    public static let defaultChunkSize = 8 << 20

    let endpoint: String
    let http: HTTPClient
    /// A multiple of 256 KiB, as Google asks.
    public var chunkSize = defaultChunkSize
    public var maximumRetries = 8
    public var firstDelay: Duration = .milliseconds(500)

    public init(endpoint: String, http: HTTPClient = GoogleHTTP.client) {
        self.endpoint = endpoint
        self.http = http
    }

    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// YouTube said no (a 4xx): quota, a bad request, no permission.
        case refused(status: Int, message: String)
        /// Still failing after every retry.
        case gaveUp(String)

        public var description: String {
            switch self {
            case .refused(let status, let message): "YouTube refused the upload (HTTP \(status)): \(message)"
            case .gaveUp(let reason): "the upload kept failing: \(reason)"
            }
        }
    }

    public struct Result: Hashable, Sendable {
        public var videoID: String
        public var videoURL: String { "https://www.youtube.com/watch?v=\(videoID)" }
    }

    /// Uploads `file`; `session` continues an earlier attempt. `onSession` hears
    /// a new session URL (store it to resume after a restart), `progress` the
    /// bytes the server has.
    public func upload(
        file: String, request: UploadRequest, session: String?,
        token: @escaping @Sendable (Bool) async throws -> String,
        onSession: @escaping @Sendable (String) async throws -> Void,
        progress: @escaping @Sendable (Int64) async -> Void
    ) async throws -> Result {
        let size = try Self.size(of: file)
        var session = session
        var attempt = 0
        var refreshed = false
        while true {
            try Task.checkCancellation()
            do {
                if session == nil {
                    let url = try await open(size: size, request: request, token: try await token(false))
                    try await onSession(url)
                    session = url
                }
                guard let url = session else { continue }
                var offset: Int64
                switch try await status(url, size: size) {
                case .done(let id): return Result(videoID: id)
                case .expired:
                    session = nil
                    continue
                case .received(let received): offset = received
                }
                await progress(offset)
                while true {
                    switch try await send(url, file: file, from: offset, size: size) {
                    case .done(let id):
                        await progress(size)
                        return Result(videoID: id)
                    case .expired:
                        session = nil
                    case .received(let received):
                        offset = received
                        attempt = 0
                        await progress(offset)
                        continue
                    }
                    break
                }
            } catch let failure as Failure {
                throw failure
            } catch Retry.unauthorized where !refreshed {
                refreshed = true
                _ = try await token(true)
            } catch {
                if error is CancellationError { throw error }
                attempt += 1
                guard attempt <= maximumRetries else { throw Failure.gaveUp("\(error)") }
                try await Task.sleep(for: delay(attempt))
            }
        }
    }

    enum Retry: Error {
        case unauthorized
        case server(Int)
        case network(String)
    }

    enum Progress {
        case received(Int64)
        case done(String)
        case expired
    }

    /// Exponential, capped at 32 s, with full jitter.
    func delay(_ attempt: Int) -> Duration {
        let ceiling = min(firstDelay * (1 << min(attempt - 1, 6)), .seconds(32))
        return ceiling * Double.random(in: 0.5...1)
    }

    private func open(size: Int64, request: UploadRequest, token: String) async throws -> String {
        var http = HTTPClientRequest(
            url: endpoint + (endpoint.contains("?") ? "&" : "?") + "uploadType=resumable&part=snippet,status")
        http.method = .POST
        http.headers.add(name: "Authorization", value: "Bearer \(token)")
        http.headers.add(name: "Content-Type", value: "application/json; charset=UTF-8")
        http.headers.add(name: "X-Upload-Content-Type", value: "video/mp4")
        http.headers.add(name: "X-Upload-Content-Length", value: String(size))
        http.body = .bytes(ByteBuffer(string: request.metadata.jsonText))
        let response = try await execute(http)
        try await Self.check(response)
        guard let location = response.headers.first(name: "Location") else {
            throw Retry.server(Int(response.status.code))
        }
        return location
    }

    private func status(_ session: String, size: Int64) async throws -> Progress {
        var http = HTTPClientRequest(url: session)
        http.method = .PUT
        http.headers.add(name: "Content-Range", value: "bytes */\(size)")
        http.headers.add(name: "Content-Length", value: "0")
        return try await progress(of: try await execute(http))
    }

    private func send(_ session: String, file: String, from offset: Int64, size: Int64) async throws -> Progress {
        let length = Int(min(Int64(chunkSize), size - offset))
        let chunk = try await BlockingIO.run { try Self.read(file, at: offset, length: length) }
        var http = HTTPClientRequest(url: session)
        http.method = .PUT
        http.headers.add(name: "Content-Range", value: "bytes \(offset)-\(offset + Int64(length) - 1)/\(size)")
        http.headers.add(name: "Content-Length", value: String(length))
        http.body = .bytes(ByteBuffer(bytes: chunk))
        return try await progress(of: try await execute(http))
    }

    private func progress(of response: HTTPClientResponse) async throws -> Progress {
        switch response.status.code {
        case 308:
            // "Range: bytes=0-N": the server has N+1 bytes; no Range: none yet.
            let range = response.headers.first(name: "Range")
            let last = range.flatMap { $0.split(separator: "-").last }.flatMap { Int64($0) }
            _ = try? await response.body.collect(upTo: 1 << 16)
            return .received(last.map { $0 + 1 } ?? 0)
        case 200, 201:
            let body = try await response.body.collect(upTo: 1 << 20)
            guard let id = JSONValue(jsonText: String(buffer: body))?.objectValue?["id"]?.stringValue else {
                throw Failure.refused(status: Int(response.status.code), message: "the answer names no video id")
            }
            return .done(id)
        case 404, 410:
            _ = try? await response.body.collect(upTo: 1 << 16)
            return .expired
        default:
            try await Self.check(response)
            throw Retry.server(Int(response.status.code))
        }
    }

    private func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        do {
            return try await http.execute(request, timeout: .seconds(120))
        } catch {
            throw Retry.network(String(describing: type(of: error)))
        }
    }

    /// 2xx passes; 401 asks for a fresh token; another 4xx is final; 5xx is retried.
    static func check(_ response: HTTPClientResponse) async throws {
        let code = Int(response.status.code)
        if (200..<300).contains(code) || code == 308 { return }
        let body = (try? await response.body.collect(upTo: 1 << 20)).map { String(buffer: $0) } ?? ""
        if code == 401 { throw Retry.unauthorized }
        if (400..<500).contains(code) {
            let error = JSONValue(jsonText: body)?.objectValue?["error"]
            let message = error?.objectValue?["message"]?.stringValue ?? error?.stringValue ?? "HTTP \(code)"
            throw Failure.refused(status: code, message: message)
        }
        throw Retry.server(code)
    }

    static func size(of file: String) throws -> Int64 {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
            let size = (attributes[.size] as? NSNumber)?.int64Value, size > 0
        else { throw Failure.refused(status: 0, message: "the video file \(file) is missing or empty") }
        return size
    }

    static func read(_ file: String, at offset: Int64, length: Int) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw Failure.refused(status: 0, message: "the video file \(file) cannot be read")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        return try handle.read(upToCount: length) ?? Data()
    }
}
