import StorageCore

extension RunFileStore {
    /// `localFile`, or nil when the run has no such file: one request, not a look and then a fetch.
    public func localFileIfAny(_ name: RunFileName, jobID: Int64, run stored: String, scratch: String) async throws
        -> String?
    {
        do {
            return try await localFile(name, jobID: jobID, run: stored, scratch: scratch)
        } catch let error as StorageError where error.kind == .notFound {
            return nil
        }
    }

    /// Puts a complete upload in place as `name` of `type` and records it,
    /// only while the job is still preparing: in the data directory the move
    /// and the row are one transaction; in an object store the object goes
    /// first, then the row, and the object is removed again when the row is
    /// refused. `file` was written into the job's local run directory.
    public func record(
        _ file: UploadFile, as name: String, type: FileType, of job: Job, in rows: any FileStore
    ) async throws {
        guard !keepsFilesInPlace else {
            let row = NewJobFile(jobID: job.jobID, fileType: type, filename: name, filePath: file.folder + "/" + name)
            _ = try await rows.addFileWhilePreparing(row) { _ = try file.finish(as: name) }
            return
        }
        guard let runName = RunFileName(type: type, name: name) else {
            file.abort()
            throw StorageError.invalidInput("'\(name)' cannot be stored")
        }
        let staged = try file.finish(as: name)
        try await place(staged, as: runName, jobID: job.jobID, run: job.runDirectory)
        let row = NewJobFile(
            jobID: job.jobID, fileType: type, filename: name,
            filePath: try storedPath(of: runName, jobID: job.jobID, run: job.runDirectory))
        do {
            _ = try await rows.addFileWhilePreparing(row) {}
        } catch {
            try? await remove(runName, jobID: job.jobID, run: job.runDirectory)
            throw error
        }
    }

    /// Takes a shared file or another job's file into the job (still preparing)
    /// under a safe form of its name, and records it. On disk the link is
    /// made in the transaction that writes the row; in a bucket the copy
    /// goes first and is removed again when the row is refused.
    public func recordCopy(of source: FileSource, of job: Job, in rows: any FileStore) async throws {
        let (original, type) = source.nameAndType
        guard let safe = SafeFileName.make(original), let name = RunFileName(type: type, name: safe) else {
            throw StorageError.invalidInput("the file '\(original)' has no name that can be stored")
        }
        let row = NewJobFile(
            jobID: job.jobID, fileType: type, filename: safe,
            filePath: try storedPath(of: name, jobID: job.jobID, run: job.runDirectory))
        if let local = self as? LocalRunFileStore {
            try local.dataDirectory.runDirectory(of: job).create()
            _ = try await rows.addFileWhilePreparing(row) { try local.link(source, to: row.filePath) }
            return
        }
        try await copy(source, to: name, jobID: job.jobID, run: job.runDirectory)
        do {
            _ = try await rows.addFileWhilePreparing(row) {}
        } catch {
            try? await remove(name, jobID: job.jobID, run: job.runDirectory)
            throw error
        }
    }
}

/// A file a job can take as its own: one of the shared folders', or one of
/// another job's (run directory `run`).
public enum FileSource: Sendable {
    case shared(String, FileType)
    case jobFile(JobFile, run: String)

    var nameAndType: (String, FileType) {
        switch self {
        case .shared(let name, let type): (name, type)
        case .jobFile(let row, _): (row.filename, row.fileType)
        }
    }
}
