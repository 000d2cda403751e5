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

    /// Every area, by role and name. A backend's test target runs each one
    /// as an argument of one test (`@Test(arguments: StorageConformance.areaNames)`).
    public static let areas: [Area] = [
        Area("jobs", "jobs", { try await $0.testJobs() }),
        Area("jobs", "state machine", { try await $0.testStateMachine() }),
        Area("jobs", "cleanup", { try await $0.testCleanup() }),
        Area("jobs", "paging", { try await $0.testPaging() }),
        Area("jobs", "large configs", { try await $0.testLargeConfigs() }),
        Area("jobs", "timestamps", { try await $0.testTimestamps() }),
        Area("jobs", "concurrent creation", { try await $0.testConcurrentCreation() }),
        Area("jobs", "errors", { try await $0.testErrors() }),
        Area("jobs", "preparing jobs", { try await $0.testPreparing() }),
        Area("files", "files", { try await $0.testFiles() }),
        Area("files", "file counts", { try await $0.testFileCounts() }),
        Area("files", "unicode names", { try await $0.testUnicodeNames() }),
        Area("upload history", "uploads", { try await $0.testUploads() }),
        Area("credentials", "credentials", { try await $0.testCredentials() }),
        Area("deployment", "deployment record", { try await $0.testDeploymentRecord() }),
        Area("workers", "worker registry", { try await $0.testWorkerRegistry() }),
        Area("upload task queue", "upload tasks", { try await $0.testUploadTasks() }),
        Area("playlist import queue", "playlist imports", { try await $0.testPlaylistImports() }),
        Area("render piece queue", "render pieces", { try await $0.testRenderPieces() }),
        Area("render queue", "claims", { try await $0.testClaims() }),
        Area("render queue", "leases", { try await $0.testLeases() }),
        Area("render queue", "cancel", { try await $0.testCancel() }),
        Area("render queue", "wake-up", { try await $0.testWakeUp() }),
        Area("driver", "bulk load", { try await $0.testBulkLoad() }),
    ]

    public static var areaNames: [String] { areas.map(\.id) }

    public struct Area: Sendable {
        /// The role of `Storage` the area checks.
        public let role: String
        public let name: String
        let run: @Sendable (StorageConformance) async throws -> Void

        init(_ role: String, _ name: String, _ run: @escaping @Sendable (StorageConformance) async throws -> Void) {
            self.role = role
            self.name = name
            self.run = run
        }

        /// `role: name`, what a test run shows.
        public var id: String { "\(role): \(name)" }
    }

    /// Runs the area `id` (from `areaNames`) on a fresh store.
    public func run(_ id: String) async throws {
        guard let area = Self.areas.first(where: { $0.id == id }) else {
            throw ConformanceFailure(message: "no conformance area '\(id)'", location: #fileID)
        }
        try await area.run(self)
    }

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
