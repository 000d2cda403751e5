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

    /// Complete lines after the first `after`, at most `maximumLinesPerRead`.
    public func lines(after: Int) -> Page {
        guard let data = FileManager.default.contents(atPath: path) else { return Page(lines: [], next: after) }
        // A last line without its newline is still being written.
        let complete = data.lastIndex(of: UInt8(ascii: "\n")).map { data[...$0] } ?? Data()
        let all = complete.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        let start = min(max(after, 0), all.count)
        let end = min(all.count, start + Self.maximumLinesPerRead)
        let lines = all[(all.startIndex + start)..<(all.startIndex + end)].map { String(decoding: $0, as: UTF8.self) }
        return Page(lines: lines, next: end)
    }

    /// Lines since the previous call of this method, on any server.
    public func linesSinceLastRead() -> Page {
        let cursor = (try? String(contentsOfFile: cursorPath, encoding: .utf8)).flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let page = lines(after: cursor ?? 0)
        if page.next != cursor, FileManager.default.fileExists(atPath: path) {
            try? String(page.next).write(toFile: cursorPath, atomically: true, encoding: .utf8)
        }
        return page
    }
}
