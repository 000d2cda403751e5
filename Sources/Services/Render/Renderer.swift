import Foundation
import VideoSettings

/// Makes the video of a `RenderInput`: checks and plans, writes the quote
/// texts, encodes each distinct piece once and joins them (or, as the
/// benchmark's reference, runs one ffmpeg over the whole video), and renames
/// the finished file into place. Knows nothing of jobs or databases:
/// progress and log lines go to callbacks.
public struct Renderer: Sendable {
    /// The earlier service's step names, kept for `current_step`.
    public enum Step: String, Sendable {
        case clips = "Processing video clips"
        case audio = "Mixing audio tracks"
        case quotes = "Rendering quotes"
        case encode = "Creating final video"
        case complete = "Complete"
    }

    public var planner = RenderPlanner()
    /// One ffmpeg for the whole video, every second encoded: the reference
    /// `bench render` compares the render by pieces against.
    public var onePass = false
    /// Pieces encoded at once on this host.
    public var concurrency = 1

    public init() {}

    /// The plan a render followed, and what the pieces cost (nil in one pass).
    public struct Rendered: Sendable {
        public var plan: RenderPlan
        public var pieces: PieceRenderer.Report?
    }

    @discardableResult
    public func render(
        _ input: RenderInput, progress: @escaping @Sendable (Int, Step) async -> Void,
        log: @escaping @Sendable (String) -> Void
    ) async throws -> Rendered {
        await progress(2, .clips)
        var planner = planner
        planner.onePass = onePass
        let plan = try await planner.plan(input)
        for note in plan.notes { log(note) }
        log(
            "plan: \(plan.segments.count) clip segments, \(plan.music.count) music tracks, \(plan.sounds.count) sounds, \(plan.quotes.count) quotes, seed \(plan.seed)"
        )
        await progress(5, .audio)
        await progress(8, .quotes)
        let files = FileManager.default
        defer {
            try? files.removeItem(atPath: input.scratch)
            try? files.removeItem(atPath: plan.temporaryOutput)
        }
        do {
            try files.createDirectory(atPath: input.scratch, withIntermediateDirectories: true)
            try files.createDirectory(
                atPath: URL(fileURLWithPath: input.output).deletingLastPathComponent().path,
                withIntermediateDirectories: true)
            for quote in Set(plan.quotes.map { [$0.textFile, $0.text] }) {
                try quote[1].write(toFile: quote[0], atomically: true, encoding: .utf8)
            }
        } catch {
            throw RenderError.cannotWrite(error)
        }
        await progress(10, .encode)
        log("ffmpeg: encoding \(plan.duration) s at \(plan.settings.resolution), \(plan.settings.fps) fps")
        var report: PieceRenderer.Report?
        if onePass {
            try await renderOnePass(plan, progress: progress)
        } else {
            let pieces = PieceRenderer(plan: plan, scratch: input.scratch + "/pieces")
            log(
                "pieces: \(pieces.video.pieces.count) of picture (\(pieces.video.encodedFrames) of \(pieces.video.frames) frames), \(pieces.audio.pieces.count) of sound"
            )
            report = try await pieces.render(concurrency: concurrency) { done in
                await progress(10 + Int(85 * done), .encode)
            }
        }
        guard rename(plan.temporaryOutput, input.output) == 0 else {
            throw RenderError("cannot move the finished video to \(input.output): \(String(cString: strerror(errno)))")
        }
        log("video written: \(input.output)")
        await progress(100, .complete)
        return Rendered(plan: plan, pieces: report)
    }

    private func renderOnePass(_ plan: RenderPlan, progress: @escaping @Sendable (Int, Step) async -> Void)
        async throws
    {
        let seconds = AsyncStream<Double>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let reporter = Task {
            var last = -1
            for await written in seconds.stream {
                let percent = 10 + Int(89 * min(1, written / plan.duration))
                if percent > last {
                    last = percent
                    await progress(percent, .encode)
                }
            }
        }
        defer { reporter.cancel() }
        do {
            try await FFmpegProcess.run(plan.ffmpegArguments) { seconds.continuation.yield($0) }
        } catch {
            seconds.continuation.finish()
            throw error
        }
        seconds.continuation.finish()
        await reporter.value
    }
}
