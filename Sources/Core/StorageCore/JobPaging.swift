/// A page request over jobs, newest first.
public struct JobQuery: Hashable, Sendable {
    public static let maximumLimit = 1000

    public var status: JobStatus?
    public var limit: Int
    /// Continue after this position: the `nextCursor` of the previous page.
    public var after: JobCursor?

    public init(status: JobStatus? = nil, limit: Int = 100, after: JobCursor? = nil) {
        self.status = status
        self.limit = limit
        self.after = after
    }

    public func validate() throws {
        try Self.validate(limit: limit)
    }

    /// Any listing's page size: 1 to `maximumLimit`.
    public static func validate(limit: Int) throws {
        guard (1...maximumLimit).contains(limit) else {
            throw StorageError.invalidInput("limit must be between 1 and \(maximumLimit), not \(limit)")
        }
    }
}

public struct JobPage: Hashable, Sendable {
    public var jobs: [Job]
    /// Where the next page starts; nil on the last page.
    public var nextCursor: JobCursor?

    public init(jobs: [Job], nextCursor: JobCursor?) {
        self.jobs = jobs
        self.nextCursor = nextCursor
    }
}

/// A position in the newest-first order of jobs: (created_at, job_id) of the
/// last job seen. Its text form is opaque to clients.
public struct JobCursor: Hashable, Sendable, CustomStringConvertible {
    public var createdAt: Timestamp
    public var jobID: Int64

    public init(createdAt: Timestamp, jobID: Int64) {
        self.createdAt = createdAt
        self.jobID = jobID
    }

    public init(after job: Job) {
        self.init(createdAt: job.createdAt, jobID: job.jobID)
    }

    public var description: String { "\(createdAt.microsecondsSinceEpoch)_\(jobID)" }

    public static func parse(_ text: String) throws -> JobCursor {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        // Years 1 to 9999: what every backend's timestamps can hold.
        let years = Int64(-62_135_596_800_000_000)...Int64(253_402_300_799_999_999)
        guard parts.count == 2, let micros = Int64(parts[0]), years.contains(micros), let id = Int64(parts[1]) else {
            throw StorageError.invalidInput("'\(text)' is not a cursor from a previous page")
        }
        return JobCursor(createdAt: Timestamp(microsecondsSinceEpoch: micros), jobID: id)
    }
}
