import Foundation

/// The concat demuxer's list of a timeline's chunks in output order: an
/// entry names the chunks of its piece from its first frame to its last, so
/// the join copies whole chunks and cuts nothing. Each chunk's duration is
/// written out: the demuxer would otherwise guess it from the chunk, and a
/// guess a frame off shifts every frame after it.
enum PieceJoin {
    /// `prefix(piece)` is the chunks' name without `-NNNNN.ts`.
    static func list(_ timeline: PieceTimeline, prefix: (Int) -> String) -> String {
        let interval = timeline.keyframeInterval
        var lines: [String] = ["ffconcat version 1.0"]
        for entry in timeline.entries {
            let name = prefix(entry.piece)
            let frames = timeline.pieces[entry.piece].frames
            for chunk in entry.from / interval..<(entry.to + interval - 1) / interval {
                let file = name + "-" + String(format: "%05d", chunk) + ".ts"
                lines.append("file '" + file.replacingOccurrences(of: "'", with: "'\\''") + "'")
                let length = min(interval, frames - chunk * interval)
                lines.append("duration " + String(format: "%.6f", Double(length) / Double(timeline.frameRate)))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
