import StorageCore

/// The one lease protocol, for every kind of background work in `tasks`: a
/// claim takes the oldest queued task of a kind for one worker (exclusive
/// across processes and hosts: `FOR UPDATE SKIP LOCKED` on PostgreSQL, the
/// write lock on SQLite); every later write names the task, the worker and the
/// attempt, so a worker whose lease ran out writes nothing. What a kind does
/// beside the task row is its own statements, run in the same write
/// (`TaskStatement` for kinds with details, `render_…` for renders).
struct TaskRow {
    /// How many columns it reads (`claimed_task_columns`).
    static let columns: Int32 = 4

    var id: Int64
    var jobID: Int64
    var attempt: Int
    var maximumAttempts: Int

    init(row: any StoredRow) throws {
        id = try row.int64(0)
        jobID = try row.int64(1)
        attempt = try row.int(2)
        maximumAttempts = try row.int(3)
    }
}

/// A task whose lease ran out, and where the rescue sent it.
struct RescuedTask {
    var id: Int64
    var jobID: Int64
    var state: String
    var attempt: Int
    var maximumAttempts: Int

    var isQueued: Bool { state == "queued" }
}

extension SQLStore {
    /// What `task_guard` names: the task, the worker and the attempt.
    static func guardValues(_ claim: TaskClaim) -> [SQLValue] {
        [.integer(claim.taskID), .text(claim.workerID), .integer(claim.attempt)]
    }

    /// Claims the oldest queued task of `kind`; `claimed` does the kind's part
    /// (nil when the task's work went away meanwhile: the task is dropped and
    /// the next one tried). Where the dialect writes both as one statement
    /// (`fused`: the task's columns, then the kind's, which `beside` reads),
    /// that statement runs instead, in one round trip.
    func claimQueuedTask<T: Sendable>(
        _ kind: TaskKind, worker: String, lease: Duration,
        fused: (statement: String, beside: @Sendable (any StoredRow, TaskRow, Timestamp) throws -> T?)? = nil,
        claimed: @escaping @Sendable (any SQLConnection, TaskRow, Timestamp) throws -> T?
    ) async throws -> T? {
        try JobQueue.validate(lease: lease)
        let now = now
        let expires = now.adding(seconds: lease.inSeconds)
        let (claim, discard) = (sql[.claimTask], sql[.discardTask])
        let values: [SQLValue] = [.text(kind.rawValue), .text(worker), .timestamp(expires), .timestamp(now)]
        let next: @Sendable (any SQLConnection) throws -> (TaskRow, T?)? =
            if let fused {
                { connection in
                    try connection.query(fused.statement, values) { row in
                        let task = try TaskRow(row: row)
                        return (task, try fused.beside(OffsetRow(row, from: TaskRow.columns), task, expires))
                    }.first
                }
            } else {
                { connection in
                    try connection.query(claim, values, row: TaskRow.init).first.map { task in
                        (task, try claimed(connection, task, expires))
                    }
                }
            }
        return try await driver.write { connection in
            while let (task, result) = try next(connection) {
                if let result { return result }
                try connection.run(discard, [.integer(task.id)])
            }
            return nil
        }
    }

    func renewTask(_ guardValues: [SQLValue], lease: Duration) async throws -> LeaseState {
        try JobQueue.validate(lease: lease)
        let statement = sql[.renewTask]
        let values = guardValues + [.timestamp(now.adding(seconds: lease.inSeconds))]
        return try await driver.write { try $0.query(statement, values, row: Self.leaseState).first ?? .lost }
    }

    static func leaseState(_ row: any StoredRow) -> LeaseState { row.bool(0) ? .cancelRequested : .held }

    /// The values every `<kind>_finish` statement starts with: the guard, the
    /// time, the task's new state, its error and the attempts it has used
    /// (`queued` is a hand-back: `FinishedAttempt` does not count it).
    func finishValues(_ claim: TaskClaim, state: String, error: String?) -> [SQLValue] {
        let attempts = FinishedAttempt.counted(claim.attempt, handedBack: state == "queued")
        return Self.guardValues(claim) + [.timestamp(now), .text(state), .text(error), .integer(Int64(attempts))]
    }

    /// Moves the expired tasks of `kind` on, each to the state `LostLease`
    /// decides, and runs `rescued` for each, in one transaction; the tasks
    /// `rescued` said were its. Those back in the queue wake idle workers.
    func rescueTasks(
        _ kind: TaskKind, rescued: @escaping @Sendable (any SQLConnection, RescuedTask, Timestamp) throws -> Bool
    ) async throws -> [RescuedTask] {
        let now = now
        let (expired, move) = (sql[.expiredTasks], sql[.rescueTask])
        let values = [SQLValue.text(kind.rawValue), .timestamp(now)]
        let rescued = try await driver.transaction { [self] connection in
            let tasks = try connection.query(expired, values) { row in
                let (attempt, maximum) = try (row.int(2), row.int(3))
                let state = LostLease.nextState(
                    cancelRequested: row.bool(4), attempt: attempt, maximumAttempts: maximum)
                return try RescuedTask(
                    id: row.int64(0), jobID: row.int64(1), state: state, attempt: attempt, maximumAttempts: maximum)
            }
            let moved = try tasks.filter { task in
                guard try connection.run(move, [.integer(task.id), .timestamp(now), .text(task.state)]) > 0 else {
                    return false
                }
                return try rescued(connection, task, now)
            }
            if moved.contains(where: \.isQueued) { try notifyQueued(connection) }
            return moved
        }
        if rescued.contains(where: \.isQueued) { wakeWorkers() }
        return rescued
    }

    /// A write that may queue work (`body` says whether it did): other
    /// processes are told in the same transaction, where the dialect can, and
    /// this process's idle workers once it is done.
    func writeQueueing<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> (T, queued: Bool))
        async throws -> T
    {
        let (result, queued) = try await driver.write { [self] connection in
            let (result, queued) = try body(connection)
            if queued { try notifyQueued(connection) }
            return (result, queued)
        }
        if queued { wakeWorkers() }
        return result
    }
}
