import Logging
import RunFiles
import StorageCore

/// One kind of leased background work (rendering a job, publishing to
/// YouTube, …) as the one `WorkEngine` runs it: what to claim, how to keep
/// the lease, what to run and how to end the claim. A third kind writes only
/// this, and the SQL of its queue.
public protocol WorkKind: Sendable {
    associatedtype Claimed: Sendable
    associatedtype Output: Sendable

    /// For logs: "render", "youtube upload".
    var name: String { get }
    /// The worker name of loop `slot` of the process named `process`.
    func workerName(process: String, slot: Int) -> String
    /// How long running work may go on after shutdown began before it is handed back.
    func shutdownGrace(_ settings: WorkerSettings) -> Duration
    /// Done once before any claim (the render kind makes the data directory's `runs/`).
    func prepare() async throws

    func claim(worker: String, lease: Duration) async throws -> Claimed?
    /// The queue's wake-ups, the same for every kind (a hint; claims find out).
    var wakeups: any QueueWakeups { get }
    /// Hands work whose worker vanished back to its queue; what to log, nil when there was none.
    func rescue() async throws -> Logger.Metadata?

    /// Before the work runs; an error here fails the claim with its reason.
    func begin(_ claimed: Claimed) async throws
    func run(_ claimed: Claimed, control: WorkControl) async throws -> Output
    func renew(_ claimed: Claimed, lease: Duration) async throws -> LeaseState
    /// What an error of `run` (not caused by a stop) means for the claim.
    func outcome(for error: any Error) -> WorkOutcome<Output>
    /// Ends the claim; false when it no longer held.
    func finish(_ claimed: Claimed, _ outcome: WorkOutcome<Output>) async throws -> Bool
    /// After the claim ended (or was lost) and its last line was noted: what
    /// the kind keeps of the attempt goes (the render puts its log back and
    /// removes this host's copy of the run). `accepted`: the end was written.
    func end(_ claimed: Claimed, accepted: Bool) async
    /// What a completed claim made, for its "finished" line; nil to say nothing more.
    func summary(_ output: Output) -> String?
    /// A line about this claim for whoever follows it (the job's log, or the process log).
    func note(_ claimed: Claimed, _ line: String)
    func label(_ claimed: Claimed) -> Logger.Metadata
}

/// How a claim ends.
public enum WorkOutcome<Output: Sendable>: Sendable {
    case completed(Output)
    case failed(String)
    case cancelled
    /// Back to the queue without counting the attempt (shutdown).
    case handedBack
}

/// Why running work was stopped before it ended on its own.
public enum StopReason: Sendable {
    case cancelRequested, leaseLost, shutdown
}

/// What running work may tell its engine: stop now (a progress write saw a cancel, say).
public struct WorkControl: Sendable {
    let stopWork: @Sendable (StopReason) -> Void

    public func stop(_ reason: StopReason) { stopWork(reason) }
}

extension WorkKind {
    public func outcome(for error: any Error) -> WorkOutcome<Output> {
        error is RunFileStoreUnavailable ? .handedBack : .failed(describeError(error))
    }
    public func prepare() async throws {}
    public func begin(_ claimed: Claimed) async throws {}
    public func end(_ claimed: Claimed, accepted: Bool) async {}
}

func describeError(_ error: any Error) -> String {
    if let error = error as? StorageError { return error.message }
    if error is CancellationError { return "stopped" }
    return String(describing: error)
}
