import Foundation
import Hummingbird
import HummingbirdTesting
import ObjectStorage
import RunFiles
import StorageCore
import Testing

@testable import HTTPServer

/// What a client reads when the files' storage fails: a sentence and the
/// status that says whose fault it is and whether to retry, never "internal
/// error" or "the database is unavailable"; and nothing half-written.
@Suite(.timeLimit(.minutes(2))) struct StorageFailureTests {
    @Test(.enabled(if: geteuid() == 0, "mounts a small file system")) func aFullDiskIs507() async throws {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent("yt-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let mounted = Process()
        mounted.executableURL = URL(fileURLWithPath: "/bin/mount")
        mounted.arguments = ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mount]
        try mounted.run()
        mounted.waitUntilExit()
        try #require(mounted.terminationStatus == 0)
        defer {
            let unmount = Process()
            unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
            unmount.arguments = [mount]
            try? unmount.run()
            unmount.waitUntilExit()
            try? FileManager.default.removeItem(atPath: mount)
        }
        try await TestAPI.with(.sqlite, configure: { $0.dataDirectory = mount }) { client, api in
            let id = try await client.prepare()
            let big = Multipart.Part(filename: "big.mp4", bytes: [UInt8](repeating: 7, count: 2 << 20))
            let response = try await client.upload(id, "videos", [big])
            #expect(response.status.code == 507, "\(response.status)")
            #expect(try object(response)["error"]?.string?.contains("no space left on the data directory") == true)
            #expect(try await api.storage.files(ofJob: id, type: nil).isEmpty, "nothing recorded")
            let job = try #require(try await api.storage.job(id))
            let left = FileManager.default.enumerator(atPath: job.runDirectory)?.compactMap { $0 as? String } ?? []
            #expect(
                !left.contains { $0.hasSuffix(".part") || $0.hasSuffix("big.mp4") }, "nothing half-written: \(left)")
        }
    }

    @Test func anUnreachableObjectStoreIs503() async throws {
        var configuration = try S3Configuration.from(
            url: "s3://yt-builder-media/away",
            environment: [
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
            ])
        configuration.retryWindow = .milliseconds(500)
        let store = S3RunFileStore(S3Client(configuration))
        try await TestAPI.with(.sqlite, configure: { $0.objectStore = store }) { client, api in
            let id = try await client.prepare()
            let response = try await client.upload(id, "videos", [Multipart.file("a.mp4")])
            #expect(response.status == .serviceUnavailable, "\(response.status)")
            let error = try object(response)["error"]?.string ?? ""
            #expect(error.contains("object store") && !error.contains("database"), "\(error)")
            #expect(try await api.storage.files(ofJob: id, type: nil).isEmpty, "nothing recorded")
        }
    }

    /// What both backends say of a full disk (SQLITE_FULL, SQLSTATE 53100) is 507 too, not "unavailable".
    @Test func aFullDatabaseDiskIs507() {
        let full = APIError(StorageError(.unavailable, "the disk is full: database or disk is full"))
        #expect(full.status.code == 507)
        #expect(full.message.contains("no space left"))
        #expect(APIError(StorageError(.unavailable, "the PostgreSQL server is not reachable")).status.code == 503)
    }
}
