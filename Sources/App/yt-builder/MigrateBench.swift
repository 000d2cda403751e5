import ArgumentParser
import ChildProcess
import Foundation
import LegacyFixtures
import StorageCore

#if canImport(Glibc)
    import Glibc
#endif

extension BenchCommand {
    struct MigrateBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract:
                "Build a history in the earlier service's layout and time `yt-builder migrate` on it, against pgloader and raw COPY.",
            discussion: """
                Each job has 4 files and one upload, and every 50th job was deleted with its rows left as \
                orphans: about 6 rows a job. `migrate` runs as its own process: its time is the whole \
                command's, from start to exit, and its peak memory its own. pgloader loads the same file into \
                --pgloader-to. The raw limit is COPY of the same typed rows, from files already on disk, into \
                --raw-to through `psql \\copy`, one table after another, then the keys and indexes of \
                `pg_dump --section=post-data`. Every database must be empty.
                """)

        @Option(help: "How many jobs the history has.") var jobs = 100_000
        @Option(help: "The empty PostgreSQL database yt-builder migrates into.") var to: String
        @Option(help: "An empty PostgreSQL database for pgloader to load the same file into.") var pgloaderTo: String?
        @Option(help: "An empty PostgreSQL database for the raw COPY limit.") var rawTo: String?
        @Option(help: "Connections `migrate` loads with.") var connections = 3
        @Flag(help: "Print JSON.") var json = false

        struct Result: Encodable {
            var jobs: Int
            var rows: Int
            var ytBuilderSeconds: Double
            var ytBuilderPeakRSSMegabytes: Double
            var pgloaderSeconds: Double?
            var rawCopySeconds: Double?

            /// pgloader's time over ours: above 1, migrate is faster.
            var ratioToPgloader: Double? { pgloaderSeconds.map { $0 / ytBuilderSeconds } }
            /// The raw limit's time over ours: 1 would be the limit itself.
            var ratioToRawCopy: Double? { rawCopySeconds.map { $0 / ytBuilderSeconds } }

            enum CodingKeys: String, CodingKey {
                case jobs, rows
                case ytBuilderSeconds = "yt_builder_seconds"
                case ytBuilderPeakRSSMegabytes = "yt_builder_peak_rss_mb"
                case pgloaderSeconds = "pgloader_seconds"
                case rawCopySeconds = "raw_copy_seconds"
                case ratioToPgloader = "ratio_to_pgloader"
                case ratioToRawCopy = "ratio_to_raw_copy"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(jobs, forKey: .jobs)
                try container.encode(rows, forKey: .rows)
                try container.encode(ytBuilderSeconds, forKey: .ytBuilderSeconds)
                try container.encode(ytBuilderPeakRSSMegabytes, forKey: .ytBuilderPeakRSSMegabytes)
                try container.encodeIfPresent(pgloaderSeconds, forKey: .pgloaderSeconds)
                try container.encodeIfPresent(rawCopySeconds, forKey: .rawCopySeconds)
                try container.encodeIfPresent(ratioToPgloader, forKey: .ratioToPgloader)
                try container.encodeIfPresent(ratioToRawCopy, forKey: .ratioToRawCopy)
            }
        }

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
            for url in [to] + [pgloaderTo, rawTo].compactMap({ $0 }) where !DatabaseOptions.isPostgres(url) {
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
            let own = try await ChildProcess(
                Self.executable,
                [
                    "migrate", "--from", source, "--to", to, "--legacy-timezone", "UTC", "--connections",
                    "\(connections)",
                ]
            ).run()
            let ours = start.duration(to: clock.now).inSeconds
            try Self.check(own, "migrate")
            // The first child this process waited for was migrate: its peak is the children's peak.
            var usage = rusage()
            getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
            let peak = Double(usage.ru_maxrss) / 1024

            var theirs: Double?
            if let pgloaderTo {
                let pgloader = try Self.tool("pgloader", package: "pgloader")
                Console.error("pgloader…")
                let begin = clock.now
                try Self.check(try await ChildProcess(pgloader, ["--quiet", source, pgloaderTo]).run(), "pgloader")
                theirs = begin.duration(to: clock.now).inSeconds
            }
            var raw: Double?
            if let rawTo {
                Console.error("raw COPY…")
                raw = try await Self.rawCopy(from: to, into: rawTo, folder: folder)
            }
            let result = Result(
                jobs: jobs, rows: rows, ytBuilderSeconds: ours, ytBuilderPeakRSSMegabytes: peak,
                pgloaderSeconds: theirs, rawCopySeconds: raw)
            if json { return try Console.printJSON(result) }
            print(String(format: "%d jobs, %d rows", jobs, rows))
            print(
                String(
                    format: "yt-builder migrate: %.2f s (the whole command), %.0f rows/s, peak RSS %.0f MB", ours,
                    Double(rows) / ours, peak))
            if let theirs, let ratio = result.ratioToPgloader {
                print(String(format: "pgloader:           %.2f s, %.0f rows/s", theirs, Double(rows) / theirs))
                print(String(format: "yt-builder migrate is %.2f× pgloader", ratio))
            }
            if let raw, let ratio = result.ratioToRawCopy {
                print(String(format: "raw COPY limit:     %.2f s", raw))
                print(String(format: "yt-builder migrate runs at %.2f× the raw COPY limit", ratio))
            }
        }

        /// The typed rows `migrate` wrote, dumped to files (not timed), then
        /// timed: `psql \copy` of each into a schema without keys, one after
        /// another, and the keys and indexes of `pg_dump --section=post-data`.
        static func rawCopy(from migrated: String, into raw: String, folder: URL) async throws -> Double {
            let psql = try tool("psql", package: "postgresql-client")
            let pgDump = try tool("pg_dump", package: "postgresql-client")
            let file = { (name: String) in folder.appendingPathComponent(name).path }
            let run = { (tool: String, arguments: [String]) in
                try check(try await ChildProcess(tool, arguments).run(), URL(fileURLWithPath: tool).lastPathComponent)
            }
            let psqlArguments = ["-q", "-v", "ON_ERROR_STOP=1"]
            try await run(pgDump, ["--section=pre-data", "-f", file("pre-data.sql"), migrated])
            try await run(pgDump, ["--section=post-data", "-f", file("post-data.sql"), migrated])
            try await run(psql, psqlArguments + ["-f", file("pre-data.sql"), raw])
            let tables = HistoryTable.layout.map(\.name)
            for table in tables {
                try await run(psql, psqlArguments + ["-c", "\\copy \(table) TO '\(file("\(table).copy"))'", migrated])
            }
            let clock = ContinuousClock()
            let start = clock.now
            for table in tables {
                try await run(psql, psqlArguments + ["-c", "\\copy \(table) FROM '\(file("\(table).copy"))'", raw])
            }
            try await run(psql, psqlArguments + ["-f", file("post-data.sql"), raw])
            return start.duration(to: clock.now).inSeconds
        }

        static var executable: String {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        }

        static func tool(_ name: String, package: String) throws -> String {
            guard let path = ChildProcess.find(name) else {
                throw ValidationError("\(name) is not installed (Debian: apt-get install \(package))")
            }
            return path
        }

        /// A tool that failed ends the benchmark with its last lines (not a usage error).
        static func check(_ result: ChildProcess.Result, _ name: String) throws {
            guard result.status == 0 else {
                Console.error("Error: \(name) failed: \(result.errorLines.suffix(5).joined(separator: " "))")
                throw ExitCode.failure
            }
        }
    }
}
