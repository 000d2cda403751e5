/// The durable history of jobs, their files and their YouTube uploads, in
/// roles: each consumer asks for the roles it uses (`any CredentialStore`,
/// `any JobStore & FileStore`), and every backend implements all of them and
/// passes the same conformance suite, organised by role.
/// Lookups return nil (or false) for what does not exist; everything else
/// that goes wrong throws `StorageError`.
public protocol Storage: JobStore, FileStore, UploadHistory, CredentialStore, TaskQueue, RenderQueue,
    DeploymentRecord, WorkerRegistry
{
    /// Releases connections. Calls after this fail with `.unavailable`.
    func close() async
}

/// Jobs: create, read, page, update, start, delete.
public protocol JobStore: Sendable {
    /// The store's clock (the database server's on PostgreSQL), so what the
    /// API works out from a row's times agrees with how they were written.
    var currentTime: Timestamp { get }
    /// Allocates a new, never reused id and builds `run_id` as `run-<id>-<8 hex>`.
    func createJob(_ job: NewJob) async throws -> Job
    func job(_ id: Int64) async throws -> Job?
    /// The job with its file counts, read together (what an API answer needs).
    func jobSummary(_ id: Int64) async throws -> JobSummary?
    /// Newest first, optionally of one status, a page at a time.
    func listJobs(_ query: JobQuery) async throws -> JobPage
    /// Applies the update if the status machine allows it; nil when there is no such job.
    func updateJob(_ id: Int64, _ update: JobUpdate) async throws -> Job?
    func updateConfig(_ id: Int64, _ config: JobConfig) async throws -> Job?
    /// Starts a preparing job in one transaction: checks that it is preparing,
    /// that its config text is still `expectedConfig` (what the caller merged
    /// into `config`), and that it has a video clip; then stores `config` and
    /// queues it. Nil when there is no such job.
    func startJob(_ id: Int64, config: JobConfig, expectedConfig: String?) async throws -> Job?
    /// Deletes the job with its files and uploads; nil when there is no such job.
    func deleteJob(_ id: Int64) async throws -> DeletedJob?
    /// How many jobs have each status; every status is present, zero included.
    func jobCounts() async throws -> [JobStatus: Int]
    /// Deletes the jobs still `preparing` that were created before `cutoff`
    /// (abandoned uploads), with their files, in one statement: a job started
    /// meanwhile is not preparing any more and stays.
    func deleteStalePreparingJobs(createdBefore cutoff: Timestamp) async throws -> [DeletedJob]
    /// Deletes finished jobs (completed, failed, cancelled) that finished before
    /// `cutoff`, with their files and uploads; `dryRun` only reports them.
    func cleanupOldJobs(finishedBefore cutoff: Timestamp, dryRun: Bool) async throws -> CleanupResult
}

/// A job's files.
public protocol FileStore: Sendable {
    /// Adds a file, or replaces the path and time of the same (job, type, name).
    func addFile(_ file: NewJobFile) async throws -> JobFile
    /// A job's files in upload order, optionally of one type.
    func files(ofJob jobID: Int64, type: FileType?) async throws -> [JobFile]
    func deleteFile(jobID: Int64, type: FileType, filename: String) async throws -> Bool
    /// Adds a file to a job that is still preparing. The status check, `place`
    /// (which puts the file at `file.filePath`) and the insert are one
    /// transaction, so a job that has started never gains a file; `place` is
    /// not called when the job is not preparing (invalidTransition).
    func addFileWhilePreparing(_ file: NewJobFile, place: @escaping @Sendable () throws -> Void) async throws
        -> JobFile
    /// Deletes a file of a job that is still preparing (checked in the same
    /// transaction); the deleted row, nil when there was none.
    func deleteFileWhilePreparing(jobID: Int64, type: FileType, filename: String) async throws -> JobFile?
    /// Each job's file counts; a job without files (or that does not exist) gets zeros.
    func fileCounts(ofJobs jobIDs: [Int64]) async throws -> [Int64: FileCounts]
    /// Rewrites where a job's rows say its files are, in one transaction:
    /// its run directory, its output (when given) and its files' paths by id.
    /// False when there is no such job.
    func relocateFiles(_ relocation: FileRelocation) async throws -> Bool
}

/// A job's files at their new place (`migrate --files-to`).
public struct FileRelocation: Hashable, Sendable {
    public var jobID: Int64
    public var runDirectory: String
    public var outputFile: String?
    /// The new path of each file row, by the row's id.
    public var files: [Int64: String]

    public init(jobID: Int64, runDirectory: String, outputFile: String?, files: [Int64: String]) {
        self.jobID = jobID
        self.runDirectory = runDirectory
        self.outputFile = outputFile
        self.files = files
    }
}

/// What was published to YouTube.
public protocol UploadHistory: Sendable {
    func addUpload(_ upload: NewYouTubeUpload) async throws -> YouTubeUpload
    /// Newest first: one job's uploads, or everyone's when `jobID` is nil.
    func uploads(ofJob jobID: Int64?, limit: Int) async throws -> [YouTubeUpload]
}

/// YouTube credentials, stored as given: the caller seals them.
public protocol CredentialStore: Sendable {
    func credentials(user: String) async throws -> StoredCredentials?
    func allCredentials() async throws -> [StoredCredentials]
    /// Adds or replaces a user's credentials. Replaced text is overwritten on disk, not just unlinked.
    func saveCredentials(user: String, text: String) async throws
    func deleteCredentials(user: String) async throws -> Bool
}

/// Render jobs as leased background work.
public protocol RenderQueue: QueueWakeups {
    /// Moves the oldest queued job to `running` for `worker`, counts the
    /// attempt, and leases it until now + `lease`; nil when the queue is empty.
    /// Exactly one worker gets each job, across processes and hosts.
    func claimJob(worker: String, lease: Duration) async throws -> ClaimedJob?
    /// Extends the lease (a heartbeat) and says whether a cancel was asked for
    /// or the job was taken away.
    func renewLease(_ claim: JobClaim, lease: Duration) async throws -> LeaseState
    /// Records progress (0–100) and the current step, if the claim still holds.
    func reportProgress(_ claim: JobClaim, progress: Int, step: String?) async throws -> LeaseState
    /// Ends the claim; false when it no longer held (nothing was written).
    /// A completed outcome this claim wrote already (its answer lost on the
    /// way) is true again, so the worker treats it as its own.
    func finishJob(_ claim: JobClaim, _ outcome: JobOutcome) async throws -> Bool
    /// Running jobs whose lease ran out go back to the queue, or fail after
    /// their task's last attempt, or are cancelled when a cancel was asked for.
    /// Safe to run anywhere, often, at once.
    func rescueExpiredLeases() async throws -> RescueReport
    /// Cancels a preparing or queued job now; asks a running job's worker to
    /// stop. Nil when there is no such job; a finished job is invalidTransition.
    func cancelJob(_ id: Int64) async throws -> CancelOutcome?
}

extension TaskQueue {
    /// Queued with the store's setting for attempts.
    public func createTask<Details: TaskDetails>(_ kind: Details.Type, jobID: Int64, _ new: Details.New)
        async throws -> Details
    {
        try await createTask(kind, jobID: jobID, new, maximumAttempts: nil)
    }
}

extension FileStore {
    public func fileCounts(ofJob jobID: Int64) async throws -> FileCounts {
        try await fileCounts(ofJobs: [jobID])[jobID] ?? FileCounts()
    }
}

/// Fills in what a per-status count query leaves out.
public func countsByStatus(_ rows: [(JobStatus, Int)]) -> [JobStatus: Int] {
    var counts = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, 0) })
    for (status, count) in rows { counts[status] = count }
    return counts
}

/// Groups per-(job, type) count rows into one `FileCounts` per asked job.
public func fileCountsByJob(_ jobIDs: [Int64], _ rows: [(Int64, FileType, Int)]) -> [Int64: FileCounts] {
    var counts = Dictionary(jobIDs.map { ($0, FileCounts()) }, uniquingKeysWith: { first, _ in first })
    for (jobID, type, count) in rows { counts[jobID, default: FileCounts()][type] = count }
    return counts
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
