import Foundation
import VideoSettings

/// The one ffmpeg command of a plan: every input once per use, one filter
/// graph (clips scaled, padded, joined; quotes drawn; audio mixed), and one
/// H.264 + AAC encode with `+faststart`, progress on stdout.
struct FFmpegCommand {
    let plan: RenderPlan

    static let header = ["-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1"]
    /// The picture's encoder in every render and piece (pieces add their keyframe grid).
    static func videoEncoder(frameRate: Int) -> [String] {
        ["-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-pix_fmt", "yuv420p", "-r", String(frameRate)]
    }
    /// The sound's encoder in every render and piece.
    static let audioEncoder = ["-c:a", "aac", "-b:a", "192k", "-ar", "48000"]
    /// Any sound input made 48 kHz stereo float before it is mixed.
    static let normalizeAudio = "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo"

    var arguments: [String] {
        var inputs = FilterGraph()
        func input(_ options: [String]) -> Int { inputs.input(options) }
        let settings = plan.settings
        var graph: [String] = []

        // Video: each segment from its own input, so a clip can repeat without buffering.
        let fps = settings.fps
        for (index, segment) in plan.segments.enumerated() {
            let number = input(["-i", segment.path])
            var chain = "[\(number):v:0]trim=duration=\(Self.seconds(segment.length)),setpts=PTS-STARTPTS,"
            chain += Self.fit(settings)
            if settings.transition == .fade {
                let fade = Self.seconds(plan.fadeLength)
                chain +=
                    ",fade=t=in:st=0:d=\(fade),fade=t=out:st=\(Self.seconds(segment.length - plan.fadeLength)):d=\(fade)"
            }
            // xfade (ffmpeg 5.1) shows the incoming clip a frame late when
            // the outgoing one ends with the transition: one more frame of
            // it, dropped by xfade, keeps every frame where the timeline has it.
            if settings.transition == .crossfade && index + 1 < plan.segments.count {
                chain += ",tpad=stop_mode=clone:stop=1"
            }
            graph.append(chain + "[v\(index)]")
        }
        var joined = "v0"
        if plan.segments.count > 1 {
            if settings.transition == .crossfade {
                var length = plan.segments[0].length
                for index in 1..<plan.segments.count {
                    let segment = plan.segments[index]
                    let offset = length - segment.overlap
                    graph.append(
                        "[\(joined)][v\(index)]xfade=transition=fade:duration=\(Self.seconds(segment.overlap))"
                            + ":offset=\(Self.seconds(offset))[x\(index)]")
                    joined = "x\(index)"
                    length += segment.length - segment.overlap
                }
            } else {
                let labels = plan.segments.indices.map { "[v\($0)]" }.joined()
                graph.append("\(labels)concat=n=\(plan.segments.count):v=1:a=0[joined]")
                joined = "joined"
            }
        }
        var video = "[\(joined)]trim=duration=\(Self.seconds(plan.duration)),setpts=PTS-STARTPTS"
        for quote in plan.quotes { video += "," + drawText(quote) }
        graph.append(video + "[vout]")

        inputs.chains = graph
        Self.addAudio(plan, to: &inputs)
        return Self.header + inputs.arguments + ["-filter_complex", inputs.chains.joined(separator: ";")] + [
            "-map", "[vout]", "-map", "[aout]",
        ] + Self.videoEncoder(frameRate: fps) + Self.audioEncoder + [
            "-movflags", "+faststart", "-t", Self.seconds(plan.duration), "-f", "mp4", "-y", plan.temporaryOutput,
        ]
    }

    /// The music playlist with fades, sounds looped beneath, or silence, as `[aout]`.
    private static func addAudio(_ plan: RenderPlan, to inputs: inout FilterGraph) {
        let settings = plan.settings
        var graph: [String] = []
        func input(_ options: [String]) -> Int { inputs.input(options) }
        let duration = Self.seconds(plan.duration)
        let normalize = normalizeAudio
        var mixed: [String] = []
        if !plan.music.isEmpty {
            for (index, track) in plan.music.enumerated() {
                graph.append("[\(input(["-i", track])):a:0]\(normalize)[m\(index)]")
            }
            let fadeIn = Self.seconds(min(2, plan.duration / 4))
            let fadeOut = min(3, plan.duration / 4)
            let labels = plan.music.indices.map { "[m\($0)]" }.joined()
            graph.append(
                "\(labels)concat=n=\(plan.music.count):v=0:a=1,atrim=duration=\(duration),asetpts=PTS-STARTPTS,"
                    + "afade=t=in:st=0:d=\(fadeIn),afade=t=out:st=\(Self.seconds(plan.duration - fadeOut)):d=\(Self.seconds(fadeOut)),"
                    + "volume=\(settings.musicVolume)[music]")
            mixed.append("[music]")
        }
        for (index, sound) in plan.sounds.enumerated() {
            let number = input(["-stream_loop", "-1", "-i", sound])
            graph.append(
                "[\(number):a:0]\(normalize),atrim=duration=\(duration),asetpts=PTS-STARTPTS,"
                    + "volume=\(settings.soundsVolume)[s\(index)]")
            mixed.append("[s\(index)]")
        }
        if mixed.isEmpty {
            let number = input(["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo"])
            mixed.append("[\(number):a]")
        }
        let mix =
            mixed.count == 1
            ? "\(mixed[0])anull" : "\(mixed.joined())amix=inputs=\(mixed.count):duration=longest:normalize=0"
        graph.append("\(mix),apad,atrim=duration=\(duration)[aout]")
        inputs.chains += graph
    }

    private func drawText(_ quote: RenderPlan.QuoteShow) -> String {
        Self.drawText(plan, textFile: quote.textFile, from: quote.start, to: quote.end)
    }

    /// A quote drawn from `from` to `to` seconds of the stream it filters.
    static func drawText(_ plan: RenderPlan, textFile: String, from: Double, to: Double) -> String {
        let start = seconds(from)
        let end = seconds(to)
        // The earlier service's places; every style but minimal sits on a
        // black box at 180/255 opacity, 20 px wider than the text each way.
        let y: String =
            switch plan.settings.quoteStyle {
            case .centered, .minimal: "(h-text_h)/2"
            case .top: "h*0.1"
            case .bottom: "h*0.8-text_h"
            }
        let box = plan.settings.quoteStyle == .minimal ? "" : ":box=1:boxcolor=black@0.706:boxborderw=20"
        let fade = seconds(min(0.4, (to - from) / 4))
        // Inside single quotes, the commas belong to the expression.
        let alpha = "if(lt(t,\(start)+\(fade)),(t-\(start))/\(fade),if(gt(t,\(end)-\(fade)),(\(end)-t)/\(fade),1))"
        return "drawtext=fontfile=\(escape(plan.fontFile ?? "")):textfile=\(escape(textFile))"
            + ":expansion=none:fontsize=\(plan.fontSize):fontcolor=white:borderw=2:bordercolor=black"
            + ":line_spacing=\(plan.fontSize / 4):x=(w-text_w)/2:y=\(y)\(box)"
            + ":alpha='\(alpha)':enable='between(t,\(start),\(end))'"
    }

    /// A clip's frames scaled to fit the output, padded, at its rate.
    static func fit(_ settings: VideoSettings) -> String {
        let (width, height) = (settings.resolution.width, settings.resolution.height)
        return "scale=\(width):\(height):force_original_aspect_ratio=decrease,"
            + "pad=\(width):\(height):(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps=\(settings.fps):start_time=0,format=yuv420p"
    }

    /// Milliseconds are enough, and keep the graph readable.
    static func seconds(_ value: Double) -> String { String(format: "%.3f", max(0, value)) }

    /// A path as a filter option value: escaped for the option parser, then
    /// for the filter graph parser (ffmpeg-filters(1), "Notes on filtergraph escaping").
    static func escape(_ path: String) -> String {
        var value = ""
        for character in path {
            if "\\':".contains(character) { value.append("\\") }
            value.append(character)
        }
        var graph = ""
        for character in value {
            if "\\'[],;".contains(character) { graph.append("\\") }
            graph.append(character)
        }
        return graph
    }
}

/// The inputs and filter chains of one ffmpeg run, gathered as they are named.
struct FilterGraph {
    var arguments: [String] = []
    var chains: [String] = []
    private var count = 0

    mutating func input(_ options: [String]) -> Int {
        arguments += options
        count += 1
        return count - 1
    }
}
