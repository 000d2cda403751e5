import StorageCore

/// The behaviour every `Storage` backend must have, one function per area.
/// A backend's test target calls each area from its own test; each area gets a
/// fresh, empty store from `makeStorage`.
public struct StorageConformance: Sendable {
    public typealias Factory = @Sendable (TestClock) async throws -> any Storage

    let makeStorage: Factory
    let runs = "/srv/yt-builder/runs"

    public init(makeStorage: @escaping Factory) {
        self.makeStorage = makeStorage
    }

    /// Every area, by name, for runners that want to loop.
    public static let areas: [(name: String, run: @Sendable (StorageConformance) async throws -> Void)] = [
        ("jobs", { try await $0.testJobs() }),
        ("state machine", { try await $0.testStateMachine() }),
        ("files", { try await $0.testFiles() }),
        ("file counts", { try await $0.testFileCounts() }),
        ("uploads", { try await $0.testUploads() }),
        ("cleanup", { try await $0.testCleanup() }),
        ("paging", { try await $0.testPaging() }),
        ("unicode names", { try await $0.testUnicodeNames() }),
        ("large configs", { try await $0.testLargeConfigs() }),
        ("timestamps", { try await $0.testTimestamps() }),
        ("concurrent creation", { try await $0.testConcurrentCreation() }),
        ("errors", { try await $0.testErrors() }),
        ("claims", { try await $0.testClaims() }),
        ("leases", { try await $0.testLeases() }),
        ("cancel", { try await $0.testCancel() }),
        ("wake-up", { try await $0.testWakeUp() }),
        ("credentials", { try await $0.testCredentials() }),
        ("upload tasks", { try await $0.testUploadTasks() }),
        ("preparing jobs", { try await $0.testPreparing() }),
    ]

    func withStorage(_ body: (any Storage, TestClock) async throws -> Void) async throws {
        let clock = TestClock()
        let storage = try await makeStorage(clock)
        do {
            try await body(storage, clock)
        } catch {
            await storage.close()
            throw error
        }
        await storage.close()
    }

    func newJob(_ storage: any Storage, _ config: JobConfig? = JobConfig(["duration": .int(60)])) async throws -> Job {
        try await storage.createJob(NewJob(config: config, runsDirectory: runs))
    }

    /// A new job moved along the shortest path to `status`.
    func job(in status: JobStatus, _ storage: any Storage) async throws -> Job {
        let path: [JobStatus] =
            switch status {
            case .preparing: []
            case .queued: [.queued]
            case .running: [.queued, .running]
            case .completed: [.queued, .running, .completed]
            case .failed: [.queued, .running, .failed]
            case .cancelled: [.cancelled]
            }
        var job = try await newJob(storage)
        for next in path {
            job = try unwrap(try await storage.updateJob(job.jobID, JobUpdate(status: next)), "moving to \(next)")
        }
        return job
    }

    func add(_ storage: any Storage, _ jobID: Int64, _ type: FileType, _ name: String) async throws -> JobFile {
        try await storage.addFile(
            NewJobFile(jobID: jobID, fileType: type, filename: name, filePath: "\(runs)/\(jobID)/\(type)/\(name)"))
    }

    func upload(_ storage: any Storage, _ jobID: Int64, _ videoID: String, tags: [String] = ["a", "b"]) async throws
        -> YouTubeUpload
    {
        try await storage.addUpload(
            NewYouTubeUpload(
                jobID: jobID, videoID: videoID, videoURL: "https://youtube.com/watch?v=\(videoID)", title: "Title",
                description: "Description", privacy: .unlisted, tags: tags, category: "22"))
    }

    func allJobs(_ storage: any Storage, status: JobStatus? = nil) async throws -> [Job] {
        var jobs: [Job] = []
        var cursor: JobCursor?
        repeat {
            let page = try await storage.listJobs(JobQuery(status: status, limit: 1000, after: cursor))
            jobs += page.jobs
            cursor = page.nextCursor
        } while cursor != nil
        return jobs
    }
}
