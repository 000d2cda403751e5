import Hummingbird
import NIOCore
import StorageCore

enum JSONResponse {
    static let contentType = "application/json; charset=utf-8"

    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let text = value.jsonText
        return Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Reading a JSON request body: the right content type, a size limit, an object.
enum JSONBody {
    /// The posted object; an empty object when the body is empty and `optional`.
    static func object(of request: Request, limit: Int, optional: Bool) async throws -> [String: JSONValue] {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            throw ClientGone(cause: error)
        }
        if buffer.readableBytes == 0 {
            if optional { return [:] }
            throw APIError.badRequest("the request needs a JSON object as its body")
        }
        let mediaType = request.headers[.contentType].flatMap { MediaType(from: $0) }
        guard let mediaType, mediaType.isType(.applicationJson) else {
            throw APIError(
                status: .unsupportedMediaType,
                message: "the body must be JSON with Content-Type: application/json, not "
                    + (request.headers[.contentType].map { "'\($0)'" } ?? "no content type"))
        }
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        guard let value = JSONValue(jsonText: text) else { throw APIError.badRequest("the body is not valid JSON") }
        guard case .object(let object) = value else { throw APIError.badRequest("the body must be a JSON object") }
        return object
    }
}
