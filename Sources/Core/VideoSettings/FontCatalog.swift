import ChildProcess
import Foundation

/// The fonts quotes can be drawn in: font files in `<data-dir>/fonts` (by file
/// name without extension) and the families fontconfig knows. `TenPounds`, the
/// earlier service's default, is always accepted: from its file in the fonts
/// folder when there is one, else drawn in `fallbackFamily`.
public struct FontCatalog: Hashable, Sendable {
    public static let legacyDefault = "TenPounds"
    public static let fallbackFamily = "DejaVu Sans"
    static let fontExtensions: Set<String> = ["ttf", "otf", "ttc"]

    /// Font name → file, for fonts in the fonts folder.
    public var files: [String: String]
    public var families: Set<String>

    public init(files: [String: String], families: Set<String>) {
        self.files = files
        self.families = families
    }

    /// Reads the fonts folder and asks fontconfig (`fc-list`) for its families;
    /// either may be missing.
    public static func load(fontsDirectory: String) -> FontCatalog {
        var files: [String: String] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: fontsDirectory)) ?? []
        for entry in entries.sorted() {
            let url = URL(fileURLWithPath: fontsDirectory).appendingPathComponent(entry)
            guard fontExtensions.contains(url.pathExtension.lowercased()) else { continue }
            files[url.deletingPathExtension().lastPathComponent] = url.path
        }
        let listing = FontConfig.run(["fc-list", ":", "family"]) ?? ""
        let families = Set(
            listing.split(whereSeparator: \.isNewline).flatMap { $0.split(separator: ",") }.map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty })
        return FontCatalog(files: files, families: families)
    }

    public func contains(_ name: String) -> Bool {
        name == Self.legacyDefault || files[name] != nil || families.contains(name)
    }

    /// Every name, sorted, for messages.
    public var names: [String] {
        Array(Set(files.keys).union(families).union([Self.legacyDefault])).sorted()
    }

    /// The file a renderer draws `name` with; nil when neither the folder nor
    /// fontconfig has it.
    public func file(for name: String) async -> String? {
        if let file = files[name] { return file }
        let family = families.contains(name) ? name : (name == Self.legacyDefault ? Self.fallbackFamily : nil)
        guard let family, let path = await FontConfig.ask(["fc-match", "-f", "%{file}", family]), !path.isEmpty else {
            return nil
        }
        return path
    }
}

/// Runs a fontconfig tool and returns what it printed; nil when it is missing or fails.
enum FontConfig {
    static func ask(_ arguments: [String]) async -> String? {
        text(try? await ChildProcess(arguments[0], Array(arguments.dropFirst())).run())
    }

    /// For `load`, which runs once at start, before any request.
    static func run(_ arguments: [String]) -> String? {
        text(try? ChildProcess(arguments[0], Array(arguments.dropFirst())).runAndWait())
    }

    private static func text(_ result: ChildProcess.Result?) -> String? {
        guard let result, result.status == 0 else { return nil }
        return String(decoding: result.output, as: UTF8.self)
    }
}
