import StorageCore

/// Every kind of task with details (`TaskDetails`) on the one lease protocol:
/// the task's writes are shared, the kind's `<kind>_…` statements do its
/// part in the same write. Queued work, and work handed or sent back to the
/// queue, wakes idle workers of every kind.
extension SQLStore: TaskQueue {
    public func createTask<Details: TaskDetails>(
        _ kind: Details.Type, jobID: Int64, _ new: Details.New, maximumAttempts: Int?
    ) async throws -> Details {
        let attempts = maximumAttempts ?? self.maximumAttempts
        try JobQueue.validate(maximumAttempts: attempts)
        let statement = sql[TaskStatement(kind: Details.kind, part: .create)]
        let values: [SQLValue] =
            [.integer(jobID), .timestamp(now), .integer(attempts)] + (try Details.values(new: new))
        return try await requiringJob(jobID) {
            try await writeQueueing { (try $0.query(statement, values) { try Details(row: $0) }[0], queued: true) }
        }
    }

    public func task<Details: TaskDetails>(_ kind: Details.Type, id: Int64) async throws -> Details? {
        let statement = sql[TaskStatement(kind: Details.kind, part: .byID)]
        return try await driver.read { try $0.query(statement, [.integer(id)]) { try Details(row: $0) }.first }
    }

    public func queueDepth() async throws -> [QueueDepth] {
        let statement = sql[.queueDepth]
        return try await driver.read { connection in
            try connection.query(statement) {
                QueueDepth(
                    kind: try $0.required(0, "task kind", TaskKind.init(rawValue:)),
                    state: try $0.required(1, "task state", TaskState.init(rawValue:)), count: try $0.int(2))
            }
        }.sorted { ($0.kind.rawValue, $0.state.rawValue) < ($1.kind.rawValue, $1.state.rawValue) }
    }

    public func tasks<Details: TaskDetails>(_ kind: Details.Type, ofJob jobID: Int64) async throws -> [Details] {
        let statement = sql[TaskStatement(kind: Details.kind, part: .ofJob)]
        return try await driver.read { try $0.query(statement, [.integer(jobID)]) { try Details(row: $0) } }
    }

    public func claimTask<Details: TaskDetails>(_ kind: Details.Type, worker: String, lease: Duration) async throws
        -> ClaimedTask<Details>?
    {
        let statement = sql[TaskStatement(kind: Details.kind, part: .byID)]
        return try await claimQueuedTask(Details.kind, worker: worker, lease: lease) { connection, task, _ in
            try connection.query(statement, [.integer(task.id)]) { try Details(row: $0) }.first.map {
                ClaimedTask(task: $0, claim: TaskClaim(taskID: task.id, workerID: worker, attempt: task.attempt))
            }
        }
    }

    public func recordProgress<Details: TaskDetails>(
        _ kind: Details.Type, _ claim: TaskClaim, _ progress: Details.Progress, lease: Duration
    ) async throws -> Bool {
        try JobQueue.validate(lease: lease)
        let now = now
        let statement = sql[TaskStatement(kind: Details.kind, part: .progress)]
        let values =
            Self.guardValues(claim) + [.timestamp(now.adding(seconds: lease.inSeconds)), .timestamp(now)]
            + Details.values(progress: progress)
        return try await driver.write { try !$0.query(statement, values, row: { _ in () }).isEmpty }
    }

    public func finishTask<Details: TaskDetails>(
        _ kind: Details.Type, _ claim: TaskClaim, _ outcome: TaskOutcome<Details.Result>
    ) async throws -> Details? {
        let (state, error, result): (String, String?, Details.Result?) =
            switch outcome {
            case .completed(let result): ("completed", nil, result)
            case .failed(let error, let result): ("failed", error, result)
            case .handedBack: ("queued", nil, nil)
            }
        let statement = sql[TaskStatement(kind: Details.kind, part: .finish)]
        let values = finishValues(claim, state: state, error: error) + Details.values(result: result)
        let requeued = state == "queued"
        return try await writeQueueing { connection in
            let finished = try connection.query(statement, values) { try Details(row: $0) }.first
            return (finished, queued: finished != nil && requeued)
        }
    }

    public func rescueExpiredTasks<Details: TaskDetails>(_ kind: Details.Type) async throws -> Int {
        let statement = sql[.lostTaskError]
        return try await rescueTasks(Details.kind) { connection, task, _ in
            if task.state == "failed" {
                try connection.run(
                    statement, [.integer(task.id), .text(Details.workerLostError(attempt: task.attempt))])
            }
            return true
        }.count
    }

    public func endTasks<Details: TaskDetails>(_ kind: Details.Type, ofJob jobID: Int64) async throws -> Int {
        let statement = sql[.endJobTasks]
        let values: [SQLValue] = [.integer(jobID), .text(Details.kind.rawValue), .timestamp(now)]
        return try await driver.write { try $0.run(statement, values) }
    }
}
