/// Why a render cannot be made or did not finish, in words for the job's `error`.
public struct RenderError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// ffmpeg's last error lines, when ffmpeg failed.
    public var ffmpegOutput: [String]

    public init(_ message: String, ffmpegOutput: [String] = []) {
        self.message = message
        self.ffmpegOutput = ffmpegOutput
    }

    public var description: String {
        ffmpegOutput.isEmpty ? message : message + ": " + ffmpegOutput.joined(separator: " | ")
    }
}

extension RenderError {
    /// The render's own files (scratch, lists, output folder) could not be written.
    public static func cannotWrite(_ error: any Error) -> RenderError {
        RenderError("cannot write the render's files: \(error.localizedDescription)")
    }
}
