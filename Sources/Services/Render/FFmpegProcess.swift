import Foundation

/// ffmpeg running one render: progress read from `-progress pipe:1` as it
/// comes, the last error lines kept for the failure message, and killed when
/// the task that awaits it is cancelled (ffmpeg starts no children of its own).
enum FFmpegProcess {
    static let keptErrorLines = 12

    /// Runs ffmpeg to its end; `progress` gets the seconds of output written.
    static func run(_ arguments: [String], progress: @escaping @Sendable (Double) -> Void) async throws {
        let result = try await ToolRun.run("ffmpeg", arguments) { line in
            if line.hasPrefix("out_time_us="), let micros = Double(line.dropFirst("out_time_us=".count)) {
                progress(micros / 1_000_000)
            }
        }
        if Task.isCancelled { throw CancellationError() }
        guard result.status == 0 else {
            throw RenderError(
                "ffmpeg failed (exit \(result.status))", ffmpegOutput: Array(result.errorLines.suffix(keptErrorLines)))
        }
    }
}
