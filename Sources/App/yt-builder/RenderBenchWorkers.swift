import ChildProcess
import Foundation
import Render
import SQLiteStorage
import StorageCore

/// A job of `bench render` rendered by `yt-builder worker` processes sharing
/// one queue (a SQLite file): its render and its pieces go to whichever
/// worker claims them. Timed from the job's queueing to its completion,
/// with the workers already started; memory is every worker's and ffmpeg's
/// (not the bench's own). Pinned, worker `i` runs on core `i` (modulo the
/// cores there are), as if each were a host of one core.
struct RenderBenchWorkers {
    let media: RenderBenchMedia
    let config: JobConfig
    let quotes: Bool
    /// Each worker (and its ffmpeg) on a core of its own, as on hosts of their own.
    let pinned: Bool

    struct Result: Encodable {
        var workers: Int
        var seconds: Double
        var peakBytes: Int64
        var pinned: Bool
    }

    func measure(workers count: Int) async throws -> Result {
        let folder = media.path("queue-\(count)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let storage = try await SQLiteStorage.open(path: folder + "/queue.db")
        let job = try await storage.createJob(NewJob(config: config, runsDirectory: folder + "/data/runs"))
        var files: [(FileType, String)] = media.clips.map { (.videos, $0) } + media.music.map { (.music, $0) }
        files += media.sounds.map { (.sounds, $0) } + (quotes ? media.quotes.map { (.quotes, $0) } : [])
        for (type, source) in files {
            let name = URL(fileURLWithPath: source).lastPathComponent
            let path = job.runDirectory + "/" + type.rawValue + "/" + name
            try FileManager.default.createDirectory(
                atPath: job.runDirectory + "/" + type.rawValue, withIntermediateDirectories: true)
            try FileManager.default.linkItem(atPath: source, toPath: path)
            _ = try await storage.addFile(
                NewJobFile(jobID: job.jobID, fileType: type, filename: name, filePath: path))
        }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let arguments = [
            "worker", "--database", folder + "/queue.db", "--data-dir", folder + "/data", "--concurrency", "1",
            "--pieces-at-once", "1",
        ]
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let workers = (0..<count).map { index in
            let command = pinned ? ["/usr/bin/taskset", "-c", String(index % cores), executable] : [executable]
            return Task {
                try await ChildProcess(
                    command[0], Array(command.dropFirst()) + arguments, environment: ["LOG_LEVEL": "warning"]
                )
                .run()
            }
        }
        defer { for worker in workers { worker.cancel() } }
        // Started, their schema checked and idle before the clock starts.
        try await Task.sleep(for: .seconds(3))
        let clock = ContinuousClock()
        let start = clock.now
        let (_, peak) = try await ProcessTreeMemory.peak(descendantsOnly: true) {
            _ = try await storage.updateJob(job.jobID, JobUpdate(status: .queued))
            while true {
                let now = try await storage.job(job.jobID)
                if now?.status == .completed { return }
                if now?.status != .queued && now?.status != .running {
                    throw RenderError("the job ended \(now?.status.rawValue ?? "gone"): \(now?.error ?? "")")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let seconds = (clock.now - start).inSeconds
        await storage.close()
        return Result(workers: count, seconds: seconds, peakBytes: peak, pinned: pinned)
    }
}
