import Foundation

/// ffmpeg running one render: progress read from `-progress pipe:1` as it
/// comes, the last error lines kept for the failure message, and killed when
/// the task that awaits it is cancelled.
enum FFmpegProcess {
    static let keptErrorLines = 12

    /// Runs ffmpeg to its end; `progress` gets the seconds of output written.
    static func run(_ arguments: [String], progress: @escaping @Sendable (Double) -> Void) async throws {
        let process = Process()
        let command = ChildLauncher.command("ffmpeg", arguments)
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { process in
            finished.continuation.yield(process.terminationStatus)
            finished.continuation.finish()
        }
        do {
            try ChildLauncher.run(process)
        } catch {
            throw RenderError("ffmpeg cannot be started: \(error.localizedDescription); install the ffmpeg package")
        }
        let errorText = PipeReader(errors.fileHandleForReading)
        let progressReader = Thread {
            var pending = Data()
            let handle = output.fileHandleForReading
            while case let chunk = handle.availableData, !chunk.isEmpty {
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    if line.hasPrefix("out_time_us="), let micros = Double(line.dropFirst("out_time_us=".count)) {
                        progress(micros / 1_000_000)
                    }
                }
            }
        }
        progressReader.start()
        let pid = process.processIdentifier
        let status = await withTaskCancellationHandler {
            var status: Int32 = -1
            for await code in finished.stream { status = code }
            return status
        } onCancel: {
            // ffmpeg starts no children of its own; SIGKILL ends it at once.
            kill(pid, SIGKILL)
        }
        let lines = String(decoding: errorText.wait(), as: UTF8.self).split(whereSeparator: \.isNewline).map(
            String.init)
        if Task.isCancelled { throw CancellationError() }
        if status == 127 { throw RenderError("ffmpeg is not installed; install the ffmpeg package") }
        guard status == 0 else {
            throw RenderError("ffmpeg failed (exit \(status))", ffmpegOutput: Array(lines.suffix(keptErrorLines)))
        }
    }
}
