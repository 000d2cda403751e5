import StorageCore

extension SQLStore: WorkerRegistry {
    /// Seconds after which a worker that never said goodbye is forgotten by the next heartbeat.
    public static var forgetWorkersAfter: Double { 86_400 }

    public func recordWorker(_ worker: WorkerRecord) async throws {
        guard !worker.workerID.isEmpty, !worker.workerID.utf8.contains(0) else {
            throw StorageError.invalidInput("a worker id must be non-empty text without NUL")
        }
        let (statement, forget) = (sql[.recordWorker], sql[.forgetWorkersBefore])
        let now = now
        let values: [SQLValue] = [
            .text(worker.workerID), .text(worker.host), .text(worker.kinds.map(\.rawValue).joined(separator: ",")),
            .text(worker.version), .timestamp(now),
        ]
        // Workers killed without a goodbye are forgotten after a day, so the table stays the size of the fleet.
        let stale = now.adding(seconds: -Self.forgetWorkersAfter)
        try await driver.write { connection in
            _ = try connection.run(statement, values)
            _ = try connection.run(forget, [.timestamp(stale)])
        }
    }

    public func forgetWorker(_ workerID: String) async throws {
        let statement = sql[.forgetWorker]
        try await driver.write { _ = try $0.run(statement, [.text(workerID)]) }
    }

    public func workers(seenWithin window: Duration) async throws -> [WorkerPresence] {
        let (forget, read) = (sql[.forgetWorkersBefore], sql[.workersSeen])
        let cutoff = now.adding(seconds: -window.inSeconds)
        try await driver.write { _ = try $0.run(forget, [.timestamp(cutoff)]) }
        let rows = try await driver.read { connection in
            try connection.query(read) { row -> (WorkerPresence, WorkerActivity?) in
                let record = WorkerRecord(
                    workerID: row.text(0) ?? "", host: row.text(1) ?? "",
                    kinds: (row.text(2) ?? "").split(separator: ",").compactMap { TaskKind(rawValue: String($0)) },
                    version: row.text(3) ?? "")
                let presence = WorkerPresence(
                    record: record, startedAt: try row.timestamp(4, "worker start"),
                    seenAt: try row.timestamp(5, "worker seen"), running: [])
                guard row.text(6) != nil else { return (presence, nil) }
                let activity = WorkerActivity(
                    taskID: try row.int64(6), kind: try row.required(7, "task kind", TaskKind.init(rawValue:)),
                    jobID: row.text(8).flatMap { Int64($0) }, attempt: try row.int(9),
                    updatedAt: try row.timestamp(10, "task updated"))
                return (presence, activity)
            }
        }
        var workers: [WorkerPresence] = []
        for (presence, activity) in rows {
            if workers.last?.record.workerID != presence.record.workerID { workers.append(presence) }
            if let activity { workers[workers.count - 1].running.append(activity) }
        }
        return workers
    }
}
