import Foundation
import Render
import StorageCore
import VideoSettings

/// The bench's media: three 8 s clips of test patterns at the output size,
/// two music tracks, a sound and three quote files, made once.
struct RenderBenchMedia {
    let folder: String
    let fonts: FontCatalog

    func path(_ name: String) -> String { folder + "/" + name }
    var clips: [String] { (0..<3).map { path("clip\($0).mp4") } }
    var music: [String] { [path("music0.mp3"), path("music1.mp3")] }
    var sounds: [String] { [path("sound.wav")] }
    var quotes: [String] { (0..<3).map { path("quote\($0).txt") } }

    static func make(resolution: String) async throws -> RenderBenchMedia {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "yt-builder-bench-render-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let media = RenderBenchMedia(folder: folder, fonts: FontCatalog.load(fontsDirectory: folder + "/fonts"))
        Console.error("Making three 8 s clips at \(resolution), two music tracks, a sound and three quotes…")
        for (index, pattern) in ["testsrc", "testsrc2", "smptebars"].enumerated() {
            try await SampleMedia.clip(
                at: media.clips[index], seconds: 8, size: resolution, rate: 30, pattern: pattern)
        }
        try await SampleMedia.tone(at: media.music[0], seconds: 70, frequency: 330)
        try await SampleMedia.tone(at: media.music[1], seconds: 95, frequency: 392)
        try await SampleMedia.tone(at: media.sounds[0], seconds: 2.3, frequency: 880)
        for (index, file) in media.quotes.enumerated() {
            try "\"Quote \(index + 1): what we make, we make once and well.\"".write(
                toFile: file, atomically: true, encoding: .utf8)
        }
        return media
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}
