import Foundation
import StorageCore
import Testing

/// The pieces of a render as tasks of the queue, between `yt-builder worker`
/// processes: a worker killed while it encodes a piece costs that piece and
/// the job still completes in one attempt; a cancel mid-pieces leaves no
/// piece task open, and none is queued again.
@Suite(.timeLimit(.minutes(5))) struct PieceTaskTests {
    typealias Backend = WorkerProcessTests.Backend

    /// A queued job of three 6 s 720p clips with crossfades over 60 s: some
    /// ten pieces of picture, each a second or more of encoding here.
    static func queueJob(_ setup: WorkerProcessTests.Setup) async throws -> Job {
        let job = try await setup.storage.createJob(
            NewJob(
                config: JobConfig([
                    "duration": .int(60), "resolution": .string("1280x720"), "fps": .int(30),
                    "transition": .string("crossfade"), "quote_font": .string("DejaVu Sans"),
                ]), runsDirectory: setup.runner.path("data/runs")))
        try FileManager.default.createDirectory(atPath: job.runDirectory + "/videos", withIntermediateDirectories: true)
        for (index, source) in ["testsrc", "smptebars", "mandelbrot"].enumerated() {
            let path = job.runDirectory + "/videos/clip\(index).mp4"
            try runTool(
                "/usr/bin/ffmpeg",
                [
                    "-loglevel", "error", "-y", "-f", "lavfi", "-i", "\(source)=size=1280x720:rate=30", "-t", "6",
                    "-pix_fmt", "yuv420p", path,
                ])
            _ = try await setup.storage.addFile(
                NewJobFile(jobID: job.jobID, fileType: .videos, filename: "clip\(index).mp4", filePath: path))
        }
        _ = try await setup.storage.updateJob(job.jobID, JobUpdate(status: .queued))
        return job
    }

    static func pieces(_ setup: WorkerProcessTests.Setup, _ id: Int64) async throws -> [RenderPiece] {
        try await setup.storage.tasks(RenderPiece.self, ofJob: id)
    }

    @Test(arguments: Backend.allCases) func killedPieceWorkerCostsOnlyItsPiece(_ backend: Backend) async throws {
        let setup = try await WorkerProcessTests.Setup.make(backend)
        let job = try await Self.queueJob(setup)
        // It renders the job but encodes no piece: whoever encodes one is another process.
        let coordinator = try setup.worker(["--lease-seconds", "2", "--pieces-at-once", "0"])
        defer { coordinator.kill() }
        try await waitFor("the job's render to queue its pieces", seconds: 60) {
            try await !Self.pieces(setup, job.jobID).isEmpty
        }
        let doomed = try setup.worker(["--lease-seconds", "2", "--concurrency", "1"])
        defer { doomed.kill() }
        var held: RenderPiece?
        try await waitFor("a piece to be encoding", seconds: 60) {
            held = try await Self.pieces(setup, job.jobID).first { $0.state == .running }
            return held != nil
        }
        doomed.signal(SIGKILL)
        let rescuer = try setup.worker(["--lease-seconds", "2", "--concurrency", "1"])
        defer { rescuer.kill() }
        try await waitFor("the job to complete", seconds: 180) {
            try await setup.storage.job(job.jobID)?.status == .completed
        }
        let heldID = try #require(held).id
        let lost = try #require(try await setup.storage.task(RenderPiece.self, id: heldID))
        #expect(lost.state == .completed && lost.attempt == 2, "the killed piece was encoded again: \(lost)")
        let pieces = try await Self.pieces(setup, job.jobID)
        #expect(pieces.allSatisfy { $0.state == .completed }, "\(pieces.map { ($0.unit, $0.state) })")
        #expect(Set(pieces.map(\.unit)).count == pieces.count, "each piece queued once")
        #expect(try await setup.attemptLines(job.jobID).count == 1, "the job rendered in one attempt")
        let done = try #require(try await setup.storage.job(job.jobID))
        let output = try #require(done.outputFile)
        let duration = try runTool(
            "/usr/bin/ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", output])
        #expect(abs((Double(duration.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) - 60) < 0.1, "\(duration)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: job.runDirectory + "/pieces")) ?? []
        #expect(left.isEmpty, "the pieces' files are removed once joined: \(left)")
        #expect(try await coordinator.stop() == 0)
        #expect(try await rescuer.stop() == 0)
        await setup.storage.close()
    }

    @Test(arguments: Backend.allCases) func cancelMidPiecesEndsEveryPiece(_ backend: Backend) async throws {
        let setup = try await WorkerProcessTests.Setup.make(backend)
        let job = try await Self.queueJob(setup)
        let coordinator = try setup.worker(["--lease-seconds", "3", "--pieces-at-once", "0"])
        defer { coordinator.kill() }
        try await waitFor("the job's render to queue its pieces", seconds: 60) {
            try await !Self.pieces(setup, job.jobID).isEmpty
        }
        let encoder = try setup.worker(["--lease-seconds", "3", "--concurrency", "1"])
        defer { encoder.kill() }
        try await waitFor("a piece to be encoding", seconds: 60) {
            try await Self.pieces(setup, job.jobID).contains { $0.state == .running }
        }
        _ = try #require(try await setup.storage.cancelJob(job.jobID))
        let open = { try await Self.pieces(setup, job.jobID).filter { $0.state == .queued || $0.state == .running } }
        #expect(try await open().isEmpty, "the cancel ends every piece at once")
        let count = try await Self.pieces(setup, job.jobID).count
        try await waitFor("the job to be cancelled", seconds: 30) {
            try await setup.storage.job(job.jobID)?.status == .cancelled
        }
        // Heartbeats come every second: the encoding worker has let go by then.
        try await Task.sleep(for: .seconds(3))
        #expect(try await open().isEmpty, "no piece is queued again or claimed after the cancel")
        #expect(try await Self.pieces(setup, job.jobID).count == count, "no piece was queued after the cancel")
        #expect(
            WorkerChildTests.children(of: encoder.process.processIdentifier).allSatisfy {
                !$0.command.contains("ffmpeg")
            },
            "the encoding worker's ffmpeg was stopped")
        #expect(try await encoder.stop() == 0)
        #expect(try await coordinator.stop() == 0)
        await setup.storage.close()
    }
}
