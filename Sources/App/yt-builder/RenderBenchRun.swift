import Foundation
import Render
import StorageCore
import VideoSettings

/// One job of `bench render`: by pieces at each concurrency, in one pass,
/// the limit of its distinct content, and SSIM of pieces against one pass.
struct RenderBenchRun {
    let name: String
    let settings: VideoSettings
    let media: RenderBenchMedia
    let quotes: Bool
    let levels: [Int]
    let onePass: Bool

    func input(_ output: String) -> RenderInput {
        RenderInput(
            videos: media.clips, music: media.music, sounds: media.sounds, quotes: quotes ? media.quotes : [],
            settings: settings, fonts: media.fonts, output: media.path(output), scratch: media.path("scratch"))
    }

    func measure() async throws -> RenderBenchResult {
        var result = RenderBenchResult(
            job: name, duration: settings.duration, resolution: "\(settings.resolution)", fps: settings.fps)
        let clock = ContinuousClock()
        var firstPlan: RenderPlan?
        var firstReport: PieceRenderer.Report?
        for level in levels {
            Console.error("\(name): by pieces, \(level) at once…")
            var renderer = Renderer()
            renderer.concurrency = level
            let start = clock.now
            let (rendered, peak) = try await ProcessTreeMemory.peak {
                try await renderer.render(input("pieces.mp4"), progress: { _, _ in }, log: { _ in })
            }
            let seconds = (clock.now - start).inSeconds
            let report = try rendered.pieces.unwrap("a render by pieces reports its pieces")
            result.pieces.append(
                .init(
                    concurrency: level, seconds: seconds, peakBytes: peak, scratchBytes: report.scratchBytes,
                    outputBytes: FileManager.default.size(atPath: media.path("pieces.mp4")) ?? 0,
                    encodedFrames: report.encodedFrames,
                    frames: Int((settings.duration * Double(settings.fps)).rounded()),
                    encodedSoundSeconds: report.encodedSoundSeconds, pictureSeconds: report.pictureSeconds,
                    soundSeconds: report.soundSeconds, joinSeconds: report.joinSeconds))
            if firstPlan == nil {
                firstPlan = rendered.plan
                firstReport = report
            }
        }
        if let plan = firstPlan, let report = firstReport {
            Console.error("\(name): the limit (distinct content alone)…")
            result.limitSeconds =
                try await DistinctContentLimit.measure(plan, report: report, scratch: media.path("limit"))
                + report.joinSeconds
        }
        if onePass {
            Console.error("\(name): in one pass…")
            var renderer = Renderer()
            renderer.onePass = true
            let start = clock.now
            do {
                let (_, peak) = try await ProcessTreeMemory.peak {
                    try await renderer.render(input("one-pass.mp4"), progress: { _, _ in }, log: { _ in })
                }
                result.onePassSeconds = (clock.now - start).inSeconds
                result.onePassPeakBytes = peak
                Console.error("\(name): SSIM of pieces against one pass…")
                let values = try await FrameSimilarity.ssim(
                    media.path("pieces.mp4"), media.path("one-pass.mp4"), stats: media.path("ssim.txt"))
                result.ssimMean = values.reduce(0, +) / Double(max(1, values.count))
                result.ssimMin = values.min()
                result.framesBelow095 = values.indices.filter { values[$0] < 0.95 }
            } catch let error as RenderError {
                result.onePassRefused = error.description
            }
        }
        for file in ["pieces.mp4", "one-pass.mp4", "ssim.txt"] {
            try? FileManager.default.removeItem(atPath: media.path(file))
        }
        return result
    }
}

struct RenderBenchResult: Encodable {
    struct Pieces: Encodable {
        var concurrency: Int
        var seconds: Double
        var peakBytes: Int64
        var scratchBytes: Int64
        var outputBytes: Int64
        var encodedFrames: Int
        var frames: Int
        var encodedSoundSeconds: Double
        var pictureSeconds: Double
        var soundSeconds: Double
        var joinSeconds: Double
    }

    var job: String
    var duration: Double
    var resolution: String
    var fps: Int
    var pieces: [Pieces] = []
    var workers: [RenderBenchWorkers.Result] = []
    var limitSeconds: Double?
    var onePassSeconds: Double?
    var onePassPeakBytes: Int64?
    var onePassRefused: String?
    var ssimMean: Double?
    var ssimMin: Double?
    /// Frames (from 0) whose SSIM is below 0.95.
    var framesBelow095: [Int] = []

    func print() {
        let megabytes = { (bytes: Int64) in String(format: "%.0f MB", Double(bytes) / 1_000_000) }
        Swift.print("\(job): \(Int(duration)) s at \(resolution), \(fps) fps")
        for run in pieces {
            var line = String(
                format:
                    "  pieces, %d at once: %.1f s, peak %@, scratch %@, output %@; encoded %d of %d frames (%.1f s), %.0f s of sound (%.1f s); join %.1f s",
                run.concurrency, run.seconds, megabytes(run.peakBytes), megabytes(run.scratchBytes),
                megabytes(run.outputBytes), run.encodedFrames, run.frames, run.pictureSeconds, run.encodedSoundSeconds,
                run.soundSeconds, run.joinSeconds)
            if let limit = limitSeconds { line += String(format: "; %.2f× the limit", run.seconds / limit) }
            if let onePass = onePassSeconds {
                line += String(format: "; %.2f× faster than one pass", onePass / run.seconds)
            }
            Swift.print(line)
        }
        for run in workers {
            var line = String(
                format: "  %d worker processes sharing the queue%@: %.1f s, peak %@", run.workers,
                run.pinned ? " (a core each)" : "", run.seconds, megabytes(run.peakBytes))
            if let one = workers.first(where: { $0.workers == 1 }), run.workers > 1 {
                line += String(format: "; %.2f× the time of one", run.seconds / one.seconds)
            }
            if let limit = limitSeconds { line += String(format: "; %.2f× the limit", run.seconds / limit) }
            Swift.print(line)
        }
        if let limit = limitSeconds {
            Swift.print(String(format: "  limit (distinct content alone + join): %.1f s", limit))
        }
        if let onePass = onePassSeconds {
            Swift.print(String(format: "  one pass: %.1f s, peak %@", onePass, megabytes(onePassPeakBytes ?? 0)))
        }
        if let refused = onePassRefused { Swift.print("  one pass: refused: \(refused)") }
        if let mean = ssimMean, let lowest = ssimMin {
            Swift.print(
                String(format: "  SSIM against one pass: mean %.4f, lowest %.4f; ", mean, lowest)
                    + "\(framesBelow095.count) frames below 0.95\(framesBelow095.isEmpty ? "" : " (\(framesBelow095.prefix(8).map(String.init).joined(separator: ", ")))")"
            )
        }
    }
}

extension Optional {
    func unwrap(_ what: String) throws -> Wrapped {
        guard let self else { throw RenderError(what) }
        return self
    }
}
