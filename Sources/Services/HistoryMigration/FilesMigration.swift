import Foundation
import ObjectStorage
import RunFiles
import StorageCore

/// `migrate --files-to`: copies the files of a history's jobs from a data
/// directory into an object store, verifies each object's size, and only
/// then rewrites the job's rows to name the store (one transaction a job).
/// Local files are never removed, so a kill midway loses nothing; a rerun
/// finds the objects already there and copies nothing twice. The shared
/// folders (`videos/`, `music/`, `sounds/`, `quotes/`) go to the same
/// folders under the store's prefix, where `GET /api/files` lists them.
public struct FilesMigration: Sendable {
    public struct Report: Hashable, Sendable, Codable {
        public var jobs = 0
        public var jobsRewritten = 0
        public var filesCopied = 0
        public var bytesCopied: Int64 = 0
        public var filesAlreadyThere = 0
        /// Files of the shared folders copied (those already there are not).
        public var sharedFilesCopied = 0
        /// Jobs left as they were, and why (a file neither on disk nor in the store, ...).
        public var problems: [String] = []

        enum CodingKeys: String, CodingKey {
            case jobs
            case jobsRewritten = "jobs_rewritten"
            case filesCopied = "files_copied"
            case bytesCopied = "bytes_copied"
            case filesAlreadyThere = "files_already_there"
            case sharedFilesCopied = "shared_files_copied"
            case problems
        }
    }

    let data: DataDirectory
    let store: S3RunFileStore
    /// Tests only: stop (and wait to be killed) with the first job's objects
    /// copied and its rows not yet rewritten.
    public var pauseBeforeRewriting = false

    public init(data: DataDirectory, store: S3RunFileStore) {
        self.data = data
        self.store = store
    }

    /// Moves the files of every job of `storage`'s history.
    public func run(on storage: any JobStore & FileStore, progress: (Report) -> Void = { _ in }) async throws -> Report
    {
        var report = Report()
        var cursor: JobCursor?
        repeat {
            let page = try await storage.listJobs(JobQuery(limit: JobQuery.maximumLimit, after: cursor))
            for job in page.jobs {
                do {
                    try await move(job, in: storage, &report)
                } catch let problem as Problem {
                    report.problems.append("job \(job.jobID): \(problem.reason); left as it was")
                }
                progress(report)
            }
            cursor = page.nextCursor
        } while cursor != nil
        try await copySharedFolders(&report)
        return report
    }

    /// Each shared file whose object is missing or of another size, uploaded and checked.
    func copySharedFolders(_ report: inout Report) async throws {
        for type in FileType.allCases {
            let folder = data.path + "/" + type.rawValue
            for name in SharedFolder.names(in: folder, type) {
                let key = type.rawValue + "/" + name
                guard let size = FileManager.default.size(atPath: folder + "/" + name) else { continue }
                if try await store.client.head(key)?.size == size { continue }
                try await store.client.upload(file: folder + "/" + name, as: key)
                guard try await store.client.head(key)?.size == size else {
                    report.problems.append("shared file \(key) did not arrive whole in the store")
                    continue
                }
                report.sharedFilesCopied += 1
                report.bytesCopied += size
            }
        }
    }

    struct Problem: Error {
        var reason: String
    }

    func move(_ job: Job, in storage: any JobStore & FileStore, _ report: inout Report) async throws {
        report.jobs += 1
        let prefix: String
        do {
            prefix = try S3RunFileStore.prefix(jobID: job.jobID, run: job.runDirectory)
        } catch {
            throw Problem(reason: error.description)
        }
        // Refused or gone on this disk: files already in the store still count.
        let local = try? data.runDirectory(of: job)
        var files: [Int64: String] = [:]
        let rows = try await storage.files(ofJob: job.jobID, type: nil)
        for row in rows {
            guard let name = RunFileName(type: row.fileType, storedPath: row.filePath) else {
                throw Problem(reason: "the file name in \(row.filePath) cannot be stored safely")
            }
            files[row.id] = try await copy(name, stored: row.filePath, of: job, from: local, &report)
        }
        var output: String?
        if let stored = job.outputFile {
            guard let name = RunFileName.output(storedPath: stored) else {
                throw Problem(reason: "the video's name in \(stored) cannot be stored safely")
            }
            output = try await copy(name, stored: stored, of: job, from: local, &report)
        }
        if let local, FileManager.default.fileExists(atPath: local.log.path) {
            _ = try await copy(.log, stored: local.log.path, of: job, from: local, &report)
        }
        let relocation = FileRelocation(
            jobID: job.jobID, runDirectory: String(prefix.dropLast()), outputFile: output, files: files)
        let unchanged =
            job.runDirectory == relocation.runDirectory && job.outputFile == (output ?? job.outputFile)
            && rows.allSatisfy { files[$0.id] == $0.filePath }
        guard !unchanged else { return }
        if pauseBeforeRewriting {
            FileHandle.standardError.write(Data("paused: rewriting\n".utf8))
            while true { sleep(60) }
        }
        if try await storage.relocateFiles(relocation) { report.jobsRewritten += 1 }
    }

    /// Where the file is in the store once its object is there with the
    /// size of the local file (copied now, or by an earlier run).
    func copy(
        _ name: RunFileName, stored: String, of job: Job, from local: RunDirectory?, _ report: inout Report
    ) async throws -> String {
        let key = try store.storedPath(of: name, jobID: job.jobID, run: job.runDirectory)
        let existing = try await store.size(of: name, jobID: job.jobID, run: job.runDirectory)
        guard let local, let path = local.resolve(stored),
            let size = FileManager.default.size(atPath: path)
        else {
            guard existing != nil else {
                throw Problem(reason: "\(stored) is neither in \(data.path) nor in the store")
            }
            report.filesAlreadyThere += 1
            return key
        }
        if existing == size {
            report.filesAlreadyThere += 1
            return key
        }
        try await store.client.upload(file: path, as: key)
        guard try await store.size(of: name, jobID: job.jobID, run: job.runDirectory) == size else {
            throw Problem(reason: "\(key) did not arrive whole in the store")
        }
        report.filesCopied += 1
        report.bytesCopied += size
        return key
    }
}
