import Foundation
import SchemaSQL
import TestPostgres
import Testing

/// Every command against a real PostgreSQL server.
@Suite(.timeLimit(.minutes(3))) struct PostgresCommandTests {
    let cli = CommandRunner()

    struct BenchOutput: Decodable { var jobs: Int }

    @Test func theCommandsWorkOnPostgres() async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()

        // Ten processes that start together migrate once.
        let starts = try await withThrowingTaskGroup(of: CommandRunner.Result.self) { group in
            for _ in 0..<10 { group.addTask { try await cli.run("db", "migrate", "--database", url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for start in starts { #expect(start.status == 0, "\(start.stderr)") }
        #expect(starts.filter { $0.stdout.contains("Applied migrations: 001_initial") }.count == 1)
        #expect(
            try server.query("SELECT COUNT(*) FROM schema_migrations", database: database) == [
                String(Schema.migrations(for: .postgres).count)
            ])

        let status = try await cli.run("db", "status", "--database", url, "--json")
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains(#""backend" : "postgresql""#))
        #expect(!status.stdout.contains(server.password), "the password is not shown")

        let bench = try await cli.run("bench", "storage", "--database", url, "--jobs", "50", "--keep", "--json")
        #expect(bench.status == 0, "\(bench.stderr)")
        #expect(try JSONDecoder().decode(BenchOutput.self, from: Data(bench.stdout.utf8)).jobs == 50)

        let list = try await cli.run("jobs", "list", "--database", url, "--status", "completed", "--limit", "5")
        #expect(list.status == 0)
        #expect(
            list.stdout.split(separator: "\n").count == 7, "a header, five jobs and the cursor line: \(list.stdout)")
        let first = try #require(try server.query("SELECT MIN(job_id) FROM jobs", database: database).first)
        let show = try await cli.run("jobs", "show", first, "--database", url, "--json")
        #expect(show.stdout.contains(#""videos" : 2"#), "\(show.stdout)")

        let cleanup = try await cli.run("cleanup", "--days", "0", "--dry-run", "--database", url)
        #expect(cleanup.stdout.contains("Would delete 50 jobs"), "\(cleanup.stdout)")
        #expect(try await cli.run("db", "check", "--database", url).status == 0)

        let backup = cli.path("backup.dump")
        let dumped = try await cli.run("db", "backup", backup, "--database", url)
        #expect(dumped.status == 0, "\(dumped.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)).prefix(5) == Data("PGDMP".utf8))
        let again = try await cli.run("db", "backup", backup, "--database", url)
        #expect(again.status != 0 && again.stderr.contains("already exists"))

        var noTools = cli
        noTools.environment["PATH"] = "/nonexistent"
        let missing = try await noTools.run("db", "backup", cli.path("other.dump"), "--database", url)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("pg_dump is not installed"), "\(missing.stderr)")
    }

    @Test func severalProcessesCreateJobsWithUniqueIDs() async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        #expect(try await cli.run("db", "migrate", "--database", url).status == 0)
        let runs = try await withThrowingTaskGroup(of: CommandRunner.Result.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await cli.run(
                        "bench", "storage", "--database", url, "--jobs", "150", "--concurrency", "4", "--keep", "--json"
                    )
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for run in runs { #expect(run.status == 0, "\(run.stderr)") }
        #expect(try server.query("SELECT COUNT(DISTINCT job_id) FROM jobs", database: database) == ["600"])
        #expect(try server.query("SELECT COUNT(*) FROM job_files", database: database) == ["2400"])
    }

    @Test func badConnectionsGetAClearErrorAndANonZeroExit() async throws {
        let server = try TestPostgres.shared()
        let wrong = server.url(database: "postgres", password: "wrong-password-17")
        let refused = try await cli.run("jobs", "list", "--database", wrong)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("password authentication failed"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("wrong-password-17"))

        let port = try TestPostgres.freePort()
        let unreachable = try await cli.run("db", "status", "--database", "postgresql://u:p@127.0.0.1:\(port)/x")
        #expect(unreachable.status != 0)
        #expect(unreachable.stderr.contains("not reachable"), "\(unreachable.stderr)")

        let (url, database) = try server.freshDatabaseNamed()
        #expect(try await cli.run("db", "migrate", "--database", url).status == 0)
        try server.execute("INSERT INTO schema_migrations VALUES ('099_future', 99, now())", database: database)
        let newer = try await cli.run("jobs", "list", "--database", url)
        #expect(newer.status != 0)
        #expect(newer.stderr.contains("newer version"), "\(newer.stderr)")
    }
}
