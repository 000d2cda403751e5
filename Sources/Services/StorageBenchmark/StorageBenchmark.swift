import StorageCore
import Synchronization

/// The earlier service's write pattern for one job, one operation per
/// transaction as its API did: create, 4 files, 5 status/progress updates,
/// get, file counts, one YouTube upload. (The earlier service also spent an
/// operation on `get_next_job_id`; here creating the job allocates the id.)
public struct StorageBenchmark: Sendable {
    public enum Operation: String, CaseIterable, Sendable, Codable {
        case createJob = "create_job"
        case addFile = "add_file"
        case updateJob = "update_job"
        case getJob = "get_job"
        case fileCounts = "file_counts"
        case addUpload = "add_upload"
    }

    public static let operationsPerJob = 13

    public var jobs: Int
    public var concurrency: Int
    /// When set, runs until this many seconds have passed instead of `jobs` jobs.
    public var duration: Double?
    public var runsDirectory: String

    public init(jobs: Int, concurrency: Int, duration: Double? = nil, runsDirectory: String = "runs") {
        self.jobs = jobs
        self.concurrency = concurrency
        self.duration = duration
        self.runsDirectory = runsDirectory
    }

    public func run(on storage: any Storage) async throws -> BenchmarkResult {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = duration.map { start.advanced(by: .milliseconds(Int64($0 * 1000))) }
        let counter = JobCounter(limit: deadline == nil ? jobs : Int.max)
        let perTask = try await withThrowingTaskGroup(of: Samples.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var samples = Samples()
                    while counter.take(), deadline.map({ clock.now < $0 }) ?? true {
                        samples.jobIDs.append(try await oneJob(storage, &samples, clock))
                    }
                    return samples
                }
            }
            return try await group.reduce(into: [Samples]()) { $0.append($1) }
        }
        let elapsed = start.duration(to: clock.now)
        let seconds = elapsed.inSeconds
        var merged = Samples()
        for samples in perTask { merged.merge(samples) }
        return BenchmarkResult(samples: merged, seconds: seconds, concurrency: concurrency)
    }

    private func oneJob(_ storage: any Storage, _ samples: inout Samples, _ clock: ContinuousClock) async throws
        -> Int64
    {
        func timed<T>(_ operation: Operation, _ body: () async throws -> T) async throws -> T {
            let begin = clock.now
            let value = try await body()
            samples.record(operation, begin.duration(to: clock.now))
            return value
        }
        let job = try await timed(.createJob) {
            try await storage.createJob(
                NewJob(config: JobConfig(["duration": .int(600)]), runsDirectory: runsDirectory))
        }
        for (type, name) in [(FileType.videos, "a.mp4"), (.videos, "b.mp4"), (.music, "song.mp3"), (.quotes, "q.txt")] {
            _ = try await timed(.addFile) {
                try await storage.addFile(
                    NewJobFile(
                        jobID: job.jobID, fileType: type, filename: name,
                        filePath: "\(job.runDirectory)/\(type)/\(name)"))
            }
        }
        let updates = [
            JobUpdate(status: .queued),
            JobUpdate(status: .running, progress: 25, currentStep: "Processing video clips"),
            JobUpdate(progress: 50, currentStep: "Mixing audio tracks"),
            JobUpdate(progress: 75, currentStep: "Rendering quotes"),
            JobUpdate(
                status: .completed, progress: 100, currentStep: "Complete",
                outputFile: "\(job.runDirectory)/output/video.mp4"),
        ]
        for update in updates { _ = try await timed(.updateJob) { try await storage.updateJob(job.jobID, update) } }
        _ = try await timed(.getJob) { try await storage.job(job.jobID) }
        _ = try await timed(.fileCounts) { try await storage.fileCounts(ofJob: job.jobID) }
        _ = try await timed(.addUpload) {
            try await storage.addUpload(
                NewYouTubeUpload(
                    jobID: job.jobID, videoID: "bench\(job.jobID)",
                    videoURL: "https://youtube.com/watch?v=bench\(job.jobID)",
                    title: "Benchmark", description: nil, privacy: .private, tags: ["bench"], category: "22"))
        }
        return job.jobID
    }
}

/// Hands out job slots to the benchmark's tasks.
private final class JobCounter: Sendable {
    private let remaining: Mutex<Int>

    init(limit: Int) { remaining = Mutex(limit) }

    func take() -> Bool {
        remaining.withLock { remaining in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
    }
}
