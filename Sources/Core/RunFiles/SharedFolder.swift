import Foundation
import StorageCore

/// The earlier service's shared media folders: `videos/`, `music/`,
/// `sounds/` and `quotes/` of the data directory, which `GET /api/files`
/// lists and a job created without files of its own takes.
public enum SharedFolder {
    /// The names of a folder's files of the type's extensions, sorted; none
    /// when there is no such folder. Hidden files and folders are left out.
    public static func names(in folder: String, _ type: FileType) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { name in
            var isFolder: ObjCBool = false
            return !name.hasPrefix(".") && type.accepts(name)
                && FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder)
                && !isFolder.boolValue
        }.sorted()
    }

    /// Makes `destination` hold what `source` holds (after links): a hard link
    /// when both are on one file system, which costs no space and leaves the
    /// shared file alone when the job is removed; else a copy, through a
    /// temporary name so a broken copy leaves nothing at `destination`.
    public static func link(_ source: String, to destination: String) throws {
        let real = URL(fileURLWithPath: source).resolvingSymlinksInPath().path
        if Foundation.link(real, destination) == 0 { return }
        let code = errno
        guard code == EXDEV || code == EPERM || code == EMLINK else {
            throw FileSystemError("link", destination, code: code)
        }
        let partial = destination + ".part"
        do {
            try copy(real, to: partial)
        } catch {
            unlink(partial)
            throw error
        }
        guard rename(partial, destination) == 0 else {
            let failed = errno
            unlink(partial)
            throw FileSystemError("copy", destination, code: failed)
        }
    }

    /// A megabyte at a time, so memory does not grow with the file.
    static func copy(_ source: String, to destination: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileSystemError("read", source) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw FileSystemError("create", destination) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            guard count >= 0 else { throw FileSystemError("read", source) }
            if count == 0 { break }
            var written = 0
            while written < count {
                let step = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                guard step > 0 else { throw FileSystemError("write", destination) }
                written += step
            }
        }
        guard fsync(output) == 0 else { throw FileSystemError("write", destination) }
    }
}
