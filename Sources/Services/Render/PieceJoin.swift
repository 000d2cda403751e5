import Foundation

/// The concat demuxer's list of a timeline's chunks in output order: an
/// entry names the chunks of its piece from its first frame to its last, so
/// the join copies whole chunks and cuts nothing. Each chunk's duration is
/// written out: the demuxer would otherwise guess it from the chunk, and a
/// guess a frame off shifts every frame after it.
enum PieceJoin {
    /// `prefix(piece)` is the chunks' name without `-NNNNN.ts`.
    static func list(_ timeline: PieceTimeline, prefix: (Int) -> String) -> String {
        let cuts = timeline.cuts
        var lines: [String] = ["ffconcat version 1.0"]
        for entry in timeline.entries {
            let name = prefix(entry.piece)
            let points = cuts[entry.piece]
            // Cuts are sorted and the entry's ends are among them.
            var chunk = points.firstIndex(of: entry.from) ?? 0
            while chunk + 1 < points.count, points[chunk] < entry.to {
                let seconds = Double(points[chunk + 1] - points[chunk]) / Double(timeline.frameRate)
                append(&lines, file: name + "-" + String(format: "%05d", chunk) + ".ts", seconds: seconds)
                chunk += 1
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The sound's pieces in output order, each a file of whole AAC frames.
    static func list(_ timeline: AudioTimeline, file: (Int) -> String) -> String {
        var lines: [String] = ["ffconcat version 1.0"]
        for piece in timeline.entries {
            append(&lines, file: file(piece), seconds: AudioTimeline.seconds(timeline.pieces[piece].frames))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func append(_ lines: inout [String], file: String, seconds: Double) {
        lines.append("file '" + file.replacingOccurrences(of: "'", with: "'\\''") + "'")
        lines.append("duration " + String(format: "%.6f", seconds))
    }
}
