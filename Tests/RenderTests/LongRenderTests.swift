import Foundation
import StorageCore
import Testing
import VideoSettings

@testable import Render

/// Hours of video at a small size, probed: their length, both streams,
/// a keyframe wherever the join entered a piece, and every sample of sound.
@Suite(.serialized, .timeLimit(.minutes(6))) struct LongRenderTests {
    @Test(arguments: [3600, 3 * 3600, 24 * 3600])
    func aLoopOfHoursRendersWhole(_ seconds: Int) async throws {
        let media = try TestMedia()
        defer { try? FileManager.default.removeItem(at: media.folder) }
        let clips = try ["testsrc", "testsrc2", "smptebars"].enumerated().map {
            try media.clip("c\($0.offset).mp4", seconds: 4, size: "64x36", rate: 10, source: $0.element)
        }
        let settings = try TestMedia.settings([
            "duration": .int(Int64(seconds)), "resolution": .string("32x18"), "fps": .int(1),
            "quotes_duration": .double(5), "quotes_min_between": .double(1800), "quotes_max_between": .double(3600),
        ])
        let input = media.input(
            videos: clips, music: [try media.tone("m.mp3", seconds: 47)],
            sounds: [try media.tone("s.wav", seconds: 1.3, frequency: 880)],
            quotes: [try media.text("q.txt", "\"A quote an hour.\"")], settings: settings)
        let plan = try await Renderer().render(input, progress: { _, _ in }, log: { _ in }).plan
        let pieces = PieceRenderer(plan: plan, scratch: input.scratch)
        #expect(pieces.video.encodedFrames < 200, "each piece once: \(pieces.video.encodedFrames) frames")
        #expect(pieces.audio.pieces.count <= 4)

        let streams = try TestMedia.tool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_type,duration,nb_frames", "-of", "csv=p=0",
                input.output,
            ]
        ).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let video = try #require(streams.first { $0.first == "video" })
        let audio = try #require(streams.first { $0.first == "audio" })
        #expect(video[2] == String(seconds), "one frame a second: \(video)")
        #expect(abs((Double(video[1]) ?? 0) - Double(seconds)) < 0.01, "\(video)")
        // Every AAC frame of the sound is there: no gap at any join.
        let samples = (Int(audio[2]) ?? 0) * AudioTimeline.frameSamples
        #expect(samples == pieces.audio.frames * AudioTimeline.frameSamples, "\(audio)")
        #expect(abs(samples - seconds * AudioTimeline.sampleRate) < AudioTimeline.frameSamples, "\(audio)")

        let keyframes = Set(
            try TestMedia.tool(
                "ffprobe",
                [
                    "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0",
                    input.output,
                ]
            ).split(separator: "\n").compactMap { line -> Int? in
                let fields = line.split(separator: ",")
                guard fields.count == 2, fields[1].hasPrefix("K"), let time = Double(fields[0]) else { return nil }
                return Int(time.rounded())
            })
        var at = 0
        var joins: [Int] = []
        for entry in pieces.video.entries {
            joins.append(at)
            at += entry.to - entry.from
        }
        let missing = joins.filter { !keyframes.contains($0) }
        #expect(missing.isEmpty, "no keyframe at \(missing.count) of \(joins.count) joins: \(missing.prefix(5))")
    }
}

/// The sound by pieces against the same sound encoded in one go: around
/// every join it is as close as anywhere else (a gap or a click is not).
@Suite(.timeLimit(.minutes(3))) struct AudioJoinTests {
    @Test func joinsAreAsCleanAsTheRest() async throws {
        let media = try TestMedia()
        defer { try? FileManager.default.removeItem(at: media.folder) }
        let settings = try TestMedia.settings([
            "duration": .int(200), "resolution": .string("32x18"), "fps": .int(1),
        ])
        let input = media.input(
            videos: [try media.clip("c.mp4", seconds: 3, size: "64x36")],
            music: [try media.tone("m.mp3", seconds: 23, frequency: 330)],
            sounds: [try media.tone("s.wav", seconds: 1.7, frequency: 550)], settings: settings)
        let plan = try await Renderer().render(input, progress: { _, _ in }, log: { _ in }).plan
        let timeline = AudioTimeline(plan)
        #expect(timeline.pieces.count < timeline.entries.count, "cycles are encoded once: \(timeline.pieces)")

        let whole = media.path("whole.aac")
        let total = timeline.frames * AudioTimeline.frameSamples
        try TestMedia.tool("ffmpeg", AudioMix(plan).arguments(0..<total, output: whole))
        let pieced = try Self.samples(input.output)
        let reference = Array(try Self.samples(whole).dropFirst(AudioTimeline.frameSamples))
        #expect(pieced.count == total, "\(pieced.count) samples")

        var joins: [Int] = []
        var at = 0
        for piece in timeline.entries.dropLast() {
            at += timeline.pieces[piece].frames * AudioTimeline.frameSamples
            joins.append(at)
        }
        #expect(joins.count >= 4)
        let span = 2 * AudioTimeline.frameSamples
        for join in joins {
            let snr = Self.snr(pieced, reference, (join - span)..<(join + span))
            #expect(snr > 20, "at sample \(join): \(snr) dB")
        }
        let elsewhere = Self.snr(pieced, reference, 100_000..<200_000)
        #expect(elsewhere > 20, "away from joins: \(elsewhere) dB")
    }

    /// The first channel, decoded to 16-bit samples.
    static func samples(_ file: String) throws -> [Int16] {
        let raw = FileManager.default.temporaryDirectory.appendingPathComponent("pcm-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: raw) }
        try TestMedia.tool("ffmpeg", ["-v", "error", "-i", file, "-map", "0:a", "-ac", "1", "-f", "s16le", "-y", raw])
        let data = try Data(contentsOf: URL(fileURLWithPath: raw))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
    }

    static func snr(_ signal: [Int16], _ reference: [Int16], _ range: Range<Int>) -> Double {
        var power = 0.0
        var noise = 0.0
        for index in range where index < signal.count && index < reference.count {
            let wanted = Double(reference[index])
            power += wanted * wanted
            noise += (Double(signal[index]) - wanted) * (Double(signal[index]) - wanted)
        }
        return 10 * log10(power / max(noise, 1))
    }
}
