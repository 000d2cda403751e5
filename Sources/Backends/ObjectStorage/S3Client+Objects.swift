import AsyncHTTPClient
import Foundation
import NIOCore
import OutboundHTTP
import RunFiles

/// An object as a listing or a HEAD describes it; `key` is relative to the prefix.
public struct S3Object: Hashable, Sendable {
    public var key: String
    public var size: Int64
    /// The entity tag a HEAD answers with (listings leave it out).
    public var etag: String? = nil
}

/// What a conditional put expects to replace.
public enum S3Precondition: Hashable, Sendable {
    /// No object under the key.
    case absent
    /// The object with this entity tag.
    case matches(String)
}

/// How a conditional put ended.
public enum S3ConditionalPut: Hashable, Sendable {
    /// Stored; the new entity tag, when the store gave one.
    case stored(etag: String?)
    /// The object was not as expected; nothing changed.
    case refused
}

extension S3Client {
    /// Creates the bucket; one that is already there and ours is fine.
    public func createBucket() async throws {
        var body: ByteBuffer?
        if configuration.signer.region != "us-east-1" {
            body = ByteBuffer(
                string: "<CreateBucketConfiguration><LocationConstraint>\(configuration.signer.region)"
                    + "</LocationConstraint></CreateBucketConfiguration>")
        }
        let response = try await send(
            Call(operation: "create bucket", method: .PUT, key: nil, body: body, accepted: [409]))
        let text = try await Self.text(of: response, limit: 64 * 1024)
        if response.status.code == 409, S3XML.value("Code", in: text) != "BucketAlreadyOwnedByYou" {
            throw S3Error.service(
                status: 409, code: S3XML.value("Code", in: text) ?? "", message: S3XML.value("Message", in: text) ?? "",
                operation: "create bucket")
        }
    }

    /// Stores `bytes` under `key` in one request.
    public func put(_ key: String, _ bytes: ByteBuffer, contentType: String? = nil) async throws {
        let headers = contentType.map { [("Content-Type", $0)] } ?? []
        _ = try await send(Call(operation: "put \(key)", method: .PUT, key: key, headers: headers, body: bytes))
    }

    /// Stores `bytes` under `key` only if what is there is as `expected`
    /// (S3's conditional writes). A store that ignores the condition just stores.
    public func put(_ key: String, _ bytes: ByteBuffer, expecting expected: S3Precondition) async throws
        -> S3ConditionalPut
    {
        let header =
            switch expected {
            case .absent: ("If-None-Match", "*")
            case .matches(let etag): ("If-Match", etag)
            }
        // 412: another object is there; 404: none is (If-Match); 409: a concurrent conditional write won.
        let response = try await send(
            Call(
                operation: "put \(key)", method: .PUT, key: key, headers: [header], body: bytes,
                accepted: [404, 409, 412]))
        guard (200..<300).contains(Int(response.status.code)) else {
            _ = try? await Self.text(of: response, limit: 64 * 1024)
            return .refused
        }
        return .stored(etag: response.headers.first(name: "ETag"))
    }

    /// The whole object, refused beyond `limit` bytes: for small things (a log).
    public func data(_ key: String, limit: Int) async throws -> ByteBuffer {
        let response = try await send(Call(operation: "get \(key)", method: .GET, key: key))
        do {
            return try await response.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw S3Error.protocolViolation("\(key) is larger than \(limit) bytes")
        }
    }

    /// The object's bytes as they arrive (or nil when there is none), with its size and entity tag.
    public func stream(_ key: String) async throws -> (size: Int64?, etag: String?, body: HTTPClientResponse.Body)? {
        let response = try await send(Call(operation: "get \(key)", method: .GET, key: key, accepted: [404]))
        guard response.status.code != 404 else { return nil }
        let size = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        return (size, response.headers.first(name: "ETag"), response.body)
    }

    /// Writes the object to `path` (through a temporary file beside it, so a
    /// broken transfer leaves nothing at `path`). Retried whole while the
    /// store is unreachable. Returns the entity tag of what was written.
    @discardableResult
    public func download(_ key: String, to path: String) async throws -> String? {
        let partial = path + ".part-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: partial) }
        let deadline = ContinuousClock.now + configuration.retryWindow
        while true {
            do {
                guard let (size, etag, body) = try await stream(key) else {
                    throw S3Error.service(status: 404, code: "NoSuchKey", message: "", operation: "get \(key)")
                }
                // The folder is made once there is something to put in it.
                try? FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: partial, contents: nil) else {
                    throw S3Error.protocolViolation("cannot create \(partial)")
                }
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
                defer { try? handle.close() }
                var written: Int64 = 0
                for try await chunk in body {
                    let bytes = Array(chunk.readableBytesView)
                    try await BlockingIO.run { try handle.write(contentsOf: bytes) }
                    written += Int64(bytes.count)
                }
                if let size, size != written {
                    throw S3Error.unavailable(operation: "get \(key)", reason: "\(written) of \(size) bytes arrived")
                }
                try await BlockingIO.run { try handle.synchronize() }
                // rename(2) replaces a file already there (an earlier attempt's copy).
                guard rename(partial, path) == 0 else {
                    throw S3Error.protocolViolation(
                        "cannot move the download to \(path): \(String(cString: strerror(errno)))")
                }
                return etag
            } catch let error as S3Error {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // The body broke off: ask again while the window is open.
                guard ContinuousClock.now < deadline else {
                    throw S3Error.unavailable(operation: "get \(key)", reason: OutboundHTTP.describe(error))
                }
                try? FileManager.default.removeItem(atPath: partial)
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Copies the object `source` to `key` inside the bucket, without its
    /// bytes passing through this host (S3's CopyObject: up to 5 GB).
    public func copy(_ source: String, to key: String) async throws {
        let path = "/\(configuration.bucket)/" + SigV4.uriEncode(configuration.prefix + source, encodeSlash: false)
        let response = try await send(
            Call(operation: "copy \(source) to \(key)", method: .PUT, key: key, headers: [("x-amz-copy-source", path)]))
        // A copy can fail after its 200 has been sent: the error is then the body.
        let text = try await Self.text(of: response, limit: 64 * 1024)
        if let code = S3XML.value("Code", in: text), text.contains("<Error>") {
            throw S3Error.service(
                status: 200, code: code, message: S3XML.value("Message", in: text) ?? "", operation: "copy \(source)")
        }
    }

    /// The object's size, or nil when there is no such object.
    public func head(_ key: String) async throws -> S3Object? {
        let response = try await send(Call(operation: "head \(key)", method: .HEAD, key: key, accepted: [404]))
        guard response.status.code != 404 else { return nil }
        guard let size = response.headers.first(name: "Content-Length").flatMap({ Int64($0) }) else {
            throw S3Error.protocolViolation("HEAD \(key) gave no Content-Length")
        }
        return S3Object(key: key, size: size, etag: response.headers.first(name: "ETag"))
    }

    /// Removes the object; one that is not there is fine.
    public func delete(_ key: String) async throws {
        _ = try await send(Call(operation: "delete \(key)", method: .DELETE, key: key, accepted: [404]))
    }

    /// Every object whose key starts with `prefix` (relative to the store's
    /// prefix), a page at a time, in key order.
    public func list(prefix: String) async throws -> [S3Object] {
        var objects: [S3Object] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", configuration.prefix + prefix)]
            if let token { query.append(("continuation-token", token)) }
            let response = try await send(Call(operation: "list \(prefix)", method: .GET, key: nil, query: query))
            let text = try await Self.text(of: response, limit: 16 * 1024 * 1024)
            for block in S3XML.blocks("Contents", in: text) {
                guard let key = S3XML.value("Key", in: block), key.hasPrefix(configuration.prefix),
                    let size = S3XML.value("Size", in: block).flatMap({ Int64($0) })
                else { throw S3Error.protocolViolation("a listing entry without a key or size") }
                objects.append(S3Object(key: String(key.dropFirst(configuration.prefix.count)), size: size))
            }
            token =
                S3XML.value("IsTruncated", in: text) == "true" ? S3XML.value("NextContinuationToken", in: text) : nil
        } while token != nil
        return objects
    }

    /// Checks that the bucket is there and the keys may list it: one request
    /// (a listing of at most one key). A clear error otherwise.
    public func checkAccess() async throws {
        let query = [("list-type", "2"), ("max-keys", "1"), ("prefix", configuration.prefix)]
        do {
            _ = try await send(Call(operation: "list \(configuration.location)", method: .GET, key: nil, query: query))
        } catch S3Error.service(let status, let code, _, _) where code == "NoSuchBucket" || status == 404 {
            throw S3Error.configuration(
                "the bucket \(configuration.bucket) does not exist at \(configuration.endpoint): create it first")
        }
    }

    /// Removes every object under `prefix`; how many there were.
    @discardableResult
    public func deleteAll(prefix: String) async throws -> Int {
        let objects = try await list(prefix: prefix)
        for object in objects { try await delete(object.key) }
        return objects.count
    }

    /// A URL that lets anyone holding it GET the object until it expires.
    public func presignedURL(_ key: String, expires: Duration) -> String {
        let (host, path) = configuration.address(ofKey: key)
        let query = configuration.signer.presignedQuery(
            SigV4.Request(method: "GET", host: host, path: path), at: clock(),
            expires: Int(expires.components.seconds))
        return "\(configuration.endpoint.scheme!)://\(host)\(path)?\(query)"
    }
}
