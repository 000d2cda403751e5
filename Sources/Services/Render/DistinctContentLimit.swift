import Foundation
import StorageCore

/// The floor under a render by pieces, for `bench render`: ffmpeg alone
/// encoding as many frames and seconds of sound as the render's distinct
/// pieces hold, with the same settings, from one clip and one track.
public enum DistinctContentLimit {
    /// Seconds the two encodes take, one after the other.
    public static func measure(_ plan: RenderPlan, report: PieceRenderer.Report, scratch: String) async throws
        -> Double
    {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let fps = plan.settings.fps
        let video =
            FFmpegCommand.header + [
                "-stream_loop", "-1", "-i", plan.clips[0].path, "-vf", FFmpegCommand.fit(plan.settings), "-an",
            ]
            + PieceCommand.encoder(frameRate: fps, keyframeInterval: fps)
            + ["-frames:v", String(report.encodedFrames), "-f", "mpegts", "-y", scratch + "/video.ts"]
        var commands = [video]
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
}
