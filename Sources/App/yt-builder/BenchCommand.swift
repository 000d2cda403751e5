import ArgumentParser
import Foundation
import StorageBenchmark
import StorageCore

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks.",
        subcommands: [StorageBench.self, QueueBench.self, RenderBench.self, MigrateBench.self])

    struct StorageBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "storage",
            abstract: "The earlier service's per-job write pattern against the selected database.",
            discussion: """
                Without --database (or its environment variables) it runs on a new temporary SQLite file, \
                so that your history is never filled with benchmark jobs. On a named database it removes \
                the jobs it made afterwards, unless --keep is given.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "How many jobs to make.") var jobs = 2000
        @Option(help: "How many jobs are made at once.") var concurrency = 8
        @Option(help: "Run for this many seconds instead of a number of jobs.") var duration: Double?
        @Flag(help: "Keep the jobs the benchmark made.") var keep = false
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
            guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 1024") }
            if let duration, !(duration > 0 && duration <= 3600) {
                throw ValidationError("--duration must be more than 0 and at most 3600 seconds")
            }
        }

        func run() async throws {
            let scratch = BenchDatabase(database)
            defer { scratch.remove() }
            let location = scratch.location
            let storage = try await database.open(at: location)
            let benchmark = StorageBenchmark(jobs: jobs, concurrency: concurrency, duration: duration)
            let result: BenchmarkResult
            do {
                result = try await benchmark.run(on: storage)
                if !keep && !scratch.isTemporary {
                    for id in result.jobIDs { _ = try await storage.deleteJob(id) }
                }
            } catch {
                await storage.close()
                throw error
            }
            await storage.close()
            if json { return try Console.printJSON(result) }
            print(
                "storage benchmark on \(scratch.isTemporary ? "a temporary SQLite file" : Redacted.location(location)), concurrency \(concurrency)"
            )
            print(
                String(
                    format: "%d jobs in %.2f s: %.0f jobs/s, %.0f operations/s (%d operations per job)",
                    result.jobs, result.seconds, result.jobsPerSecond, result.operationsPerSecond,
                    StorageBenchmark.operationsPerJob))
            print(
                Console.table(
                    ["operation", "count", "p50 ms", "p99 ms"],
                    result.perOperation.map {
                        [
                            $0.operation, "\($0.count)", String(format: "%.3f", $0.p50Milliseconds),
                            String(format: "%.3f", $0.p99Milliseconds),
                        ]
                    }))
        }
    }

    struct QueueBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "queue",
            abstract: "Claim-and-complete throughput of the job queue, with a duplicate check.",
            discussion: """
                Queues --jobs empty jobs, then --workers concurrent claimers claim and complete them until the \
                queue is empty. Without --database it runs on a new temporary SQLite file; on a named database \
                the jobs it made are removed afterwards. Exits 1 when any job was claimed twice or left over.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "How many jobs to queue.") var jobs = 20_000
        @Option(help: "How many claimers run at once.") var workers = 8
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard (1...10_000_000).contains(jobs) else { throw ValidationError("--jobs must be at least 1") }
            guard (1...1024).contains(workers) else { throw ValidationError("--workers must be 1 to 1024") }
        }

        func run() async throws {
            let scratch = BenchDatabase(database)
            defer { scratch.remove() }
            let location = scratch.location
            let storage = try await database.open(at: location)
            let result: QueueBenchmark.Result
            do {
                result = try await QueueBenchmark(jobs: jobs, workers: workers).run(on: storage)
                if !scratch.isTemporary { for id in result.jobIDs { _ = try await storage.deleteJob(id) } }
            } catch {
                await storage.close()
                throw error
            }
            await storage.close()
            if json {
                try Console.printJSON(result)
            } else {
                print(
                    "queue benchmark on \(scratch.isTemporary ? "a temporary SQLite file" : Redacted.location(location)), \(workers) workers"
                )
                print(
                    String(
                        format: "%d jobs claimed and completed in %.2f s: %.0f jobs/s; duplicates %d, left over %d",
                        result.jobs, result.seconds, result.jobsPerSecond, result.duplicates, result.leftOver))
            }
            if result.duplicates > 0 || result.leftOver > 0 { throw ExitCode(1) }
        }
    }
}

/// The database a benchmark writes to: the one named, or else a new
/// temporary SQLite file, so that nobody's history fills with benchmark jobs.
struct BenchDatabase {
    let folder: URL?
    let location: String

    init(_ database: DatabaseOptions) {
        folder =
            database.explicitLocation == nil
            ? FileManager.default.temporaryDirectory.appendingPathComponent("yt-builder-bench-\(UUID().uuidString)")
            : nil
        location = folder?.appendingPathComponent("bench.db").path ?? database.location
    }

    var isTemporary: Bool { folder != nil }

    func remove() { folder.map { try? FileManager.default.removeItem(at: $0) } }
}
