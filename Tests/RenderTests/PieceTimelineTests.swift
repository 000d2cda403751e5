import Testing

@testable import Render

/// The distinct pieces of a looping video and the join list: every output
/// frame comes from the same source frame as in the one-pass render, each
/// quote is drawn over exactly its frames, the join enters and leaves a body
/// only at its keyframes, and what is encoded does not grow with the length.
@Suite struct PieceTimelineTests {
    typealias Layout = PieceTimeline.Layout
    typealias Content = PieceTimeline.Content

    /// Each output frame as (body or crossfade, frame within it), and the
    /// quotes drawn over it, read back from the join list.
    static func frames(of timeline: PieceTimeline) -> (source: [SourceFrame], quotes: [Set<Int>]) {
        var source: [SourceFrame] = []
        var quotes: [Set<Int>] = []
        for entry in timeline.entries {
            let piece = timeline.pieces[entry.piece]
            switch piece.content {
            case .quoted(let parts, let draws):
                var expanded: [SourceFrame] = []
                for part in parts {
                    expanded += (part.from..<part.to).map { SourceFrame(content: part.content, frame: $0) }
                }
                #expect(expanded.count == piece.frames)
                for frame in entry.from..<entry.to {
                    source.append(expanded[frame])
                    quotes.append(Set(draws.filter { ($0.from..<$0.to).contains(frame) }.map(\.quote)))
                }
            default:
                source += (entry.from..<entry.to).map { SourceFrame(content: piece.content, frame: $0) }
                quotes += Array(repeating: [], count: entry.to - entry.from)
            }
        }
        return (source, quotes)
    }

    struct SourceFrame: Hashable {
        var content: Content
        var frame: Int
    }

    /// The one-pass render's frames: the spans without any cut.
    static func expected(_ layout: Layout) -> [SourceFrame] {
        PieceTimelineBuilder(layout).spans().flatMap { span in
            (0..<span.frames).map { SourceFrame(content: span.content, frame: $0) }
        }
    }

    static func check(_ layout: Layout, sourceLocation: SourceLocation = #_sourceLocation) -> PieceTimeline {
        let timeline = PieceTimeline(layout)
        let (source, quotes) = frames(of: timeline)
        #expect(timeline.frames == layout.frames, sourceLocation: sourceLocation)
        #expect(source == expected(layout), "the same source frames as one pass", sourceLocation: sourceLocation)
        for (index, show) in layout.quotes.enumerated() {
            let shown = quotes.indices.filter { quotes[$0].contains(index) }
            #expect(shown == Array(show.start..<min(show.end, layout.frames)), sourceLocation: sourceLocation)
        }
        for entry in timeline.entries {
            let piece = timeline.pieces[entry.piece]
            switch piece.content {
            case .body:
                #expect(entry.from % layout.keyframeInterval == 0, sourceLocation: sourceLocation)
                #expect(
                    entry.to % layout.keyframeInterval == 0 || entry.to == piece.frames, sourceLocation: sourceLocation)
            case .crossfade:
                #expect(
                    entry.from == 0 && entry.to == piece.frames, "a crossfade is never cut",
                    sourceLocation: sourceLocation)
            case .quoted(let parts, _):
                for part in parts {
                    if case .crossfade(_, _, let frames) = part.content {
                        #expect(part.from == 0 && part.to == frames, sourceLocation: sourceLocation)
                    }
                }
            }
        }
        return timeline
    }

    @Test func cutsRepeatTheClipsAndEncodeEachOnce() {
        let short = Self.check(
            Layout(clipFrames: [240, 250, 230], frames: 600 * 30, frameRate: 30, keyframeInterval: 30))
        let long = Self.check(
            Layout(clipFrames: [240, 250, 230], frames: 10 * 3600 * 30, frameRate: 30, keyframeInterval: 30))
        #expect(short.pieces.count <= 4 && long.pieces.count <= 4)
        #expect(long.encodedFrames <= 240 + 250 + 230 + 250)
    }

    @Test func crossfadesAreDistinctPiecesJoinedWhole() {
        let layout = Layout(
            clipFrames: [240, 250, 230], frames: 3 * 3600 * 30 + 7, frameRate: 30, crossfadeFrames: 30,
            keyframeInterval: 30)
        let timeline = Self.check(layout)
        let crossfades = timeline.pieces.filter { if case .crossfade = $0.content { true } else { false } }
        #expect(crossfades.count == 3)
        // The first clip's first body starts at 0, later ones after the crossfade in: 3 + 1, and a last partial one.
        #expect(timeline.pieces.count <= 3 + 4 + 1)
        #expect(timeline.encodedFrames < 2 * (240 + 250 + 230))
    }

    @Test func fadesStayInEveryBody() {
        let timeline = Self.check(
            Layout(clipFrames: [100, 80], frames: 1000, frameRate: 25, fadeFrames: 12, keyframeInterval: 25))
        for piece in timeline.pieces {
            guard case .body(_, _, _, let fadeIn, let fadeOut) = piece.content else { continue }
            #expect(fadeIn == 12 && fadeOut == 12)
        }
    }

    @Test func aQuoteIsCutOutAtKeyframesAndDrawnOverExactlyItsFrames() {
        let quotes = stride(from: 95, to: 18_000, by: 611).map { PieceTimeline.ClosedOpen($0, $0 + 150) }
        let layout = Layout(
            clipFrames: [240, 250, 230], frames: 18_000, frameRate: 30, crossfadeFrames: 30, quotes: quotes,
            keyframeInterval: 30)
        let timeline = Self.check(layout)
        let quoted = timeline.pieces.filter { if case .quoted = $0.content { true } else { false } }
        #expect(quoted.count == quotes.count)
        // Each is its quote and at most two keyframe intervals and a crossfade more.
        #expect(quoted.allSatisfy { $0.frames <= 150 + 2 * 30 + 30 })
    }

    @Test func quotesThatMeetShareOnePiece() {
        let layout = Layout(
            clipFrames: [300], frames: 3000, frameRate: 30,
            quotes: [.init(100, 250), .init(255, 400), .init(2990, 3100)], keyframeInterval: 30)
        let timeline = Self.check(layout)
        let draws = timeline.pieces.compactMap { piece -> Int? in
            if case .quoted(_, let quotes) = piece.content { quotes.count } else { nil }
        }
        #expect(draws.sorted() == [1, 2])
    }

    @Test(arguments: 0..<40) func randomLayoutsKeepEveryFrame(_ seed: Int) {
        var random = SeededRandom(seed: Int64(seed))
        let clips = (0..<Int.random(in: 1...4, using: &random)).map { _ in Int.random(in: 40...400, using: &random) }
        let crossfade = seed % 3 == 0 ? 0 : Int.random(in: 1...(clips.min()! / 3), using: &random)
        let frames = Int.random(in: 1...6000, using: &random)
        var quotes: [PieceTimeline.ClosedOpen] = []
        var at = Int.random(in: 0...300, using: &random)
        while at < frames {
            let length = Int.random(in: 1...200, using: &random)
            quotes.append(.init(at, at + length))
            at += length + Int.random(in: 0...400, using: &random)
        }
        let interval = Int.random(in: 1...60, using: &random)
        _ = Self.check(
            Layout(
                clipFrames: clips, frames: frames, frameRate: 30, crossfadeFrames: crossfade,
                fadeFrames: crossfade == 0 && seed % 2 == 0 ? 5 : 0, quotes: quotes,
                keyframeInterval: interval))
    }

    @Test func piecesAtOnceShareTheCores() {
        #expect(PieceRenderer.threads(piecesAtOnce: 1, cores: 2) == 2)
        #expect(PieceRenderer.threads(piecesAtOnce: 2, cores: 2) == 1)
        #expect(PieceRenderer.threads(piecesAtOnce: 3, cores: 8) == 2)
        #expect(PieceRenderer.threads(piecesAtOnce: 4, cores: 2) == 1)
        #expect(PieceRenderer.threads(piecesAtOnce: 0, cores: 4) == 4)
    }

    @Test func theLimitDrawsEachClipsShareOfTheDistinctFrames() {
        let alone = PieceTimeline(
            Layout(
                clipFrames: [240], frames: 9000, frameRate: 30, crossfadeFrames: 0, fadeFrames: 0, quotes: [],
                keyframeInterval: 30))
        #expect(DistinctContentLimit.framesByClip(alone, clips: 1) == [alone.encodedFrames])
        let three = PieceTimeline(
            Layout(
                clipFrames: [240, 240, 120], frames: 18000, frameRate: 30, crossfadeFrames: 30, fadeFrames: 0,
                quotes: [.init(400, 550), .init(5000, 5150), .init(9000, 9150)], keyframeInterval: 30))
        let shares = DistinctContentLimit.framesByClip(three, clips: 3)
        #expect(shares.reduce(0, +) == three.encodedFrames)
        #expect(shares.allSatisfy { $0 > 0 })
        // The short third clip gives fewer distinct frames than the others.
        #expect(shares[2] < shares[0] && shares[2] < shares[1])
    }
}
