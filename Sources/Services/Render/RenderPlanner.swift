import Foundation
import VideoSettings

/// Checks every input and decides the plan; every problem it can see before
/// ffmpeg starts is a `RenderError` that names the file.
public struct RenderPlanner: Sendable {
    public static let maximumSegments = 1000
    public static let maximumQuoteShows = 2000

    public var ffprobe = "ffprobe"
    /// A plan for the one-pass render, whose command grows with every
    /// repetition: refused beyond `maximumSegments` clip uses.
    public var onePass = false

    public init() {}

    public func plan(_ input: RenderInput) async throws -> RenderPlan {
        let settings = input.settings
        guard !input.videos.isEmpty else { throw RenderError("there are no video clips: add at least one to videos") }
        var clips: [MediaInfo] = []
        for path in input.videos {
            let info = try await MediaProbe.probe(path, ffprobe: ffprobe)
            guard info.hasVideo else { throw RenderError("\(RenderPlan.name(path)) has no video stream") }
            clips.append(info)
        }
        var music: [MediaInfo] = []
        for path in input.music { music.append(try await audio(path)) }
        var sounds: [MediaInfo] = []
        for path in input.sounds { sounds.append(try await audio(path)) }
        var quotes: [(path: String, text: String)] = []
        var notes: [String] = []
        for path in input.quotes {
            let reading = QuoteFile.read(path)
            quotes += reading.quotes.map { (path, $0) }
            notes += reading.notes
        }
        if !input.quotes.isEmpty && quotes.isEmpty {
            notes.append(
                "quotes: none of the \(input.quotes.count) quote files holds a quote; rendering without quotes")
        }
        var fontFile: String?
        if !quotes.isEmpty {
            fontFile = await input.fonts.file(for: settings.quoteFont)
            guard fontFile != nil else {
                throw RenderError("the font '\(settings.quoteFont)' does not exist here (fonts/ or fontconfig)")
            }
        }
        let seed = settings.seed ?? 0
        var random = SeededRandom(seed: seed)
        let limit = onePass ? Self.maximumSegments : Int.max
        let segments = try Self.segments(clips, settings: settings, limit: limit)
        let order = settings.musicShuffle ? music.shuffled(using: &random) : music
        let playlist = try Self.playlist(order, duration: settings.duration, limit: limit)
        // The earlier service's size: a twentieth of the height.
        let fontSize = max(12, settings.resolution.height / 20)
        let shows = try Self.quoteShows(
            quotes, settings: settings, fontSize: fontSize, scratch: input.scratch,
            limit: onePass ? Self.maximumQuoteShows : Int.max, &random)
        if !quotes.isEmpty && shows.isEmpty {
            notes.append("warning: " + (settings.quoteWarnings.first ?? "no quote fits in the video"))
        }
        let output = input.output
        let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
        return RenderPlan(
            settings: settings, seed: seed, clips: clips, segments: segments, music: playlist,
            sounds: sounds.map(\.path), musicTracks: order, soundTracks: sounds,
            quotes: shows, fontFile: fontFile, fontSize: fontSize, notes: notes, output: output,
            temporaryOutput: folder + "/." + RenderPlan.name(output) + ".part")
    }

    private func audio(_ path: String) async throws -> MediaInfo {
        let info = try await MediaProbe.probe(path, ffprobe: ffprobe)
        guard info.hasAudio else { throw RenderError("\(RenderPlan.name(path)) has no audio stream") }
        return info
    }

    /// Clips in order, again and again, until the video is long enough.
    static func segments(_ clips: [MediaInfo], settings: VideoSettings, limit: Int) throws -> [RenderPlan.Segment] {
        let overlap = crossfadeSeconds(clips, settings: settings)
        var segments: [RenderPlan.Segment] = []
        var total = 0.0
        var index = 0
        while total < settings.duration {
            guard segments.count < limit else {
                throw RenderError(
                    "the clips are too short for \(Int(settings.duration)) s in one pass: more than \(limit) would be joined"
                )
            }
            let clip = clips[index % clips.count]
            let joins = segments.isEmpty ? 0 : overlap
            // The last segment takes only what is still needed (a little more, for the final trim).
            let needed = settings.duration - total + joins + 0.05
            // Whole frames of the output, as a render by pieces cuts them.
            let length = Self.wholeFrames(min(clip.duration, max(needed, 2 * overlap + 0.1)), settings.fps)
            segments.append(RenderPlan.Segment(path: clip.path, length: length, overlap: joins))
            total += length - joins
            index += 1
        }
        return segments
    }

    /// How long a crossfade lasts: a second, or a third of the shortest clip,
    /// in whole frames (at least one).
    static func crossfadeSeconds(_ clips: [MediaInfo], settings: VideoSettings) -> Double {
        guard settings.transition == .crossfade else { return 0 }
        let seconds = min(1.0, (clips.map(\.duration).min() ?? 1) / 3)
        return max(1, (seconds * Double(settings.fps)).rounded()) / Double(settings.fps)
    }

    /// `seconds` rounded down to whole frames at `fps` (at least one frame).
    static func wholeFrames(_ seconds: Double, _ fps: Int) -> Double {
        max(1, (seconds * Double(fps) + 1e-6).rounded(.down)) / Double(fps)
    }

    /// `order` again and again until the video is covered.
    static func playlist(_ order: [MediaInfo], duration: Double, limit: Int) throws -> [String] {
        guard !order.isEmpty else { return [] }
        var playlist: [String] = []
        var total = 0.0
        while total < duration {
            guard playlist.count < limit else { throw RenderError("the music is too short for the video") }
            let track = order[playlist.count % order.count]
            playlist.append(track.path)
            total += track.duration
        }
        return playlist
    }

    static func quoteShows(
        _ quotes: [(path: String, text: String)], settings: VideoSettings, fontSize: Int, scratch: String,
        limit: Int, _ random: inout SeededRandom
    ) throws -> [RenderPlan.QuoteShow] {
        guard !quotes.isEmpty else { return [] }
        // Shuffled across the quotes of all the files; each keeps its own text file.
        let numbered = Array(quotes.enumerated())
        let order = settings.quotesShuffle ? numbered.shuffled(using: &random) : numbered
        let width = Int(Double(settings.resolution.width) * 0.85 / (Double(fontSize) * 0.55))
        let gap = settings.quotesMinBetween...settings.quotesMaxBetween
        var shows: [RenderPlan.QuoteShow] = []
        var start = random.value(in: gap)
        while start + settings.quotesDuration <= settings.duration, shows.count < limit {
            let (index, quote) = order[shows.count % order.count]
            shows.append(
                RenderPlan.QuoteShow(
                    source: quote.path, text: TextWrap.wrap(quote.text, width: max(8, width)),
                    textFile: scratch + "/quote-\(index).txt", start: start, end: start + settings.quotesDuration))
            start += settings.quotesDuration + random.value(in: gap)
        }
        return shows
    }
}

enum TextWrap {
    /// Words into lines of at most `width` characters; a longer word is cut.
    static func wrap(_ text: String, width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { paragraph in
            var lines: [String] = []
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var word = Substring(word)
                while word.count > width {
                    if !line.isEmpty {
                        lines.append(line)
                        line = ""
                    }
                    lines.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                if line.isEmpty {
                    line = String(word)
                } else if line.count + 1 + word.count <= width {
                    line += " " + word
                } else {
                    lines.append(line)
                    line = String(word)
                }
            }
            lines.append(line)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
