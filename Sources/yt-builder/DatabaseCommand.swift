import ArgumentParser
import Foundation
import StorageCore

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Inspect, upgrade, check and back up the database.",
        subcommands: [Status.self, Migrate.self, Check.self, Backup.self]
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

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Apply pending schema migrations; upgrades a file of the earlier service in place after backing it up.")

        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let report = try await database.withStorage(migrate: false, create: true) { try await $0.migrate() }
            if json { return try Console.printJSON(report) }
            print(MigrationReportText(report: report).text)
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check integrity, foreign keys and schema version; exits non-zero on any problem.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let problems = try await database.withStorage(migrate: false) { try await $0.check() }
            guard problems.isEmpty else {
                Console.error("\(database.location): \(problems.count) problem(s):")
                for problem in problems { Console.error("  \(problem)") }
                throw ExitCode.failure
            }
            print("\(database.location): ok")
        }
    }

    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent copy of the database while it stays in use.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Where to write the copy; must not exist yet.") var destination: String

        func run() async throws {
            try await database.withStorage(migrate: false) { try await $0.backup(to: destination) }
            print("Backed up \(database.location) to \(destination)")
        }
    }
}
