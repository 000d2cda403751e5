import ArgumentParser
import ChildProcess
import Foundation
import LegacyFixtures
import PostgresStorage
import SQLiteStorage
import StorageCore

extension BenchCommand {
    struct MigrateBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract:
                "Build a history in the earlier service's layout and time `migrate` on it (and pgloader, if asked).",
            discussion: """
                Each job has 4 files and one upload, and every 50th job was deleted with its rows left as \
                orphans: about 6 rows a job. Both targets must be empty PostgreSQL databases.
                """)

        @Option(help: "How many jobs the history has.") var jobs = 100_000
        @Option(help: "The empty PostgreSQL database yt-builder migrates into.") var to: String
        @Option(help: "An empty PostgreSQL database for pgloader to load the same file into.") var pgloaderTo: String?
        @Flag(help: "Print JSON.") var json = false

        struct Result: Encodable {
            var jobs: Int
            var rows: Int
            var ytBuilderSeconds: Double
            var ytBuilderRowsPerSecond: Double
            var pgloaderSeconds: Double?
            var pgloaderRowsPerSecond: Double?
            var ratio: Double?

            enum CodingKeys: String, CodingKey {
                case jobs, rows
                case ytBuilderSeconds = "yt_builder_seconds"
                case ytBuilderRowsPerSecond = "yt_builder_rows_per_second"
                case pgloaderSeconds = "pgloader_seconds"
                case pgloaderRowsPerSecond = "pgloader_rows_per_second"
                case ratio
            }
        }

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
            for url in [to] + (pgloaderTo.map { [$0] } ?? []) where !DatabaseOptions.isPostgres(url) {
                throw ValidationError("'\(Redacted.location(url))' is not a PostgreSQL URL")
            }
        }

        func run() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "yt-builder-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let source = folder.appendingPathComponent("history.db").path
            Console.error("Writing a history of \(jobs) jobs…")
            try LegacyFixture.writeLarge(to: source, jobs: jobs)
            let rows = ["jobs", "job_files", "youtube_uploads", "youtube_credentials"].reduce(0) { total, table in
                total
                    + (Int((try? LegacyFixture.query("SELECT COUNT(*) FROM \(table)", on: source))?.first ?? "0") ?? 0)
            }

            Console.error("yt-builder migrate…")
            let clock = ContinuousClock()
            let start = clock.now
            let history = try await SQLiteStorage.exportHistory(
                from: source, legacyTimeZone: TimeZone(identifier: "UTC")!)
            Console.error(String(format: "read in %.2f s", start.duration(to: clock.now).inSeconds))
            var options = PostgresStorage.Options()
            options.poolSize = 1
            let target = try await PostgresStorage.open(url: to, options: options)
            do {
                _ = try await target.importHistory(history, dryRun: false)
            } catch {
                await target.close()
                throw error
            }
            await target.close()
            let ours = start.duration(to: clock.now).inSeconds

            var theirs: Double?
            if let pgloaderTo {
                guard let pgloader = ChildProcess.find("pgloader") else {
                    throw ValidationError("pgloader is not installed (Debian: apt-get install pgloader)")
                }
                Console.error("pgloader…")
                let begin = clock.now
                let loaded = try await ChildProcess(pgloader, ["--quiet", source, pgloaderTo]).run()
                guard loaded.status == 0 else {
                    throw ValidationError("pgloader failed: \(loaded.errorLines.suffix(5).joined(separator: " "))")
                }
                theirs = begin.duration(to: clock.now).inSeconds
            }
            let result = Result(
                jobs: jobs, rows: rows, ytBuilderSeconds: ours, ytBuilderRowsPerSecond: Double(rows) / ours,
                pgloaderSeconds: theirs, pgloaderRowsPerSecond: theirs.map { Double(rows) / $0 },
                ratio: theirs.map { $0 / ours })
            if json { return try Console.printJSON(result) }
            print(String(format: "%d jobs, %d rows", jobs, rows))
            print(
                String(
                    format: "yt-builder migrate: %.2f s, %.0f rows/s (read, copy, verify)", ours,
                    result.ytBuilderRowsPerSecond))
            if let theirs, let rate = result.pgloaderRowsPerSecond, let ratio = result.ratio {
                print(String(format: "pgloader:           %.2f s, %.0f rows/s", theirs, rate))
                print(String(format: "yt-builder is %.2f times pgloader's rows/s", ratio))
            }
        }
    }
}
