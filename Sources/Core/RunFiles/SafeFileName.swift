import Foundation
import StorageCore

/// Turns a name a client sent into one that is safe to write inside a folder:
/// no folders, no `..`, no control characters, at most 255 bytes, still
/// readable (unicode kept, in its composed form).
public enum SafeFileName {
    public static let maximumBytes = 255

    /// Nil when nothing usable is left.
    public static func make(_ raw: String) -> String? {
        // Browsers on Windows send whole paths; only the last part is the name.
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var scalars = String.UnicodeScalarView()
        for scalar in last.precomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
                continue
            default:
                scalars.append(scalar)
            }
        }
        var name = String(scalars).trimmingCharacters(in: .whitespaces)
        // A leading dot would hide the file, and ".." would climb out.
        while name.hasPrefix(".") { name.removeFirst() }
        name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        return shortened(name)
    }

    /// Cuts the stem, never the extension, to fit `maximumBytes`.
    static func shortened(_ name: String) -> String {
        guard name.utf8.count > maximumBytes else { return name }
        let url = URL(fileURLWithPath: name)
        let suffix = url.pathExtension.isEmpty ? "" : "." + url.pathExtension
        var stem = Substring(url.deletingPathExtension().lastPathComponent)
        while stem.utf8.count + suffix.utf8.count > maximumBytes, !stem.isEmpty { stem.removeLast() }
        return String(stem) + suffix
    }
}

extension FileType {
    /// The extensions the earlier service accepted for each type, lower case.
    public var allowedExtensions: [String] {
        switch self {
        case .videos: ["mp4", "mov", "avi", "mkv"]
        case .music, .sounds: ["mp3", "wav", "m4a", "aac", "ogg"]
        case .quotes: ["txt"]
        }
    }

    public func accepts(_ filename: String) -> Bool {
        allowedExtensions.contains(URL(fileURLWithPath: filename).pathExtension.lowercased())
    }
}
