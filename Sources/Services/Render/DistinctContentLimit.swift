import Foundation
import StorageCore

/// The floor under a render by pieces, for `bench render`: ffmpeg alone
/// encoding as many frames of each clip as the render's distinct pieces
/// draw from it, and as many seconds of sound, with the same settings, each
/// from one looped file. Clips differ in what a frame costs to encode, so
/// the frames come from the clips the pieces use, in their shares.
public enum DistinctContentLimit {
    /// Seconds the encodes take, one after the other.
    public static func measure(_ plan: RenderPlan, report: PieceRenderer.Report, scratch: String) async throws
        -> Double
    {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let fps = plan.settings.fps
        let shares = framesByClip(PieceTimeline(PieceTimeline.Layout(plan)), clips: plan.clips.count)
        var commands: [[String]] = []
        for (clip, frames) in shares.enumerated() where frames > 0 {
            commands.append(
                FFmpegCommand.header + [
                    "-stream_loop", "-1", "-i", plan.clips[clip].path, "-vf", FFmpegCommand.fit(plan.settings), "-an",
                ]
                    + PieceCommand.encoder(frameRate: fps, keyframeInterval: fps)
                    + ["-frames:v", String(frames), "-f", "mpegts", "-y", scratch + "/video-\(clip).ts"])
        }
        if let track = plan.musicTracks.first ?? plan.soundTracks.first {
            commands.append(
                FFmpegCommand.header + ["-stream_loop", "-1", "-i", track.path, "-vn"] + FFmpegCommand.audioEncoder + [
                    "-t", FFmpegCommand.seconds(report.encodedSoundSeconds), "-f", "adts", "-y", scratch + "/audio.aac",
                ])
        }
        let clock = ContinuousClock()
        let start = clock.now
        for command in commands { try await FFmpegProcess.run(command) { _ in } }
        return (clock.now - start).inSeconds
    }

    /// The distinct frames each clip gives the timeline's pieces (a
    /// crossfade's frames half from each of its two), adding up to the
    /// pieces' frames.
    static func framesByClip(_ timeline: PieceTimeline, clips: Int) -> [Int] {
        var shares = [Double](repeating: 0, count: clips)
        func add(_ content: PieceTimeline.Content, frames: Int) {
            switch content {
            case .body(let clip, _, _, _, _):
                shares[clip] += Double(frames)
            case .crossfade(let outgoing, let incoming, _):
                shares[outgoing] += Double(frames) / 2
                shares[incoming] += Double(frames) / 2
            case .quoted(let parts, _):
                for part in parts { add(part.content, frames: part.to - part.from) }
            }
        }
        for piece in timeline.pieces { add(piece.content, frames: piece.frames) }
        var frames = shares.map { Int($0) }
        if let largest = shares.indices.max(by: { shares[$0] < shares[$1] }) {
            frames[largest] += timeline.encodedFrames - frames.reduce(0, +)
        }
        return frames
    }
}
