import Foundation

/// The sound of a plan as a function of time, and the ffmpeg command that
/// encodes any window of it: the music playlist once through (the cycle),
/// sounds looped beneath and restarted with each cycle, all repeating, with
/// the music fading in at the start and out at the end.
struct AudioMix {
    struct Track {
        var path: String
        var samples: Int
    }

    let music: [Track]
    let sounds: [Track]
    let musicVolume: Double
    let soundsVolume: Double
    /// Seconds of the whole video.
    let duration: Double
    let fadeIn: Double
    let fadeOut: Double
    /// Samples in one cycle: whole AAC frames.
    let cycleSamples: Int

    static let rate = AudioTimeline.sampleRate
    static let normalize = FFmpegCommand.normalizeAudio

    init(_ plan: RenderPlan) {
        let track = { (info: MediaInfo) in
            Track(path: info.path, samples: max(1, Int((info.duration * Double(Self.rate)).rounded(.down))))
        }
        music = plan.musicTracks.map(track)
        sounds = plan.soundTracks.map(track)
        musicVolume = plan.settings.musicVolume
        soundsVolume = plan.settings.soundsVolume
        duration = plan.duration
        fadeIn = min(2, plan.duration / 4)
        fadeOut = min(3, plan.duration / 4)
        let frame = AudioTimeline.frameSamples
        let cycle =
            !music.isEmpty
            ? music.reduce(0) { $0 + $1.samples } : sounds.map(\.samples).max() ?? 60 * Self.rate
        cycleSamples = max(1, cycle / frame) * frame
    }

    /// Where the music fades, in samples of the output.
    var fades: [Range<Int>] {
        guard !music.isEmpty else { return [] }
        let end = Int((duration * Double(Self.rate)).rounded(.up))
        return [0..<Int(fadeIn * Double(Self.rate)), (end - Int(fadeOut * Double(Self.rate)))..<Int.max]
    }

    /// Encodes samples `window` of the output (from 0 on) as ADTS AAC.
    func arguments(_ window: Range<Int>, output: String) -> [String] {
        var inputs = FilterGraph()
        // The window in stretches that each lie within one cycle.
        var parts: [String] = []
        var at = window.lowerBound
        while at < window.upperBound {
            let offset = at % cycleSamples
            let end = min(window.upperBound, at - offset + cycleSamples)
            parts.append(part(offset..<(offset + end - at), startingAt: at, &inputs))
            at = end
        }
        let joined =
            parts.count == 1
            ? "[\(parts[0])]anull" : parts.map { "[\($0)]" }.joined() + "concat=n=\(parts.count):v=0:a=1"
        inputs.chains.append(joined + "[aout]")
        return FFmpegCommand.header + inputs.arguments + ["-filter_complex", inputs.chains.joined(separator: ";")]
            + ["-map", "[aout]"] + FFmpegCommand.audioEncoder + ["-f", "adts", "-y", output]
    }

    /// Samples `range` of a cycle, heard at output sample `at`, as a label.
    private func part(_ range: Range<Int>, startingAt at: Int, _ inputs: inout FilterGraph) -> String {
        let length = range.count
        var mixed: [String] = []
        if !music.isEmpty {
            var pieces: [String] = []
            var start = 0
            for track in music {
                defer { start += track.samples }
                let from = max(range.lowerBound, start)
                let to = min(range.upperBound, start + track.samples)
                guard from < to else { continue }
                pieces.append(slice(track, from: from - start, count: to - from, &inputs))
            }
            var chain =
                pieces.map { "[\($0)]" }.joined() + (pieces.count == 1 ? "anull" : "concat=n=\(pieces.count):v=0:a=1")
            if let fade = fade(at, length) { chain += "," + fade }
            chain += ",volume=\(musicVolume)"
            mixed.append(add(chain, &inputs))
        }
        for sound in sounds {
            let number = inputs.input(["-stream_loop", "-1", "-i", sound.path])
            let from = range.lowerBound % sound.samples
            mixed.append(
                add(
                    "[\(number):a:0]\(Self.normalize),atrim=start_sample=\(from):end_sample=\(from + length),"
                        + "asetpts=N/SR/TB,apad=whole_len=\(length),atrim=end_sample=\(length),volume=\(soundsVolume)",
                    &inputs))
        }
        if mixed.isEmpty {
            let number = inputs.input(["-f", "lavfi", "-i", "anullsrc=r=\(Self.rate):cl=stereo"])
            mixed.append(add("[\(number):a]atrim=end_sample=\(length)", &inputs))
        }
        let mix =
            mixed.count == 1
            ? "[\(mixed[0])]anull"
            : mixed.map { "[\($0)]" }.joined() + "amix=inputs=\(mixed.count):duration=longest:normalize=0"
        return add(mix, &inputs)
    }

    /// `count` samples of `track` from sample `from`, exactly. The seek
    /// lands a little early, on a time both common sample rates hit, and the
    /// trim after resampling finds the sample.
    private func slice(_ track: Track, from: Int, count: Int, _ inputs: inout FilterGraph) -> String {
        let seek = max(0, from / Self.rate - 1) * Self.rate
        let number = inputs.input(
            (seek > 0 ? ["-ss", String(seek / Self.rate)] : []) + ["-i", track.path])
        let skip = from - seek
        return add(
            "[\(number):a:0]\(Self.normalize),atrim=start_sample=\(skip):end_sample=\(skip + count),"
                + "asetpts=N/SR/TB,apad=whole_len=\(count),atrim=end_sample=\(count)", &inputs)
    }

    /// The music's fades over `length` samples heard from output sample
    /// `at`, as a gain per sample, or nil where there is none.
    private func fade(_ at: Int, _ length: Int) -> String? {
        let window = at..<(at + length)
        guard fades.contains(where: { $0.overlaps(window) }) else { return nil }
        let start = Double(at) / Double(Self.rate)
        let time = "(t+\(start))"
        let gain =
            "min(1,max(0,\(time)/\(fadeIn)))*min(1,max(0,(\(duration)-\(time))/\(fadeOut)))"
        return "aeval=exprs='val(ch)*\(gain)':c=same"
    }

    private func add(_ chain: String, _ inputs: inout FilterGraph) -> String {
        let label = "p\(inputs.chains.count)"
        inputs.chains.append(chain + "[\(label)]")
        return label
    }
}
