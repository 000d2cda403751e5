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
    /// Pieces encoded at once on this host, sharing its cores.
    public var concurrency = 1
    /// Who encodes the pieces instead of this host (the task queue's workers);
    /// nil: this host, `concurrency` at a time.
    public var encoder: (any PieceEncoder)?

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
        let files = FileManager.default
        defer { try? files.removeItem(atPath: input.scratch) }
        let plan = try await prepare(input, log: log)
        defer { try? files.removeItem(atPath: plan.temporaryOutput) }
        await progress(5, .audio)
        await progress(8, .quotes)
        await progress(10, .encode)
        log("ffmpeg: encoding \(plan.duration) s at \(plan.settings.resolution), \(plan.settings.fps) fps")
        var report: PieceRenderer.Report?
        if onePass {
            try await renderOnePass(plan, progress: progress)
        } else {
            let pieces = PieceRenderer(plan: plan, scratch: input.scratch + "/pieces", piecesAtOnce: concurrency)
            log(
                "pieces: \(pieces.video.pieces.count) of picture (\(pieces.video.encodedFrames) of \(pieces.video.frames) frames), \(pieces.audio.pieces.count) of sound"
            )
            let share: @Sendable (Double) async -> Void = { done in await progress(10 + Int(85 * done), .encode) }
            if let encoder {
                try await encoder.encode(pieces, log: log, progress: share)
                try await pieces.join()
            } else {
                report = try await pieces.render(progress: share)
            }
        }
        guard rename(plan.temporaryOutput, input.output) == 0 else {
            throw RenderError("cannot move the finished video to \(input.output): \(String(cString: strerror(errno)))")
        }
        log("video written: \(input.output)")
        await progress(100, .complete)
        return Rendered(plan: plan, pieces: report)
    }

    /// Checks and plans `input`, and writes what encoding reads besides the
    /// sources (the quote texts, into its scratch): what a host does before
    /// it encodes any piece of the video, or all of it.
    public func prepare(_ input: RenderInput, log: @escaping @Sendable (String) -> Void) async throws -> RenderPlan {
        var planner = planner
        planner.onePass = onePass
        let plan = try await planner.plan(input)
        for note in plan.notes { log(note) }
        log(
            "plan: \(plan.segments.count) clip segments, \(plan.music.count) music tracks, \(plan.sounds.count) sounds, \(plan.quotes.count) quotes, seed \(plan.seed)"
        )
        let files = FileManager.default
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
        return plan
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

/// Gets every piece of a render encoded into its scratch by someone else
/// (the workers of the task queue), for the renderer to join.
public protocol PieceEncoder: Sendable {
    /// Returns when every unit's files are in `pieces.scratch`; `progress`
    /// hears the share of the units' cost done.
    func encode(
        _ pieces: PieceRenderer, log: @escaping @Sendable (String) -> Void,
        progress: @escaping @Sendable (Double) async -> Void
    ) async throws
}
