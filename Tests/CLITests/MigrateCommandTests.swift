import Foundation
import LegacyFixtures
import TestPostgres
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.timeLimit(.minutes(5))) struct MigrateCommandTests {
    let cli = CommandRunner()

    @Test func killedMidwayItLeavesNothingAndARerunFinishes() async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        let source = cli.path("big.db")
        try LegacyFixture.writeLarge(to: source, jobs: 40_000)
        #expect(
            try await cli.run("db", "migrate", "--database", url).status == 0, "the schema, so the copy can be watched")

        // Paused (by a test switch) inside its first COPY, after a chunk went to
        // the server, and killed there without warning. (Watching the server's
        // activity for a COPY missed short ones on a busy machine.)
        let (process, paused) = try await startPaused(at: "copying", source: source, url: url)
        let copying = try server.query(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '\(database)' AND query LIKE 'COPY%' AND state = 'active'",
            database: "postgres")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(paused, "it never reached a COPY")
        #expect((Int(copying.first ?? "") ?? 0) >= 1, "a COPY was open on the server when the kill came: \(copying)")
        try await Self.expectTheTargetAsItWas(server, database, after: "the kill")

        let rerun = try await cli.run("migrate", "--from", source, "--to", url, "--legacy-timezone", "UTC", "--json")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try server.query("SELECT COUNT(*) FROM jobs", database: database) == ["39200"])
        #expect(try server.query("SELECT COUNT(*) FROM quarantined_job_files", database: database) == ["3200"])
        let third = try await cli.run("migrate", "--from", source, "--to", url, "--legacy-timezone", "UTC")
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains("Already migrated"), "\(third.stdout)")
    }

    /// `migrate` in a process of its own, paused (by a test switch) when it reaches `phase`.
    func startPaused(at phase: String, source: String, url: String, _ extra: String...) async throws -> (
        Process, reached: Bool
    ) {
        let log = cli.path("migrate-\(phase)-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = try CommandRunner.binary
        process.arguments = ["migrate", "--from", source, "--to", url, "--legacy-timezone", "UTC"] + extra
        process.environment = ProcessInfo.processInfo.environment.merging(["YT_BUILDER_TEST_MIGRATE_PAUSE": phase]) {
            $1
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        for _ in 0..<1200 where process.isRunning {
            if (try? String(contentsOfFile: log, encoding: .utf8))?.contains("paused: \(phase)") == true {
                return (process, true)
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        return (process, false)
    }

    /// Two runs into one database at once: the second is told, in a
    /// sentence, that the first is copying; it touches nothing.
    @Test func aSecondRunWhileOneCopiesIsToldSo() async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        let source = cli.path("race.db")
        try LegacyFixture.writeLarge(to: source, jobs: 300)
        let (first, paused) = try await startPaused(at: "loading", source: source, url: url)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        #expect(paused)
        let second = try await cli.run("migrate", "--from", source, "--to", url, "--legacy-timezone", "UTC")
        #expect(second.status != 0)
        #expect(
            second.stderr.contains("another 'yt-builder migrate' is copying into this database"), "\(second.stderr)")
        #expect(!second.stderr.contains("pg_namespace") && !second.stderr.contains("duplicate key"))
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let rerun = try await cli.run("migrate", "--from", source, "--to", url, "--legacy-timezone", "UTC")
        #expect(rerun.status == 0, "the lock went with the killed run: \(rerun.stderr)")
        #expect(try server.query("SELECT COUNT(*) FROM jobs", database: database) != ["0"])
    }

    /// Killed at each phase (paused there by a test switch, so the kill lands
    /// inside it), the target's history is as it was, and a rerun finishes.
    @Test(arguments: ["reading", "loading", "verifying", "swapping"])
    func killedInAnyPhaseTheTargetIsAsItWas(phase: String) async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        let source = cli.path("phases.db")
        try LegacyFixture.writeLarge(to: source, jobs: 3_000)
        let (process, paused) = try await startPaused(at: phase, source: source, url: url)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(paused, "it never reached \(phase)")
        try await Self.expectTheTargetAsItWas(server, database, after: "a kill while \(phase)")

        let rerun = try await cli.run("migrate", "--from", source, "--to", url, "--legacy-timezone", "UTC", "--json")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        for step in ["reading", "loading", "verifying", "swapping"] {
            #expect(rerun.stderr.contains("{\"phase\":\"\(step)\""), "--json reports each phase: \(rerun.stderr)")
        }
        #expect(try server.query("SELECT COUNT(*) FROM jobs", database: database) == ["2940"])
        #expect(try server.query("SELECT COUNT(*) FROM job_files", database: database) == ["11760"])
        #expect(
            try server.query(
                "SELECT COUNT(*) FROM pg_namespace WHERE nspname LIKE 'yt_builder_migrate%'", database: database) == [
                    "0"
                ], "the staging schema a kill left is gone")
        #expect(
            try server.query(
                "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'tasks'::regclass AND confrelid = 'jobs'::regclass",
                database: database) == ["1"], "tasks point at the new jobs table")
        #expect(
            try server.query(
                "SELECT COUNT(*) FROM pg_class WHERE relname = 'job_files' AND reloptions IS NOT NULL",
                database: database)
                == ["0"], "autovacuum is on again for the swapped-in tables")
    }

    /// Once the server has ended the killed client's backend (and its
    /// transaction), the live history is empty and keeps its keys.
    static func expectTheTargetAsItWas(_ server: TestPostgres, _ database: String, after: String) async throws {
        try await waitForTheDeadClientsBackends(server, database)
        for table in ["jobs", "job_files", "youtube_uploads", "quarantined_job_files", "quarantined_json"] {
            #expect(
                try server.query("SELECT COUNT(*) FROM \(table)", database: database) == ["0"],
                "\(table) after \(after)")
        }
        #expect(
            try server.query(
                "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'job_files'::regclass AND contype IN ('f', 'p', 'u')",
                database: database) == ["3"], "the live tables keep their keys")
    }

    /// The server ends a killed client's backend when it notices; wait for that.
    static func waitForTheDeadClientsBackends(_ server: TestPostgres, _ database: String) async throws {
        for _ in 0..<200 {
            let open = try server.query(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()",
                database: database)
            if open == ["0"] { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `--append` into a database in use: killed inside its transaction, the
    /// target is as it was; run again, it appends and prints the id map; a
    /// third time, it says so and copies nothing.
    @Test func anAppendKilledWhileAppendingLeavesTheTargetAsItWas() async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        let source = cli.path("legacy.db")
        try LegacyFixture.write(to: source)
        #expect(try await cli.run("db", "migrate", "--database", url).status == 0)
        try server.execute(
            "INSERT INTO jobs (run_id, run_dir, status, created_at) VALUES ('mine', '/srv/runs/mine', 'completed', now())",
            database: database)
        let plain = try await cli.run("migrate", "--from", source, "--to", url, "--legacy-timezone", "UTC")
        #expect(plain.status != 0 && plain.stderr.contains("--append"), "\(plain.stderr)")

        let (process, paused) = try await startPaused(at: "appending", source: source, url: url, "--append")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(paused, "it never reached appending")
        try await Self.waitForTheDeadClientsBackends(server, database)
        #expect(try server.query("SELECT string_agg(run_id, ',') FROM jobs", database: database) == ["mine"])
        #expect(try server.query("SELECT count(*) FROM migrate_append_ids", database: database) == ["0"])

        let append = try await cli.run("migrate", "--from", source, "--to", url, "--legacy-timezone", "UTC", "--append")
        #expect(append.status == 0, "\(append.stderr)")
        #expect(append.stdout.contains("Appended as append #1: jobs 1–3 → "), "\(append.stdout)")
        #expect(append.stdout.contains("migrate_append_ids WHERE append_id = 1"), "\(append.stdout)")
        #expect(try server.query("SELECT count(*) FROM jobs", database: database) == ["6"])
        #expect(
            try server.query(
                "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'yt_builder_migrate%'", database: database)
                == ["0"])
        let again = try await cli.run(
            "migrate", "--from", source, "--to", url, "--legacy-timezone", "UTC", "--append", "--json")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("\"already_appended\" : true"), "\(again.stdout)")
        #expect(try server.query("SELECT count(*) FROM jobs", database: database) == ["6"])
    }

    @Test func aLegacyFileMigratesAndPrintsItsTable() async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        let source = cli.path("legacy.db")
        try LegacyFixture.write(to: source)
        let dry = try await cli.run(
            "migrate", "--from", source, "--to", url, "--dry-run", "--legacy-timezone", LegacyFixture.timeZone)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("Dry run: nothing was written"))
        #expect(try server.query("SELECT to_regclass('jobs') IS NULL", database: database) == ["t"])
        var cli = self.cli
        cli.environment["YT_BUILDER_DATABASE_URL"] = url
        let result = try await cli.run("migrate", "--from", source, "--legacy-timezone", LegacyFixture.timeZone)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("job_files                    7       5       2"), "\(result.stdout)")
        #expect(result.stdout.contains("Copied and verified"))
        for phase in ["loading", "verifying", "swapping"] {
            #expect(
                result.stderr.contains("\(phase): "), "a line per phase when stderr is not a terminal: \(result.stderr)"
            )
        }
        #expect(!result.stdout.contains(server.password))

        // The earlier service's plain-text token arrives sealed, and a rerun still recognises the copy.
        let stored = try server.query("SELECT credentials_json FROM youtube_credentials", database: database)
        #expect(
            stored.count == 1 && stored.allSatisfy { $0.hasPrefix("ytb1:") && !$0.contains("legacy-token") },
            "\(stored)")
        #expect(result.stderr.contains("Sealed 1 plain-text YouTube credentials"), "\(result.stderr)")
        let again = try await cli.run("migrate", "--from", source, "--legacy-timezone", LegacyFixture.timeZone)
        #expect(again.status == 0, "\(again.stderr) \(again.stdout)")
        #expect(again.stdout.contains("Already migrated"), "\(again.stdout)")
    }

    /// SQLite keeps `\u0000` in a config; PostgreSQL's jsonb cannot. The dry
    /// run and the real run agree: the value is quarantined, the job named.
    @Test func aConfigHoldingNULIsQuarantinedInTheDryRunAndTheRealRunAlike() async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        let source = cli.path("nul.db")
        try LegacyFixture.write(to: source)
        let id = try #require(try LegacyFixture.query("SELECT MIN(job_id) FROM jobs", on: source).first)
        try LegacyFixture.execute(#"UPDATE jobs SET config = '{"note": "a\u0000b"}' WHERE job_id = "# + id, on: source)
        let arguments = ["migrate", "--from", source, "--to", url, "--legacy-timezone", LegacyFixture.timeZone]
        let dry = try await cli.run(arguments + ["--dry-run"])
        let real = try await cli.run(arguments)
        #expect(dry.status == 0 && real.status == 0, "\(dry.stderr) \(real.stderr)")
        for result in [dry, real] {
            #expect(result.stdout.contains("jobs row \(id), config: config.note holds \\u0000"), "\(result.stdout)")
        }
        #expect(try server.query("SELECT config IS NULL FROM jobs WHERE job_id = \(id)", database: database) == ["t"])
        #expect(
            try server.query(
                "SELECT value FROM quarantined_json WHERE row_key = '\(id)'", database: database)
                == [#"{"note": "a\u0000b"}"#], "kept verbatim")
    }

    /// A raw NUL byte in a text column (SQLite keeps it; PostgreSQL's text
    /// cannot): both runs quarantine the value with the row named, and the
    /// real run copies the row with the text less its NUL.
    @Test func aTextHoldingARawNULIsQuarantinedInTheDryRunAndTheRealRunAlike() async throws {
        let server = try TestPostgres.shared()
        let (url, database) = try server.freshDatabaseNamed()
        let source = cli.path("nul-text.db")
        try LegacyFixture.write(to: source)
        let id = try #require(try LegacyFixture.query("SELECT MIN(job_id) FROM jobs", on: source).first)
        try LegacyFixture.execute("UPDATE jobs SET error = 'a' || char(0) || 'b' WHERE job_id = " + id, on: source)
        let arguments = ["migrate", "--from", source, "--to", url, "--legacy-timezone", LegacyFixture.timeZone]
        let dry = try await cli.run(arguments + ["--dry-run"])
        let real = try await cli.run(arguments)
        #expect(dry.status == 0 && real.status == 0, "\(dry.stderr) \(real.stderr)")
        for result in [dry, real] {
            #expect(result.stdout.contains("jobs row \(id), error: holds the NUL character"), "\(result.stdout)")
        }
        #expect(try server.query("SELECT error FROM jobs WHERE job_id = \(id)", database: database) == ["ab"])
        #expect(
            try server.query(
                "SELECT value FROM quarantined_json WHERE row_key = '\(id)' AND column_name = 'error'",
                database: database) == [#"a\u0000b"#], "kept, each NUL written out")
        let again = try await cli.run(arguments)
        #expect(again.stdout.contains("Already migrated"), "a rerun verifies: \(again.stdout) \(again.stderr)")
    }

    /// A source in WAL mode on a read-only mount is read without a -wal or -shm beside it.
    @Test(.enabled(if: geteuid() == 0, "mounts a read-only file system")) func aReadOnlySourceMigrates() async throws {
        let server = try TestPostgres.shared()
        let url = try server.freshDatabase()
        let mount = cli.path("readonly")
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", mount])
        defer { _ = try? runTool("/bin/umount", [mount]) }
        let source = mount + "/history.db"
        try LegacyFixture.write(to: source)
        _ = try sqlite3(source, "PRAGMA journal_mode = WAL")
        try runTool("/bin/mount", ["-o", "remount,ro", mount])
        let result = try await cli.run(
            "migrate", "--from", source, "--to", url, "--legacy-timezone", LegacyFixture.timeZone)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Copied and verified"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: mount) == ["history.db"], "nothing made beside it")
    }

    @Test(arguments: [
        ("missing", "there is no SQLite file"),
        ("not-sqlite", "not a readable SQLite database"),
        ("corrupt", "damaged"),
        ("newer", "newer version"),
        ("zone", "unknown time zone"),
        ("password", "password authentication failed"),
        ("unreachable", "not reachable"),
        ("not-postgres", "must be a PostgreSQL URL"),
    ])
    func badInputIsOneClearErrorAndTheTargetIsUntouched(case name: String, message: String) async throws {
        let server = try TestPostgres.shared()
        var (url, database) = try server.freshDatabaseNamed()
        var source = cli.path("source.db")
        var extra: [String] = []
        switch name {
        case "missing": source = cli.path("nothing-here.db")
        case "not-sqlite": try Data("hello\n".utf8).write(to: URL(fileURLWithPath: source))
        case "corrupt":
            try LegacyFixture.write(to: source)
            var data = try Data(contentsOf: URL(fileURLWithPath: source))
            data.replaceSubrange(2 * 4096..<3 * 4096, with: Data(repeating: 0xA5, count: 4096))
            try data.write(to: URL(fileURLWithPath: source))
        case "newer":
            try LegacyFixture.write(to: source)
            #expect(try await cli.run("db", "migrate", "--database", source).status == 0)
            try LegacyFixture.execute("INSERT INTO schema_migrations VALUES ('042_future', 42, 'x')", on: source)
        case "zone":
            try LegacyFixture.write(to: source)
            extra = ["--legacy-timezone", "Atlantis/Capital"]
        case "password":
            try LegacyFixture.write(to: source)
            url = server.url(database: database, password: "bad-secret-9")
        case "unreachable":
            try LegacyFixture.write(to: source)
            url = "postgresql://u:p@127.0.0.1:\(try TestPostgres.freePort())/x"
        default:
            try LegacyFixture.write(to: source)
            url = cli.path("target.db")
        }
        let result = try await cli.run(["migrate", "--from", source, "--to", url] + extra)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("bad-secret-9"))
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(lines.count == 1, "one error line: \(result.stderr)")
        #expect(try server.query("SELECT to_regclass('jobs') IS NULL", database: database) == ["t"], "target untouched")
    }
}
