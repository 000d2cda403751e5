import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import RunFiles
import StorageCore
import Testing

@Suite(.timeLimit(.minutes(3))) struct UploadTests {
    /// The names a run directory holds, hidden ones included.
    func names(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// The web page deletes with `encodeURIComponent(name)`; the name in the path is decoded once.
    @Test(arguments: Backend.allCases) func aNameWithSpacesOrAccentsCanBeDeleted(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let id = try await client.prepare()
            let job = try #require(try await api.storage.job(id))
            let names = ["my clip é.mp4", "100% real.mp4", "a+b&c.mp4"]
            _ = try await client.upload(id, "videos", names.map { Multipart.file($0) })
            for name in names {
                // What encodeURIComponent makes of the name.
                let encoded = try #require(
                    name.addingPercentEncoding(
                        withAllowedCharacters: .init(
                            charactersIn:
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")))
                let response = try await client.json(.delete, "/api/jobs/\(id)/files/videos/\(encoded)")
                #expect(response.status == .ok, "\(name): \(String(buffer: response.body))")
                #expect(!FileManager.default.fileExists(atPath: job.runDirectory + "/videos/" + name), "\(name)")
            }
            #expect(try await api.storage.files(ofJob: id, type: nil).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases) func namesAreSanitised(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let id = try await client.prepare()
            let job = try #require(try await api.storage.job(id))
            let response = try object(
                try await client.upload(
                    id, "videos",
                    [
                        Multipart.file("../../../etc/evil.mp4"), Multipart.file("C:\\Users\\me\\clip.MOV"),
                        Multipart.file("été – 夏.mkv"), Multipart.file("tab\tand\u{1}control.mp4"),
                        Multipart.file("..."), Multipart.file("notes.txt"), Multipart.file(".hidden.mp4"),
                    ]))
            #expect(
                response["uploaded"]
                    == .array(
                        ["evil.mp4", "clip.MOV", "été – 夏.mkv", "tabandcontrol.mp4", "hidden.mp4"].map { .string($0) }))
            let errors = response["errors"]?.array?.compactMap(\.string) ?? []
            #expect(errors.count == 2, "\(errors)")
            #expect(errors.contains { $0.contains("notes.txt") && $0.contains(".mp4") })
            #expect(
                names(in: job.runDirectory + "/videos") == [
                    "clip.MOV", "evil.mp4", "hidden.mp4", "tabandcontrol.mp4", "été – 夏.mkv",
                ])
            #expect(
                !FileManager.default.fileExists(atPath: api.folder.path + "/etc"), "nothing escaped the run directory")
            let files = try await api.storage.files(ofJob: id, type: .videos)
            #expect(files.allSatisfy { $0.filePath == job.runDirectory + "/videos/" + $0.filename })
        }
    }

    @Test(arguments: Backend.allCases) func sameNameReplaces(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let id = try await client.prepare()
            _ = try await client.upload(id, "quotes", [Multipart.file("q.txt", "first")])
            _ = try await client.upload(id, "quotes", [Multipart.file("q.txt", "second")])
            let files = try await api.storage.files(ofJob: id, type: .quotes)
            #expect(files.count == 1)
            #expect(try String(contentsOfFile: try #require(files.first).filePath, encoding: .utf8) == "second")
            let empty = try object(try await client.upload(id, "quotes", [Multipart.file("empty.txt", "")]))
            #expect(empty["errors"]?.array?.first?.string?.contains("empty") == true)
        }
    }

    @Test(arguments: Backend.allCases) func tooLarge(_ backend: Backend) async throws {
        try await TestAPI.with(backend, configure: { $0.maximumFileBytes = 1000 }) { client, api in
            let id = try await client.prepare()
            let job = try #require(try await api.storage.job(id))
            let response = try await client.upload(
                id, "videos",
                [Multipart.file("small.mp4", "ok"), Multipart.file("big.mp4", String(repeating: "x", count: 5000))])
            #expect(response.status == .contentTooLarge)
            let answer = try object(response)
            #expect(answer["uploaded"] == .array([.string("small.mp4")]), "what was complete before stays")
            #expect(names(in: job.runDirectory + "/videos") == ["small.mp4"], "no partial file is left")
            #expect(try await api.storage.files(ofJob: id, type: .videos).map(\.filename) == ["small.mp4"])
        }
    }

    @Test(arguments: Backend.allCases) func abortedUpload(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let id = try await client.prepare()
            let job = try #require(try await api.storage.job(id))
            var body = Multipart.body([Multipart.file("whole.mp4", "complete")], closed: false)
            body.writeString(
                "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"cut.mp4\"\r\n\r\n"
            )
            body.writeString(String(repeating: "y", count: 100_000))
            let response = try await client.execute(
                uri: "/api/jobs/\(id)/upload/videos", method: .post, headers: [.contentType: Multipart.contentType],
                body: body)
            #expect(response.status == .badRequest)
            #expect(names(in: job.runDirectory + "/videos") == ["whole.mp4"], "the cut file left nothing")
            #expect(try await api.storage.files(ofJob: id, type: .videos).map(\.filename) == ["whole.mp4"])
        }
    }

    @Test(arguments: Backend.allCases) func unicodeFilenameStar(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let id = try await client.prepare()
            var body = ByteBuffer()
            body.writeString(
                "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"fallback.mp3\"; "
                    + "filename*=UTF-8''%E2%82%AC%20song.mp3\r\n\r\nabc\r\n--\(Multipart.boundary)--\r\n")
            let response = try object(
                try await client.execute(
                    uri: "/api/jobs/\(id)/upload/music", method: .post, headers: [.contentType: Multipart.contentType],
                    body: body))
            #expect(response["uploaded"] == .array([.string("€ song.mp3")]))
            #expect(try await api.storage.files(ofJob: id, type: .music).map(\.filename) == ["€ song.mp3"])
        }
    }
}
