/// The kinds of leased background work, each a `kind` in the `tasks` table.
/// A kind's statements in `sql/` are named after it (`render_claimed`, ...).
public enum TaskKind: String, CaseIterable, Hashable, Sendable {
    case render
    case youtubeUpload = "youtube_upload"
    case sunoImport = "suno_import"
    /// A piece of a job's render, encoded by any worker (`RenderPiece`).
    case renderPiece = "render_piece"

    /// A kind whose work is described in a details table of its own (`TaskDetails`);
    /// a render's is its job.
    public var hasDetails: Bool { self != .render }
}

/// What a worker holds while it renders a job: its render task, the job, its
/// worker and the attempt. Every write a worker makes names the task, the
/// worker and the attempt, so a worker whose lease ran out (and whose job went
/// to another) cannot overwrite the new attempt.
public struct JobClaim: Hashable, Sendable, CustomStringConvertible {
    public var taskID: Int64
    public var jobID: Int64
    public var workerID: String
    public var attempt: Int

    public init(taskID: Int64, jobID: Int64, workerID: String, attempt: Int) {
        self.taskID = taskID
        self.jobID = jobID
        self.workerID = workerID
        self.attempt = attempt
    }

    public var description: String { "job \(jobID) (attempt \(attempt), worker \(workerID))" }

    /// The claim of the job's render task, as every kind's task writes name it.
    public var task: TaskClaim { TaskClaim(taskID: taskID, workerID: workerID, attempt: attempt) }
}

public struct ClaimedJob: Hashable, Sendable {
    public var job: Job
    public var claim: JobClaim
    public var leaseExpiresAt: Timestamp

    public init(job: Job, claim: JobClaim, leaseExpiresAt: Timestamp) {
        self.job = job
        self.claim = claim
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// A worker's hold on a task of a kind whose details live beside the task
/// row (uploads, playlist imports); every write it makes names all three.
public struct TaskClaim: Hashable, Sendable {
    public var taskID: Int64
    public var workerID: String
    public var attempt: Int

    public init(taskID: Int64, workerID: String, attempt: Int) {
        self.taskID = taskID
        self.workerID = workerID
        self.attempt = attempt
    }
}

/// A claimed task with its kind's details.
public struct ClaimedTask<Details: Hashable & Sendable>: Hashable, Sendable {
    public var task: Details
    public var claim: TaskClaim

    public init(task: Details, claim: TaskClaim) {
        self.task = task
        self.claim = claim
    }
}

/// What a heartbeat or progress report learns about a claim.
public enum LeaseState: Hashable, Sendable {
    /// Still this worker's; the lease was extended.
    case held
    /// Still this worker's, but someone asked to cancel the job: stop, then finish it as cancelled.
    case cancelRequested
    /// Not this worker's any more (the lease ran out and the job was rescued, or
    /// it was finished otherwise): stop and write nothing.
    case lost
}

/// How a worker ends its claim.
public enum JobOutcome: Hashable, Sendable {
    case completed(outputFile: String?)
    case failed(error: String)
    case cancelled
    /// Back to the queue without counting the attempt: the worker is shutting down.
    case handedBack
}

/// What a cancel does to a job in `status`: the one rule, decided here.
public enum CancelDecision: Sendable {
    /// Preparing or queued: cancelled at once, with its queued task.
    case now
    /// Running: its worker is asked, and stops at its next heartbeat.
    case askTheWorker
    /// Already finished: nothing to cancel.
    case refuse

    public init(_ status: JobStatus) {
        switch status {
        case .preparing, .queued: self = .now
        case .running: self = .askTheWorker
        default: self = .refuse
        }
    }
}

/// How many attempts a task has used once its worker ends it: one handed
/// back (a worker shutting down, a store that stayed away) did not use the
/// attempt it had.
public enum FinishedAttempt {
    public static func counted(_ attempt: Int, handedBack: Bool) -> Int { handedBack ? attempt - 1 : attempt }
}

/// Where a task goes when its worker's lease ran out: the one rule, decided
/// here and written as an explicit state by every backend.
public enum LostLease {
    /// `cancelled` when a cancel was asked for, `failed` after the task's last
    /// attempt, else back to the queue (`queued`) for another.
    public static func nextState(cancelRequested: Bool, attempt: Int, maximumAttempts: Int) -> String {
        if cancelRequested { return "cancelled" }
        return attempt >= maximumAttempts ? "failed" : "queued"
    }
}

/// How a running job follows its render task when the task ends: the one
/// rule, decided here and written as explicit values (nil keeps what the job
/// has). Completed is 100 %; only a failure writes an error; every end but a
/// return to the queue is the job's finish; a job a worker hands back has not
/// started (a rescued one keeps its start, as the earlier service's did).
public struct JobMove: Hashable, Sendable {
    public var status: JobStatus
    public var progress: Int?
    public var error: String?
    public var finishedAt: Timestamp?
    public var clearsStart: Bool

    public init(to status: JobStatus, error: String?, at now: Timestamp, handedBack: Bool) {
        self.status = status
        progress = status == .completed ? 100 : nil
        self.error = status == .failed ? error : nil
        finishedAt = status == .queued ? nil : now
        clearsStart = handedBack
    }
}

public struct RescueReport: Hashable, Sendable {
    /// Back in the queue for another attempt.
    public var requeued: [Int64] = []
    /// Out of attempts: failed with "worker lost".
    public var failed: [Int64] = []
    /// A cancel was requested before the worker died: cancelled.
    public var cancelled: [Int64] = []

    public init(requeued: [Int64] = [], failed: [Int64] = [], cancelled: [Int64] = []) {
        self.requeued = requeued
        self.failed = failed
        self.cancelled = cancelled
    }

    public var isEmpty: Bool { requeued.isEmpty && failed.isEmpty && cancelled.isEmpty }

    /// Sorts rows of (job id, new status) into the report.
    public init(rows: [(Int64, JobStatus)]) {
        for (id, status) in rows {
            switch status {
            case .queued: requeued.append(id)
            case .cancelled: cancelled.append(id)
            default: failed.append(id)
            }
        }
        requeued.sort()
        failed.sort()
        cancelled.sort()
    }
}

public enum CancelOutcome: Hashable, Sendable {
    /// It was preparing or queued: cancelled now.
    case cancelled(Job)
    /// It is running: its worker stops at its next heartbeat and marks it cancelled.
    case requested(Job)

    public var job: Job {
        switch self {
        case .cancelled(let job), .requested(let job): job
        }
    }
}

public enum JobQueue {
    public static let defaultMaximumAttempts = 3

    /// The error a job gets when its last worker vanished.
    public static func workerLostError(attempt: Int, of maximum: Int) -> String {
        "worker lost: no heartbeat before its lease ran out (attempt \(attempt) of \(maximum))"
    }

    /// The error an upload task gets when its last worker vanished.

    public static func validate(maximumAttempts: Int) throws {
        guard (1...100).contains(maximumAttempts) else {
            throw StorageError.invalidInput("a task gets 1 to 100 attempts, not \(maximumAttempts)")
        }
    }

    public static func cannotCancel(_ jobID: Int64, _ status: JobStatus) -> StorageError {
        .invalidTransition(
            "job \(jobID) is \(status.rawValue); only a preparing, queued or running job can be cancelled")
    }

    public static func validate(lease: Duration) throws {
        guard lease >= .milliseconds(100), lease <= .seconds(86_400) else {
            throw StorageError.invalidInput("a lease must be between 0.1 s and one day, not \(lease)")
        }
    }
}
