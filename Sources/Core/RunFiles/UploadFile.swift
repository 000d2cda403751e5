import Foundation
import StorageCore

/// One uploaded file on its way to disk: written under a hidden temporary
/// name in the destination folder and renamed when complete, so a reader never
/// sees half a file and an aborted upload leaves nothing behind. Used by one
/// task at a time (the request that streams it, then the store that places it).
public final class UploadFile: @unchecked Sendable {
    public enum WriteError: Error, Hashable {
        case tooLarge(limit: Int64)
    }

    public let temporaryPath: String
    public let folder: String
    public let limit: Int64
    public private(set) var size: Int64 = 0
    private var descriptor: Int32

    public init(folder: String, limit: Int64) throws {
        self.folder = folder
        self.limit = limit
        temporaryPath = folder + "/.upload-" + UUID().uuidString + ".part"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileSystemError("write into", folder)
        }
    }

    deinit { abort() }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        size += Int64(bytes.count)
        guard size <= limit else { throw WriteError.tooLarge(limit: limit) }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("write", temporaryPath)
            }
            offset += written
        }
    }

    /// Writes off the cooperative threads (a slow or full disk blocks the writer, not the pool).
    public func write(contentsOf bytes: [UInt8]) async throws {
        try await BlockingIO.run { try bytes.withUnsafeBytes { try self.write($0) } }
    }

    /// Moves the complete file to `name` in the folder, replacing a file of that
    /// name, and returns its path.
    public func finish(as name: String) throws -> String {
        let destination = folder + "/" + name
        guard close(descriptor) == 0, rename(temporaryPath, destination) == 0 else {
            let code = errno
            abort()
            throw FileSystemError("store", destination, code: code)
        }
        descriptor = -1
        return destination
    }

    /// Removes the partial file; safe to call more than once.
    public func abort() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporaryPath)
    }
}
