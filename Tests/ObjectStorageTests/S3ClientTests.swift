import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import TestObjectStore
import TestPostgres
import Testing

@testable import ObjectStorage

/// The client against a real S3-protocol server (moto) that the tests start.
@Suite struct S3ClientTests {
    /// One server for the suite; each test works under a prefix of its own.
    static let server = Task { try await TestObjectStore.start() }

    static func client(prefix: String = UUID().uuidString, partSize: Int? = nil) async throws -> S3Client {
        let store = try await server.value
        var configuration = try S3Configuration.from(
            url: "s3://yt-builder-media/tests/\(prefix)", environment: store.environment(bucket: "yt-builder-media"))
        if let partSize { configuration.partSize = partSize }
        let client = S3Client(configuration)
        try await client.createBucket()
        return client
    }

    @Test func objectsGoInComeOutAndGo() async throws {
        let s3 = try await Self.client()
        let keys = ["runs/run-1-a/videos/a clip.mp4", "runs/run-1-a/quotes/ä+=&.txt", "runs/run-2-b/log.txt"]
        for (index, key) in keys.enumerated() { try await s3.put(key, ByteBuffer(string: "content \(index)")) }
        #expect(String(buffer: try await s3.data(keys[1], limit: 1024)) == "content 1", "a key with + = & and UTF-8")
        let head = try #require(try await s3.head(keys[0]))
        #expect(head.key == keys[0] && head.size == 9 && head.etag != nil)
        #expect(try await s3.head("runs/none") == nil, "HEAD of nothing is nil")
        #expect(try await s3.list(prefix: "runs/run-1-a/").map(\.key).sorted() == keys.prefix(2).sorted())
        #expect(try await s3.deleteAll(prefix: "runs/run-1-a/") == 2)
        #expect(try await s3.list(prefix: "runs/").map(\.key) == [keys[2]], "only that job's prefix went")
        await #expect(throws: S3Error.self) { try await s3.data(keys[0], limit: 1024) }
        do {
            _ = try await s3.data(keys[0], limit: 1024)
        } catch let error as S3Error {
            #expect(error.isNotFound, "\(error)")
        }
        try await s3.delete(keys[0])  // already gone: fine
    }

    /// A put that expects an object which was replaced meanwhile changes nothing.
    @Test func aConditionalPutReplacesOnlyWhatItExpects() async throws {
        let s3 = try await Self.client()
        let key = "runs/run-3-c/job.log"
        guard case .stored(let first?) = try await s3.put(key, ByteBuffer(string: "a\n"), expecting: .absent) else {
            Issue.record("the first put into nothing is stored, with an entity tag")
            return
        }
        #expect(try await s3.put(key, ByteBuffer(string: "late\n"), expecting: .absent) == .refused)
        guard
            case .stored(let second?) = try await s3.put(key, ByteBuffer(string: "a\nb\n"), expecting: .matches(first))
        else {
            Issue.record("a put over the expected object is stored")
            return
        }
        #expect(try await s3.put(key, ByteBuffer(string: "stale\n"), expecting: .matches(first)) == .refused)
        #expect(String(buffer: try await s3.data(key, limit: 1024)) == "a\nb\n", "the refused puts changed nothing")
        #expect(try await s3.head(key)?.etag == second)
        #expect(try await s3.put("runs/run-3-c/none", ByteBuffer(string: "x"), expecting: .matches(first)) == .refused)
    }

    @Test func aLargeFileGoesUpInPartsAndComesBackWhole() async throws {
        let s3 = try await Self.client(partSize: 5 * 1024 * 1024)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("s3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<(12 * 1024 * 1024 + 77)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let source = folder.appendingPathComponent("big.mp4")
        try bytes.write(to: source)
        try await s3.upload(file: source.path, as: "runs/run-3-c/output/video.mp4", contentType: "video/mp4")
        #expect(try await s3.head("runs/run-3-c/output/video.mp4")?.size == Int64(bytes.count))
        let copy = folder.appendingPathComponent("copy.mp4")
        try await s3.download("runs/run-3-c/output/video.mp4", to: copy.path)
        #expect(SHA256.hash(data: try Data(contentsOf: copy)) == SHA256.hash(data: bytes), "three parts, one whole")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["big.mp4", "copy.mp4"],
            "no partial file left")

        let small = folder.appendingPathComponent("small.txt")
        try Data("short".utf8).write(to: small)
        try await s3.upload(file: small.path, as: "runs/run-3-c/small.txt")
        #expect(String(buffer: try await s3.data("runs/run-3-c/small.txt", limit: 100)) == "short", "one PUT")
    }

    @Test func aPresignedURLWorksWithoutKeys() async throws {
        let s3 = try await Self.client()
        try await s3.put("runs/run-4-d/output/video.mp4", ByteBuffer(string: "the video"))
        let url = s3.presignedURL("runs/run-4-d/output/video.mp4", expires: .seconds(300))
        #expect(url.contains("X-Amz-Signature=") && !url.contains("testing:"))
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        #expect(response.status == .ok)
        #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "the video")
    }

    @Test func anUnreachableStoreIsRetriedUntilItAnswers() async throws {
        let port = try TestPostgres.freePort()
        var configuration = try S3Configuration.from(
            url: "s3://yt-builder-media/late",
            environment: [
                "AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)", "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
            ])
        configuration.retryWindow = .seconds(2)
        let refused = S3Client(configuration)
        let began = ContinuousClock.now
        await #expect(throws: S3Error.self) { try await refused.createBucket() }
        #expect(ContinuousClock.now - began >= .seconds(1), "it kept trying for the window")

        configuration.retryWindow = .seconds(90)
        let patient = S3Client(configuration)
        let write = Task {
            try await patient.createBucket()
            try await patient.put("came/late.txt", ByteBuffer(string: "late"))
        }
        try await Task.sleep(for: .seconds(2))
        let store = try await TestObjectStore.start(port: port)
        do {
            try await write.value
            #expect(String(buffer: try await patient.data("came/late.txt", limit: 100)) == "late")
        } catch {
            await store.stop()
            throw error
        }
        await store.stop()
    }

    /// Creates a bucket through a store at 127.0.0.1:`port` with a retry
    /// window of a second: the S3 error it ended with (nil when it did not
    /// fail) and how long it took.
    static func createBucket(atLoopbackPort port: Int, requestTimeout: Duration? = nil) async throws
        -> (error: String?, took: Duration)
    {
        var configuration = try S3Configuration.from(
            url: "s3://yt-builder-media/unreachable",
            environment: [
                "AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)",
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            ])
        if let requestTimeout { configuration.requestTimeout = requestTimeout }
        configuration.retryWindow = .seconds(1)
        let began = ContinuousClock.now
        do {
            try await S3Client(configuration).createBucket()
            return (nil, ContinuousClock.now - began)
        } catch let error as S3Error {
            return ("\(error)", ContinuousClock.now - began)
        }
    }

    @Test func aStoreThatNeverAnswersIsGivenUpWithTimedOut() async throws {
        // A socket that listens and never accepts: the kernel completes the
        // connection, and no answer ever comes.
        let silent = try TestPostgres.loopbackSocket()
        defer { close(silent.descriptor) }
        try #require(listen(silent.descriptor, 16) == 0)
        let (error, took) = try await Self.createBucket(atLoopbackPort: silent.port, requestTimeout: .milliseconds(300))
        let message = try #require(error, "a store that never answers was taken for one that did")
        #expect(message.contains("create bucket failed: timed out (retried for"), "\(message)")
        #expect(took < .seconds(10), "given up once the window closed")
    }

    @Test func aRefusedConnectionIsRetriedWithinTheWindowOnly() async throws {
        // Bound and not listening: every connection is refused at once.
        let closed = try TestPostgres.loopbackSocket()
        defer { close(closed.descriptor) }
        let (error, took) = try await Self.createBucket(atLoopbackPort: closed.port)
        let message = try #require(error, "a refused connection was taken for an answer")
        #expect(message.contains("Connection refused"), "\(message)")
        #expect(message.contains("(retried for 1.0 seconds)"), "\(message)")
        // The HTTP client's own connection retries used to hold one attempt for its 10 s connect timeout.
        #expect(took < .seconds(5), "given up once the window closed")
    }
}
