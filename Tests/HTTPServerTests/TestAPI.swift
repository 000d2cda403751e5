import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import LegacyFixtures
import NIOCore
import PostgresStorage
import SQLiteStorage
import StorageCore
import Suno
import TestPostgres
import Testing
import VideoSettings
import YouTube

/// The two backends every API test runs on.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    func open(in folder: URL) async throws -> any Storage {
        try await openWithSQL(in: folder).storage
    }

    /// The store, and a way to run SQL on its database behind its back (as a
    /// hand edit or an older program would).
    func openWithSQL(in folder: URL) async throws -> (storage: any Storage, sql: @Sendable (String) throws -> Void) {
        switch self {
        case .sqlite:
            let path = folder.appendingPathComponent("test.db").path
            return (try await SQLiteStorage.open(path: path), { try LegacyFixture.execute($0, on: path) })
        case .postgres:
            let server = try TestPostgres.shared()
            let (url, database) = try server.freshDatabaseNamed()
            return (try await PostgresStorage.open(url: url), { try server.execute($0, database: database) })
        }
    }
}

/// A server's parts for one test: a fresh database, a data directory of its own.
struct TestAPI: Sendable {
    let storage: any Storage
    let settings: ServerSettings
    let folder: URL
    /// SQL run on the database directly.
    let sql: @Sendable (String) throws -> Void

    static func with(
        _ backend: Backend, configure: (inout ServerSettings) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, TestAPI) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yt-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (storage, sql) = try await backend.openWithSQL(in: folder)
        var settings = ServerSettings(
            dataDirectory: folder.appendingPathComponent("data").path,
            fonts: FontCatalog(files: [:], families: ["DejaVu Sans", "DejaVu Serif"]))
        settings.secretBox = SecretBox(key: .init(size: .bits256))
        // A closed local port: no test sends traffic off this machine (the import tests set their fake).
        settings.suno = SunoSettings(apiURL: "http://127.0.0.1:9", audioHosts: ["127.0.0.1"])
        configure(&settings)
        let api = TestAPI(storage: storage, settings: settings, folder: folder, sql: sql)
        let app = Application(router: buildRouter(storage: storage, settings: settings))
        do {
            try await app.test(.router) { client in try await body(client, api) }
        } catch {
            await storage.close()
            throw error
        }
        await storage.close()
    }
}

extension TestAPI {
    /// A file in the shared videos folder, which a job created by `POST /api/jobs` takes.
    func addSharedClip(_ name: String = "shared.mp4", _ bytes: Data = Data("clip".utf8)) throws {
        let folder = settings.dataDirectory + "/videos"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: folder + "/" + name))
    }
}

/// A response body as a JSON object; fails the test when it is not one.
func object(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: JSONValue] {
    let text = String(buffer: response.body)
    guard case .object(let object) = JSONValue(jsonText: text) else {
        Issue.record("not a JSON object: \(text)", sourceLocation: sourceLocation)
        throw TestFailure("not a JSON object")
    }
    return object
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    var int: Int64? { if case .int(let value) = self { value } else { nil } }
    var string: String? { if case .string(let value) = self { value } else { nil } }
    var array: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    var object: [String: JSONValue]? { if case .object(let value) = self { value } else { nil } }
}

/// Builds multipart/form-data bodies the way browsers and curl send them.
enum Multipart {
    static let boundary = "----yt-builder-test-7d1f"
    static let contentType = "multipart/form-data; boundary=\(boundary)"

    struct Part {
        var field = "files"
        var filename: String?
        var bytes: [UInt8]
    }

    static func file(_ name: String, _ text: String = "data", field: String = "files") -> Part {
        Part(field: field, filename: name, bytes: Array(text.utf8))
    }

    static func body(_ parts: [Part], closed: Bool = true) -> ByteBuffer {
        var buffer = ByteBuffer()
        for part in parts {
            buffer.writeString("--\(boundary)\r\n")
            var disposition = "Content-Disposition: form-data; name=\"\(part.field)\""
            if let filename = part.filename {
                disposition += "; filename=\"\(filename.replacingOccurrences(of: "\"", with: "\\\""))\""
            }
            buffer.writeString(disposition + "\r\nContent-Type: application/octet-stream\r\n\r\n")
            buffer.writeBytes(part.bytes)
            buffer.writeString("\r\n")
        }
        if closed { buffer.writeString("--\(boundary)--\r\n") }
        return buffer
    }
}

extension TestClientProtocol {
    @discardableResult
    func json(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func upload(_ jobID: Int64, _ type: String, _ parts: [Multipart.Part], headers: HTTPFields = [:]) async throws
        -> TestResponse
    {
        var headers = headers
        headers[.contentType] = Multipart.contentType
        return try await execute(
            uri: "/api/jobs/\(jobID)/upload/\(type)", method: .post, headers: headers, body: Multipart.body(parts))
    }

    /// A new preparing job's id.
    func prepare(headers: HTTPFields = [:]) async throws -> Int64 {
        let response = try await json(.post, "/api/jobs/prepare", headers: headers)
        #expect(response.status == .ok)
        guard let id = try object(response)["job_id"]?.int else { throw TestFailure("prepare gave no job_id") }
        return id
    }
}
