/// The durable history of jobs, their files and their YouTube uploads.
/// Every backend implements it and passes the same conformance suite.
/// Lookups return nil (or false) for what does not exist; everything else
/// that goes wrong throws `StorageError`.
public protocol Storage: Sendable {
    // MARK: Jobs

    /// Allocates a new, never reused id and builds `run_id` as `run-<id>-<8 hex>`.
    func createJob(_ job: NewJob) async throws -> Job
    func job(_ id: Int64) async throws -> Job?
    /// Newest first, optionally of one status, a page at a time.
    func listJobs(_ query: JobQuery) async throws -> JobPage
    /// Applies the update if the status machine allows it; nil when there is no such job.
    func updateJob(_ id: Int64, _ update: JobUpdate) async throws -> Job?
    func updateConfig(_ id: Int64, _ config: JobConfig) async throws -> Job?
    /// Deletes the job with its files and uploads; nil when there is no such job.
    func deleteJob(_ id: Int64) async throws -> DeletedJob?
    /// Jobs still `preparing` that were created before `cutoff`: abandoned uploads.
    func stalePreparingJobs(createdBefore cutoff: Timestamp) async throws -> [Job]
    /// Deletes finished jobs (completed, failed, cancelled) that finished before
    /// `cutoff`, with their files and uploads; `dryRun` only reports them.
    func cleanupOldJobs(finishedBefore cutoff: Timestamp, dryRun: Bool) async throws -> CleanupResult

    // MARK: Files

    /// Adds a file, or replaces the path and time of the same (job, type, name).
    func addFile(_ file: NewJobFile) async throws -> JobFile
    /// A job's files in upload order, optionally of one type.
    func files(ofJob jobID: Int64, type: FileType?) async throws -> [JobFile]
    func deleteFile(jobID: Int64, type: FileType, filename: String) async throws -> Bool
    func fileCounts(ofJob jobID: Int64) async throws -> FileCounts

    // MARK: YouTube uploads

    func addUpload(_ upload: NewYouTubeUpload) async throws -> YouTubeUpload
    /// Newest first: one job's uploads, or everyone's when `jobID` is nil.
    func uploads(ofJob jobID: Int64?, limit: Int) async throws -> [YouTubeUpload]

    /// Releases connections. Calls after this fail with `.unavailable`.
    func close() async
}

public enum RunID {
    /// `run-<jobID>-<8 lowercase hex>`.
    public static func make(jobID: Int64) -> String {
        "run-\(jobID)-" + randomSuffix()
    }

    /// 8 lowercase hex digits.
    public static func randomSuffix() -> String {
        let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 8 - suffix.count) + suffix
    }
}
