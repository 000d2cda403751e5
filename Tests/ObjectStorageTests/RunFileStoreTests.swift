import Foundation
import NIOCore
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

    /// The shared folders: what is listed, and a file of them taken into a
    /// run (a hard link on disk, the store's own copy in a bucket).
    @Test(arguments: Backend.allCases) func sharedMediaIsListedAndTakenIntoARun(_ backend: Backend) async throws {
        try await withStore(backend) { store, staging in
            let shared: [(String, String)] = [
                ("videos/b clip.mp4", "bee"), ("videos/a.mov", "a"), ("videos/.hidden.mp4", "h"),
                ("videos/notes.txt", "n"), ("videos/deeper/c.mp4", "c"), ("music/song.mp3", "song"),
            ]
            if let bucket = store as? S3RunFileStore {
                for (key, text) in shared { try await bucket.client.put(key, ByteBuffer(string: text)) }
            } else {
                let data = staging.deletingLastPathComponent().appendingPathComponent("data")
                for (path, text) in shared {
                    let file = data.appendingPathComponent(path)
                    try FileManager.default.createDirectory(
                        at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(text.utf8).write(to: file)
                }
            }
            #expect(try await store.sharedMedia(.videos) == ["a.mov", "b clip.mp4"])
            #expect(try await store.sharedMedia(.music) == ["song.mp3"])
            #expect(try await store.sharedMedia(.quotes) == [])

            let name = try #require(RunFileName(type: .videos, name: "b clip.mp4"))
            try await store.copy(.shared("b clip.mp4", .videos), to: name, jobID: 7, run: "runs/run-7-abc123")
            let scratch = staging.appendingPathComponent("scratch").path
            let copy = try await store.localFile(name, jobID: 7, run: "runs/run-7-abc123", scratch: scratch)
            #expect(try String(contentsOfFile: copy, encoding: .utf8) == "bee")
            if store is LocalRunFileStore {
                let original = staging.deletingLastPathComponent().appendingPathComponent("data/videos/b clip.mp4")
                let links = try FileManager.default.attributesOfItem(atPath: original.path)[.referenceCount] as? Int
                #expect(links == 2, "a hard link, not a second copy")
            }
            try await store.removeAll(jobID: 7, run: "runs/run-7-abc123")
            #expect(try await store.sharedMedia(.videos) == ["a.mov", "b clip.mp4"], "the shared file stays")
            await #expect(throws: (any Error).self) {
                try await store.copy(.shared("none.mp4", .videos), to: name, jobID: 8, run: "runs/run-8-def456")
            }
        }
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

/// The log in an object store: a put a worker started before it lost the job,
/// landing late, never replaces the log of the attempt that holds the job now.
@Suite struct StoredLogTests {
    @Test func aLatePutOfAnEarlierCopyIsRefusedAndTheHolderReplacesWhatLandedMeanwhile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storedlog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = try await S3ClientTests.client()
        let store = S3RunFileStore(client)
        let run = "runs/run-5-abc"
        let key = try S3RunFileStore.prefix(jobID: 5, run: run) + RunFileName.log.path
        func read() async throws -> String { String(buffer: try await client.data(key, limit: 1024)) }

        // The first attempt finds no log, puts its own, and loses the job.
        let first = folder.appendingPathComponent("first").path
        #expect(try await store.fetchLog(jobID: 5, run: run, scratch: first) == .absent)
        let firstCopy = try await store.placeLog(
            try RunFileStoreTests.staged("one\n", in: folder), jobID: 5, run: run, over: .absent)
        guard case .seen(let firstTag) = firstCopy else {
            Issue.record("moto gives entity tags: \(firstCopy)")
            return
        }

        // The next attempt starts from that copy and puts its own over it.
        let second = folder.appendingPathComponent("second").path
        let seen = try await store.fetchLog(jobID: 5, run: run, scratch: second)
        #expect(seen == firstCopy)
        #expect(try String(contentsOfFile: second + "/job.log", encoding: .utf8) == "one\n")
        let secondCopy = try await store.placeLog(
            try RunFileStoreTests.staged("one\ntwo\n", in: folder), jobID: 5, run: run, over: seen)

        // The first attempt's put that was still on its way lands now: refused.
        #expect(
            try await client.put(key, ByteBuffer(string: "one\nstale\n"), expecting: .matches(firstTag)) == .refused)
        #expect(try await read() == "one\ntwo\n")

        // A copy that did land since the holder's last look is replaced by the holder's next put.
        guard case .seen(let secondTag) = secondCopy else {
            Issue.record("\(secondCopy)")
            return
        }
        _ = try await client.put(key, ByteBuffer(string: "landed\n"), expecting: .matches(secondTag))
        _ = try await store.placeLog(
            try RunFileStoreTests.staged("one\ntwo\nthree\n", in: folder), jobID: 5, run: run, over: secondCopy)
        #expect(try await read() == "one\ntwo\nthree\n")
    }
}
