import Foundation
import VideoSettings

/// What a render will do, decided before ffmpeg starts: the clip sequence,
/// the music playlist, the quote times, and the one ffmpeg command.
public struct RenderPlan: Sendable {
    public struct Segment: Hashable, Sendable {
        public var path: String
        /// Seconds taken from the clip's start.
        public var length: Double
        /// Overlap with the segment before (crossfade only).
        public var overlap: Double
    }

    public struct QuoteShow: Hashable, Sendable {
        public var source: String
        public var text: String
        public var textFile: String
        public var start: Double
        public var end: Double
    }

    public var settings: VideoSettings
    public var seed: Int64
    /// The clips in their order of use, each once.
    public var clips: [MediaInfo]
    public var segments: [Segment]
    /// The playlist, tracks repeated until the video is covered (one pass).
    public var music: [String]
    public var sounds: [String]
    /// The playlist's tracks once, in order, and the sounds.
    public var musicTracks: [MediaInfo]
    public var soundTracks: [MediaInfo]
    public var quotes: [QuoteShow]
    public var fontFile: String?
    public var fontSize: Int
    /// What the job's log should hear before the encode (skipped quote files).
    public var notes: [String] = []
    public var output: String
    public var temporaryOutput: String

    public var duration: Double { settings.duration }
    /// Seconds of a fade to black at each end of a clip (transition `fade`).
    public var fadeLength: Double { min(0.5, (segments.map(\.length).min() ?? 1) / 4) }

    public var ffmpegArguments: [String] { FFmpegCommand(plan: self).arguments }

    /// A person's reading of the plan, for `render --dry-run`: with the one
    /// ffmpeg command of a one-pass render, or the pieces of a render by pieces.
    public func summary(onePass: Bool) -> String {
        var lines = [
            "duration \(duration) s, \(settings.resolution) at \(settings.fps) fps, transition \(settings.transition.rawValue), seed \(seed)",
            "output: \(output)",
            "clips (\(segments.count) segments):",
        ]
        var at = 0.0
        for segment in segments {
            at -= segment.overlap
            lines.append(String(format: "  %8.2f s  %6.2f s  %@", at, segment.length, Self.name(segment.path)))
            at += segment.length
        }
        lines.append("music: " + (music.isEmpty ? "none" : music.map(Self.name).joined(separator: ", ")))
        lines.append("sounds: " + (sounds.isEmpty ? "none" : sounds.map(Self.name).joined(separator: ", ")))
        lines.append("quotes (\(quotes.count) shown):")
        for quote in quotes {
            let text = quote.text.split(whereSeparator: \.isNewline).joined(separator: " ")
            let shown = text.count > 40 ? text.prefix(39) + "…" : Substring(text)
            lines.append(
                String(
                    format: "  %8.2f – %8.2f s  %@: %@", quote.start, quote.end, Self.name(quote.source), String(shown))
            )
        }
        if onePass {
            lines.append("ffmpeg " + ffmpegArguments.map(Self.shellQuoted).joined(separator: " "))
        } else {
            let video = PieceTimeline(PieceTimeline.Layout(self))
            let audio = AudioTimeline(self)
            lines.append(
                "pieces: \(video.pieces.count) of picture, \(video.encodedFrames) of \(video.frames) frames encoded; "
                    + "\(audio.pieces.count) of sound, \(audio.pieces.reduce(0) { $0 + $1.frames }) of \(audio.frames) AAC frames encoded"
            )
        }
        return lines.joined(separator: "\n")
    }

    static func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

    static func shellQuoted(_ argument: String) -> String {
        let plain = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=+,@%".contains($0) }
        return plain && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
