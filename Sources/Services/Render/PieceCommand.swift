import Foundation

/// The ffmpeg command that encodes one piece of a `PieceTimeline` from the
/// sources into MPEG-TS chunks of one keyframe interval each. Every piece
/// has the same encoder settings and a keyframe at each chunk's start, so
/// chunks of any pieces join by stream copy.
struct PieceCommand {
    let plan: RenderPlan
    /// The clips a layout's indices name, and their lengths in frames.
    let clips: [String]
    let clipFrames: [Int]
    let keyframeInterval: Int
    /// Threads of each decoder, of the filter graph and of the encoder.
    let threads: Int

    var frameRate: Int { plan.settings.fps }

    /// Writes `<chunks>-00000.ts`, `<chunks>-00001.ts`, …, one per stretch
    /// between `cuts` (the piece's cuts, from 0 to its length).
    func arguments(_ piece: PieceTimeline.Piece, cuts: [Int], chunks: String) -> [String] {
        var graph = Graph(command: self)
        let video: String
        switch piece.content {
        case .quoted(let parts, let quotes):
            let labels = parts.map { graph.stream($0.content, from: $0.from, to: $0.to) }
            var chain =
                labels.count == 1
                ? "[\(labels[0])]null"
                : labels.map { "[\($0)]" }.joined()
                    + "concat=n=\(labels.count):v=1:a=0"
            // Frame by frame: a part of one frame has no length of its own,
            // and two frames at one time would lose one to the output rate.
            chain += ",setpts=N/(\(frameRate)*TB)"
            for draw in quotes {
                let text = plan.quotes[draw.quote].textFile
                chain +=
                    ","
                    + FFmpegCommand.drawText(
                        plan, textFile: text, from: seconds(draw.from), to: seconds(draw.to))
            }
            video = graph.add(chain)
        default:
            video = graph.stream(piece.content, from: 0, to: piece.frames)
        }
        graph.readClips()
        let boundaries = cuts.filter { $0 > 0 && $0 < piece.frames }.map(String.init)
        var arguments = FFmpegCommand.header + threadOption("-filter_complex_threads") + graph.inputs
        arguments += ["-filter_complex", graph.filters.joined(separator: ";"), "-map", "[\(video)]", "-an"]
        arguments += Self.encoder(frameRate: frameRate, keyframeInterval: keyframeInterval)
        arguments += threadOption("-threads") + ["-frames:v", String(piece.frames)]
        // Without cuts, the segment muxer would still cut every 2 s.
        guard !boundaries.isEmpty else { return arguments + ["-f", "mpegts", "-y", chunks + "-00000.ts"] }
        return arguments + [
            "-f", "segment", "-segment_format", "mpegts", "-segment_frames", boundaries.joined(separator: ","), "-y",
            chunks + "-%05d.ts",
        ]
    }

    /// Every piece's encoder: the same settings and keyframe grid, so any
    /// pieces join by stream copy.
    static func encoder(frameRate: Int, keyframeInterval: Int) -> [String] {
        FFmpegCommand.videoEncoder(frameRate: frameRate) + [
            "-force_key_frames", "expr:eq(mod(n,\(keyframeInterval)),0)", "-x264-params", "scenecut=0",
        ]
    }

    func threadOption(_ name: String) -> [String] { [name, String(threads)] }

    func seconds(_ frames: Int) -> Double { Double(frames) / Double(frameRate) }

    /// The filter graph being written: inputs, chains, fresh labels.
    struct Graph {
        let command: PieceCommand
        var inputs: [String] = []
        var filters: [String] = []
        private var labels = 0
        private var count = 0

        init(command: PieceCommand) { self.command = command }

        /// Appends `chain` and names its output.
        mutating func add(_ chain: String) -> String {
            labels += 1
            filters.append(chain + "[s\(labels)]")
            return "s\(labels)"
        }

        private var reads: [(clip: Int, start: Int, end: Int, label: String)] = []

        /// Frames `start..<end` of `clip`, fitted to the output, as the head
        /// of a chain. Each clip is read once per piece (see `readClips`).
        private mutating func frames(of clip: Int, _ start: Int, _ end: Int) -> String {
            labels += 1
            reads.append((clip, start, end, "r\(labels)"))
            return "[r\(labels)]trim=start_frame=\(start):end_frame=\(end),setpts=PTS-STARTPTS"
        }

        /// One input and one decode per clip the piece uses, split among its
        /// uses. The rate is set from the clip's start, as in the one-pass
        /// render, so both pick the same source frames. A late start is
        /// sought to a second before it (decoding from the clip's start can
        /// cost more than the piece), the seek put back in the times, and
        /// `fps` counts its grid from 0.
        mutating func readClips() {
            for clip in Set(reads.map(\.clip)).sorted() {
                let uses = reads.filter { $0.clip == clip }
                let start = uses.map(\.start).min() ?? 0
                let end = uses.map(\.end).max() ?? 0
                let seek = max(0, start / command.frameRate - 1)
                if seek > 0 { inputs += ["-ss", String(seek)] }
                inputs += command.threadOption("-threads")
                inputs += ["-t", String(end / command.frameRate + 2 - seek), "-i", command.clips[clip]]
                count += 1
                let times = seek > 0 ? "setpts=PTS+\(seek)/TB" : "setpts=PTS-STARTPTS"
                let outputs = uses.map { "[\($0.label)]" }.joined()
                filters.append(
                    "[\(count - 1):v:0]\(times)," + FFmpegCommand.fit(command.plan.settings)
                        + (uses.count > 1 ? ",split=\(uses.count)" : "") + outputs)
            }
        }

        /// Frames `from..<to` of a body or crossfade, as a labelled stream.
        mutating func stream(_ content: PieceTimeline.Content, from: Int, to: Int) -> String {
            let command = command
            let seconds = { FFmpegCommand.seconds(command.seconds($0)) }
            var chain: String
            var length: Int
            switch content {
            case .body(let clip, let start, _, 0, 0):
                // Only the frames needed, so the read starts near them.
                return add(frames(of: clip, start + from, start + to))
            case .body(let clip, let start, let end, let fadeIn, let fadeOut):
                length = end - start
                chain = frames(of: clip, start, end)
                if fadeIn > 0 { chain += ",fade=t=in:st=0:d=\(seconds(fadeIn))" }
                if fadeOut > 0 { chain += ",fade=t=out:st=\(seconds(length - fadeOut)):d=\(seconds(fadeOut))" }
            case .crossfade(let first, let second, let overlap):
                length = overlap
                // The incoming clip's alpha rises over the overlap and is laid
                // over the outgoing one: the blend xfade's fade makes, frame by
                // frame, at under half its cost (5.1's xfade is unthreaded C).
                let tail = add(frames(of: first, command.clipFrames[first] - overlap, command.clipFrames[first]))
                let head = add(
                    frames(of: second, 0, overlap) + ",format=yuva420p,fade=t=in:st=0:d=\(seconds(overlap)):alpha=1")
                chain = "[\(tail)][\(head)]overlay=format=yuv420:eof_action=endall,format=yuv420p"
            case .quoted:
                preconditionFailure("a quoted piece is made of bodies and crossfades")
            }
            if from > 0 || to < length {
                chain += ",trim=start_frame=\(from):end_frame=\(to),setpts=PTS-STARTPTS"
            }
            return add(chain)
        }
    }
}
