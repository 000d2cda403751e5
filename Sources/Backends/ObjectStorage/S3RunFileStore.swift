import Foundation
import NIOCore
import RunFiles
import StorageCore

/// An S3-compatible bucket as a `RunFileStore`: job `N`'s files are the
/// objects under `runs/run-N-…/`, laid out as in a data directory. The rule
/// for what a row names: only the folder's own name counts, and it must be
/// `run-<N>-` and letters or digits, so no row reaches another job's objects.
public struct S3RunFileStore: RunFileStore {
    public let client: S3Client
    public var location: String { client.configuration.location }

    public init(_ client: S3Client) { self.client = client }

    /// Runs a request; a store that stayed unreachable becomes `RunFileStoreUnavailable`.
    func reaching<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as S3Error {
            if case .unavailable = error { throw RunFileStoreUnavailable(error.description) }
            throw error
        }
    }

    public var keepsFilesInPlace: Bool { false }

    public func storedPath(of name: RunFileName, jobID: Int64, run stored: String) throws -> String {
        try Self.prefix(jobID: jobID, run: stored) + name.path
    }

    /// `runs/run-N-…/`, if the row's folder is named like job N's.
    public static func prefix(jobID: Int64, run stored: String) throws(RunDirectoryRefused) -> String {
        let name = stored.split(separator: "/").last.map(String.init) ?? ""
        let expected = "run-\(jobID)-"
        guard name.hasPrefix(expected), name.count > expected.count,
            name.dropFirst(expected.count).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else {
            throw RunDirectoryRefused(
                jobID: jobID, stored: stored, reason: "it is not named like job \(jobID)'s run directory (\(expected)…)"
            )
        }
        return "runs/\(name)/"
    }

    public func place(_ staged: String, as name: RunFileName, jobID: Int64, run stored: String) async throws {
        let key = try Self.prefix(jobID: jobID, run: stored) + name.path
        defer { unlink(staged) }
        try await reaching { try await client.upload(file: staged, as: key) }
    }

    public func localFile(_ name: RunFileName, jobID: Int64, run stored: String, scratch: String) async throws
        -> String
    {
        guard let (path, _) = try await download(name, jobID: jobID, run: stored, scratch: scratch) else {
            throw StorageError(.notFound, "job \(jobID) has no file \(name)")
        }
        return path
    }

    public func fetchLog(jobID: Int64, run stored: String, scratch: String) async throws -> LogVersion {
        guard let (_, tag) = try await download(.log, jobID: jobID, run: stored, scratch: scratch) else {
            return .absent
        }
        return tag.map { .seen(tag: $0) } ?? .unknown
    }

    /// `name` fetched into `scratch` (at the same relative path), with its
    /// entity tag; nil when the run has no such file.
    private func download(_ name: RunFileName, jobID: Int64, run stored: String, scratch: String) async throws
        -> (path: String, tag: String?)?
    {
        let key = try Self.prefix(jobID: jobID, run: stored) + name.path
        let destination = scratch + "/" + name.path
        do {
            let tag = try await reaching { try await client.download(key, to: destination) }
            return (destination, tag)
        } catch let error as S3Error where error.isNotFound {
            return nil
        }
    }

    public func localCopy(of row: JobFile, jobID: Int64, run stored: String, scratch: String) async throws -> String {
        guard let name = RunFileName(type: row.fileType, storedPath: row.filePath) else {
            throw StorageError.invalidInput("the file \(row.filePath) has a name that cannot be fetched safely")
        }
        return try await localFile(name, jobID: jobID, run: stored, scratch: scratch)
    }

    public func commit(output path: String, jobID: Int64, run stored: String) async throws -> String {
        guard let name = RunFileName.output(storedPath: path) else {
            throw StorageError.invalidInput("the output \(path) has a name that cannot be stored safely")
        }
        try await place(path, as: name, jobID: jobID, run: stored)
        return try storedPath(of: name, jobID: jobID, run: stored)
    }

    /// Logs up to a part's size go up conditionally; a longer one (rare: a
    /// log line is short) is uploaded in parts without the condition.
    public func placeLog(_ path: String, jobID: Int64, run stored: String, over seen: LogVersion) async throws
        -> LogVersion
    {
        let key = try Self.prefix(jobID: jobID, run: stored) + RunFileName.log.path
        let partSize = max(client.configuration.partSize, 5 * 1024 * 1024)
        let contents = try await BlockingIO.run { () throws -> Data? in
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let data = try handle.read(upToCount: partSize) ?? Data()
            return data.count < partSize ? data : nil
        }
        guard let contents else {
            try await reaching { try await client.upload(file: path, as: key) }
            return .unknown
        }
        let bytes = ByteBuffer(bytes: contents)
        var expected = seen
        for _ in 0..<3 {
            let result: S3ConditionalPut
            switch expected {
            case .unknown:
                try await reaching { try await client.put(key, bytes) }
                return .unknown
            case .absent: result = try await reaching { try await client.put(key, bytes, expecting: .absent) }
            case .seen(let tag):
                result = try await reaching { try await client.put(key, bytes, expecting: .matches(tag)) }
            }
            if case .stored(let tag) = result { return tag.map { .seen(tag: $0) } ?? .unknown }
            // A copy landed since this host's last look (a late put of its own or of a
            // worker that lost the job): the caller holds the job, so its log replaces it.
            expected =
                try await reaching { try await client.head(key) }.map { $0.etag.map { .seen(tag: $0) } ?? .unknown }
                ?? .absent
        }
        throw RunFileStoreUnavailable("the log of job \(jobID) kept changing under its worker in \(location)")
    }

    public func removeHostCopy(_ run: RunDirectory) throws { try run.remove() }

    public func size(of name: RunFileName, jobID: Int64, run stored: String) async throws -> Int64? {
        let key = try Self.prefix(jobID: jobID, run: stored) + name.path
        return try await reaching { try await client.head(key)?.size }
    }

    public func content(of name: RunFileName, jobID: Int64, run stored: String) async throws -> RunFileContent? {
        let key = try Self.prefix(jobID: jobID, run: stored) + name.path
        guard let (size, _, body) = try await reaching({ try await client.stream(key) }) else {
            return nil
        }
        return .stream(size: size, chunks: body.map { Array($0.readableBytesView) })
    }

    public func downloadURL(of name: RunFileName, jobID: Int64, run stored: String, expires: Duration) throws
        -> String?
    {
        client.presignedURL(try Self.prefix(jobID: jobID, run: stored) + name.path, expires: expires)
    }

    public func remove(_ name: RunFileName, jobID: Int64, run stored: String) async throws {
        let key = try Self.prefix(jobID: jobID, run: stored) + name.path
        try await reaching { try await client.delete(key) }
    }

    public func checkAccess() async throws { try await client.checkAccess() }

    /// The objects directly under `<prefix>videos/` (and music/, …), as the data directory's folders hold them.
    public func sharedMedia(_ type: FileType) async throws -> [String] {
        let folder = type.rawValue + "/"
        return try await reaching { try await client.list(prefix: folder) }.map {
            String($0.key.dropFirst(folder.count))
        }
        .filter { !$0.isEmpty && !$0.contains("/") && !$0.hasPrefix(".") && type.accepts($0) }.sorted()
    }

    public func copy(_ source: FileSource, to name: RunFileName, jobID: Int64, run stored: String) async throws {
        let from: String
        switch source {
        case .shared(let shared, let type): from = type.rawValue + "/" + shared
        case .jobFile(let row, let run):
            guard let stored = RunFileName(type: row.fileType, storedPath: row.filePath) else {
                throw StorageError.invalidInput("the file \(row.filePath) has a name that cannot be fetched safely")
            }
            from = try Self.prefix(jobID: row.jobID, run: run) + stored.path
        }
        let key = try Self.prefix(jobID: jobID, run: stored) + name.path
        try await reaching { try await client.copy(from, to: key) }
    }

    public func removeAll(jobID: Int64, run stored: String) async throws {
        let prefix = try Self.prefix(jobID: jobID, run: stored)
        try await reaching { _ = try await client.deleteAll(prefix: prefix) }
    }
}
