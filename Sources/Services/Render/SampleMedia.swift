import Foundation

/// Media made by ffmpeg's own sources (test patterns, sine tones), for
/// `bench render` and tests.
public enum SampleMedia {
    public static func clip(at path: String, seconds: Double, size: String, rate: Int = 25, pattern: String = "testsrc")
        async throws
    {
        try await make([
            "-f", "lavfi", "-i", "\(pattern)=size=\(size):rate=\(rate)", "-t", "\(seconds)", "-pix_fmt", "yuv420p",
            path,
        ])
    }

    public static func tone(at path: String, seconds: Double, frequency: Int = 440) async throws {
        try await make(["-f", "lavfi", "-i", "sine=frequency=\(frequency)", "-t", "\(seconds)", path])
    }

    static func make(_ arguments: [String]) async throws {
        let result = try await ToolRun.run("ffmpeg", ["-loglevel", "error", "-y"] + arguments)
        guard result.status == 0 else {
            throw RenderError("ffmpeg could not make \(arguments.last ?? "")", ffmpegOutput: result.errorLines)
        }
    }
}
