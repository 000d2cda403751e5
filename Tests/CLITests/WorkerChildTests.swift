import Foundation
import StorageCore
import Testing

/// ffmpeg dies with the worker that started it, however the worker dies, and
/// what it was writing is swept before the job runs again.
@Suite(.timeLimit(.minutes(3))) struct WorkerChildTests {
    /// The processes whose parent is `pid`, with their command lines.
    static func children(of pid: Int32) -> [(pid: Int32, command: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> (Int32, String)? in
            guard let child = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == pid else { return nil }
            let command = (try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8)) ?? ""
            return (child, command.replacingOccurrences(of: "\0", with: " "))
        }
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")
    }

    @Test func ffmpegDiesWithAKilledWorkerAndItsPartialOutputIsSwept() async throws {
        let setup = try await WorkerProcessTests.Setup.make(.sqlite)
        let clip = setup.runner.path("clip.mp4")
        try runTool(
            "/usr/bin/ffmpeg",
            [
                "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-t", "10", "-pix_fmt",
                "yuv420p", clip,
            ])
        // Long enough that ffmpeg is still encoding when its worker is killed.
        let config = JobConfig([
            "duration": .int(900), "resolution": .string("640x360"), "fps": .int(30), "transition": .string("none"),
            "quote_font": .string("DejaVu Sans"),
        ])
        let job = try await setup.storage.createJob(
            NewJob(config: config, runsDirectory: setup.runner.path("data/runs")))
        try FileManager.default.createDirectory(atPath: job.runDirectory + "/videos", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: clip, toPath: job.runDirectory + "/videos/clip.mp4")
        _ = try await setup.storage.addFile(
            NewJobFile(
                jobID: job.jobID, fileType: .videos, filename: "clip.mp4",
                filePath: job.runDirectory + "/videos/clip.mp4"))
        _ = try await setup.storage.updateJob(job.jobID, JobUpdate(status: .queued))

        let doomed = try setup.worker(["--lease-seconds", "1"])
        defer { doomed.kill() }
        var encoder: Int32?
        try await waitFor("the worker's ffmpeg", seconds: 60) {
            encoder = Self.children(of: doomed.process.processIdentifier).first { $0.command.contains("ffmpeg") }?.pid
            return encoder != nil
        }
        let ffmpeg = try #require(encoder)
        try await waitFor("ffmpeg's partial output", seconds: 30) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: job.runDirectory + "/output")) ?? []
            return names.contains { $0.hasSuffix(".part") }
        }
        doomed.signal(SIGKILL)
        try await waitFor("ffmpeg to die with its worker", seconds: 5) { !Self.isAlive(ffmpeg) }

        let rescuer = try setup.worker(["--lease-seconds", "1"])
        defer { rescuer.kill() }
        try await waitFor("the second attempt to begin", seconds: 30) {
            try await setup.attemptLines(job.jobID).count == 2
        }
        let log = try String(contentsOfFile: job.runDirectory + "/job.log", encoding: .utf8)
        #expect(log.contains("removed what an earlier attempt left: ."), "\(log)")
        _ = try await setup.storage.cancelJob(job.jobID)
        try await waitFor("the cancel", seconds: 30) { try await setup.storage.job(job.jobID)?.status == .cancelled }
        #expect(try await rescuer.stop() == 0)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: job.runDirectory + "/output")) ?? []
        #expect(!left.contains { $0.hasSuffix(".part") }, "\(left)")
        await setup.storage.close()
    }
}
