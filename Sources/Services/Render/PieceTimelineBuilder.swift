/// Cuts a `PieceTimeline.Layout` into pieces: first the spans of the video
/// without quotes (bodies and crossfades, repeating), then each quote's
/// stretch, rounded outward to the bodies' keyframes, taken out as a piece.
struct PieceTimelineBuilder {
    typealias Content = PieceTimeline.Content

    /// A whole body or crossfade at output frame `start`.
    struct Span {
        var start: Int
        var content: Content
        var frames: Int
        var end: Int { start + frames }
        var isBody: Bool { if case .body = content { true } else { false } }
    }

    let layout: PieceTimeline.Layout
    private(set) var pieces: [PieceTimeline.Piece] = []
    private(set) var entries: [PieceTimeline.Entry] = []
    private var known: [Content: Int] = [:]

    init(_ layout: PieceTimeline.Layout) { self.layout = layout }

    func spans() -> [Span] {
        let clips = layout.clipFrames.map { max(1, $0) }
        guard !clips.isEmpty else { return [] }
        let total = layout.frames
        let overlap = layout.crossfadeFrames
        var spans: [Span] = []
        var at = 0
        var use = 0
        var from = 0
        while at < total {
            let clip = use % clips.count
            let left = total - at
            // The video ends inside this clip: no transition after it.
            if overlap == 0 || left <= clips[clip] - from {
                let frames = min(clips[clip] - from, left)
                let fade = min(layout.fadeFrames, frames / 2)
                spans.append(
                    Span(
                        start: at,
                        content: .body(clip: clip, from: from, to: from + frames, fadeIn: fade, fadeOut: fade),
                        frames: frames))
                at += frames
            } else {
                let bodyEnd = clips[clip] - overlap
                if bodyEnd > from {
                    spans.append(
                        Span(
                            start: at, content: .body(clip: clip, from: from, to: bodyEnd, fadeIn: 0, fadeOut: 0),
                            frames: bodyEnd - from))
                    at += bodyEnd - from
                }
                let next = (use + 1) % clips.count
                spans.append(
                    Span(start: at, content: .crossfade(from: clip, to: next, frames: overlap), frames: overlap))
                at += overlap
                from = overlap
            }
            use += 1
        }
        return spans
    }

    /// The quotes' stretches, rounded outward to where the join may cut
    /// (a body's keyframes, a crossfade's ends) and merged where they meet.
    func stretches(_ spans: [Span]) -> [(range: PieceTimeline.ClosedOpen, quotes: [PieceTimeline.QuoteDraw])] {
        let interval = max(1, layout.keyframeInterval)
        var merged: [(range: PieceTimeline.ClosedOpen, quotes: [PieceTimeline.QuoteDraw])] = []
        let shows = layout.quotes.enumerated().sorted { $0.element.start < $1.element.start }
        for (index, show) in shows {
            let start = max(0, show.start)
            let end = min(layout.frames, show.end)
            guard start < end else { continue }
            let first = spans[Self.span(containing: start, in: spans)]
            let last = spans[Self.span(containing: end - 1, in: spans)]
            let from = first.isBody ? first.start + (start - first.start) / interval * interval : first.start
            let to =
                last.isBody
                ? min(last.end, last.start + (end - last.start + interval - 1) / interval * interval) : last.end
            let draw = PieceTimeline.QuoteDraw(quote: index, from: start, to: end)
            if let previous = merged.last, from <= previous.range.end {
                merged[merged.count - 1].range.end = max(previous.range.end, to)
                merged[merged.count - 1].quotes.append(draw)
            } else {
                merged.append((PieceTimeline.ClosedOpen(from, to), [draw]))
            }
        }
        // Quote times relative to their piece.
        return merged.map { stretch in
            (
                stretch.range,
                stretch.quotes.map {
                    PieceTimeline.QuoteDraw(
                        quote: $0.quote, from: $0.from - stretch.range.start, to: $0.to - stretch.range.start)
                }
            )
        }
    }

    /// Walks the spans once, taking each quote's stretch out as a piece of
    /// its own and the rest as cuts of the bodies and crossfades.
    mutating func cut(_ spans: [Span]) {
        let stretches = stretches(spans)
        var next = 0
        var parts: [PieceTimeline.Part] = []
        for span in spans {
            var at = span.start
            while at < span.end {
                guard next < stretches.count, stretches[next].range.start < span.end else {
                    add(span.content, frames: span.frames, from: at - span.start, to: span.frames)
                    at = span.end
                    continue
                }
                let stretch = stretches[next]
                if stretch.range.start > at {
                    add(span.content, frames: span.frames, from: at - span.start, to: stretch.range.start - span.start)
                    at = stretch.range.start
                }
                let end = min(span.end, stretch.range.end)
                parts.append(PieceTimeline.Part(content: span.content, from: at - span.start, to: end - span.start))
                at = end
                if end == stretch.range.end {
                    let frames = stretch.range.end - stretch.range.start
                    add(.quoted(parts: parts, quotes: stretch.quotes), frames: frames, from: 0, to: frames)
                    parts = []
                    next += 1
                }
            }
        }
    }

    private mutating func add(_ content: Content, frames: Int, from: Int, to: Int) {
        guard to > from else { return }
        let piece: Int
        if let index = known[content] {
            piece = index
        } else {
            piece = pieces.count
            pieces.append(PieceTimeline.Piece(content: content, frames: frames))
            known[content] = piece
        }
        entries.append(PieceTimeline.Entry(piece: piece, from: from, to: to))
    }

    /// The span holding output frame `frame` (spans are in order and touch).
    static func span(containing frame: Int, in spans: [Span]) -> Int {
        var low = 0
        var high = spans.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if spans[middle].start <= frame { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
