import ChildProcess
import Foundation
import Synchronization

/// ffmpeg running one render: progress read from `-progress pipe:1` as it
/// comes, the last error lines kept for the failure message, and killed when
/// the task that awaits it is cancelled (ffmpeg starts no children of its
/// own) or when its output stops moving for `stallLimit`: a filter graph
/// can wait forever (a stream copy of hours, +faststart included, moves well within it).
enum FFmpegProcess {
    static let keptErrorLines = 12
    static let stallLimit = Duration.seconds(600)

    /// Runs ffmpeg to its end; `progress` gets the seconds of output written.
    static func run(_ arguments: [String], progress: @escaping @Sendable (Double) -> Void) async throws {
        let clock = ContinuousClock()
        let moved = LastMove(clock.now)
        let result = try await withThrowingTaskGroup(of: ChildProcess.Result?.self) { group in
            group.addTask {
                try await ToolRun.run("ffmpeg", arguments) { line in
                    guard line.hasPrefix("out_time_us="), let micros = Double(line.dropFirst("out_time_us=".count))
                    else { return }
                    moved.state.withLock { if micros != $0.written { $0 = (clock.now, micros) } }
                    progress(micros / 1_000_000)
                }
            }
            group.addTask {
                while clock.now - moved.state.withLock({ $0.at }) < stallLimit {
                    try await Task.sleep(for: .seconds(2))
                }
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if Task.isCancelled { throw CancellationError() }
        guard let result else {
            throw RenderError("ffmpeg stopped: its output did not move for \(stallLimit.components.seconds) s")
        }
        guard result.status == 0 else {
            throw RenderError(
                "ffmpeg failed (exit \(result.status))", ffmpegOutput: Array(result.errorLines.suffix(keptErrorLines)))
        }
    }
}

/// When ffmpeg's output last moved, and how far it had got.
private final class LastMove: Sendable {
    let state: Mutex<(at: ContinuousClock.Instant, written: Double)>
    init(_ now: ContinuousClock.Instant) { state = Mutex((now, -1)) }
}
