import Foundation
import NIOCore

extension S3Client {
    /// Stores the file at `path` under `key`: in one request when it fits in
    /// a part, else as a multipart upload, one part in memory at a time.
    public func upload(file path: String, as key: String, contentType: String? = nil) async throws {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try await upload(as: key, contentType: contentType) { limit in
            try handle.read(upToCount: limit).map { ByteBuffer(bytes: $0) } ?? ByteBuffer()
        }
    }

    /// Stores what `next` hands out (an empty buffer at the end) under `key`.
    /// `next(n)` gives at most `n` bytes.
    public func upload(
        as key: String, contentType: String? = nil, next: (Int) async throws -> ByteBuffer
    ) async throws {
        let partSize = max(configuration.partSize, 5 * 1024 * 1024)
        var first = try await fill(partSize, next)
        if first.readableBytes < partSize {
            return try await put(key, first, contentType: contentType)
        }
        let headers = contentType.map { [("Content-Type", $0)] } ?? []
        let started = try await send(
            Call(
                operation: "start upload of \(key)", method: .POST, key: key, query: [("uploads", "")], headers: headers
            ))
        guard let uploadID = S3XML.value("UploadId", in: try await Self.text(of: started, limit: 64 * 1024)) else {
            throw S3Error.protocolViolation("no UploadId for \(key)")
        }
        do {
            var etags: [String] = []
            while first.readableBytes > 0 {
                let number = etags.count + 1
                let response = try await send(
                    Call(
                        operation: "upload part \(number) of \(key)", method: .PUT, key: key,
                        query: [("partNumber", String(number)), ("uploadId", uploadID)], body: first))
                guard let etag = response.headers.first(name: "ETag") else {
                    throw S3Error.protocolViolation("no ETag for part \(number) of \(key)")
                }
                etags.append(etag)
                first = try await fill(partSize, next)
            }
            let parts = etags.enumerated().map {
                "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(S3XML.escape($0.element))</ETag></Part>"
            }.joined()
            let completed = try await send(
                Call(
                    operation: "complete upload of \(key)", method: .POST, key: key, query: [("uploadId", uploadID)],
                    body: ByteBuffer(string: "<CompleteMultipartUpload>\(parts)</CompleteMultipartUpload>")))
            // S3 may report a failed completion inside a 200.
            let text = try await Self.text(of: completed, limit: 64 * 1024)
            if let code = S3XML.value("Code", in: text), text.contains("<Error>") {
                throw S3Error.service(
                    status: 200, code: code, message: S3XML.value("Message", in: text) ?? "",
                    operation: "complete upload of \(key)")
            }
        } catch {
            _ = try? await send(
                Call(
                    operation: "abort upload of \(key)", method: .DELETE, key: key, query: [("uploadId", uploadID)],
                    accepted: [404]))
            throw error
        }
    }

    /// Up to `size` bytes from `next`, fewer only at the end.
    private func fill(_ size: Int, _ next: (Int) async throws -> ByteBuffer) async throws -> ByteBuffer {
        var part = ByteBuffer()
        part.reserveCapacity(size)
        while part.readableBytes < size {
            var chunk = try await next(size - part.readableBytes)
            if chunk.readableBytes == 0 { break }
            part.writeBuffer(&chunk)
        }
        return part
    }
}
