import FakeSuno
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Render
import StorageCore
import Suno
import Testing
import Worker

@testable import HTTPServer

/// `POST /api/jobs/{id}/playlist/suno` against a local fake of Suno that
/// speaks its JSON and serves real MP3s made by ffmpeg.
@Suite struct SunoImportTests {
    @Test func everyURLFormTheEarlierServiceAccepted() {
        let forms: [(String, String?)] = [
            ("https://suno.com/playlist/abc123", "abc123"),
            ("https://suno.com/playlists/xyz_9-A?sh=1", "xyz_9-A"),
            ("https://app.suno.ai/listen?id=qwerty123", "qwerty123"),
            ("https://suno.com/abcdefghij12", "abcdefghij12"),
            ("https://suno.com/@someone/0123456789ab", "0123456789ab"),
            ("  https://suno.com/@someone/0123456789ab?sh=x  ", "0123456789ab"),
            ("0123456789abcdef", "0123456789abcdef"),
            ("https://suno.com/@someone", nil),
            ("https://suno.com/song/short", nil),
            ("https://suno.com/playlist/", nil),
            ("https://suno.com/playlist/../../etc", nil),
        ]
        for (url, id) in forms { #expect(SunoPlaylistURL.playlistID(in: url) == id, "\(url)") }
    }

    @Test func songsAreNamedAsTheEarlierServiceNamedThem() {
        #expect(
            SunoSongName.filename(title: "My Song! (Remix)", id: "1234567890abcdef", position: 1)
                == "My-Song-Remix_12345678.mp3")
        #expect(
            SunoSongName.filename(title: "  -- Ünïcode  songs --  ", id: "abcdefgh1", position: 2)
                == "Ünïcode-songs_abcdefgh.mp3")
        #expect(SunoSongName.filename(title: "!!!", id: "ffffffff00", position: 3) == "Untitled-Song-3_ffffffff.mp3")
        #expect(SunoSongName.filename(title: "../../etc/passwd", id: "../x/..", position: 4) == "etcpasswd_x.mp3")
        #expect(
            SunoSongName.filename(title: String(repeating: "a", count: 400), id: "id", position: 5).utf8.count < 255)
    }

    @Test func waitImportsEveryPageDropsDuplicatesAndListsTheSongThatFailed() async throws {
        try await withSuno { fake, client, api in
            fake.state.withLock {
                $0.playlists["multi-page"] = [
                    [Self.clip("a1", "First Song"), Self.clip("b2", "Second"), Self.clip("a1", "First Song")],
                    [
                        Self.clip("c3", "Broken"), Self.clip("d4", ""),
                        FakeSuno.Clip(id: "e5", title: "No audio", audio: nil),
                    ],
                ]
                $0.failingSongs = ["c3.mp3"]
            }
            let job = try await client.prepare()
            let response = try await client.json(
                .post, "/api/jobs/\(job)/playlist/suno?wait=true", #"{"url": "https://suno.com/playlist/multi-page"}"#)
            #expect(response.status == .ok)
            let answer = try object(response)
            let downloaded = answer["downloaded"]?.array?.compactMap(\.string)
            #expect(downloaded == ["First-Song_a1.mp3", "Second_b2.mp3", "Untitled-Song-4_d4.mp3"])
            #expect(answer["errors"]?.array?.compactMap(\.string) == ["Broken: Download failed (HTTP 500)"])
            #expect(answer["file_counts"]?.object?["music"]?.int == 3)
            let files = try await api.storage.files(ofJob: job, type: .music).map(\.filename)
            #expect(Set(files) == Set(downloaded ?? []))
            let stored = try #require(try await api.storage.files(ofJob: job, type: .music).first)
            let original = fake.state.withLock { $0.songs["a1.mp3"] }
            #expect(FileManager.default.contents(atPath: stored.filePath) == original, "the song, byte for byte")
            let pages = fake.state.withLock { $0.requests.filter { $0.hasPrefix("/api/playlist/") } }
            #expect(
                pages == [
                    "/api/playlist/multi-page/", "/api/playlist/multi-page/?page=1", "/api/playlist/multi-page/?page=2",
                ])
        }
    }

    /// Pages of songs whose hosts are not allowed: the import takes the
    /// first 1,000 songs, keeps 50 error messages and a count, and what it
    /// stores and answers stays small, whatever the playlist's size.
    @Test func aHugePlaylistIsCappedAndItsErrorsCounted() async throws {
        try await withSuno { fake, client, _ in
            fake.state.withLock {
                $0.playlists["huge"] = (0..<3).map { page in
                    (0..<600).map {
                        FakeSuno.Clip(
                            id: "p\(page)s\($0)", title: "Song \($0)", audio: "http://example.invalid/\($0).mp3")
                    }
                }
            }
            let job = try await client.prepare()
            let response = try await client.json(
                .post, "/api/jobs/\(job)/playlist/suno?wait=true", #"{"url": "https://suno.com/playlist/huge"}"#)
            #expect(response.status == .ok)
            let errors = try object(response)["errors"]?.array?.compactMap(\.string) ?? []
            #expect(errors.count == 51, "50 messages and one count")
            #expect(errors.first?.contains("the first 1000 are imported") == true, "\(errors.first ?? "")")
            #expect(errors.last == "951 more songs were not downloaded", "\(errors.last ?? "")")
            let pages = fake.state.withLock { $0.requests.filter { $0.hasPrefix("/api/playlist/") } }
            #expect(pages.count == 2, "no page read past the cap: \(pages)")
        }
    }

    @Test func anOversizedPageIsASentence() async throws {
        try await withSuno(configure: { $0.suno.maximumPageBytes = 1 << 20 }) { fake, client, _ in
            fake.state.withLock {
                $0.playlists["heavy"] = [
                    (0..<8000).map {
                        FakeSuno.Clip(
                            id: "s\($0)", title: String(repeating: "x", count: 100), audio: "http://127.0.0.1/\($0).mp3"
                        )
                    }
                ]
            }
            let job = try await client.prepare()
            let response = try await client.json(
                .post, "/api/jobs/\(job)/playlist/suno?wait=true", #"{"url": "https://suno.com/playlist/heavy"}"#)
            let text = String(buffer: response.body)
            #expect(text.contains("page 0 is larger than 1 MiB"), "\(text)")
            #expect(!text.contains("NIOTooManyBytes"), "\(text)")
        }
    }

    @Test func aMissingOrEmptyPlaylistAnswersAsTheEarlierServiceDid() async throws {
        try await withSuno { fake, client, _ in
            fake.state.withLock { $0.playlists["emptyplaylist"] = [] }
            let job = try await client.prepare()
            for (id, error) in [
                ("nosuchplaylist", "Failed to fetch playlist: HTTP 404"), ("emptyplaylist", PlaylistImporter.noSongs),
            ] {
                let response = try await client.json(
                    .post, "/api/jobs/\(job)/playlist/suno?wait=true", #"{"url": "https://suno.com/playlist/\#(id)"}"#)
                #expect(response.status == .ok)
                let answer = try object(response)
                #expect(answer["downloaded"]?.array?.isEmpty == true)
                #expect(answer["errors"]?.array?.compactMap(\.string) == [error])
            }
        }
    }

    @Test func badRequestsAreRefusedBeforeAnythingIsQueued() async throws {
        try await withSuno { _, client, api in
            let job = try await client.prepare()
            let cases: [(String, String)] = [
                (#"{"url": "https://example.com/playlist/abc123"}"#, "URL must be a Suno playlist"),
                (#"{}"#, "Playlist URL is required"),
                (#"{"url": "   "}"#, "Playlist URL is required"),
                (#"{"url": 7}"#, "url must be a string"),
                (#"{"url": "https://suno.com/@someone"}"#, PlaylistImporter.invalidURL),
            ]
            for (body, error) in cases {
                let response = try await client.json(.post, "/api/jobs/\(job)/playlist/suno", body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(try object(response)["error"]?.string == error, "\(body)")
            }
            let missing = try await client.json(
                .post, "/api/jobs/999999/playlist/suno", #"{"url": "https://suno.com/playlist/abc123"}"#)
            #expect(missing.status == .notFound)
            #expect(try await api.storage.tasks(PlaylistImport.self, ofJob: job).isEmpty, "nothing queued")
        }
    }

    /// PostgreSQL would keep the URL cut at the NUL and SQLite whole: refused on both.
    @Test(arguments: Backend.allCases) func aURLHoldingNULIsRefused(_ backend: Backend) async throws {
        try await withSuno(backend) { _, client, api in
            let job = try await client.prepare()
            let response = try await client.json(
                .post, "/api/jobs/\(job)/playlist/suno", #"{"url": "https://suno.com/playlist/abc\u0000def"}"#)
            #expect(response.status == .badRequest)
            #expect(try object(response)["error"]?.string?.contains("NUL character") == true)
            #expect(try await api.storage.tasks(PlaylistImport.self, ofJob: job).isEmpty, "nothing queued")
            await #expect(throws: StorageError.self) {
                _ = try await api.storage.createTask(
                    PlaylistImport.self, jobID: job, "https://suno.com/playlist/a\0b", maximumAttempts: nil)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func aQueuedImportIsDoneByAWorkerSongBySong(_ backend: Backend) async throws {
        try await withSuno(backend, maximumFileBytes: 1 << 20) { fake, client, api in
            fake.state.withLock {
                $0.playlists["queued-one"] = [
                    [
                        Self.clip("a1", "First Song"),
                        FakeSuno.Clip(id: "x9", title: "Elsewhere", audio: "http://example.invalid/evil.mp3"),
                        Self.clip("big", "Too Big"),
                    ]
                ]
                $0.songs["big.mp3"] = Data(count: 2 << 20)
            }
            let job = try await client.prepare()
            let response = try await client.json(
                .post, "/api/jobs/\(job)/playlist/suno", #"{"url": "https://suno.com/playlist/queued-one"}"#,
                headers: [.prefer: "return=minimal, Respond-Async; x=1"])
            #expect(response.status == .accepted)
            #expect(response.headers[.preferenceApplied] == "respond-async")
            let queued = try object(response)
            #expect(queued["state"]?.string == "queued")
            let importID = try #require(queued["import_id"]?.int)

            let worker = Self.worker(api)
            let running = Task { try await worker.run() }
            defer { running.cancel() }
            var done: [String: JSONValue] = [:]
            for _ in 0..<200 {
                let list = try object(try await client.json(.get, "/api/jobs/\(job)/playlist/suno"))
                done = list["imports"]?.array?.first?.object ?? [:]
                if done["state"]?.string == "completed" || done["state"]?.string == "failed" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            worker.stop()
            try await running.value
            #expect(done["import_id"]?.int == importID)
            #expect(done["state"]?.string == "completed")
            #expect(done["songs_total"]?.int == 3)
            #expect(done["downloaded"]?.array?.compactMap(\.string) == ["First-Song_a1.mp3"])
            let errors = done["errors"]?.array?.compactMap(\.string) ?? []
            #expect(errors.count == 2)
            #expect(errors.first?.hasPrefix("Elsewhere: not downloaded: host example.invalid") == true)
            #expect(errors.last?.hasPrefix("Too Big: larger than the file size limit") == true)
            #expect(try await api.storage.files(ofJob: job, type: .music).map(\.filename) == ["First-Song_a1.mp3"])
            let music = api.settings.dataDirectory + "/runs"
            let leftovers = FileManager.default.enumerator(atPath: music)?.compactMap { $0 as? String }
                .filter { $0.hasSuffix(".part") }
            #expect(leftovers == [], "a refused song leaves no partial file")
        }
    }

    /// The earlier page and scripts read `downloaded` from the answer: the
    /// request waits for the worker's import and answers with what it got.
    @Test(arguments: Backend.allCases)
    func theRequestWaitsForTheImportAndAnswersAsTheEarlierServiceDid(_ backend: Backend) async throws {
        try await withSuno(backend) { fake, client, api in
            fake.state.withLock { $0.playlists["waited"] = [[Self.clip("a1", "One"), Self.clip("c3", "Broken")]] }
            fake.state.withLock { $0.failingSongs = ["c3.mp3"] }
            let job = try await client.prepare()
            let worker = Self.worker(api)
            let running = Task { try await worker.run() }
            let response = try await client.json(
                .post, "/api/jobs/\(job)/playlist/suno", #"{"url": "https://suno.com/playlist/waited"}"#)
            worker.stop()
            try await running.value
            #expect(response.status == .ok)
            #expect(response.headers[.preferenceApplied] == nil)
            let answer = try object(response)
            #expect(answer["downloaded"]?.array?.compactMap(\.string) == ["One_a1.mp3"])
            #expect(answer["errors"]?.array?.compactMap(\.string) == ["Broken: Download failed (HTTP 500)"])
            #expect(answer["file_counts"]?.object?["music"]?.int == 1)
            #expect(answer["state"]?.string == "completed")
        }
    }

    /// No worker took the import within the server's wait: 202 with the
    /// queued import, which a worker does later.
    @Test func anImportNoWorkerTakesInTimeAnswers202() async throws {
        try await withSuno(configure: { $0.importWait = .milliseconds(300) }) { fake, client, api in
            fake.state.withLock { $0.playlists["later"] = [[Self.clip("a1", "One")]] }
            let job = try await client.prepare()
            let response = try await client.json(
                .post, "/api/jobs/\(job)/playlist/suno", #"{"url": "https://suno.com/playlist/later"}"#)
            #expect(response.status == .accepted)
            #expect(try object(response)["state"]?.string == "queued")
            #expect(try await api.storage.tasks(PlaylistImport.self, ofJob: job).count == 1)
        }
    }

    static func worker(_ api: TestAPI) -> PlaylistImportWorker {
        var settings = WorkerSettings(name: "test")
        settings.lease = .seconds(3)
        settings.pollInterval = .milliseconds(50)
        return PlaylistImportWorker(
            kind: PlaylistImportWork(
                storage: api.storage, settings: api.settings.suno, dataDirectory: api.settings.dataDirectory,
                maximumFileBytes: api.settings.maximumFileBytes, logger: Logger(label: "test")),
            settings: settings, logger: Logger(label: "test"))
    }

    /// A later attempt (after a lost worker) does not fetch again what the first one saved.
    @Test func aResumedImportSkipsTheSongsAlreadySaved() async throws {
        try await withSuno { fake, client, api in
            fake.state.withLock { $0.playlists["again"] = [[Self.clip("a1", "One"), Self.clip("b2", "Two")]] }
            let job = try await client.prepare()
            let stored = try #require(try await api.storage.job(job))
            let importer = PlaylistImporter(
                settings: api.settings.suno, files: api.storage, data: api.settings.data, maximumFileBytes: 1 << 30)
            let result = try await importer.run(
                url: "https://suno.com/playlist/again", into: stored,
                resume: ImportProgress(songsTotal: 2, downloaded: ["One_a1.mp3"]))
            #expect(result.failure == nil)
            #expect(result.progress.downloaded == ["One_a1.mp3", "Two_b2.mp3"])
            let songs = fake.state.withLock { $0.requests.filter { $0.hasPrefix("/audio/") } }
            #expect(songs == ["/audio/b2.mp3"], "only the song not saved yet")
        }
    }

    @Test func aStartedJobTakesNoSongs() async throws {
        try await withSuno { fake, client, api in
            fake.state.withLock { $0.playlists["late"] = [[Self.clip("a1", "Late")]] }
            let job = try await client.prepare()
            _ = try await api.storage.updateJob(job, JobUpdate(status: .queued))
            let response = try await client.json(
                .post, "/api/jobs/\(job)/playlist/suno?wait=true", #"{"url": "https://suno.com/playlist/late"}"#)
            #expect((400..<500).contains(response.status.code))
            #expect(try await api.storage.files(ofJob: job, type: .music).isEmpty)
            let asked = fake.state.withLock { $0.requests }
            #expect(asked.isEmpty, "Suno was not asked")
        }
    }

    static func clip(_ id: String, _ title: String) -> FakeSuno.Clip {
        FakeSuno.Clip(id: id, title: title, audio: "/audio/\(id).mp3")
    }

    /// The fake on a loopback port with three real MP3s (a1, b2, c3, d4), and an API pointed at it.
    func withSuno(
        _ backend: Backend = .sqlite, maximumFileBytes: Int64 = 4 << 30,
        configure: @escaping @Sendable (inout ServerSettings) -> Void = { _ in },
        _ body: @Sendable (FakeSuno, any TestClientProtocol, TestAPI) async throws -> Void
    ) async throws {
        let fake = FakeSuno()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yt-suno-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, id) in ["a1", "b2", "c3", "d4"].enumerated() {
            let path = folder.appendingPathComponent("\(id).mp3").path
            try await SampleMedia.tone(at: path, seconds: 0.5, frequency: 220 * (index + 1))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            fake.state.withLock { $0.songs["\(id).mp3"] = bytes }
        }
        let app = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { fakeClient in
            let port = try #require(fakeClient.port)
            fake.base.withLock { $0 = "http://127.0.0.1:\(port)" }
            try await TestAPI.with(
                backend,
                configure: {
                    $0.suno = SunoSettings(apiURL: "http://127.0.0.1:\(port)", audioHosts: ["127.0.0.1"])
                    $0.maximumFileBytes = maximumFileBytes
                    configure(&$0)
                }
            ) { client, api in try await body(fake, client, api) }
        }
    }
}
