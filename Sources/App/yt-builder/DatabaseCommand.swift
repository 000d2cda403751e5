import ArgumentParser
import Foundation
import StorageCore
import YouTube

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Inspect, upgrade, check and back up the database.",
        subcommands: [Status.self, Migrate.self, Check.self, Backup.self, Deployment.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Backend, location, schema version, pending migrations and row counts. Changes nothing.")

        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let status = try await database.withStorage(migrate: false) { try await $0.status() }
            if json { return try Console.printJSON(status) }
            print("backend:   \(status.backend)")
            print("location:  \(status.location)")
            print(
                "schema:    \(status.schemaVersion.map { "version \($0)" } ?? "the earlier service's (not yet upgraded)")"
            )
            print(
                "pending:   \(status.pendingMigrations.isEmpty ? "none" : status.pendingMigrations.joined(separator: ", "))"
            )
            print(Console.table(["table", "rows"], status.rowCounts.map { [$0.table, "\($0.rows)"] }))
        }
    }

    struct Deployment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What every host must agree on, as the database recorded it: where jobs' files live, and "
                + "the fingerprint of the key that seals credentials.",
            discussion: """
                A host started with another --files or another secret key refuses to start. --forget clears a \
                record, for an operator who moved the files back into the data directories (files) or whose \
                key is lost for good (secret-key: its sealed credentials are lost with it); the next host to \
                start records its own.
                """)

        enum Setting: String, ExpressibleByArgument, CaseIterable {
            case files
            case secretKey = "secret-key"
            var stored: DeploymentSetting { self == .files ? .files : .secretKeyFingerprint }
        }

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Forget this record (files, secret-key).") var forget: Setting?

        func run() async throws {
            try await database.withStorage { storage in
                if let forget {
                    try await storage.forgetDeploymentValue(forget.stored)
                    print("Forgot the recorded \(forget.rawValue); the next host to start records its own.")
                    return
                }
                for setting in Setting.allCases {
                    let value = try await storage.deploymentValue(setting.stored)
                    print(
                        "\(setting.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))\(value ?? "(not recorded)")"
                    )
                }
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Apply pending schema migrations; upgrades a file of the earlier service in place after backing it up.")

        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (report, sealing) = try await database.withStorage(migrate: false, create: true) { storage in
                let report = try await storage.migrate()
                return (report, try await PlainCredentials.seal(in: storage, dataDirectory: database.dataDir))
            }
            if json { return try Console.printJSON(report) }
            print(MigrationReportText(report: report).text)
            if let sealing { print(sealing) }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check integrity, foreign keys and schema version; exits non-zero on any problem.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let problems = try await database.withStorage(migrate: false) { try await $0.check() }
            guard problems.isEmpty else {
                Console.error("\(Redacted.location(database.location)): \(problems.count) problem(s):")
                for problem in problems { Console.error("  \(problem)") }
                throw ExitCode.failure
            }
            print("\(Redacted.location(database.location)): ok")
        }
    }

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent copy of the database while it stays in use.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Where to write the copy; must not exist yet.") var destination: String

        func run() async throws {
            try await database.withStorage(migrate: false) { try await $0.backup(to: destination) }
            print("Backed up \(Redacted.location(database.location)) to \(destination)")
        }
    }
}

/// The earlier service kept YouTube tokens as plain JSON. `db migrate` seals
/// them when a key is at hand (YT_BUILDER_SECRET_KEY, or an existing
/// secret.key; it makes none), and otherwise says who will.
enum PlainCredentials {
    /// What to tell the user; nil when there was nothing plain.
    static func seal(in storage: any Storage, dataDirectory: String) async throws -> String? {
        let plain = try await storage.allCredentials().filter { !SecretBox.isSealed($0.text) }.count
        guard plain > 0 else { return nil }
        let environment = ProcessInfo.processInfo.environment
        let keyFile = dataDirectory + "/" + SecretBox.keyFileName
        guard
            environment["YT_BUILDER_SECRET_KEY"].map({ !$0.isEmpty }) == true
                || FileManager.default.fileExists(atPath: keyFile)
        else {
            return """
                \(plain) YouTube credentials row(s) are still plain text: no key is set (YT_BUILDER_SECRET_KEY) and \
                there is no \(keyFile). `yt-builder serve` seals them when it starts (making that key file), or set \
                the key and run `yt-builder db migrate` again.
                """
        }
        let box = try SecretBox.load(dataDirectory: dataDirectory)
        let sealed = try await YouTubeAccount(
            storage: storage, box: box, configuration: .failure(.init(description: ""))
        )
        .sealPlainCredentials()
        return "Sealed \(sealed) plain-text YouTube credentials row(s) with the key."
    }
}
