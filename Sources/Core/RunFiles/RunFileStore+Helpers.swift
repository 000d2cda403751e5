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

    /// Takes shared file `shared` of `type` into the job (still preparing)
    /// under a safe form of its name, and records it. On disk the link is
    /// made in the transaction that writes the row; in a bucket the copy
    /// goes first and is removed again when the row is refused.
    public func recordShared(_ shared: String, type: FileType, of job: Job, in rows: any FileStore) async throws {
        guard let safe = SafeFileName.make(shared), let name = RunFileName(type: type, name: safe) else {
            throw StorageError.invalidInput("the shared file '\(shared)' has no name that can be stored")
        }
        let row = NewJobFile(
            jobID: job.jobID, fileType: type, filename: safe,
            filePath: try storedPath(of: name, jobID: job.jobID, run: job.runDirectory))
        if let local = self as? LocalRunFileStore {
            try local.dataDirectory.runDirectory(of: job).create()
            _ = try await rows.addFileWhilePreparing(row) { try local.linkShared(shared, type: type, to: row.filePath) }
            return
        }
        try await copyShared(shared, type: type, to: name, jobID: job.jobID, run: job.runDirectory)
        do {
            _ = try await rows.addFileWhilePreparing(row) {}
        } catch {
            try? await remove(name, jobID: job.jobID, run: job.runDirectory)
            throw error
        }
    }
}
