import Foundation
import LegacyFixtures
import SQLiteStorage
import StorageCore
import Testing

@Suite struct CleanupCommandTests {
    let cli = CommandRunner()

    /// Jobs made 40 days ago through the library, with real run directories.
    func makeOldJobs() async throws -> (finished: [Job], running: Job, impostor: Job) {
        var options = SQLiteStorage.Options()
        let past = Timestamp.now().adding(seconds: -40 * 86_400)
        options.clock = { past }
        let storage = try await SQLiteStorage.open(path: cli.path("data/yt-builder.db"), options: options)
        let runs = cli.path("data/runs")
        var finished: [Job] = []
        for status in [JobStatus.completed, .failed] {
            let job = try await storage.createJob(NewJob(config: nil, runsDirectory: runs, status: .queued))
            _ = try await storage.updateJob(job.jobID, JobUpdate(status: .running))
            _ = try await storage.updateJob(job.jobID, JobUpdate(status: status))
            _ = try await storage.addFile(
                NewJobFile(jobID: job.jobID, fileType: .videos, filename: "a.mp4", filePath: "x"))
            finished.append(job)
        }
        let running = try await storage.createJob(NewJob(config: nil, runsDirectory: runs, status: .queued))
        _ = try await storage.updateJob(running.jobID, JobUpdate(status: .running))
        // A job whose stored run directory is not named like its own: its folder must survive.
        let impostor = try await storage.createJob(NewJob(config: nil, runsDirectory: runs))
        _ = try await storage.updateJob(impostor.jobID, JobUpdate(status: .cancelled))
        await storage.close()
        try LegacyFixture.execute(
            "UPDATE jobs SET run_dir = '\(cli.path("data/precious"))' WHERE job_id = \(impostor.jobID)",
            on: cli.path("data/yt-builder.db"))
        for job in finished + [running] {
            try FileManager.default.createDirectory(
                atPath: job.runDirectory + "/videos", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: job.runDirectory + "/videos/a.mp4", contents: Data("clip".utf8))
        }
        try FileManager.default.createDirectory(atPath: cli.path("data/precious"), withIntermediateDirectories: true)
        return (finished, running, impostor)
    }

    @Test func dryRunReportsAndRemovesNothing() async throws {
        let (finished, _, _) = try await makeOldJobs()
        let result = try await cli.run("cleanup", "--days", "30", "--dry-run")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Would delete 3 jobs"), "\(result.stdout)")
        #expect(result.stdout.contains("with 2 files"))
        for job in finished { #expect(FileManager.default.fileExists(atPath: job.runDirectory)) }
        #expect(try LegacyFixture.query("SELECT COUNT(*) FROM jobs", on: cli.path("data/yt-builder.db")) == ["4"])
    }

    @Test func cleanupDeletesRowsAndRunDirectoriesButNothingElse() async throws {
        let (finished, running, impostor) = try await makeOldJobs()
        let result = try await cli.run("cleanup", "--days", "30", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""files" : 2"#), "\(result.stdout)")
        for job in finished {
            #expect(!FileManager.default.fileExists(atPath: job.runDirectory), "\(job.runDirectory)")
        }
        #expect(FileManager.default.fileExists(atPath: running.runDirectory), "an unfinished job keeps its folder")
        #expect(
            FileManager.default.fileExists(atPath: cli.path("data/precious")), "a folder not named run-<id>-… is kept")
        #expect(result.stdout.contains("not named like job \(impostor.jobID)'s run directory"))
        #expect(
            try LegacyFixture.query("SELECT job_id FROM jobs", on: cli.path("data/yt-builder.db")) == [
                "\(running.jobID)"
            ])
        let none = try await cli.run("cleanup", "--days", "30")
        #expect(none.stdout.contains("Deleted 0 jobs"))
    }
}

@Suite(.timeLimit(.minutes(3))) struct ConcurrentProcessTests {
    let cli = CommandRunner()

    struct BenchOutput: Decodable {
        var jobs: Int
        var operations: Int
    }

    /// Two processes write one file as fast as they can for several seconds, while
    /// a third reads it: no "database is locked", no lost or torn write.
    @Test func twoWritersAndAReaderShareOneFile() async throws {
        let database = cli.path("shared.db")
        #expect(try await cli.run("db", "migrate", "--database", database).status == 0)
        let arguments = [
            "bench", "storage", "--database", database, "--duration", "4", "--concurrency", "4", "--keep", "--json",
        ]
        async let first = cli.run(arguments)
        async let second = cli.run(arguments)
        async let reads: [CommandRunner.Result] = {
            var results: [CommandRunner.Result] = []
            for _ in 0..<8 { results.append(try await cli.run("jobs", "list", "--database", database, "--limit", "5")) }
            return results
        }()
        let writers = try await [first, second]
        for writer in writers {
            #expect(writer.status == 0, "\(writer.stderr)")
            #expect(!writer.stderr.contains("locked"))
        }
        for read in try await reads { #expect(read.status == 0, "\(read.stderr)") }
        let made = try writers.map { try JSONDecoder().decode(BenchOutput.self, from: Data($0.stdout.utf8)) }
        #expect(made.allSatisfy { $0.jobs > 10 }, "both made progress: \(made.map(\.jobs))")
        let total = made.reduce(0) { $0 + $1.jobs }
        #expect(try LegacyFixture.query("SELECT COUNT(*) FROM jobs", on: database) == ["\(total)"])
        #expect(try LegacyFixture.query("SELECT COUNT(*) FROM job_files", on: database) == ["\(total * 4)"])
        #expect(
            try LegacyFixture.query(
                "SELECT COUNT(*) FROM jobs WHERE status = 'completed' AND progress = 100", on: database)
                == ["\(total)"])
        #expect(try await cli.run("db", "check", "--database", database).status == 0)
    }
}
