import Foundation
import LegacyFixtures
import SchemaSQL
import Testing

@Suite(.timeLimit(.minutes(3))) struct DatabaseCommandTests {
    let cli = CommandRunner()

    @Test func aFirstRunCreatesTheDefaultDatabaseAndItsFolder() async throws {
        let result = try await cli.run("jobs", "list")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: cli.path("data/yt-builder.db")))
        let status = try await cli.run("db", "status", "--json")
        let version = Schema.migrations(for: .sqlite).count
        #expect(status.stdout.contains(#""schema_version" : \#(version)"#), "\(status.stdout)")
        #expect(status.stdout.contains(#""location" : "data/yt-builder.db""#))
    }

    @Test func theEnvironmentChoosesTheDatabase() async throws {
        var cli = self.cli
        cli.environment["YT_BUILDER_DB_PATH"] = cli.path("elsewhere/history.db")
        #expect(try await cli.run("db", "migrate").status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.path("elsewhere/history.db")))
        #expect(!FileManager.default.fileExists(atPath: cli.path("data/yt-builder.db")))
        cli.environment["YT_BUILDER_DATABASE_URL"] = "postgresql://user:secret@127.0.0.1:1/yt"
        let postgres = try await cli.run("db", "status")
        #expect(postgres.status != 0, "the URL wins over the path, and nothing listens on port 1")
        #expect(postgres.stderr.contains("postgresql://user:***@127.0.0.1:1/yt"), "\(postgres.stderr)")
        #expect(!postgres.stderr.contains("secret"), "a password never reaches the output")
    }

    @Test func aLegacyFileIsUpgradedChecksCleanAndAnswersTheREADMEQueries() async throws {
        let database = cli.path("data/yt-builder.db")
        try FileManager.default.createDirectory(atPath: cli.path("data"), withIntermediateDirectories: true)
        try LegacyFixture.write(to: database)

        let before = try await cli.run("db", "status")
        #expect(before.status == 0)
        #expect(before.stdout.contains("the earlier service's"), "\(before.stdout)")

        let migrate = try await cli.run("db", "migrate", "--legacy-timezone", LegacyFixture.timeZone)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains("Backed up the database before upgrading it"))
        #expect(migrate.stdout.contains("job_files            7       5     2"), "\(migrate.stdout)")
        #expect(migrate.stdout.contains("youtube_uploads      2       1     1"))
        #expect(migrate.stdout.contains("moved to the quarantined_* tables"))

        let check = try await cli.run("db", "check")
        #expect(check.status == 0, "\(check.stderr)")
        #expect(try await cli.run("db", "migrate").stdout.contains("up to date"))

        // The sqlite3 recipes of README.Database.md.
        #expect(try sqlite3(database, ".tables").contains("youtube_uploads"))
        #expect(try sqlite3(database, ".schema jobs").contains("created_at"))
        #expect(
            try sqlite3(database, "SELECT job_id, status, created_at FROM jobs ORDER BY created_at DESC LIMIT 10;")
                == """
                3|preparing|2025-11-02T05:30:00.000000Z
                2|failed|2025-07-04T13:00:00.000000Z
                6|cancelled|2025-03-12T12:00:00.000000Z
                5|queued|2025-03-10T16:00:00.000000Z
                1|completed|2025-01-10T15:00:00.123456Z

                """)
        #expect(try sqlite3(database, "SELECT COUNT(*) FROM jobs WHERE status = 'completed';") == "1\n")
        #expect(
            try sqlite3(database, "SELECT file_type, COUNT(*) FROM job_files GROUP BY file_type;")
                == "music|1\nquotes|1\nsounds|1\nvideos|2\n")
        #expect(
            try sqlite3(
                database,
                "SELECT COUNT(*) as uploads, privacy, COUNT(DISTINCT job_id) as unique_jobs FROM youtube_uploads GROUP BY privacy;"
            ) == "1|private|1\n")
        #expect(try sqlite3(database, "PRAGMA integrity_check;") == "ok\n")
        let recovered = cli.path("recovered.db")
        // README.Database.md's `.recover` needs a sqlite3 built with the dbpage table, which
        // Debian 12's is not; `.dump` is the recipe README.md gives for it.
        _ = try sqlite3(recovered, nil, input: try sqlite3(database, ".dump"))
        #expect(try sqlite3(recovered, "SELECT COUNT(*) FROM jobs;") == "5\n")

        let shown = try await cli.run("jobs", "show", "1", "--json")
        #expect(shown.status == 0)
        #expect(shown.stdout.contains(#""custom_key" : "kept""#))
        #expect(shown.stdout.contains(#""music" : 1"#))
    }

    @Test func aDamagedFileFailsTheCheck() async throws {
        let database = cli.path("broken.db")
        #expect(try await cli.run("db", "migrate", "--database", database).status == 0)
        _ = try await cli.run("db", "backup", cli.path("ignored.db"), "--database", database)
        try LegacyFixture.execute(
            "PRAGMA foreign_keys = OFF; INSERT INTO job_files VALUES (99, 12345, 'videos', 'x', 'y', 'z');",
            on: database)
        let check = try await cli.run("db", "check", "--database", database)
        #expect(check.status != 0)
        #expect(check.stderr.contains("refers to a missing row of jobs"), "\(check.stderr)")
    }

    @Test(arguments: [
        (["db", "status", "--database", "/etc/hostname"], "not a readable SQLite database"),
        (["db", "check", "--database", "missing/nothing.db"], "no database at"),
        (["jobs", "show", "404"], "there is no job 404"),
        (["jobs", "list", "--limit", "0"], "limit must be between 1 and 1000"),
        (["jobs", "list", "--status", "done"], "unknown status 'done'"),
        (["jobs", "list", "--after", "garbage"], "not a cursor"),
        (["db", "migrate", "--legacy-timezone", "Mars/Olympus_Mons"], "unknown time zone"),
        (["cleanup", "--days=-1"], "--days must be 0 or more"),
        (["bench", "storage", "--concurrency", "0"], "--concurrency must be 1 to 1024"),
        (["jobs", "show", "abc"], "abc"),
        (["worker", "--pieces-at-once", "17"], "--pieces-at-once must be 0 to 16"),
        (["bench", "render", "--job", "longest"], "--job must be default, loop, loop-quotes or all"),
    ])
    func badInputGetsAClearErrorAndANonZeroExit(arguments: [String], message: String) async throws {
        let result = try await cli.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "no crash")
    }

    @Test func backupRefusesToOverwrite() async throws {
        #expect(try await cli.run("db", "migrate").status == 0)
        #expect(try await cli.run("db", "backup", cli.path("copy.db")).status == 0)
        let again = try await cli.run("db", "backup", cli.path("copy.db"))
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
    }
}
