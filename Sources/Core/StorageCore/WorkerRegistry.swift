/// Which worker processes a deployment has, as each last said it was alive,
/// and what each is doing (its running tasks): what the operations view shows.
public protocol WorkerRegistry: Sendable {
    /// Says `worker` is alive now (the store's clock); the first call records when it started.
    func recordWorker(_ worker: WorkerRecord) async throws
    /// Forgets a worker that stops.
    func forgetWorker(_ workerID: String) async throws
    /// The workers seen within `window`, by id, each with its running tasks;
    /// older records are removed.
    func workers(seenWithin window: Duration) async throws -> [WorkerPresence]
}

/// What a worker process says of itself.
public struct WorkerRecord: Sendable, Equatable {
    /// The name its tasks carry in `tasks.worker_id` (`<id>` or `<id>/<slot>`).
    public var workerID: String
    public var host: String
    /// The kinds of work it takes.
    public var kinds: [TaskKind]
    public var version: String

    public init(workerID: String, host: String, kinds: [TaskKind], version: String) {
        self.workerID = workerID
        self.host = host
        self.kinds = kinds
        self.version = version
    }
}

public struct WorkerPresence: Sendable, Equatable {
    public var record: WorkerRecord
    public var startedAt: Timestamp
    public var seenAt: Timestamp
    public var running: [WorkerActivity]

    public init(record: WorkerRecord, startedAt: Timestamp, seenAt: Timestamp, running: [WorkerActivity]) {
        self.record = record
        self.startedAt = startedAt
        self.seenAt = seenAt
        self.running = running
    }
}

/// A task a worker holds: its kind, job, attempt and when it last moved.
public struct WorkerActivity: Sendable, Equatable {
    public var taskID: Int64
    public var kind: TaskKind
    public var jobID: Int64?
    public var attempt: Int
    public var updatedAt: Timestamp

    public init(taskID: Int64, kind: TaskKind, jobID: Int64?, attempt: Int, updatedAt: Timestamp) {
        self.taskID = taskID
        self.kind = kind
        self.jobID = jobID
        self.attempt = attempt
        self.updatedAt = updatedAt
    }
}
