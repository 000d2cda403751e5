import Foundation
import StorageCore

/// A job's render log, `job.log` in its run directory: one line per entry,
/// appended by whichever worker renders the job and readable by any API server
/// that shares the data directory, after restarts too.
public struct JobLog: Hashable, Sendable {
    public static let maximumLinesPerRead = 1000

    public let path: String
    /// Where the last read without a cursor stopped: the earlier service's
    /// "lines since the last call", kept on disk so every server agrees.
    let cursorPath: String

    public init(runDirectory: String) {
        path = runDirectory + "/job.log"
        cursorPath = runDirectory + "/.log-cursor"
    }

    /// Appends one line (newlines inside become spaces). One `write` with
    /// O_APPEND, so lines of concurrent writers never interleave.
    public func append(_ line: String) throws {
        let text = line.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") + "\n"
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileSystemError("write the log", path)
        }
        defer { close(descriptor) }
        let written = text.utf8CString.withUnsafeBytes { bytes in write(descriptor, bytes.baseAddress, bytes.count - 1)
        }
        guard written == text.utf8.count else {
            throw FileSystemError("write the log", path)
        }
    }

    public struct Page: Hashable, Sendable {
        public var lines: [String]
        /// The number of lines read so far: the `after` of the next read.
        public var next: Int
    }

    /// A line longer than this is cut (a log line, not a file).
    static let maximumLineBytes = 64 * 1024

    /// Complete lines after the first `after`, at most `maximumLinesPerRead`,
    /// read in blocks: memory stays the same whatever the log's length.
    public func lines(after: Int) -> Page {
        guard let file = FileHandle(forReadingAtPath: path) else { return Page(lines: [], next: after) }
        defer { try? file.close() }
        let skip = max(after, 0)
        var seen = 0
        var lines: [String] = []
        var current: [UInt8] = []
        while lines.count < Self.maximumLinesPerRead, let block = try? file.read(upToCount: 64 * 1024),
            !block.isEmpty
        {
            for byte in block {
                guard byte == UInt8(ascii: "\n") else {
                    if seen >= skip, current.count < Self.maximumLineBytes { current.append(byte) }
                    continue
                }
                if seen >= skip { lines.append(String(decoding: current, as: UTF8.self)) }
                seen += 1
                current.removeAll(keepingCapacity: true)
                if lines.count == Self.maximumLinesPerRead { break }
            }
        }
        // A last line without its newline is still being written: not counted yet.
        return Page(lines: lines, next: seen)
    }

    /// Lines since the previous call of this method, on any server that
    /// shares the folder; the cursor is read and moved under a lock, so two
    /// readers at once neither repeat nor skip lines.
    public func linesSinceLastRead() -> Page {
        guard FileManager.default.fileExists(atPath: path) else { return Page(lines: [], next: 0) }
        let descriptor = open(cursorPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return lines(after: 0) }
        defer { close(descriptor) }
        flock(descriptor, LOCK_EX)
        defer { flock(descriptor, LOCK_UN) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = read(descriptor, &buffer, buffer.count)
        let cursor =
            count > 0
            ? Int(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            : nil
        let page = lines(after: cursor ?? 0)
        if page.next != cursor {
            let text = Array(String(page.next).utf8)
            _ = ftruncate(descriptor, 0)
            _ = pwrite(descriptor, text, text.count, 0)
        }
        return page
    }
}
