import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import Render
import StorageCore
import Testing

/// Random and malformed requests at every route of the OpenAPI document: never
/// a 5xx, and a job the requests do not name stays exactly as it was.
@Suite(.timeLimit(.minutes(5))) struct FuzzTests {
    static let requestsPerBackend = 2000

    /// Every (method, path template) the document lists.
    static func documentedOperations() throws -> [(HTTPRequest.Method, String)] {
        let response = try JSONValue(jsonText: OpenAPIDocumentText.text)?.object?["paths"]?.object ?? [:]
        return response.keys.sorted().flatMap { path in
            (response[path]?.object?.keys.sorted() ?? []).compactMap { method in
                HTTPRequest.Method(method.uppercased()).map { ($0, path) }
            }
        }
    }

    @Test(arguments: Backend.allCases) func randomRequests(_ backend: Backend) async throws {
        let operations = try Self.documentedOperations()
        #expect(operations.count >= 17, "every route is documented: \(operations.count)")
        try await TestAPI.with(backend) { client, api in
            // The bystander: a job with files and a config that no request names.
            let bystander = try await client.prepare()
            _ = try await client.upload(bystander, "videos", [Multipart.file("keep.mp4", "keep")])
            let before = try #require(try await api.storage.job(bystander))
            let filesBefore = try await api.storage.files(ofJob: bystander, type: nil)

            var random = SeededRandom(seed: 0x5EED_2026)
            var own: [Int64] = [try await client.prepare()]
            var statuses: [Int: Int] = [:]
            for index in 0..<Self.requestsPerBackend {
                let (method, template) = operations[Int.random(in: 0..<operations.count, using: &random)]
                let uri = FuzzInput.uri(template, ownJobs: own, avoiding: bystander, using: &random)
                let (headers, body) = FuzzInput.body(using: &random)
                let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
                statuses[Int(response.status.code), default: 0] += 1
                // Uploading to YouTube answers 501 until it is built, as documented.
                let allowed = template.hasSuffix("youtube/upload") && response.status == .notImplemented
                #expect(
                    response.status.code < 500 || allowed,
                    "#\(index) \(method) \(uri): \(String(buffer: response.body))")
                // Every error is JSON, but for the browser's page after Google's consent screen.
                if response.status.code >= 400, !uri.hasSuffix("/download"), !template.hasSuffix("/auth/callback") {
                    #expect(try object(response)["error"] != nil, "#\(index) \(method) \(uri) answers JSON")
                }
                if uri.hasSuffix("/prepare") || uri == "/api/jobs", method == .post,
                    let id = try? object(response)["job_id"]?.int
                {
                    own.append(id)
                }
            }
            #expect(try await api.storage.job(bystander) == before, "the bystander job is unchanged")
            #expect(try await api.storage.files(ofJob: bystander, type: nil) == filesBefore, "and its files")
            #expect(
                statuses.keys.contains(200) && statuses.keys.contains(400) && statuses.keys.contains(404), "\(statuses)"
            )
        }
    }
}

enum OpenAPIDocumentText {
    static var text: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("openapi/openapi.json"), encoding: .utf8)) ?? "{}"
    }
}

enum FuzzInput {
    static let segments = [
        "..", "%2e%2e", "%2F", "videos", "music", "sounds", "quotes", "pictures", "a.mp4", "é", "%00", "-1", "0",
        "99999999999999999999", "1e3", " ", "%20", "null", "<script>", "a%2Fb.mp4", "\u{1F600}",
    ]
    static let queries = [
        "", "?limit=1", "?limit=-5", "?limit=abc", "?after=1_1", "?after=x_y", "?status=queued", "?status=??",
        "?after=5", "?after=-3", "?limit=1000000", "?%ZZ=1",
    ]

    static func uri(
        _ template: String, ownJobs: [Int64], avoiding bystander: Int64, using random: inout SeededRandom
    )
        -> String
    {
        var path = ""
        for part in template.split(separator: "/", omittingEmptySubsequences: false) {
            if !path.isEmpty || part.isEmpty { path += path.isEmpty && part.isEmpty ? "" : "/" }
            switch part {
            case "{id}":
                let choice = Int.random(in: 0..<4, using: &random)
                if choice < 2, let own = ownJobs.randomElement(using: &random) {
                    path += String(own)
                } else if choice == 2 {
                    path += String(Int64.random(in: (bystander + 1_000)...Int64.max, using: &random))
                } else {
                    path += segments.randomElement(using: &random)!
                }
            case "{type}", "{name}":
                path +=
                    Int.random(in: 0..<3, using: &random) == 0
                    ? segments.randomElement(using: &random)!
                    : FileType.allCases.randomElement(using: &random)!.rawValue
            default:
                path += part
            }
        }
        return path + queries.randomElement(using: &random)!
    }

    static func body(using random: inout SeededRandom) -> (HTTPFields, ByteBuffer?) {
        switch Int.random(in: 0..<7, using: &random) {
        case 0:
            return ([:], nil)
        case 1:
            let bytes = (0..<Int.random(in: 0..<300, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            return ([.contentType: "application/json"], ByteBuffer(bytes: bytes))
        case 2:
            let keys = ["duration", "fps", "resolution", "transition", "music_volume", "quote_font", "seed", "x"]
            let values = [
                "0", "-1", "1e309", "\"1920x1080\"", "null", "true", "[]", "{}", "\"\u{0}\"", "60", "0.5",
                "\"fade\"", "123456789012345678901234567890", "\"DejaVu Sans\"",
            ]
            let members = (0..<Int.random(in: 0..<4, using: &random)).map { _ in
                "\"\(keys.randomElement(using: &random)!)\": \(values.randomElement(using: &random)!)"
            }
            return ([.contentType: "application/json"], ByteBuffer(string: "{" + members.joined(separator: ", ") + "}"))
        case 3:
            return ([.contentType: "text/plain"], ByteBuffer(string: "duration=5"))
        case 4:
            let names = ["a.mp4", "../x.mp3", "q.txt", "", "é.mkv", "x.exe", "\u{202E}gpj.mp4"]
            let parts = (0..<Int.random(in: 0..<3, using: &random)).map { _ in
                Multipart.file(names.randomElement(using: &random)!, "content")
            }
            return ([.contentType: Multipart.contentType], Multipart.body(parts, closed: Bool.random(using: &random)))
        case 5:
            return ([.contentType: "multipart/form-data; boundary=zz"], ByteBuffer(string: "--zz\r\ngarbage"))
        default:
            return ([.contentType: "multipart/form-data"], ByteBuffer(string: "no boundary"))
        }
    }
}
