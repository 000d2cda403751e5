import Foundation
import StorageCore

/// A job's folder, `runs/run-<job_id>-<8 hex>/`, laid out as the earlier
/// service laid it out: one folder per file type, `output/` for the video,
/// `.tmp/` for a render's scratch files. Only `DataDirectory.runDirectory`
/// makes one, so every value has passed the rule for paths rows name.
public struct RunDirectory: Hashable, Sendable {
    public static let folders = FileType.allCases.map(\.rawValue) + ["output", ".tmp"]

    /// The real path (symbolic links resolved when the folder exists).
    public let path: String
    let dataDirectory: DataDirectory

    init(checkedPath: String, dataDirectory: DataDirectory) {
        path = checkedPath
        self.dataDirectory = dataDirectory
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
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw StorageError(.unavailable, "cannot remove the run directory \(path): \(error.localizedDescription)")
        }
    }

    /// The real path of a file a row names (relative to the data directory when
    /// relative) when it exists and lies inside this run directory once every
    /// symbolic link and `..` is resolved; nil otherwise.
    public func resolve(_ stored: String) -> String? {
        guard let root = DataDirectory.realPath(path),
            let target = DataDirectory.realPath(dataDirectory.absolute(stored))
        else { return nil }
        return target.hasPrefix(root + "/") ? target : nil
    }

    /// Removes what an interrupted render or upload left: `.part` files of
    /// `output/`, `.upload-*.part` files of the type folders, and the render's
    /// scratch files. Returns the names of the partial files.
    @discardableResult
    public func sweepPartialFiles() -> [String] {
        var removed: [String] = []
        try? FileManager.default.removeItem(atPath: scratch)
        let folders = [(output, ".")] + FileType.allCases.map { (folder(for: $0), ".upload-") }
        for (folder, prefix) in folders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names where name.hasPrefix(prefix) && name.hasSuffix(".part") {
                if unlink(folder + "/" + name) == 0 { removed.append(name) }
            }
        }
        return removed
    }
}
