import Foundation
import StorageCore
import Testing
import VideoSettings

@testable import Render

/// Pieces encoded with real ffmpeg join by stream copy into exactly the
/// timeline's frames, and the result decodes without an error.
@Suite(.timeLimit(.minutes(3))) struct PieceRenderTests {
    @Test(arguments: [VideoSettings.Transition.crossfade, .fade])
    func piecesJoinIntoEveryFrame(_ transition: VideoSettings.Transition) async throws {
        let media = try TestMedia()
        let clips = [try media.clip("a.mp4", seconds: 2), try media.clip("b.mov", seconds: 1.5, source: "testsrc2")]
        let settings = try TestMedia.settings([
            "duration": .int(20), "transition": .string(transition.rawValue),
        ])
        let input = media.input(
            videos: clips, quotes: [try media.text("q.txt", "\"One quote.\" \"And another one.\"")], settings: settings)
        let plan = try await RenderPlanner().plan(input)
        try FileManager.default.createDirectory(atPath: input.scratch, withIntermediateDirectories: true)
        for quote in plan.quotes { try quote.text.write(toFile: quote.textFile, atomically: true, encoding: .utf8) }
        let fps = settings.fps
        let layout = PieceTimeline.Layout(plan)
        #expect(layout.clipFrames == [2 * fps, 3 * fps / 2])
        #expect(layout.frames == 20 * fps)
        #expect(layout.crossfadeFrames == (transition == .crossfade ? fps / 2 : 0))
        #expect((layout.fadeFrames > 0) == (transition == .fade))
        let timeline = PieceTimeline(layout)
        #expect(!plan.quotes.isEmpty)
        #expect(timeline.pieces.contains { if case .quoted = $0.content { true } else { false } })

        let folder = media.path("pieces")
        let renderer = PieceRenderer(plan: plan, scratch: folder)
        #expect(renderer.video == timeline)
        for index in timeline.pieces.indices { try await renderer.run(.video(index)) }
        let list = PieceJoin.list(timeline, prefix: renderer.videoPrefix)
        try list.write(toFile: "\(folder)/list.ffconcat", atomically: true, encoding: .utf8)
        let output = media.path("joined.mp4")
        try TestMedia.tool(
            "ffmpeg",
            [
                "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", "\(folder)/list.ffconcat", "-c", "copy",
                "-movflags", "+faststart", "-y", output,
            ])
        let counted = try TestMedia.tool(
            "ffprobe",
            ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", output])
        #expect(counted.trimmingCharacters(in: .whitespacesAndNewlines) == String(layout.frames))
        let decoded = try TestMedia.tool("ffmpeg", ["-v", "error", "-i", output, "-f", "null", "-"])
        #expect(decoded.isEmpty, "\(decoded)")
    }

    /// The same job by pieces and in one pass: the same length and streams,
    /// and frames that look the same (ffmpeg's SSIM).
    @Test(arguments: [VideoSettings.Transition.crossfade, .none])
    func aRenderByPiecesLooksLikeOnePass(_ transition: VideoSettings.Transition) async throws {
        let media = try TestMedia()
        let clips = [try media.clip("a.mp4", seconds: 2), try media.clip("b.mov", seconds: 1.5, source: "testsrc2")]
        let settings = try TestMedia.settings([
            "duration": .int(12), "transition": .string(transition.rawValue), "resolution": .string("320x240"),
        ])
        let quotes = [try media.text("q.txt", "\"One quote.\" \"And another one.\"")]
        let music = [try media.tone("m.mp3", seconds: 5)]
        let onePass = media.input(
            videos: clips, music: music, quotes: quotes, settings: settings, output: "one/video.mp4")
        var reference = Renderer()
        reference.onePass = true
        try await reference.render(onePass, progress: { _, _ in }, log: { _ in })

        let input = media.input(
            videos: clips, music: music, quotes: quotes, settings: settings, output: "pieces/video.mp4")
        try await Renderer().render(input, progress: { _, _ in }, log: { _ in })

        let probe = try TestMedia.probe(input.output)
        #expect(abs(probe.duration - 12) < 0.1 && probe.hasAudio, "\(probe)")
        let values = try await FrameSimilarity.ssim(input.output, onePass.output, stats: media.path("ssim.txt"))
        #expect(values.count == 12 * settings.fps)
        let mean = values.reduce(0, +) / Double(max(1, values.count))
        #expect(mean >= 0.98, "mean SSIM \(mean)")
        #expect(
            (values.min() ?? 0) >= 0.95,
            "lowest SSIM \(values.min() ?? 0); frames below 0.95: \(values.indices.filter { values[$0] < 0.95 })")
    }
}
