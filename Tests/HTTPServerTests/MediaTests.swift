import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import StorageCore
import Testing

/// The earlier service's `GET /api/files` and `GET /fonts/{name}`.
@Suite struct MediaTests {
    func write(_ data: Data, _ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }

    @Test(arguments: Backend.allCases) func sharedFilesAreListedByFolder(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let data = api.settings.dataDirectory
            let empty = try object(try await client.json(.get, "/api/files"))
            #expect(empty == ["videos": .array([]), "music": .array([]), "sounds": .array([]), "quotes": .array([])])
            for name in [
                "videos/b.mp4", "videos/a.MOV", "videos/notes.txt", "videos/.hidden.mp4", "music/song.mp3",
                "music/cover.jpg", "quotes/q.txt", "quotes/z.txt",
            ] {
                try write(Data("x".utf8), data + "/" + name)
            }
            try FileManager.default.createDirectory(
                atPath: data + "/videos/folder.mp4", withIntermediateDirectories: true)
            let listed = try object(try await client.json(.get, "/api/files"))
            #expect(listed["videos"] == .array([.string("a.MOV"), .string("b.mp4")]))
            #expect(listed["music"] == .array([.string("song.mp3")]))
            #expect(listed["sounds"] == .array([]), "no sounds folder: an empty list")
            #expect(listed["quotes"] == .array([.string("q.txt"), .string("z.txt")]))
        }
    }

    @Test func fontsAreServedFromTheFontsFolderOnly() async throws {
        try await TestAPI.with(.sqlite, configure: { $0.apiToken = "s3cret-token-for-tests" }) { client, api in
            let fonts = api.settings.data.fonts
            let bytes = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try write(bytes, fonts + "/Lora.ttf")
            try write(bytes, fonts + "/.hidden.ttf")
            try write(Data("secret".utf8), api.settings.dataDirectory + "/secret.ttf")
            try write(Data("text".utf8), fonts + "/readme.txt")
            try FileManager.default.createSymbolicLink(
                atPath: fonts + "/escape.ttf", withDestinationPath: api.settings.dataDirectory + "/secret.ttf")
            let font = try await client.execute(uri: "/fonts/Lora.ttf", method: .get)
            #expect(font.status == .ok, "no token needed: CSS loads fonts without one")
            #expect(font.headers[.contentType] == "font/ttf")
            #expect(Data(buffer: font.body) == bytes)
            // Names as the page writes them, with encodeURIComponent.
            try write(bytes, fonts + "/Tén.ttf")
            try write(bytes, fonts + "/sp ace.otf")
            for encoded in ["/fonts/T%C3%A9n.ttf", "/fonts/sp%20ace.otf"] {
                let response = try await client.execute(uri: encoded, method: .get)
                #expect(response.status == .ok, "\(encoded): \(response.status)")
                #expect(Data(buffer: response.body) == bytes, "\(encoded)")
            }
            for refused in [
                "/fonts/missing.ttf", "/fonts/.hidden.ttf", "/fonts/escape.ttf", "/fonts/readme.txt",
                "/fonts/..%2Fsecret.ttf", "/fonts/%2E%2E%2Fsecret.ttf", "/fonts/%2Ehidden.ttf",
                "/fonts/Lora.ttf%00.txt", "/fonts/%ZZ.ttf",
            ] {
                let response = try await client.execute(uri: refused, method: .get)
                #expect(response.status == .notFound, "\(refused): \(response.status)")
                #expect(String(buffer: response.body).contains("\"error\""), "\(refused) answers JSON")
            }
            let unauthorised = try await client.execute(uri: "/api/files", method: .get)
            #expect(unauthorised.status == .unauthorized, "/api/files is behind the token like the rest of /api")
        }
    }
}
