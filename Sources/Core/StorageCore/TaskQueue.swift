/// A kind of background work with details of its own: its row in `tasks`
/// says where the work stands (queued, running under a lease, ended), a row
/// of its details table what the work is and how far it got. The kind's SQL
/// is named for it: `<kind>_view` (the columns `init(row:)` reads),
/// `<kind>_by_id`, `<kind>_of_job`, and per dialect `<kind>_create`,
/// `<kind>_progress` and `<kind>_finish`. A new kind is a `TaskKind` case,
/// a type conforming here, that SQL and a worker's `run`.
public protocol TaskDetails: Hashable, Sendable {
    /// What queueing one takes.
    associatedtype New: Sendable
    /// What a running worker stores as it goes (and a heartbeat with it).
    associatedtype Progress: Sendable
    /// What the work ends with.
    associatedtype Result: Sendable

    static var kind: TaskKind { get }
    /// A row of `<kind>_view`.
    init(row: some StoredRow) throws
    /// `<kind>_create`'s values from `$4` (after the job, the time and the
    /// attempts); throws `invalidInput` for what cannot be stored.
    static func values(new: New) throws -> [SQLValue]
    /// `<kind>_progress`'s values from `$6` (after the guard, the lease and the time).
    static func values(progress: Progress) -> [SQLValue]
    /// `<kind>_finish`'s values from `$8` (after the guard, the time, the
    /// state, the error and the attempts); nil: the work ended without one.
    static func values(result: Result?) -> [SQLValue]
    /// The error of a task whose worker vanished on its last attempt.
    static func workerLostError(attempt: Int) -> String
}

/// How a claim on a task ends.
public enum TaskOutcome<Result: Hashable & Sendable>: Hashable, Sendable {
    case completed(Result)
    case failed(error: String, Result?)
    /// Back to the queue without counting the attempt (shutdown).
    case handedBack
}

/// Every kind of task with details, leased the same way: one claim, one
/// heartbeat with progress, one finish and one rescue, whatever the kind.
public protocol TaskQueue: QueueWakeups {
    /// How many tasks of each kind are queued and running now (kinds and
    /// states with none are left out): what `/metrics` shows as the queue.
    func queueDepth() async throws -> [QueueDepth]
    /// Queues the work for job `jobID`; the task keeps its `maximumAttempts`
    /// (nil: the store's setting).
    func createTask<Details: TaskDetails>(
        _ kind: Details.Type, jobID: Int64, _ new: Details.New, maximumAttempts: Int?
    ) async throws -> Details
    func task<Details: TaskDetails>(_ kind: Details.Type, id: Int64) async throws -> Details?
    /// A job's tasks of the kind, newest first.
    func tasks<Details: TaskDetails>(_ kind: Details.Type, ofJob jobID: Int64) async throws -> [Details]
    /// The oldest queued task of the kind, now running for `worker` until the lease runs out.
    func claimTask<Details: TaskDetails>(_ kind: Details.Type, worker: String, lease: Duration) async throws
        -> ClaimedTask<Details>?
    /// Stores how far the work is and extends the lease; false when the claim is lost.
    func recordProgress<Details: TaskDetails>(
        _ kind: Details.Type, _ claim: TaskClaim, _ progress: Details.Progress, lease: Duration
    ) async throws -> Bool
    /// Ends the claim and writes what the kind records with it, in one
    /// transaction; nil when the claim no longer held (nothing was written).
    func finishTask<Details: TaskDetails>(
        _ kind: Details.Type, _ claim: TaskClaim, _ outcome: TaskOutcome<Details.Result>
    ) async throws -> Details?
    /// Tasks whose worker vanished go back to the queue, or fail after their
    /// last attempt (`LostLease`); how many were moved.
    func rescueExpiredTasks<Details: TaskDetails>(_ kind: Details.Type) async throws -> Int
    /// Every queued or running task of the kind of job `jobID` ends cancelled
    /// (a worker running one loses its claim); how many there were.
    func endTasks<Details: TaskDetails>(_ kind: Details.Type, ofJob jobID: Int64) async throws -> Int
}

/// How idle workers of every kind learn that work was queued, in this
/// process and (on PostgreSQL) in others.
public protocol QueueWakeups: Sendable {
    /// Where the queue's wake-ups stand; taken before a claim finds nothing.
    var queueMark: WakeSignal.Mark { get }
    /// Returns when work may have been queued since `mark` (at once if that
    /// happened already), or after `timeout`. A hint for idle workers, never a
    /// promise: they claim to find out.
    func waitForQueuedJobs(since mark: WakeSignal.Mark?, timeout: Duration) async
}

/// Where a task stands, as `tasks.state` holds it.
public enum TaskState: String, CaseIterable, Hashable, Sendable {
    case queued, running, completed, failed, cancelled
}

/// Tasks of one kind in one state, counted.
public struct QueueDepth: Hashable, Sendable {
    public var kind: TaskKind
    public var state: TaskState
    public var count: Int

    public init(kind: TaskKind, state: TaskState, count: Int) {
        self.kind = kind
        self.state = state
        self.count = count
    }
}
