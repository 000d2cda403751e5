import AsyncHTTPClient
import FakeGoogle
import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import LegacyFixtures
import Logging
import NIOCore
import SQLiteStorage
import StorageCore
import Testing
import Worker
import YouTube

/// The OAuth routes against a local fake of Google: authorize, refresh,
/// refused refresh, revoke, bad state; credentials sealed at rest.
@Suite(.timeLimit(.minutes(3))) struct OAuthFlowTests {
    static let box = SecretBox(key: .init(size: .bits256))

    /// The fake on a real port, an API router on a fresh SQLite file pointed at it.
    func withFake(
        configured: Bool = true,
        _ body: @Sendable (FakeGoogle, any TestClientProtocol, any Storage, YouTubeAccount) async throws -> Void
    ) async throws {
        try await withFake(configured: configured) { fake, client, storage, account, _ in
            try await body(fake, client, storage, account)
        }
    }

    /// The same, with the server's data directory (its run directories are in `runs/` there).
    func withFake(
        configured: Bool = true,
        _ body: @Sendable (FakeGoogle, any TestClientProtocol, any Storage, YouTubeAccount, String) async throws -> Void
    ) async throws {
        let fake = FakeGoogle()
        let fakeApp = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await fakeApp.test(.live) { fakeClient in
            let port = try #require(fakeClient.port)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yt-oauth-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let storage = try await SQLiteStorage.open(path: folder.appendingPathComponent("db.sqlite").path)
            var settings = ServerSettings(dataDirectory: folder.path, fonts: .init(files: [:], families: []))
            var oauth = OAuthConfiguration(clientID: "test-client", clientSecret: "test-secret")
            oauth.authorizationEndpoint = "http://127.0.0.1:\(port)/auth"
            oauth.tokenEndpoint = "http://127.0.0.1:\(port)/token"
            oauth.revocationEndpoint = "http://127.0.0.1:\(port)/revoke"
            oauth.uploadEndpoint = "http://127.0.0.1:\(port)/upload"
            settings.youtube =
                configured
                ? .success(oauth)
                : .failure(.init(description: "YouTube is not configured: set YT_BUILDER_GOOGLE_CLIENT_ID"))
            settings.secretBox = Self.box
            let account = YouTubeAccount(storage: storage, box: Self.box, configuration: settings.youtube)
            let app = Application(router: buildRouter(storage: storage, settings: settings))
            let data = settings.dataDirectory
            do {
                try await app.test(.router) { client in try await body(fake, client, storage, account, data) }
            } catch {
                await storage.close()
                throw error
            }
            await storage.close()
        }
    }

    func json(_ response: TestResponse) -> [String: JSONValue] {
        JSONValue(jsonText: String(buffer: response.body))?.objectValue ?? [:]
    }

    /// Follows the authorization URL at the fake (it consents at once) and returns the callback's query.
    func consent(_ url: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        let response = try await client.execute(request, timeout: .seconds(10))
        let location = try #require(response.headers.first(name: "location"))
        return try #require(URLComponents(string: location)?.percentEncodedQuery)
    }

    @Test func authorizeRefreshRevoke() async throws {
        try await withFake { fake, client, storage, account in
            var status = json(try await client.execute(uri: "/api/youtube/auth/status", method: .get))
            #expect(status["configured"] == .bool(true) && status["authenticated"] == .bool(false))

            let urlAnswer = json(try await client.execute(uri: "/api/youtube/auth/url", method: .get))
            let url = try #require(urlAnswer["auth_url"]?.stringValue)
            #expect(url.contains("scope=https") && url.contains("state=") && url.contains("access_type=offline"))
            let query = try await consent(url)
            let page = try await client.execute(uri: "/api/youtube/auth/callback?\(query)", method: .get)
            #expect(page.status == .ok, "\(String(buffer: page.body))")
            #expect(String(buffer: page.body).contains("YouTube is connected"))
            #expect(fake.state.withLock { $0.exchanges } == 1)

            status = json(try await client.execute(uri: "/api/youtube/auth/status", method: .get))
            #expect(status["authenticated"] == .bool(true), "\(status)")
            let stored = try #require(try await storage.credentials(user: YouTubeAccount.user))
            #expect(stored.text.hasPrefix("ytb1:"), "sealed at rest")
            let tokens = fake.state.withLock { $0.accessTokens.union($0.refreshTokens) }
            for token in tokens { #expect(!stored.text.contains(token), "no token in the stored text") }
            for answer in [status, urlAnswer] { for token in tokens { #expect(!"\(answer)".contains(token)) } }

            // A fresh token is used as it is; one about to expire is refreshed first.
            let first = try await account.accessToken()
            #expect(fake.state.withLock { $0.accessTokens.contains(first) && $0.refreshes == 0 })
            fake.state.withLock { $0.tokenLifetime = 30 }
            _ = try await account.accessToken()  // still the first token's hour
            let saved = try #require(try await storage.credentials(user: YouTubeAccount.user))
            _ = saved
            fake.state.withLock { $0.tokenLifetime = 30 }
            // Make the stored token look old: a refresh gives one of 30 s, which the next call refreshes again.
            fake.state.withLock { $0.refuseRefresh = false }
            try await expire(account, storage)
            let refreshed = try await account.accessToken()
            #expect(refreshed != first, "refreshed")
            #expect(fake.state.withLock { $0.refreshes } == 1)

            // A redirect is never followed: the refresh token and client secret stay with Google's host.
            fake.state.withLock { $0.redirectTokenRequests = true }
            try await expire(account, storage)
            await #expect(throws: YouTubeError.self) { try await account.accessToken() }
            #expect(fake.state.withLock { $0.requestsElsewhere } == 0, "the redirect was not followed")
            fake.state.withLock { $0.redirectTokenRequests = false }

            // Google refuses the refresh token: re-authorization is needed, and said so.
            fake.state.withLock { $0.refuseRefresh = true }
            try await expire(account, storage)
            await #expect(throws: YouTubeError.self) { try await account.accessToken() }
            status = json(try await client.execute(uri: "/api/youtube/auth/status", method: .get))
            #expect(status["requires_reauth"] == .bool(true) && status["authenticated"] == .bool(false), "\(status)")

            let revoked = json(try await client.execute(uri: "/api/youtube/auth/revoke", method: .post))
            #expect(revoked["revoked"] == .bool(true))
            #expect(fake.state.withLock { !$0.revoked.isEmpty })
            #expect(try await storage.credentials(user: YouTubeAccount.user) == nil)
        }
    }

    /// Rewrites the stored credentials as if their token had expired.
    func expire(_ account: YouTubeAccount, _ storage: any Storage) async throws {
        let row = try #require(try await storage.credentials(user: YouTubeAccount.user))
        var credentials = try JSONDecoder().decode(GoogleCredentials.self, from: Data(try Self.box.open(row.text).utf8))
        credentials.expiresAt = Date().timeIntervalSince1970 - 10
        try await storage.saveCredentials(
            user: YouTubeAccount.user,
            text: try Self.box.seal(String(decoding: try JSONEncoder().encode(credentials), as: UTF8.self)))
    }

    @Test func badStateAndMissingConfiguration() async throws {
        try await withFake { _, client, storage, _ in
            let forged = try await client.execute(uri: "/api/youtube/auth/callback?code=x&state=1.2.3", method: .get)
            #expect(forged.status == .badRequest)
            #expect(String(buffer: forged.body).contains("does not belong"))
            let denied = try await client.execute(uri: "/api/youtube/auth/callback?error=access_denied", method: .get)
            #expect(denied.status.code >= 400)
            #expect(try await storage.credentials(user: YouTubeAccount.user) == nil, "nothing stored")
            let noJob = try await client.execute(uri: "/api/jobs/1/youtube/upload", method: .post)
            #expect(noJob.status == .notFound)
        }
        try await withFake(configured: false) { _, client, _, _ in
            let answer = try await client.execute(uri: "/api/youtube/auth/url", method: .get)
            #expect(answer.status == .badRequest)
            #expect(json(answer)["error"]?.stringValue?.contains("YT_BUILDER_GOOGLE_CLIENT_ID") == true)
            let status = json(try await client.execute(uri: "/api/youtube/auth/status", method: .get))
            #expect(status["configured"] == .bool(false))
        }
    }

    @Test func legacyPlainCredentialsAreSealed() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yt-legacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("history.db").path
        try LegacyFixture.write(to: path)
        let before = try #require(FileManager.default.contents(atPath: path))
        #expect(before.range(of: Data("legacy-token".utf8)) != nil, "the earlier file holds the token in plain text")
        let storage = try await SQLiteStorage.open(path: path)
        let account = YouTubeAccount(storage: storage, box: Self.box, configuration: .failure(.init(description: "-")))
        #expect(try await account.sealPlainCredentials() == 1)
        await storage.close()
        for file in [path, path + "-wal"] {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            #expect(data.range(of: Data("legacy-token".utf8)) == nil, "\(file) no longer holds the token")
        }

        // The sealed credentials still work: their refresh token gets a new access token from Google.
        let fake = FakeGoogle()
        fake.state.withLock { $0.refreshTokens.insert("r") }
        let fakeApp = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await fakeApp.test(.live) { client in
            let port = try #require(client.port)
            var oauth = OAuthConfiguration(clientID: "test-client", clientSecret: "test-secret")
            oauth.tokenEndpoint = "http://127.0.0.1:\(port)/token"
            let reopened = try await SQLiteStorage.open(path: path)
            let account = YouTubeAccount(storage: reopened, box: Self.box, configuration: .success(oauth))
            let token = try await account.accessToken()
            #expect(fake.state.withLock { $0.accessTokens.contains(token) && $0.refreshes == 1 })
            await reopened.close()
        }
    }
}

extension OAuthFlowTests {
    @Test func publishThroughTheAPI() async throws {
        try await withFake { fake, client, storage, account, data in
            let url = try #require(
                json(try await client.execute(uri: "/api/youtube/auth/url", method: .get))["auth_url"]?.stringValue)
            _ = try await client.execute(uri: "/api/youtube/auth/callback?\(try await consent(url))", method: .get)

            let job = try await storage.createJob(NewJob(config: nil, runsDirectory: data + "/runs", status: .queued))
            try FileManager.default.createDirectory(
                atPath: job.runDirectory + "/output", withIntermediateDirectories: true)
            let video = job.runDirectory + "/output/video.mp4"
            let bytes = Data((0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try bytes.write(to: URL(fileURLWithPath: video))
            defer { try? FileManager.default.removeItem(atPath: video) }
            func post(_ body: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/jobs/\(job.jobID)/youtube/upload?wait=true", method: .post,
                    headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            }
            #expect(try await post(#"{"title": "Too early"}"#).status == .badRequest, "the job is not completed yet")
            _ = try await storage.updateJob(job.jobID, JobUpdate(status: .running))
            _ = try await storage.updateJob(job.jobID, JobUpdate(status: .completed, outputFile: video))

            for (body, field) in [
                (#"{"description": "no title"}"#, "title"), (#"{"title": "x", "privacy": "secret"}"#, "privacy"),
                (#"{"title": "x", "tags": "a,b"}"#, "tags"), (#"{"title": "x", "category": "music"}"#, "category"),
            ] {
                let answer = try await post(body)
                #expect(answer.status == .badRequest, "\(body)")
                #expect(json(answer)["field"] == .string(field), "\(body): \(String(buffer: answer.body))")
            }
            fake.state.withLock { $0.failNextChunks = 1 }
            let published = try await post(
                #"{"title": "My video", "privacy": "unlisted", "tags": ["a", "b"], "category": "22"}"#)
            #expect(published.status == .ok, "\(String(buffer: published.body))")
            let answer = json(published)
            #expect(answer["success"] == .bool(true))
            let videoID = try #require(answer["video_id"]?.stringValue)
            #expect(answer["video_url"] == .string("https://www.youtube.com/watch?v=\(videoID)"))
            #expect(fake.state.withLock { $0.completedVideos[videoID]?.data } == bytes, "the right bytes")
            let recorded = try await storage.uploads(ofJob: job.jobID, limit: 10)
            #expect(recorded.count == 1 && recorded.first?.videoID == videoID, "exactly one youtube_uploads row")
            #expect(recorded.first?.tags == ["a", "b"] && recorded.first?.privacy == .unlisted)
            let listed = json(try await client.execute(uri: "/api/jobs/\(job.jobID)/youtube/uploads", method: .get))
            #expect(listed["published"]?.arrayValue?.count == 1)

            fake.state.withLock { $0.quotaExceeded = true }
            let refused = try await post(#"{"title": "Again"}"#)
            #expect(refused.status == .badGateway)
            #expect(json(refused)["error"]?.stringValue?.contains("quota") == true)
            #expect(
                try await storage.uploads(ofJob: job.jobID, limit: 10).count == 1, "a refused upload records nothing")
            _ = account
        }
    }
}

extension OAuthFlowTests {
    /// Without `wait`, the API queues the upload and a worker publishes it.
    @Test func publishInTheBackground() async throws {
        try await withFake { fake, client, storage, account, data in
            let url = try #require(
                json(try await client.execute(uri: "/api/youtube/auth/url", method: .get))["auth_url"]?.stringValue)
            _ = try await client.execute(uri: "/api/youtube/auth/callback?\(try await consent(url))", method: .get)
            let job = try await storage.createJob(NewJob(config: nil, runsDirectory: data + "/runs", status: .queued))
            try FileManager.default.createDirectory(
                atPath: job.runDirectory + "/output", withIntermediateDirectories: true)
            let video = job.runDirectory + "/output/video.mp4"
            let bytes = Data((0..<900_000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
            try bytes.write(to: URL(fileURLWithPath: video))
            defer { try? FileManager.default.removeItem(atPath: video) }
            _ = try await storage.updateJob(job.jobID, JobUpdate(status: .running))
            _ = try await storage.updateJob(job.jobID, JobUpdate(status: .completed, outputFile: video))

            let queued = try await client.execute(
                uri: "/api/jobs/\(job.jobID)/youtube/upload", method: .post,
                headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"title": "In the background", "privacy": "public"}"#))
            #expect(queued.status == .accepted, "\(String(buffer: queued.body))")
            let task = json(queued)
            #expect(task["state"] == .string("pending"))
            #expect(task["total_bytes"] == .int(Int64(bytes.count)))
            let id = try #require(task["upload_id"]?.intValue)

            fake.state.withLock { $0.failNextChunks = 1 }
            var settings = WorkerSettings(name: "test")
            settings.lease = .seconds(5)
            settings.pollInterval = .milliseconds(50)
            let worker = UploadWorker(
                storage: storage, account: account, dataDirectory: data, settings: settings,
                logger: Logger(label: "test"),
                chunkSize: 256 * 1024)
            let running = Task { try await worker.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            var state: JSONValue?
            while ContinuousClock.now < deadline {
                let listed = json(try await client.execute(uri: "/api/jobs/\(job.jobID)/youtube/uploads", method: .get))
                state = listed["uploads"]?.arrayValue?.first?.objectValue?["state"]
                if state == .string("completed") || state == .string("failed") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            worker.stop()
            try await running.value
            #expect(state == .string("completed"))
            let finished = try #require(try await storage.task(UploadTask.self, id: id))
            let videoID = try #require(finished.videoID)
            #expect(fake.state.withLock { $0.completedVideos[videoID]?.data } == bytes)
            #expect(try await storage.uploads(ofJob: job.jobID, limit: 10).map(\.videoID) == [videoID], "recorded once")
        }
    }
}

extension OAuthFlowTests {
    /// Another key cannot read the credentials; it says so and changes nothing.
    @Test func aWrongKeyLeavesTheCredentialsAlone() async throws {
        try await withFake { _, client, storage, account in
            let url = try #require(
                json(try await client.execute(uri: "/api/youtube/auth/url", method: .get))["auth_url"]?.stringValue)
            _ = try await client.execute(uri: "/api/youtube/auth/callback?\(try await consent(url))", method: .get)
            let before = try #require(try await storage.credentials(user: YouTubeAccount.user))
            let stranger = YouTubeAccount(
                storage: storage, box: SecretBox(key: .init(size: .bits256)),
                configuration: .failure(.init(description: "-")))
            do {
                _ = try await stranger.accessToken()
                Issue.record("another key must not open the credentials")
            } catch let error as YouTubeError {
                #expect(error.description.contains("cannot be opened with this key"), "\(error)")
            }
            #expect(try await storage.credentials(user: YouTubeAccount.user) == before, "untouched")
            #expect(!(try await account.accessToken()).isEmpty, "the right key still reads them")
        }
    }
}
