import AsyncHTTPClient
import FakeGoogle
import Foundation
import Hummingbird
import HummingbirdTesting
import StorageCore
import Synchronization
import Testing
import YouTube

/// The resumable upload protocol against the fake: failures mid-file, a
/// restart with the session URL, a quota error, an expired token.
@Suite(.timeLimit(.minutes(3))) struct ResumableUploadTests {
    static let request = UploadRequest(
        title: "A test video", description: "made by the tests", privacy: .unlisted, tags: ["a"])

    func withFake(_ body: @Sendable (FakeGoogle, ResumableUpload, String, Data, String) async throws -> Void)
        async throws
    {
        let fake = FakeGoogle()
        let token = "access-valid"
        fake.state.withLock { $0.accessTokens.insert(token) }
        let app = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            var upload = ResumableUpload(endpoint: "http://127.0.0.1:\(port)/upload")
            upload.chunkSize = 256 * 1024
            upload.firstDelay = .milliseconds(10)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "yt-upload-\(UUID().uuidString).mp4"
            ).path
            let data = Data((0..<(1_500_000)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
            try data.write(to: URL(fileURLWithPath: file))
            defer { try? FileManager.default.removeItem(atPath: file) }
            try await body(fake, upload, file, data, token)
        }
    }

    @Test func survivesA503AndADroppedConnection() async throws {
        try await withFake { fake, upload, file, data, token in
            fake.state.withLock { $0.failNextChunks = 1 }
            let seen = Mutex<[Int64]>([])
            let result = try await upload.upload(
                file: file, request: Self.request, session: nil, token: { _ in token }, onSession: { _ in },
                progress: { bytes in
                    seen.withLock { $0.append(bytes) }
                    // Once past the 503, drop the connection in the middle of the next chunk.
                    if bytes > 0 { fake.state.withLock { if $0.chunkRequests == 2 { $0.dropNextChunks = 1 } } }
                })
            let stored = try #require(fake.state.withLock { $0.completedVideos[result.videoID] })
            #expect(stored.data == data, "the fake has exactly the file's bytes")
            #expect(stored.metadata.contains("A test video") && stored.metadata.contains("unlisted"))
            #expect(result.videoURL == "https://www.youtube.com/watch?v=\(result.videoID)")
            #expect(seen.withLock { $0.last } == Int64(data.count))
            #expect(fake.state.withLock { $0.chunkRequests } > data.count / (256 * 1024) + 1, "chunks were retried")
            #expect(fake.state.withLock { $0.dropNextChunks } == 0, "a connection was dropped")
        }
    }

    @Test func droppedConnectionMidChunk() async throws {
        try await withFake { fake, upload, file, data, token in
            fake.state.withLock { $0.dropNextChunks = 2 }
            let result = try await upload.upload(
                file: file, request: Self.request, session: nil, token: { _ in token }, onSession: { _ in },
                progress: { _ in })
            #expect(fake.state.withLock { $0.completedVideos[result.videoID]?.data } == data)
        }
    }

    @Test func resumesFromItsSessionAfterARestart() async throws {
        try await withFake { fake, upload, file, data, token in
            let session = Mutex<String?>(nil)
            let first = Task {
                try await upload.upload(
                    file: file, request: Self.request, session: nil, token: { _ in token },
                    onSession: { url in session.withLock { $0 = url } },
                    progress: { bytes in if bytes > 0 { withUnsafeCurrentTask { $0?.cancel() } } })
            }
            _ = await first.result
            let url = try #require(session.withLock { $0 })
            let before = fake.state.withLock { $0.sessions.values.first?.data.count ?? 0 }
            #expect(before > 0 && before < data.count, "the first run stopped midway (\(before) bytes)")
            let result = try await upload.upload(
                file: file, request: Self.request, session: url, token: { _ in token },
                onSession: { _ in
                    Issue.record("a resumed upload opens no new session")
                }, progress: { _ in })
            #expect(fake.state.withLock { $0.completedVideos[result.videoID]?.data } == data)
            #expect(fake.state.withLock { $0.sessions.count } == 1)
        }
    }

    @Test func quotaErrorFailsCleanly() async throws {
        try await withFake { fake, upload, file, _, token in
            fake.state.withLock { $0.quotaExceeded = true }
            do {
                _ = try await upload.upload(
                    file: file, request: Self.request, session: nil, token: { _ in token }, onSession: { _ in },
                    progress: { _ in })
                Issue.record("a quota error must fail the upload")
            } catch let failure as ResumableUpload.Failure {
                #expect(failure.description.contains("quota"), "\(failure)")
                #expect(failure.description.contains("403"))
            }
            #expect(fake.state.withLock { $0.chunkRequests } == 0)
        }
    }

    @Test func expiredTokenIsRefreshedOnce() async throws {
        try await withFake { fake, upload, file, data, token in
            let refreshes = Mutex(0)
            let result = try await upload.upload(
                file: file, request: Self.request, session: nil,
                token: { refresh in
                    if refresh { refreshes.withLock { $0 += 1 } }
                    return refreshes.withLock { $0 } > 0 ? token : "access-expired"
                }, onSession: { _ in }, progress: { _ in })
            #expect(refreshes.withLock { $0 } == 1)
            #expect(fake.state.withLock { $0.completedVideos[result.videoID]?.data } == data)
        }
    }

    @Test func requestValidationNamesTheField() {
        let cases: [([String: JSONValue], String)] = [
            ([:], "title"), (["title": .string("")], "title"),
            (["title": .string(String(repeating: "x", count: 101))], "title"),
            (["title": .string("ok"), "description": .string(String(repeating: "é", count: 2501))], "description"),
            (["title": .string("ok"), "privacy": .string("secret")], "privacy"),
            (["title": .string("ok"), "tags": .string("a,b")], "tags"),
            (["title": .string("ok"), "tags": .array([.int(1)])], "tags"),
            (["title": .string("ok"), "category": .string("music")], "category"),
        ]
        for (json, field) in cases {
            #expect(throws: UploadRequest.Invalid.self, "\(json)") { try UploadRequest(json: json) }
            do { _ = try UploadRequest(json: json) } catch { #expect(error.field == field, "\(json): \(error)") }
        }
        #expect(
            (try? UploadRequest(json: ["title": .string("ok"), "category": .int(22), "tags": .array([.string("a")])]))
                != nil)
    }
}
