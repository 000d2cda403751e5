import Hummingbird
import RunFiles
import StorageCore
import VideoSettings
import YouTube

/// An answer other than success: a status and a message for the client,
/// written as `{"error": message}` plus any extra keys.
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String
    var extra: [String: JSONValue] = [:]

    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, message: message) }

    var response: Response {
        var body = extra
        body["error"] = .string(message)
        return JSONResponse.make(.object(body), status: status)
    }
}

extension APIError {
    /// Every error a handler can meet, as the answer a client should see.
    /// Whatever is not the client's doing is a 5xx whose details stay in the log.
    init(_ error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as InvalidSetting:
            self.init(status: .badRequest, message: error.description, extra: ["field": .string(error.field)])
        case let error as StorageError:
            self.init(storage: error)
        case let error as YouTubeError:
            self.init(youtube: error)
        case let error as ResumableUpload.Failure:
            self.init(status: .badGateway, message: error.description)
        case let error as UploadFile.WriteError:
            switch error {
            case .tooLarge(let limit):
                self.init(status: .contentTooLarge, message: "a file is larger than the limit of \(limit) bytes")
            }
        case is ClientGone:
            self.init(status: .init(code: 499, reasonPhrase: "Client Closed Request"), message: "the client went away")
        case let error as FileSystemError:
            self =
                error.isNoSpace
                ? APIError(
                    status: .insufficientStorage,
                    message: "no space left on the data directory; try again once space is freed")
                : APIError(
                    status: .serviceUnavailable,
                    message: "the data directory cannot be written (\(error.reason)); try again")
        case is RunFileStoreUnavailable:
            self.init(
                status: .serviceUnavailable,
                message: "the object store holding jobs' files cannot be reached; try again")
        case let error as RunDirectoryRefused:
            self.init(status: .conflict, message: error.description)
        case let error as HTTPError:
            self.init(status: error.status, message: error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            self.init(status: error.status, message: error.status.reasonPhrase)
        default:
            self.init(status: .internalServerError, message: "internal error")
        }
    }

    init(youtube error: YouTubeError) {
        switch error {
        case .notConfigured, .badState: self.init(status: .badRequest, message: error.description)
        case .authorizationNeeded:
            self.init(status: .unauthorized, message: error.description, extra: ["requires_reauth": .bool(true)])
        case .google: self.init(status: .badGateway, message: error.description)
        case .storedCredentials: self.init(status: .internalServerError, message: error.description)
        }
    }

    init(storage error: StorageError) {
        switch error.kind {
        case .notFound: self.init(status: .notFound, message: error.message)
        // The earlier service answered 400 for a job in the wrong state; its clients expect that.
        case .invalidInput, .invalidTransition: self.init(status: .badRequest, message: error.message)
        case .conflict: self.init(status: .conflict, message: error.message)
        // Both backends say "the disk is full" for SQLITE_FULL and SQLSTATE 53100.
        case .unavailable where error.message.hasPrefix("the disk is full"):
            self.init(
                status: .insufficientStorage,
                message: "no space left on the database's disk; try again once space is freed")
        case .unavailable: self.init(status: .serviceUnavailable, message: "the database is unavailable; try again")
        case .incompatibleSchema, .corruptDatabase: self.init(status: .internalServerError, message: "internal error")
        }
    }
}

/// Reading the request's body failed: the client disconnected or broke the
/// connection. Not the server's fault: answered (to nobody) and counted as 499,
/// as nginx does, and not logged as an error.
struct ClientGone: Error {
    var cause: any Error
}

/// Turns every error into a JSON answer and logs the ones that are the
/// server's fault with what caused them.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let answer = APIError(error)
            if answer.status.code >= 500 {
                context.logger.error(
                    "request failed",
                    metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)"])
            }
            return answer.response
        }
    }
}

extension HTTPResponse.Status {
    /// 507: the disk is full (RFC 4918); HTTPTypes names no such status.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}
