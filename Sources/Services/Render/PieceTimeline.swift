/// A looping video as the distinct pieces it is made of, each to be encoded
/// once from the sources, and the list that joins them by stream copy.
///
/// Everything is counted in output frames. A body piece is encoded with a
/// keyframe every `keyframeInterval` frames from its own start, so the join
/// may enter or leave it at any such frame: a quote's stretch is cut out of
/// the bodies under it at those frames (rounded outward) and encoded as a
/// piece of its own, from the sources, with the quote drawn at its exact
/// time. A transition is never cut: a quote that touches one takes it whole.
public struct PieceTimeline: Hashable, Sendable {
    public enum Content: Hashable, Sendable {
        /// Frames `from..<to` of clip `clip` (an index into the clips), with
        /// fades to black of `fadeIn` and `fadeOut` frames at its ends.
        case body(clip: Int, from: Int, to: Int, fadeIn: Int, fadeOut: Int)
        /// The last `frames` frames of clip `from` crossfaded into the first
        /// `frames` frames of clip `to`.
        case crossfade(from: Int, to: Int, frames: Int)
        /// A stretch of the output drawn from the sources (`parts`, one after
        /// another) with quotes over it.
        case quoted(parts: [Part], quotes: [QuoteDraw])
    }

    /// Frames `from..<to` of a body or crossfade, as part of a quoted piece.
    public struct Part: Hashable, Sendable {
        public var content: Content
        public var from: Int
        public var to: Int
    }

    /// Quote `quote` (an index into the plan's quotes) shown over frames
    /// `from..<to` of its piece.
    public struct QuoteDraw: Hashable, Sendable {
        public var quote: Int
        public var from: Int
        public var to: Int
    }

    public struct Piece: Hashable, Sendable {
        public var content: Content
        public var frames: Int
    }

    /// Frames `from..<to` of piece `piece`, next in the output.
    public struct Entry: Hashable, Sendable {
        public var piece: Int
        public var from: Int
        public var to: Int
    }

    public var frameRate: Int
    public var keyframeInterval: Int
    public var pieces: [Piece]
    public var entries: [Entry]

    /// Frames in the whole output.
    public var frames: Int { entries.reduce(0) { $0 + $1.to - $1.from } }
    /// Frames that must be encoded: each distinct piece once.
    public var encodedFrames: Int { pieces.reduce(0) { $0 + $1.frames } }

    /// Where the join enters or leaves each piece, from 0 to its length:
    /// the piece is written as one file per stretch between them.
    public var cuts: [[Int]] {
        var cuts = pieces.map { Set([0, $0.frames]) }
        for entry in entries {
            cuts[entry.piece].insert(entry.from)
            cuts[entry.piece].insert(entry.to)
        }
        return cuts.map { $0.sorted() }
    }
}

extension PieceTimeline {
    /// What the timeline is cut from: the clips' lengths in order of use,
    /// the output's length and rate, the transition and the quotes' times,
    /// all in frames.
    public struct Layout: Hashable, Sendable {
        public var clipFrames: [Int]
        public var frames: Int
        public var frameRate: Int
        public var crossfadeFrames: Int
        public var fadeFrames: Int
        public var quotes: [ClosedOpen]
        public var keyframeInterval: Int

        public init(
            clipFrames: [Int], frames: Int, frameRate: Int, crossfadeFrames: Int = 0, fadeFrames: Int = 0,
            quotes: [ClosedOpen] = [], keyframeInterval: Int
        ) {
            self.clipFrames = clipFrames
            self.frames = frames
            self.frameRate = frameRate
            self.crossfadeFrames = crossfadeFrames
            self.fadeFrames = fadeFrames
            self.quotes = quotes
            self.keyframeInterval = keyframeInterval
        }
    }

    /// Frames `start..<end` of the output.
    public struct ClosedOpen: Hashable, Sendable {
        public var start: Int
        public var end: Int

        public init(_ start: Int, _ end: Int) {
            self.start = start
            self.end = end
        }
    }

    public init(_ layout: Layout) {
        var builder = PieceTimelineBuilder(layout)
        let spans = builder.spans()
        builder.cut(spans)
        self.init(
            frameRate: layout.frameRate, keyframeInterval: layout.keyframeInterval, pieces: builder.pieces,
            entries: builder.entries)
    }
}

extension PieceTimeline.Layout {
    /// A plan's video in frames: its clips, length, transition and quotes,
    /// with a keyframe every second.
    public init(_ plan: RenderPlan) {
        let rate = plan.settings.fps
        let frames = { (seconds: Double) in Int((seconds * Double(rate)).rounded()) }
        let crossfade = RenderPlanner.crossfadeSeconds(plan.clips, settings: plan.settings)
        self.init(
            clipFrames: plan.clips.map { frames(RenderPlanner.wholeFrames($0.duration, rate)) },
            frames: frames(plan.duration), frameRate: rate,
            crossfadeFrames: crossfade > 0 ? max(1, frames(crossfade)) : 0,
            fadeFrames: plan.settings.transition == .fade ? frames(plan.fadeLength) : 0,
            quotes: plan.quotes.map { PieceTimeline.ClosedOpen(frames($0.start), frames($0.end)) },
            keyframeInterval: rate)
    }
}
