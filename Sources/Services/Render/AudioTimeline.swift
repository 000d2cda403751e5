/// A video's sound as distinct pieces of whole AAC frames, each encoded once
/// and joined by stream copy.
///
/// The sound repeats with a cycle: the music playlist once through, or,
/// without music, the longest sound (or a minute of silence), cut down to
/// whole AAC frames (up to 21 ms of the cycle's end is dropped). Sounds
/// restart with each cycle. So every cycle sounds the same except where the
/// music fades in or out, and the output is a short list of pieces: the
/// first, the cycle's pieces repeated, the last.
public struct AudioTimeline: Hashable, Sendable {
    public static let sampleRate = 48000
    /// Samples in an AAC frame.
    public static let frameSamples = 1024
    /// A piece is at most this many frames (64 s), so pieces spread over workers.
    public static let maximumPieceFrames = 3000
    /// Frames encoded on each side of a piece and dropped, so the encoder's
    /// overlap at a join sees the sound that is really there.
    public static let rollFrames = 2

    /// `frames` frames of the output from frame `at`, where it is first used.
    public struct Piece: Hashable, Sendable {
        public var at: Int
        public var frames: Int
    }

    /// Frames of the whole output, and of one cycle.
    public var frames: Int
    public var cycleFrames: Int
    public var pieces: [Piece]
    /// The pieces in output order.
    public var entries: [Int]

    /// Output frames `0..<frames`; the cycle and fades in samples.
    public init(frames: Int, cycleFrames: Int, fades: [Range<Int>]) {
        self.frames = frames
        self.cycleFrames = max(1, cycleFrames)
        let cycle = self.cycleFrames
        // Short cycles repeat within a piece, so the list stays short.
        let period = cycle * max(1, Self.maximumPieceFrames / cycle)
        let roll = Self.rollFrames * Self.frameSamples
        var known: [[Int]: Int] = [:]
        var pieces: [Piece] = []
        var entries: [Int] = []
        var at = 0
        while at < frames {
            let offset = at % period
            let end = min(frames, at + period - offset, at + Self.maximumPieceFrames - offset % Self.maximumPieceFrames)
            let window = (at * Self.frameSamples - roll)..<(end * Self.frameSamples + roll)
            // A piece at the start (nothing before it) or under a fade is its own.
            let unique = at == 0 || fades.contains { $0.overlaps(window) }
            let key = [offset, end - at, unique ? at : -1]
            if let index = known[key] {
                entries.append(index)
            } else {
                known[key] = pieces.count
                entries.append(pieces.count)
                pieces.append(Piece(at: at, frames: end - at))
            }
            at = end
        }
        self.pieces = pieces
        self.entries = entries
    }

    /// Seconds of `frames` AAC frames.
    public static func seconds(_ frames: Int) -> Double { Double(frames * frameSamples) / Double(sampleRate) }
}

extension AudioTimeline {
    /// A plan's sound: its length rounded up to whole frames, the cycle of
    /// its music or sounds, and the music's fades.
    public init(_ plan: RenderPlan) {
        let rate = Double(Self.sampleRate)
        let samples = Int((plan.duration * rate).rounded(.up))
        let frames = (samples + Self.frameSamples - 1) / Self.frameSamples
        let mix = AudioMix(plan)
        self.init(frames: frames, cycleFrames: mix.cycleSamples / Self.frameSamples, fades: mix.fades)
    }
}
