import Foundation
import StorageCore
import VideoSettings

/// Everything a render needs, and nothing of the database: media paths in
/// order, the checked settings, where fonts are, where to write.
public struct RenderInput: Sendable {
    public var videos: [String]
    public var music: [String]
    public var sounds: [String]
    public var quotes: [String]
    public var settings: VideoSettings
    public var fonts: FontCatalog
    /// The finished MP4; written under a temporary name beside it and renamed when complete.
    public var output: String
    /// Scratch files (quote texts); removed after the render.
    public var scratch: String

    public init(
        videos: [String], music: [String] = [], sounds: [String] = [], quotes: [String] = [], settings: VideoSettings,
        fonts: FontCatalog, output: String, scratch: String
    ) {
        self.videos = videos
        self.music = music
        self.sounds = sounds
        self.quotes = quotes
        self.settings = settings
        self.fonts = fonts
        self.output = output
        self.scratch = scratch
    }

    /// The media of each type in a folder, by name (for `yt-builder render`).
    public static func files(in folder: String?, accepting extensions: [String]) throws -> [String] {
        guard let folder else { return [] }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw RenderError("\(folder) is not a folder")
        }
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            .filter { extensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) && !$0.hasPrefix(".") }
            .map { URL(fileURLWithPath: folder).appendingPathComponent($0).path }
    }
}
