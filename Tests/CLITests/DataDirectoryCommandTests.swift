import Foundation
import LegacyFixtures
import SQLiteStorage
import StorageCore
import Testing

/// Which database and folders a command uses when it is told only some of them.
@Suite struct DataDirectoryCommandTests {
    let cli = CommandRunner()

    @Test func theDatabaseLivesInTheNamedDataDirectory() async throws {
        #expect(try await cli.run("db", "migrate", "--data-dir", cli.path("srv/yt")).status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.path("srv/yt/yt-builder.db")))
        #expect(!FileManager.default.fileExists(atPath: cli.path("data/yt-builder.db")))

        var fromEnvironment = cli
        fromEnvironment.environment["YT_BUILDER_DATA_DIR"] = cli.path("other")
        #expect(try await fromEnvironment.run("db", "migrate").status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.path("other/yt-builder.db")))

        #expect(try await cli.run("db", "migrate").status == 0, "with neither, the earlier ./data/yt-builder.db")
        #expect(FileManager.default.fileExists(atPath: cli.path("data/yt-builder.db")))
        let help = try await cli.run("serve", "--help")
        #expect(help.stdout.contains("YT_BUILDER_DATA_DIR"), "\(help.stdout)")
    }

    @Test func aHistoryAtTheOldPlaceIsNamedNotLost() async throws {
        #expect(try await cli.run("db", "migrate").status == 0)
        let result = try await cli.run("jobs", "list", "--data-dir", cli.path("srv"))
        #expect(result.status != 0)
        #expect(result.stderr.contains(cli.path("data/yt-builder.db")), "\(result.stderr)")
        #expect(result.stderr.contains("--database"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("srv/yt-builder.db")), "nothing new was created")
        let named = try await cli.run(
            "jobs", "list", "--data-dir", cli.path("srv"), "--database", cli.path("data/yt-builder.db"))
        #expect(named.status == 0, "\(named.stderr)")
    }

    @Test func aFolderAsDatabaseOrAFileAsDataDirectoryIsASentence() async throws {
        try FileManager.default.createDirectory(atPath: cli.path("folder"), withIntermediateDirectories: true)
        let folder = try await cli.run("db", "migrate", "--database", cli.path("folder"))
        #expect(folder.status != 0)
        #expect(folder.stderr.contains("is a folder, not a database file"), "\(folder.stderr)")

        _ = FileManager.default.createFile(atPath: cli.path("plain"), contents: Data("x".utf8))
        for arguments in [
            ["db", "migrate", "--data-dir", cli.path("plain")], ["serve", "--data-dir", cli.path("plain")],
        ] {
            let result = try await cli.run(arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains("is a file, not a folder"), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("NSCocoaErrorDomain") && !result.stderr.contains("Fatal"))
        }
    }

    @Test(arguments: [
        ["db", "check"], ["db", "backup", "out.dump"], ["db", "status"], ["bench", "storage", "--jobs", "1"],
        ["jobs", "list"],
    ])
    func aPasswordIsNeverPrinted(command: [String]) async throws {
        for location in [
            "postgresql://someone:hunter2secret@127.0.0.1:1/yt",
            "postgresql://127.0.0.1:1/yt?user=someone&password=hunter2secret",
            "host=127.0.0.1 port=1 user=someone password=hunter2secret dbname=yt",
            "host=127.0.0.1 port=1 user=someone password='hunter2secret quoted' dbname=yt",
        ] {
            let result = try await cli.run(command + ["--database", location])
            #expect(result.status != 0, "nothing listens on port 1")
            #expect(
                !(result.stdout + result.stderr).contains("hunter2secret"), "\(command) \(location): \(result.stderr)")
            #expect(result.stderr.contains("127.0.0.1"), "the message still says which server: \(result.stderr)")
        }
    }

    /// A relative `run_dir` means the data directory, never the folder the process happens to run in.
    @Test func cleanupResolvesRelativeRowsAgainstTheDataDirectory() async throws {
        let data = cli.path("elsewhere/data")
        var options = SQLiteStorage.Options()
        let past = Timestamp.now().adding(seconds: -40 * 86_400)
        options.clock = { past }
        let storage = try await SQLiteStorage.open(path: data + "/yt-builder.db", options: options)
        let job = try await storage.createJob(NewJob(config: nil, runsDirectory: "runs", status: .queued))
        _ = try await storage.updateJob(job.jobID, JobUpdate(status: .cancelled))
        await storage.close()
        #expect(job.runDirectory == "runs/\(job.runID)")
        for root in [data, cli.folder.path] {
            try FileManager.default.createDirectory(
                atPath: root + "/" + job.runDirectory + "/videos", withIntermediateDirectories: true)
        }
        let result = try await cli.run("cleanup", "--days", "30", "--data-dir", data)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data + "/" + job.runDirectory), "removed in the data directory")
        #expect(FileManager.default.fileExists(atPath: cli.path(job.runDirectory)), "the working directory's stays")
    }
}

/// `db migrate` on a file of the earlier service: its plain-text OAuth tokens.
@Suite struct PlainCredentialsCommandTests {
    let cli = CommandRunner()

    @Test func dbMigrateSealsThemWhenAKeyIsThereAndSaysWhoWillWhenNot() async throws {
        try FileManager.default.createDirectory(atPath: cli.path("data"), withIntermediateDirectories: true)
        try LegacyFixture.write(to: cli.path("data/yt-builder.db"))
        let unsealed = try await cli.run("db", "migrate", "--legacy-timezone", LegacyFixture.timeZone)
        #expect(unsealed.status == 0, "\(unsealed.stderr)")
        #expect(
            unsealed.stdout.contains("still plain text") && unsealed.stdout.contains("yt-builder serve"),
            "\(unsealed.stdout)")
        #expect(!FileManager.default.fileExists(atPath: cli.path("data/secret.key")), "no key is made by db migrate")
        #expect(unsealed.stdout.contains("mode 0600"), "\(unsealed.stdout)")
        let names = try FileManager.default.contentsOfDirectory(atPath: cli.path("data"))
        let backup = try #require(names.first { $0.contains(".pre-upgrade-") }, "a pre-upgrade backup: \(names)")
        let mode =
            try FileManager.default.attributesOfItem(atPath: cli.path("data/" + backup))[.posixPermissions] as? Int
        #expect(mode == 0o600, "the backup holds the plain tokens")

        var keyed = cli
        keyed.environment["YT_BUILDER_SECRET_KEY"] = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let sealed = try await keyed.run("db", "migrate")
        #expect(sealed.status == 0, "\(sealed.stderr)")
        #expect(sealed.stdout.contains("Sealed 1 plain-text YouTube credentials"), "\(sealed.stdout)")
        let stored = try LegacyFixture.query(
            "SELECT credentials_json FROM youtube_credentials", on: cli.path("data/yt-builder.db"))
        #expect(stored.count == 1 && stored[0].hasPrefix("ytb1:") && !stored[0].contains("legacy-token"), "\(stored)")
        let again = try await keyed.run("db", "migrate")
        #expect(!again.stdout.contains("Sealed"), "nothing left to seal: \(again.stdout)")
    }
}
