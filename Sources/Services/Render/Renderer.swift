import Foundation
import VideoSettings

/// Makes the video of a `RenderInput`: checks and plans, writes the quote
/// texts, runs ffmpeg once, and renames the finished file into place. Knows
/// nothing of jobs or databases: progress and log lines go to callbacks.
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
    /// Each distinct piece encoded once and joined by stream copy (being
    /// built, issue 31: no progress between 10 and 100 %).
    public var byPieces = false

    public init() {}

    @discardableResult
    public func render(
        _ input: RenderInput, progress: @escaping @Sendable (Int, Step) async -> Void,
        log: @escaping @Sendable (String) -> Void
    ) async throws -> RenderPlan {
        await progress(2, .clips)
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
            throw RenderError("cannot write the render's files: \(error.localizedDescription)")
        }
        await progress(10, .encode)
        log("ffmpeg: encoding \(plan.duration) s at \(plan.settings.resolution), \(plan.settings.fps) fps")
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
            if byPieces {
                try await PieceRenderer(plan: plan, scratch: input.scratch + "/pieces").render()
            } else {
                try await FFmpegProcess.run(plan.ffmpegArguments) { seconds.continuation.yield($0) }
            }
        } catch {
            seconds.continuation.finish()
            throw error
        }
        seconds.continuation.finish()
        await reporter.value
        guard rename(plan.temporaryOutput, input.output) == 0 else {
            throw RenderError("cannot move the finished video to \(input.output): \(String(cString: strerror(errno)))")
        }
        log("video written: \(input.output)")
        await progress(100, .complete)
        return plan
    }
}
