/// A piece of a job's render as background work: a `render_piece` task and
/// its details in `render_piece_tasks`. The job's render queues one per
/// distinct piece of its plan, any worker encodes it into the job's files,
/// and the job's render joins them once every one is completed.
public struct RenderPiece: Hashable, Sendable {
    public typealias State = TaskState

    public var id: Int64
    public var jobID: Int64
    public var state: State
    /// The fingerprint of the plan the piece belongs to.
    public var plan: String
    /// Which piece of that plan (`video-3`, `audio-0`).
    public var unit: String
    /// Roughly the seconds it takes to encode, for progress.
    public var cost: Double
    /// What it made, once completed: bytes and seconds of encoding.
    public var bytes: Int64?
    public var seconds: Double?
    public var error: String?
    public var attempt: Int
    /// The worker holding it while it runs.
    public var workerID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(row: some StoredRow) throws {
        id = try row.int64(0)
        jobID = try row.int64(1)
        state = try row.required(2, "piece state", State.init(rawValue:))
        plan = row.text(3) ?? ""
        unit = row.text(4) ?? ""
        cost = try row.required(5, "piece cost", Double.init)
        bytes = row.isNull(6) ? nil : try row.int64(6)
        seconds = row.isNull(7) ? nil : try row.required(7, "piece seconds", Double.init)
        error = row.text(8)
        attempt = try row.int(9)
        workerID = row.text(10)
        createdAt = try row.timestamp(11, "created_at")
        updatedAt = try row.timestamp(12, "updated_at")
    }

    /// What queueing a piece takes.
    public struct New: Hashable, Sendable {
        public var plan: String
        public var unit: String
        public var cost: Double

        public init(plan: String, unit: String, cost: Double) {
            self.plan = plan
            self.unit = unit
            self.cost = cost
        }
    }

    /// What an encoded piece made.
    public struct Made: Hashable, Sendable {
        public var bytes: Int64
        public var seconds: Double

        public init(bytes: Int64, seconds: Double) {
            self.bytes = bytes
            self.seconds = seconds
        }
    }
}

extension RenderPiece: TaskDetails {
    public static var kind: TaskKind { .renderPiece }

    public static func values(new: New) throws -> [SQLValue] {
        guard new.cost.isFinite, new.cost >= 0 else {
            throw StorageError.invalidInput("a piece's cost must be a number of seconds, not \(new.cost)")
        }
        guard !(new.plan + new.unit).utf8.contains(0) else {
            throw StorageError.invalidInput("a piece's plan or unit holds the NUL character")
        }
        return [.text(new.plan), .text(new.unit), .real(new.cost)]
    }

    /// A heartbeat only extends the lease: a piece is done or not.
    public static func values(progress: Void) -> [SQLValue] { [] }

    public static func values(result: Made?) -> [SQLValue] {
        guard let result else { return [.null, .null] }
        return [.integer(result.bytes), .real(result.seconds)]
    }

    public static func workerLostError(attempt: Int) -> String {
        "worker lost while encoding the piece (attempt \(attempt))"
    }
}
