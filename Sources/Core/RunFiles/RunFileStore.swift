import Foundation
import StorageCore

/// Where the files of jobs live: the data directory (`LocalRunFileStore`),
/// or an object store every host reaches without a shared folder. Each store
/// applies its own form of the one rule to the run directory a row names
/// (`RunDirectoryRefused` when it fails), and a `RunFileName` cannot leave it.
public protocol RunFileStore: Sendable {
    /// The data directory's path, or `s3://bucket/prefix`; for messages.
    var location: String { get }

    /// True when the files are where rows name them on this host: a render
    /// reads them in place and leaves its output there.
    var keepsFilesInPlace: Bool { get }

    /// What a row records for `name`: its path in the data directory, or its
    /// place in the store relative to the store (`runs/run-N-…/videos/a.mp4`).
    func storedPath(of name: RunFileName, jobID: Int64, run stored: String) throws -> String

    /// Puts the complete local file `staged` in place as `name` in job
    /// `jobID`'s run (`stored`, as its row names it), replacing a file of that
    /// name. `staged` is gone afterwards.
    func place(_ staged: String, as name: RunFileName, jobID: Int64, run stored: String) async throws

    /// A local path that holds `name`: the stored file itself when the store
    /// is local, else a copy fetched into `scratch` (at the same relative path).
    func localFile(_ name: RunFileName, jobID: Int64, run stored: String, scratch: String) async throws -> String

    /// The size of `name`, or nil when the run has no such file.
    func size(of name: RunFileName, jobID: Int64, run stored: String) async throws -> Int64?

    /// The bytes of `name` for a download; nil when the run has no such file.
    func content(of name: RunFileName, jobID: Int64, run stored: String) async throws -> RunFileContent?

    /// A URL that lets its holder download `name` without credentials for
    /// `expires`; nil when the store has no such URLs (the data directory).
    func downloadURL(of name: RunFileName, jobID: Int64, run stored: String, expires: Duration) throws -> String?

    /// Removes `name`; a file that is not there is fine.
    func remove(_ name: RunFileName, jobID: Int64, run stored: String) async throws

    /// Removes every file of the run; a run that has none is fine.
    func removeAll(jobID: Int64, run stored: String) async throws

    /// Checks at start that the store can be used (it exists, the keys work).
    func checkAccess() async throws

    /// The names of the shared folder's files of `type`, sorted: the data
    /// directory's `videos/`, `music/`…, or the same folders under the
    /// bucket's prefix.
    func sharedMedia(_ type: FileType) async throws -> [String]

    /// Puts a file of the shared folders or of another job into the run as
    /// `name`: a hard link (or copy) on disk, a copy made by the store itself
    /// in a bucket.
    func copy(_ source: FileSource, to name: RunFileName, jobID: Int64, run stored: String) async throws

    // A render's workspace: what a worker needs of the store while it renders
    // in a local run directory. For the data directory, where the run
    // directory is the stored one, each of these does nothing of its own.

    /// A local path holding the file `row` records: the stored file itself
    /// in the data directory, else a copy fetched into `scratch`.
    func localCopy(of row: JobFile, jobID: Int64, run stored: String, scratch: String) async throws -> String

    /// Stores the render's finished output (a file of the local run's
    /// `output/`); what the job row records as its output.
    func commit(output path: String, jobID: Int64, run stored: String) async throws -> String

    /// Fetches the job's log into `scratch` (nothing when it has none) and
    /// says which copy that was, for `placeLog`.
    func fetchLog(jobID: Int64, run stored: String, scratch: String) async throws -> LogVersion

    /// Puts the local log at `path` back over the copy this host last saw
    /// (the file stays): a put another host (or this one) started earlier
    /// and that lands late is refused by the store instead of replacing it.
    /// Its caller holds the job, so a copy that landed meanwhile is replaced.
    func placeLog(_ path: String, jobID: Int64, run stored: String, over seen: LogVersion) async throws
        -> LogVersion

    /// Removes this host's copy of a run once its attempt is over.
    func removeHostCopy(_ run: RunDirectory) throws
}

/// Which copy of a job's log a host last saw in the store.
public enum LogVersion: Hashable, Sendable {
    case absent
    case seen(tag: String)
    /// The store does not say (a data directory): puts replace whatever is there.
    case unknown
}

/// A file as a download serves it: a local file, or bytes as they arrive.
public enum RunFileContent: Sendable {
    case file(path: String)
    case stream(size: Int64?, chunks: any AsyncSequence<[UInt8], any Error> & Sendable)
}

/// A file's place inside a run directory: `videos/a.mp4`, `output/video.mp4`,
/// `job.log`. Made only from a folder of the layout and a name that is
/// already safe, so it never climbs out.
public struct RunFileName: Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public var description: String { path }

    private init(path: String) { self.path = path }

    /// A media file of `type`; nil when `name` is not a safe file name as it is.
    public init?(type: FileType, name: String) {
        guard SafeFileName.make(name) == name else { return nil }
        self.init(path: type.rawValue + "/" + name)
    }

    /// A file of `output/`; nil when `name` is not a safe file name as it is.
    public static func output(_ name: String) -> RunFileName? {
        SafeFileName.make(name) == name ? RunFileName(path: "output/" + name) : nil
    }

    /// A file of an encoded piece of the render (`pieces/…`), kept until
    /// the render that joins it has finished; nil when `name` is not safe.
    public static func piece(_ name: String) -> RunFileName? {
        SafeFileName.make(name) == name ? RunFileName(path: "pieces/" + name) : nil
    }

    /// The render log.
    public static let log = RunFileName(path: "job.log")

    /// The name of a file a row records (`videos/a.mp4` of the run, whatever
    /// folder the row's path starts with); nil when it is not a safe name.
    public init?(type: FileType, storedPath: String) {
        self.init(type: type, name: URL(fileURLWithPath: storedPath).lastPathComponent)
    }

    /// The output a row records; nil when its name is not a safe name.
    public static func output(storedPath: String) -> RunFileName? {
        output(URL(fileURLWithPath: storedPath).lastPathComponent)
    }
}

/// The data directory as a `RunFileStore`: files stay where the earlier
/// service kept them, and a render reads them in place.
public struct LocalRunFileStore: RunFileStore {
    public let dataDirectory: DataDirectory
    public var location: String { dataDirectory.path }

    public init(_ dataDirectory: DataDirectory) { self.dataDirectory = dataDirectory }

    public var keepsFilesInPlace: Bool { true }

    public func storedPath(of name: RunFileName, jobID: Int64, run stored: String) throws -> String {
        try dataDirectory.runDirectory(jobID: jobID, stored: stored).path + "/" + name.path
    }

    public func place(_ staged: String, as name: RunFileName, jobID: Int64, run stored: String) async throws {
        let run = try dataDirectory.runDirectory(jobID: jobID, stored: stored)
        try run.create()
        let destination = run.path + "/" + name.path
        // A folder outside the layout (`pieces/`) is made when first used.
        try? FileManager.default.createDirectory(
            atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard rename(staged, destination) == 0 else {
            let code = errno
            unlink(staged)
            throw FileSystemError("store", destination, code: code)
        }
    }

    public func localCopy(of row: JobFile, jobID: Int64, run stored: String, scratch: String) async throws -> String {
        dataDirectory.absolute(row.filePath)
    }

    public func commit(output path: String, jobID: Int64, run stored: String) async throws -> String { path }

    /// The log is written in place: there is nothing to fetch or put back.
    public func fetchLog(jobID: Int64, run stored: String, scratch: String) async throws -> LogVersion { .unknown }

    public func placeLog(_ path: String, jobID: Int64, run stored: String, over seen: LogVersion) async throws
        -> LogVersion
    { .unknown }

    /// The run directory is the stored one.
    public func removeHostCopy(_ run: RunDirectory) throws {}

    public func localFile(_ name: RunFileName, jobID: Int64, run stored: String, scratch: String) async throws
        -> String
    {
        let run = try dataDirectory.runDirectory(jobID: jobID, stored: stored)
        guard let path = run.resolve(run.path + "/" + name.path) else {
            throw StorageError(.notFound, "job \(jobID) has no file \(name)")
        }
        return path
    }

    public func size(of name: RunFileName, jobID: Int64, run stored: String) async throws -> Int64? {
        let run = try dataDirectory.runDirectory(jobID: jobID, stored: stored)
        return run.resolve(run.path + "/" + name.path).flatMap { FileManager.default.size(atPath: $0) }
    }

    public func content(of name: RunFileName, jobID: Int64, run stored: String) async throws -> RunFileContent? {
        let run = try dataDirectory.runDirectory(jobID: jobID, stored: stored)
        return run.resolve(run.path + "/" + name.path).map { .file(path: $0) }
    }

    public func downloadURL(of name: RunFileName, jobID: Int64, run stored: String, expires: Duration) -> String? {
        nil
    }

    public func sharedMedia(_ type: FileType) async throws -> [String] {
        SharedFolder.names(in: dataDirectory.path + "/" + type.rawValue, type)
    }

    public func copy(_ source: FileSource, to name: RunFileName, jobID: Int64, run stored: String) async throws {
        let run = try dataDirectory.runDirectory(jobID: jobID, stored: stored)
        try run.create()
        try await BlockingIO.run { try link(source, to: run.path + "/" + name.path) }
    }

    /// `source` at `destination` (`SharedFolder.link`): what `copy` does, and
    /// what `recordCopy` does in its transaction. Another job's file is
    /// taken only from inside that job's run directory (the path rule).
    public func link(_ source: FileSource, to destination: String) throws {
        switch source {
        case .shared(let name, let type):
            try SharedFolder.link(dataDirectory.path + "/" + type.rawValue + "/" + name, to: destination)
        case .jobFile(let row, let run):
            guard let path = try dataDirectory.runDirectory(jobID: row.jobID, stored: run).resolve(row.filePath) else {
                throw StorageError(
                    .notFound, "\(row.filename) of job \(row.jobID) is not in that job's run directory any more")
            }
            try SharedFolder.link(path, to: destination)
        }
    }

    public func remove(_ name: RunFileName, jobID: Int64, run stored: String) async throws {
        let run = try dataDirectory.runDirectory(jobID: jobID, stored: stored)
        if let path = run.resolve(run.path + "/" + name.path) { unlink(path) }
    }

    public func removeAll(jobID: Int64, run stored: String) async throws {
        try dataDirectory.runDirectory(jobID: jobID, stored: stored).remove()
    }

    public func checkAccess() async throws { try dataDirectory.create() }
}

/// The store of jobs' files could not be reached, or kept failing, for as long
/// as its client retries: the work was not done and may be tried again later
/// (a worker hands it back to the queue; its attempt does not count).
public struct RunFileStoreUnavailable: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
