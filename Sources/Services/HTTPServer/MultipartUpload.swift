import Foundation
import Hummingbird
import NIOCore
import RunFiles
import StorageCore

/// Receives a multipart/form-data body as it arrives: each file of the chosen
/// field goes to disk under a temporary name and, when its part ends, is
/// handed to `store`, which moves it into place and records it. Files in other fields are skipped, files
/// with a wrong extension or an unusable name are reported and skipped. A body
/// that ends inside a part leaves nothing of that part behind.
struct MultipartUpload {
    let field: String
    let type: FileType
    let folder: String
    let limit: Int64
    let store: (String, UploadFile) async throws -> Void
    private var stream: MultipartStream

    private(set) var uploaded: [String] = []
    private(set) var errors: [String] = []
    /// Parts of `field` seen, accepted or not.
    private(set) var parts = 0
    private var headers: [String: String] = [:]
    private var sink: Sink = .undecided

    private enum Sink {
        case undecided
        case skip
        case file(UploadFile, name: String)
    }

    init(
        boundary: String, field: String, type: FileType, folder: String, limit: Int64,
        store: @escaping (String, UploadFile) async throws -> Void
    ) {
        self.field = field
        self.type = type
        self.folder = folder
        self.limit = limit
        self.store = store
        stream = MultipartStream(boundary: boundary)
    }

    /// The boundary of a multipart/form-data content type; nil for anything else.
    static func boundary(of contentType: String?) -> String? {
        guard let contentType, let mediaType = MediaType(from: contentType),
            mediaType.isType(.multipartForm), let boundary = mediaType.parameter?.value,
            mediaType.parameter?.name.lowercased() == "boundary", !boundary.isEmpty, boundary.count <= 200
        else { return nil }
        return boundary
    }

    mutating func receive(_ body: RequestBody) async throws {
        defer { abortOpenPart() }
        var chunks = body.makeAsyncIterator()
        while true {
            let next: ByteBuffer?
            do {
                next = try await chunks.next()
            } catch {
                throw ClientGone(cause: error)
            }
            guard let chunk = next else { break }
            let events: [MultipartStream.Event]
            do {
                events = try stream.feed(chunk)
            } catch {
                throw APIError.badRequest("the multipart body is malformed")
            }
            for event in events { try await handle(event) }
        }
        guard stream.isFinished else {
            throw APIError.badRequest("the upload ended before the end of its body; an unfinished file was not kept")
        }
    }

    private mutating func handle(_ event: MultipartStream.Event) async throws {
        switch event {
        case .header(let name, let value):
            headers[name.lowercased()] = value
        case .body(var buffer):
            if case .undecided = sink { sink = try decide() }
            if case .file(let file, _) = sink {
                try await file.write(contentsOf: Array(buffer.readableBytesView))
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            }
        case .partComplete:
            if case .undecided = sink { sink = try decide() }
            if case .file(let file, let name) = sink {
                sink = .skip
                if file.size == 0 {
                    file.abort()
                    errors.append("\(name): the file is empty")
                } else {
                    do {
                        try await store(name, file)
                    } catch {
                        file.abort()
                        throw error
                    }
                    uploaded.append(name)
                }
            }
            headers = [:]
            sink = .undecided
        }
    }

    private mutating func decide() throws -> Sink {
        let disposition = ContentDispositionHeader(headers["content-disposition"] ?? "")
        guard disposition.name == field else { return .skip }
        parts += 1
        guard let raw = disposition.filename, !raw.isEmpty else {
            errors.append("a part of '\(field)' has no file name")
            return .skip
        }
        guard let name = SafeFileName.make(raw) else {
            errors.append("'\(raw)' is not a usable file name")
            return .skip
        }
        guard type.accepts(name) else {
            let allowed = type.allowedExtensions.map { "." + $0 }.joined(separator: " ")
            errors.append("\(name): \(type.rawValue) files must end in \(allowed)")
            return .skip
        }
        return .file(try UploadFile(folder: folder, limit: limit), name: name)
    }

    private mutating func abortOpenPart() {
        if case .file(let file, _) = sink { file.abort() }
        sink = .undecided
    }
}

/// The `name` and `filename` of a Content-Disposition header; `filename*`
/// (RFC 5987, UTF-8) wins over `filename` when both are given.
struct ContentDispositionHeader {
    var name: String?
    var filename: String?

    init(_ header: String) {
        var parameters: [String: String] = [:]
        var scanner = Substring(header)
        _ = Self.token(&scanner)  // form-data
        while let semicolon = scanner.firstIndex(of: ";") {
            scanner = scanner[scanner.index(after: semicolon)...].drop(while: { $0 == " " || $0 == "\t" })
            guard let equals = scanner.firstIndex(of: "=") else { break }
            let key = scanner[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            scanner = scanner[scanner.index(after: equals)...]
            parameters[key] = scanner.first == "\"" ? Self.quoted(&scanner) : Self.token(&scanner)
        }
        name = parameters["name"]
        if let extended = parameters["filename*"], let decoded = Self.decodeExtended(extended) {
            filename = decoded
        } else {
            filename = parameters["filename"]
        }
    }

    private static func token(_ scanner: inout Substring) -> String {
        let end = scanner.firstIndex(of: ";") ?? scanner.endIndex
        defer { scanner = scanner[end...] }
        return scanner[..<end].trimmingCharacters(in: .whitespaces)
    }

    private static func quoted(_ scanner: inout Substring) -> String {
        var value = ""
        var index = scanner.index(after: scanner.startIndex)
        while index < scanner.endIndex, scanner[index] != "\"" {
            // Browsers send Windows paths with bare backslashes: only `\"` is an escape.
            let after = scanner.index(after: index)
            if scanner[index] == "\\", after < scanner.endIndex, scanner[after] == "\"" {
                index = after
            }
            value.append(scanner[index])
            index = scanner.index(after: index)
        }
        scanner = index < scanner.endIndex ? scanner[scanner.index(after: index)...] : scanner[index...]
        return value
    }

    private static func decodeExtended(_ value: String) -> String? {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].lowercased() == "utf-8" else { return nil }
        return String(parts[2]).removingPercentEncoding
    }
}
