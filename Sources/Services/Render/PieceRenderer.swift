import Foundation

/// Renders a plan by pieces: each distinct piece encoded once into chunks,
/// the audio once, and the chunks joined with the audio by stream copy into
/// the plan's temporary output. Not yet the renderer's way (issue 31).
struct PieceRenderer {
    let plan: RenderPlan
    /// A folder of its own, removed by the caller.
    let scratch: String

    func render() async throws {
        let layout = PieceTimeline.Layout(plan)
        let timeline = PieceTimeline(layout)
        let command = PieceCommand(
            plan: plan, clips: plan.clips.map(\.path), clipFrames: layout.clipFrames,
            keyframeInterval: layout.keyframeInterval)
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        } catch {
            throw RenderError("cannot write the render's files: \(error.localizedDescription)")
        }
        let prefix = { (piece: Int) in "\(scratch)/piece-\(piece)" }
        for (index, piece) in timeline.pieces.enumerated() {
            try await FFmpegProcess.run(command.arguments(piece, chunks: prefix(index))) { _ in }
        }
        let audio = scratch + "/audio.m4a"
        try await FFmpegProcess.run(FFmpegCommand.audioArguments(plan, output: audio)) { _ in }
        let list = scratch + "/pieces.ffconcat"
        do {
            try PieceJoin.list(timeline, prefix: prefix).write(toFile: list, atomically: true, encoding: .utf8)
        } catch {
            throw RenderError("cannot write the render's files: \(error.localizedDescription)")
        }
        try await FFmpegProcess.run(
            [
                "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", list, "-i", audio,
                "-map", "0:v", "-map", "1:a", "-c", "copy", "-movflags", "+faststart", "-t",
                FFmpegCommand.seconds(plan.duration), "-f", "mp4", "-y", plan.temporaryOutput,
            ]
        ) { _ in }
    }
}
