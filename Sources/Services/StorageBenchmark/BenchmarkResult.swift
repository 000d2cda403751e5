/// Latencies per operation, in nanoseconds, and the ids of the jobs made.
struct Samples: Sendable {
    var latencies: [StorageBenchmark.Operation: [Int64]] = [:]
    var jobIDs: [Int64] = []

    mutating func record(_ operation: StorageBenchmark.Operation, _ duration: Duration) {
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        latencies[operation, default: []].append(nanoseconds)
    }

    mutating func merge(_ other: Samples) {
        for (operation, values) in other.latencies { latencies[operation, default: []] += values }
        jobIDs += other.jobIDs
    }
}

public struct BenchmarkResult: Sendable, Encodable {
    public struct OperationStats: Sendable, Codable {
        public var operation: String
        public var count: Int
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double

        enum CodingKeys: String, CodingKey {
            case operation, count
            case p50Milliseconds = "p50_ms"
            case p99Milliseconds = "p99_ms"
        }
    }

    public var jobs: Int
    public var operations: Int
    public var concurrency: Int
    public var seconds: Double
    public var jobsPerSecond: Double
    public var operationsPerSecond: Double
    public var perOperation: [OperationStats]
    /// The ids of the jobs the run made, so that a caller can remove them.
    public var jobIDs: [Int64]

    enum CodingKeys: String, CodingKey {
        case jobs, operations, concurrency, seconds
        case jobsPerSecond = "jobs_per_second"
        case operationsPerSecond = "operations_per_second"
        case perOperation = "per_operation"
    }

    init(samples: Samples, seconds: Double, concurrency: Int) {
        jobs = samples.jobIDs.count
        operations = samples.latencies.values.reduce(0) { $0 + $1.count }
        self.concurrency = concurrency
        self.seconds = seconds
        jobsPerSecond = seconds > 0 ? Double(jobs) / seconds : 0
        operationsPerSecond = seconds > 0 ? Double(operations) / seconds : 0
        perOperation = StorageBenchmark.Operation.allCases.compactMap { operation in
            guard let values = samples.latencies[operation]?.sorted(), !values.isEmpty else { return nil }
            func percentile(_ fraction: Double) -> Double {
                Double(values[min(values.count - 1, Int(Double(values.count) * fraction))]) / 1e6
            }
            return OperationStats(
                operation: operation.rawValue, count: values.count, p50Milliseconds: percentile(0.5),
                p99Milliseconds: percentile(0.99))
        }
        jobIDs = samples.jobIDs
    }
}
