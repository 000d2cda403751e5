import Foundation

/// How alike two videos look, frame by frame: ffmpeg's `ssim` filter.
public enum FrameSimilarity {
    /// Each frame's SSIM (all planes), in order.
    public static func ssim(_ first: String, _ second: String, stats: String) async throws -> [Double] {
        defer { try? FileManager.default.removeItem(atPath: stats) }
        try await FFmpegProcess.run(
            FFmpegCommand.header + ["-i", first, "-i", second, "-lavfi", "ssim=stats_file=\(stats)", "-f", "null", "-"]
        ) { _ in }
        return try String(contentsOfFile: stats, encoding: .utf8).split(separator: "\n").compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("All:") }.flatMap { Double($0.dropFirst(4)) }
        }
    }
}
