import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import StorageCore
import Testing

/// Bad input gets a 4xx with a message that says what is wrong, and changes nothing.
@Suite(.timeLimit(.minutes(3))) struct ValidationTests {
    /// Valid JSON that SQLite would store and PostgreSQL cannot: refused on both alike.
    @Test(arguments: Backend.allCases) func aConfigHoldingNULIsRefused(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            for body in [#"{"note": "a\u0000b"}"#, #"{"nested": {"k\u0000": 1}}"#] {
                let created = try await client.json(.post, "/api/jobs", body)
                #expect(created.status == .badRequest, "\(body): \(String(buffer: created.body))")
                #expect(try object(created)["error"]?.string?.contains("\\u0000") == true)
            }
            let id = try await client.prepare()
            _ = try await client.upload(id, "videos", [Multipart.file("a.mp4")])
            let start = try await client.json(.post, "/api/jobs/\(id)/start", #"{"note": "\u0000"}"#)
            #expect(start.status == .badRequest, "\(String(buffer: start.body))")
            #expect(try await api.storage.job(id)?.status == .preparing)
            #expect(try await api.storage.listJobs(JobQuery(limit: 10)).jobs.count == 1, "nothing else was created")
        }
    }

    /// Quotes in a video too short for the first of them: started, with a warning saying why.
    @Test func aStartAnswerWarnsOfQuotesThatCannotShow() async throws {
        try await TestAPI.with(.sqlite) { client, _ in
            let id = try await client.prepare()
            _ = try await client.upload(id, "videos", [Multipart.file("a.mp4")])
            let plain = try object(try await client.json(.post, "/api/jobs/\(id)/start", #"{"duration": 10}"#))
            #expect(plain["warnings"] == .array([]), "no quotes, no warning")

            let quoted = try await client.prepare()
            _ = try await client.upload(quoted, "videos", [Multipart.file("a.mp4")])
            _ = try await client.upload(quoted, "quotes", [Multipart.file("q.txt", "\"Nothing is lost.\"")])
            let started = try object(try await client.json(.post, "/api/jobs/\(quoted)/start", #"{"duration": 10}"#))
            #expect(started["status"] == .string("queued"))
            let warnings = started["warnings"]?.array?.compactMap(\.string) ?? []
            #expect(warnings.count == 1 && warnings[0].hasPrefix("no quote will show"), "\(warnings)")
        }
    }

    /// Config bodies the API must refuse, with the field it must name.
    static let badConfigs: [(body: String, field: String)] = [
        (#"{"duration": 0}"#, "duration"),
        (#"{"duration": 86401}"#, "duration"),
        (#"{"duration": "600"}"#, "duration"),
        (#"{"fps": 0}"#, "fps"),
        (#"{"fps": 121}"#, "fps"),
        (#"{"fps": 29.97}"#, "fps"),
        (#"{"resolution": "1920x1081"}"#, "resolution"),
        (#"{"resolution": "7682x4320"}"#, "resolution"),
        (#"{"resolution": "big"}"#, "resolution"),
        (#"{"resolution": "-2x4"}"#, "resolution"),
        (#"{"transition": "wipe"}"#, "transition"),
        (#"{"music_volume": 2.5}"#, "music_volume"),
        (#"{"sounds_volume": -0.1}"#, "sounds_volume"),
        (#"{"quotes_min_between": 40, "quotes_max_between": 30}"#, "quotes_min_between"),
        (#"{"quote_style": "diagonal"}"#, "quote_style"),
        (#"{"quote_font": "No Such Font"}"#, "quote_font"),
        (#"{"quote_font": "../../etc/passwd"}"#, "quote_font"),
        (#"{"music_shuffle": "yes"}"#, "music_shuffle"),
        (#"{"seed": -1}"#, "seed"),
    ]

    @Test(arguments: Backend.allCases) func configValues(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let id = try await client.prepare()
            _ = try await client.upload(id, "videos", [Multipart.file("a.mp4")])
            for (body, field) in Self.badConfigs {
                for path in ["/api/jobs/prepare", "/api/jobs", "/api/jobs/\(id)/start"] {
                    let response = try await client.json(.post, path, body)
                    #expect(response.status == .badRequest, "\(path) \(body)")
                    let answer = try object(response)
                    #expect(answer["field"] == .string(field), "\(path) \(body): \(answer)")
                    #expect(answer["error"]?.string?.hasPrefix(field + ":") == true, "\(answer)")
                }
            }
            #expect(try await api.storage.job(id)?.status == .preparing, "no bad start changed the job")
            #expect(try await api.storage.listJobs(JobQuery()).jobs.count == 1, "no bad create made a job")
            let fine = try await client.json(.post, "/api/jobs/\(id)/start", #"{"quote_font": "DejaVu Serif"}"#)
            #expect(fine.status == .ok)
        }
    }

    @Test(arguments: Backend.allCases) func requests(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let id = try await client.prepare()
            func expectStatus(
                _ response: TestResponse, _ status: HTTPResponse.Status, _ note: String,
                sourceLocation: SourceLocation = #_sourceLocation
            ) throws {
                #expect(
                    response.status == status, "\(note): \(String(buffer: response.body))",
                    sourceLocation: sourceLocation)
                #expect(
                    try object(response)["error"]?.string?.isEmpty == false, "\(note) says why",
                    sourceLocation: sourceLocation)
            }
            try expectStatus(try await client.json(.get, "/api/jobs/999999"), .notFound, "unknown job")
            try expectStatus(try await client.json(.get, "/api/jobs/abc"), .notFound, "a job id that is no number")
            try expectStatus(try await client.json(.get, "/api/nothing/here"), .notFound, "unknown route")
            try expectStatus(
                try await client.json(.get, "/api/jobs/\(id)/files/pictures"), .badRequest, "bad file type")
            try expectStatus(
                try await client.upload(id, "pictures", [Multipart.file("a.png")]), .badRequest, "upload of a bad type")
            try expectStatus(
                try await client.json(.post, "/api/jobs/\(id)/start", "{\"duration\": 60"), .badRequest,
                "malformed JSON")
            try expectStatus(
                try await client.json(.post, "/api/jobs/\(id)/start", "[1, 2]"), .badRequest, "not an object")
            try expectStatus(
                try await client.json(
                    .post, "/api/jobs/\(id)/start", "duration=60", headers: [.contentType: "text/plain"]),
                .unsupportedMediaType, "wrong content type")
            try expectStatus(
                try await client.json(
                    .post, "/api/jobs/\(id)/start", "{\"x\": \"\(String(repeating: "a", count: 2 << 20))\"}"),
                .contentTooLarge, "oversized body")
            try expectStatus(try await client.json(.post, "/api/jobs/\(id)/start"), .badRequest, "start without clips")
            try expectStatus(try await client.json(.get, "/api/jobs?limit=0"), .badRequest, "limit 0")
            try expectStatus(try await client.json(.get, "/api/jobs?limit=ten"), .badRequest, "limit not a number")
            try expectStatus(try await client.json(.get, "/api/jobs?status=done"), .badRequest, "unknown status")
            try expectStatus(try await client.json(.get, "/api/jobs?after=yesterday"), .badRequest, "bad cursor")
            try expectStatus(
                try await client.json(.get, "/api/jobs/\(id)/logs?after=-1"), .badRequest, "bad log cursor")
            try expectStatus(try await client.json(.get, "/api/jobs/\(id)/download"), .notFound, "nothing to download")
            try expectStatus(
                try await client.json(.delete, "/api/jobs/\(id)/files/videos/none.mp4"), .notFound, "unknown file")
            try expectStatus(
                try await client.execute(
                    uri: "/api/jobs/\(id)/upload/videos", method: .post, headers: [.contentType: "application/json"],
                    body: .init(string: "{}")), .badRequest, "upload that is not multipart")
            try expectStatus(
                try await client.upload(id, "videos", [Multipart.file("a.mp4", field: "other")]), .badRequest,
                "no files in the field 'files'")

            _ = try await client.upload(id, "videos", [Multipart.file("a.mp4")])
            #expect(try await client.json(.post, "/api/jobs/\(id)/start").status == .ok)
            try expectStatus(
                try await client.json(.post, "/api/jobs/\(id)/start"), .badRequest, "start twice (400 as before)")
            try expectStatus(
                try await client.upload(id, "videos", [Multipart.file("b.mp4")]), .badRequest, "upload to a queued job")
            try expectStatus(
                try await client.json(.delete, "/api/jobs/\(id)/files/videos/a.mp4"), .badRequest,
                "delete from a queued job")
            #expect(try await client.json(.post, "/api/jobs/\(id)/cancel").status == .ok)
            try expectStatus(try await client.json(.post, "/api/jobs/\(id)/cancel"), .badRequest, "cancel twice")
            #expect(try await api.storage.fileCounts(ofJob: id).videos == 1, "nothing bad was stored")
        }
    }

    /// A stored output path that leads out of the run directory is never served.
    @Test(arguments: Backend.allCases) func downloadStaysInTheRunDirectory(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let secret = api.folder.appendingPathComponent("secret.txt").path
            try Data("secret".utf8).write(to: URL(fileURLWithPath: secret))
            for (index, output) in ["\(secret)", "RUN/../../secret.txt", "RUN/output/link.mp4"].enumerated() {
                let id = try await client.prepare()
                let job = try #require(try await api.storage.job(id))
                if index == 2 {
                    try FileManager.default.createSymbolicLink(
                        atPath: job.runDirectory + "/output/link.mp4", withDestinationPath: secret)
                }
                let path = output.replacingOccurrences(of: "RUN", with: job.runDirectory)
                _ = try await api.storage.updateJob(id, JobUpdate(status: .queued))
                _ = try await api.storage.updateJob(id, JobUpdate(status: .running))
                _ = try await api.storage.updateJob(id, JobUpdate(status: .completed, outputFile: path))
                let response = try await client.json(.get, "/api/jobs/\(id)/download")
                #expect(response.status == .notFound, "\(output)")
                #expect(String(buffer: response.body) != "secret", "\(output)")
            }
        }
    }

    @Test(arguments: Backend.allCases) func paging(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, _ in
            var ids: [Int64] = []
            for _ in 0..<5 { ids.append(try await client.prepare()) }
            var seen: [Int64] = []
            var uri = "/api/jobs?limit=2"
            while true {
                let page = try object(try await client.json(.get, uri))
                seen += page["jobs"]?.array?.compactMap { $0.object?["job_id"]?.int } ?? []
                guard let next = page["next_cursor"]?.string else { break }
                uri = "/api/jobs?limit=2&after=\(next)"
            }
            #expect(seen == ids.reversed())
            let preparing = try object(try await client.json(.get, "/api/jobs?status=queued"))
            #expect(preparing["jobs"]?.array?.isEmpty == true)
        }
    }
}
