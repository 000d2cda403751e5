import Foundation
import StorageCore

/// Renders a plan by pieces: each distinct piece of picture and of sound is
/// a unit encoded once from the sources into `scratch`; the join copies them
/// into the plan's temporary output. Units are independent, so any worker
/// may encode any of them; the join needs them all.
public struct PieceRenderer: Sendable {
    public enum Unit: Hashable, Sendable {
        case video(Int)
        case audio(Int)

        /// `video-3`, `audio-0`: how a queued piece names its unit.
        public var name: String {
            switch self {
            case .video(let index): "video-\(index)"
            case .audio(let index): "audio-\(index)"
            }
        }

        public init?(name: String) {
            let parts = name.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let index = Int(parts[1]), index >= 0, String(index) == parts[1] else {
                return nil
            }
            switch parts[0] {
            case "video": self = .video(index)
            case "audio": self = .audio(index)
            default: return nil
            }
        }
    }

    public let plan: RenderPlan
    /// A folder of its own, removed by the caller.
    public let scratch: String
    public let video: PieceTimeline
    public let audio: AudioTimeline
    /// Units this host encodes at once, sharing its cores (`threads(piecesAtOnce:)`).
    public let piecesAtOnce: Int
    private let cuts: [[Int]]
    private let command: PieceCommand
    private let mix: AudioMix

    public init(plan: RenderPlan, scratch: String, piecesAtOnce: Int = 1) {
        self.plan = plan
        self.scratch = scratch
        self.piecesAtOnce = max(1, piecesAtOnce)
        let layout = PieceTimeline.Layout(plan)
        video = PieceTimeline(layout)
        audio = AudioTimeline(plan)
        cuts = video.cuts
        command = PieceCommand(
            plan: plan, clips: plan.clips.map(\.path), clipFrames: layout.clipFrames,
            keyframeInterval: layout.keyframeInterval, threads: Self.threads(piecesAtOnce: piecesAtOnce))
        mix = AudioMix(plan)
    }

    /// A picture piece's threads when `piecesAtOnce` pieces share this
    /// host's cores. One thread a piece when there are pieces enough for
    /// every core: x264's frame threads fill and drain at each piece's start
    /// and end, idling cores that another piece keeps busy, and each thread
    /// holds frames of its own (see docs/benchmarks.md).
    public static func threads(piecesAtOnce: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(1, cores / max(1, piecesAtOnce))
    }

    /// Every unit, the costliest first so a pool of workers ends together.
    public var units: [Unit] {
        (video.pieces.indices.map(Unit.video) + audio.pieces.indices.map(Unit.audio)).sorted { cost($0) > cost($1) }
    }

    /// Seconds of encoding, roughly: the sound encodes some 50 times faster
    /// than real time here, the picture about once.
    public func cost(_ unit: Unit) -> Double {
        switch unit {
        case .video(let piece): Double(video.pieces[piece].frames) / Double(video.frameRate)
        case .audio(let piece): AudioTimeline.seconds(audio.pieces[piece].frames) / 50
        }
    }

    /// True when the plan has the unit.
    public func has(_ unit: Unit) -> Bool {
        switch unit {
        case .video(let index): video.pieces.indices.contains(index)
        case .audio(let index): audio.pieces.indices.contains(index)
        }
    }

    /// The names of the files in `scratch` that encoding `unit` writes, and the join reads.
    public func files(of unit: Unit) -> [String] {
        switch unit {
        case .video(let index):
            (0..<max(1, cuts[index].count - 1)).map { "video-\(index)-" + String(format: "%05d", $0) + ".ts" }
        case .audio(let index): ["audio-\(index).aac"]
        }
    }

    /// Names the plan by what its pieces hold, never by where its files are:
    /// hosts that plan the same job alike agree on it, and a piece encoded
    /// for one plan is never joined into another.
    public var fingerprint: String {
        let quotes = plan.quotes.map { "\($0.text)@\($0.start)-\($0.end)" }
        let described = [
            "\(video)", "\(audio)", "\(quotes)", "\(plan.settings)", "\(plan.seed)", "\(plan.fontSize)",
            "\(plan.clips.map(\.duration))", "\(plan.musicTracks.map(\.duration))",
            "\(plan.soundTracks.map(\.duration))", "\(plan.duration)", "\(plan.fadeLength)",
        ].joined(separator: "|")
        // FNV-1a: stable across processes and hosts, unlike Hasher.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in described.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Encodes one unit into its files in `scratch`.
    public func run(_ unit: Unit) async throws {
        try makeScratch()
        switch unit {
        case .video(let index):
            try await FFmpegProcess.run(
                command.arguments(video.pieces[index], cuts: cuts[index], chunks: videoPrefix(index))
            ) { _ in }
        case .audio(let index):
            let piece = audio.pieces[index]
            let frame = AudioTimeline.frameSamples
            // Frames of real sound before the piece (none at the very start),
            // and the encoder's own first frame, are dropped.
            let before = min(piece.at, AudioTimeline.rollFrames)
            let window = ((piece.at - before) * frame)..<((piece.at + piece.frames + AudioTimeline.rollFrames) * frame)
            let encoded = audioFile(index) + ".whole"
            defer { try? FileManager.default.removeItem(atPath: encoded) }
            try await FFmpegProcess.run(mix.arguments(window, output: encoded)) { _ in }
            try ADTSFrames.copy(from: encoded, frames: (before + 1)..<(before + 1 + piece.frames), to: audioFile(index))
        }
    }

    /// Copies every unit's files, in output order, into the plan's temporary output.
    public func join() async throws {
        let videoList = scratch + "/video.ffconcat"
        let audioList = scratch + "/audio.ffconcat"
        do {
            try PieceJoin.list(video, prefix: videoPrefix).write(toFile: videoList, atomically: true, encoding: .utf8)
            try PieceJoin.list(audio, file: audioFile).write(toFile: audioList, atomically: true, encoding: .utf8)
        } catch {
            throw RenderError.cannotWrite(error)
        }
        try await FFmpegProcess.run(
            FFmpegCommand.header + [
                "-f", "concat", "-safe", "0", "-i", videoList, "-f", "concat", "-safe", "0", "-i", audioList,
                "-map", "0:v", "-map", "1:a", "-c", "copy", "-movflags", "+faststart", "-t",
                FFmpegCommand.seconds(plan.duration), "-f", "mp4", "-y", plan.temporaryOutput,
            ]
        ) { _ in }
    }

    /// What a render by pieces did: the frames and sound it encoded, the
    /// time of the units and of the join, and the scratch it needed.
    public struct Report: Sendable {
        public var encodedFrames: Int
        public var encodedSoundSeconds: Double
        public var unitSeconds: Double
        /// The units' own times added up, picture and sound apart (above
        /// `unitSeconds` when several ran at once).
        public var pictureSeconds: Double
        public var soundSeconds: Double
        public var joinSeconds: Double
        public var scratchBytes: Int64
    }

    /// Every unit here, `piecesAtOnce` at a time, then the join; `progress`
    /// hears the share of the units' cost done.
    @discardableResult
    public func render(progress: @escaping @Sendable (Double) async -> Void = { _ in })
        async throws -> Report
    {
        let clock = ContinuousClock()
        let start = clock.now
        let units = units
        let total = max(units.reduce(0) { $0 + cost($1) }, 1e-9)
        var spent: [Bool: Double] = [:]
        try await withThrowingTaskGroup(of: (Unit, Double).self) { group in
            var next = 0
            var done = 0.0
            func start() {
                guard next < units.count else { return }
                let unit = units[next]
                next += 1
                group.addTask {
                    let began = clock.now
                    try await run(unit)
                    return (unit, (clock.now - began).inSeconds)
                }
            }
            for _ in 0..<piecesAtOnce { start() }
            while let (unit, seconds) = try await group.next() {
                if case .video = unit {
                    spent[true, default: 0] += seconds
                } else {
                    spent[false, default: 0] += seconds
                }
                done += cost(unit)
                await progress(done / total)
                start()
            }
        }
        let encoded = clock.now
        let scratchBytes = Self.bytes(in: scratch)
        try await join()
        return Report(
            encodedFrames: video.encodedFrames,
            encodedSoundSeconds: AudioTimeline.seconds(audio.pieces.reduce(0) { $0 + $1.frames }),
            unitSeconds: (encoded - start).inSeconds, pictureSeconds: spent[true] ?? 0, soundSeconds: spent[false] ?? 0,
            joinSeconds: (clock.now - encoded).inSeconds,
            scratchBytes: scratchBytes)
    }

    static func bytes(in folder: String) -> Int64 {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.reduce(0) { total, name in
            total + (FileManager.default.size(atPath: folder + "/" + name) ?? 0)
        }
    }

    func videoPrefix(_ piece: Int) -> String { "\(scratch)/video-\(piece)" }
    func audioFile(_ piece: Int) -> String { "\(scratch)/audio-\(piece).aac" }

    private func makeScratch() throws {
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        } catch {
            throw RenderError.cannotWrite(error)
        }
    }
}
