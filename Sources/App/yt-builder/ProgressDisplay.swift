import Foundation
import StorageCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Progress on stderr: a bar redrawn in place on a terminal (rows/s, time
/// left), otherwise a line per step and per tenth of the rows.
final class ProgressDisplay: Sendable {
    private struct State {
        var lastDraw = ContinuousClock.now
        var lastTenth = -1
        var lastStep = ""
    }

    private let started = ContinuousClock.now
    private let terminal = isatty(STDERR_FILENO) == 1
    private let state = Mutex(State())

    func update(_ progress: HistoryProgress) {
        let now = ContinuousClock.now
        let elapsed = started.duration(to: now).inSeconds
        let rate = elapsed > 0 ? Double(progress.rowsDone) / elapsed : 0
        let fraction = progress.rowsTotal > 0 ? Double(progress.rowsDone) / Double(progress.rowsTotal) : 1
        let line: String? = state.withLock { state in
            if terminal {
                guard progress.step != state.lastStep || state.lastDraw.duration(to: now).inSeconds >= 0.1 else {
                    return nil
                }
                state.lastDraw = now
                state.lastStep = progress.step
                let width = 30
                let filled = Int(fraction * Double(width))
                let left = rate > 0 ? Double(progress.rowsTotal - progress.rowsDone) / rate : 0
                return String(
                    format: "\r[%@%@] %3.0f%% %d/%d rows, %.0f rows/s, %.0f s left, %@\u{1B}[K",
                    String(repeating: "#", count: filled), String(repeating: " ", count: width - filled),
                    fraction * 100, progress.rowsDone, progress.rowsTotal, rate, left, progress.step)
            }
            let tenth = Int(fraction * 10)
            guard progress.step != state.lastStep || tenth != state.lastTenth else { return nil }
            state.lastTenth = tenth
            state.lastStep = progress.step
            return String(
                format: "%@: %d/%d rows (%.0f%%), %.0f rows/s\n", progress.step, progress.rowsDone,
                progress.rowsTotal, fraction * 100, rate)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
