import StorageCore

/// Claim-and-complete throughput of the queue: `workers` concurrent claimers
/// each take a job, finish it at once (an empty job), and take the next, until
/// the queue is empty. Every claim is recorded, so duplicates are counted.
public struct QueueBenchmark: Sendable {
    public var jobs: Int
    public var workers: Int
    public var runsDirectory: String

    public init(jobs: Int, workers: Int, runsDirectory: String = "runs") {
        self.jobs = jobs
        self.workers = workers
        self.runsDirectory = runsDirectory
    }

    public struct Result: Sendable, Codable {
        public var jobs: Int
        public var workers: Int
        public var seconds: Double
        public var jobsPerSecond: Double
        /// Jobs claimed more than once, or claimed on a later attempt: must be 0.
        public var duplicates: Int
        /// Queued jobs nobody claimed: must be 0.
        public var leftOver: Int
        public var jobIDs: [Int64]

        enum CodingKeys: String, CodingKey {
            case jobs, workers, seconds, duplicates
            case jobsPerSecond = "jobs_per_second"
            case leftOver = "left_over"
            case jobIDs = "job_ids"
        }
    }

    public func run(on storage: any Storage) async throws -> Result {
        var ids: [Int64] = []
        ids.reserveCapacity(jobs)
        for _ in 0..<jobs {
            ids.append(
                try await storage.createJob(NewJob(config: nil, runsDirectory: runsDirectory, status: .queued)).jobID)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let claims = try await withThrowingTaskGroup(of: [JobClaim].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var mine: [JobClaim] = []
                    while let claimed = try await storage.claimJob(worker: "bench-\(worker)", lease: .seconds(60)) {
                        mine.append(claimed.claim)
                        _ = try await storage.finishJob(claimed.claim, .completed(outputFile: nil))
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let seconds = (clock.now - start).inSeconds
        let claimedIDs = Set(claims.map(\.jobID))
        let duplicates = (claims.count - claimedIDs.count) + claims.filter { $0.attempt != 1 }.count
        let leftOver = Set(ids).subtracting(claimedIDs).count
        return Result(
            jobs: jobs, workers: workers, seconds: seconds, jobsPerSecond: Double(claims.count) / seconds,
            duplicates: duplicates, leftOver: leftOver, jobIDs: ids)
    }
}
