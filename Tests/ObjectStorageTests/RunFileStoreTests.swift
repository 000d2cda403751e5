import Foundation
import ObjectStorage
import RunFiles
import StorageCore
import Testing

/// The same behaviour from both stores of job files: the data directory and
/// an S3 bucket (moto).
@Suite struct RunFileStoreTests {
    enum Backend: String, CaseIterable { case local, s3 }

    func withStore(_ backend: Backend, _ body: (any RunFileStore, URL) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runstore-\(UUID().uuidString)")
        let data = DataDirectory(folder.appendingPathComponent("data").path)
        try data.create()
        defer { try? FileManager.default.removeItem(at: folder) }
        let staging = folder.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        switch backend {
        case .local: try await body(LocalRunFileStore(data), staging)
        case .s3: try await body(S3RunFileStore(try await S3ClientTests.client()), staging)
        }
    }

    static func staged(_ text: String, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent(UUID().uuidString).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: Backend.allCases) func filesGoInComeBackAndGoByRun(_ backend: Backend) async throws {
        try await withStore(backend) { store, staging in
            let clip = try #require(RunFileName(type: .videos, name: "a clip ä.mp4"))
            let video = try #require(RunFileName.output("video.mp4"))
            let seven = "runs/run-7-abc123"
            let eight = "runs/run-8-def456"
            for (name, text, job, run) in [
                (clip, "clip", Int64(7), seven), (video, "video", 7, seven), (.log, "log", 7, seven),
                (clip, "other", 8, eight),
            ] {
                let staged = try Self.staged(text, in: staging)
                try await store.place(staged, as: name, jobID: job, run: run)
                #expect(!FileManager.default.fileExists(atPath: staged), "the staged file is gone")
            }
            #expect(try await store.size(of: clip, jobID: 7, run: seven) == 4)
            #expect(try await store.size(of: .log, jobID: 7, run: seven) == 3)
            #expect(try await store.size(of: RunFileName.output("none.mp4")!, jobID: 7, run: seven) == nil)

            let scratch = staging.appendingPathComponent("scratch").path
            let missing = try await store.localFileIfAny(
                RunFileName.output("none.mp4")!, jobID: 7, run: seven, scratch: scratch)
            #expect(missing == nil)
            #expect(!FileManager.default.fileExists(atPath: scratch), "no folder made for a file that is not there")
            let local = try await store.localFile(video, jobID: 7, run: seven, scratch: scratch)
            #expect(try String(contentsOfFile: local, encoding: .utf8) == "video")
            await #expect(throws: StorageError.self) {
                _ = try await store.localFile(RunFileName.output("none.mp4")!, jobID: 7, run: seven, scratch: scratch)
            }

            try await store.removeAll(jobID: 7, run: seven)
            #expect(try await store.size(of: clip, jobID: 7, run: seven) == nil, "job 7's files are gone")
            #expect(try await store.size(of: clip, jobID: 8, run: eight) == 5, "job 8's stay")
            try await store.removeAll(jobID: 7, run: seven)  // nothing left: fine
        }
    }

    @Test(arguments: Backend.allCases) func aRowCannotNameAnotherJobsFiles(_ backend: Backend) async throws {
        try await withStore(backend) { store, staging in
            for stored in ["runs/run-8-def456", "runs/run-7-", "runs/run-7-ab/../../x", "", "/", "runs/run-77-ab"] {
                let staged = try Self.staged("x", in: staging)
                await #expect(throws: RunDirectoryRefused.self, "\(stored)") {
                    try await store.place(staged, as: .log, jobID: 7, run: stored)
                }
                await #expect(throws: RunDirectoryRefused.self, "\(stored)") {
                    try await store.removeAll(jobID: 7, run: stored)
                }
            }
        }
    }

    @Test func namesCannotLeaveTheirFolder() {
        for bad in ["../x.mp4", "a/b.mp4", ".hidden.mp4", "", "..", "x\u{0}.mp4"] {
            #expect(RunFileName(type: .videos, name: bad) == nil, "\(bad)")
            #expect(RunFileName.output(bad) == nil, "\(bad)")
        }
        #expect(RunFileName(type: .music, name: "song.mp3")?.path == "music/song.mp3")
    }
}
