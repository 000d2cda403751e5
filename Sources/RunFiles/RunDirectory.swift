import Foundation
import StorageCore

/// A job's folder, `runs/run-<job_id>-<8 hex>/`, laid out as the earlier
/// service laid it out: one folder per file type, `output/` for the video,
/// `.tmp/` for a render's scratch files.
public struct RunDirectory: Hashable, Sendable {
    public static let folders = FileType.allCases.map(\.rawValue) + ["output", ".tmp"]

    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func folder(for type: FileType) -> String { path + "/" + type.rawValue }
    public var output: String { path + "/output" }
    public var scratch: String { path + "/.tmp" }
    public var log: JobLog { JobLog(runDirectory: path) }

    /// Creates the folders that are missing; existing files stay.
    public func create() throws {
        do {
            for folder in Self.folders {
                try FileManager.default.createDirectory(
                    atPath: path + "/" + folder, withIntermediateDirectories: true)
            }
        } catch {
            throw StorageError(.unavailable, "cannot create the run directory \(path): \(error.localizedDescription)")
        }
    }

    /// Removes the folder and all in it; a folder that is already gone is fine.
    public func remove() throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw StorageError(.unavailable, "cannot remove the run directory \(path): \(error.localizedDescription)")
        }
    }

    /// The real path of `file` when it exists and lies inside this run
    /// directory once every symbolic link and `..` is resolved; nil otherwise.
    public func resolve(_ file: String) -> String? {
        guard let root = Self.realPath(path), let target = Self.realPath(file) else { return nil }
        return target.hasPrefix(root + "/") ? target : nil
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
