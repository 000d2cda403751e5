import Testing

@testable import Render

/// When ffmpeg cannot start, the message says why; it suggests installing the
/// package only when the program is missing.
@Suite struct ToolStartTests {
    @Test func anArgumentListTooLongIsSaidAsSuch() async throws {
        let huge = Array(repeating: String(repeating: "x", count: 100_000), count: 40)
        let error = await #expect(throws: RenderError.self) { try await ToolRun.run("ffmpeg", huge) }
        let message = error?.description ?? ""
        #expect(
            message.contains("ffmpeg cannot be started") && message.contains("Argument list too long"), "\(message)")
        #expect(!message.contains("install"), "\(message)")
    }

    @Test func aMissingToolIsToldToBeInstalled() async throws {
        let error = await #expect(throws: RenderError.self) { try await ToolRun.run("yt-builder-no-such-ffmpeg", []) }
        #expect(error?.description == "yt-builder-no-such-ffmpeg is not installed; install the ffmpeg package")
    }
}
