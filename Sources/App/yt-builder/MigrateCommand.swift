import ArgumentParser
import Foundation
import PostgresStorage
import SQLiteStorage
import StorageCore
import YouTube

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract:
            "Copy a SQLite history (this service's or the earlier one's) into PostgreSQL, verified, in one transaction.",
        discussion: """
            The source is never changed. Run it again after a success and it finds the same history there, \
            verifies it and copies nothing. Killed midway, it leaves nothing behind; run it again.
            """)

    @Option(help: "The SQLite file to copy.") var from: String
    @Option(help: "Holds secret.key, which seals the earlier service's plain-text YouTube credentials.")
    var dataDir = "data"
    @Option(help: "The PostgreSQL URL to copy into (default: env YT_BUILDER_DATABASE_URL).") var to: String?
    @Option(
        help:
            "The zone the earlier service's naive timestamps were written in (default: env YT_BUILDER_LEGACY_TZ, else this machine's)."
    )
    var legacyTimezone: String?
    @Flag(help: "Read and check everything; write nothing to the target.") var dryRun = false
    @Flag(help: "Print a JSON summary on stdout.") var json = false

    var target: String? {
        [to, ProcessInfo.processInfo.environment["YT_BUILDER_DATABASE_URL"]].compactMap { $0 }.first { !$0.isEmpty }
    }

    func validate() throws {
        _ = try DatabaseOptions.legacyTimeZone(named: legacyTimezone)
        guard let target else {
            throw ValidationError("name the PostgreSQL target with --to or YT_BUILDER_DATABASE_URL")
        }
        guard DatabaseOptions.isPostgres(target) else {
            throw ValidationError("--to must be a PostgreSQL URL (postgresql://…), not '\(Redacted.location(target))'")
        }
    }

    func run() async throws {
        let zone = try DatabaseOptions.legacyTimeZone(named: legacyTimezone)
        Console.error("Reading \(from)…")
        var history = try await SQLiteStorage.exportHistory(from: from, legacyTimeZone: zone)
        let plain = history.plainCredentialRows
        if plain > 0 {
            // The earlier service kept OAuth tokens in plain text; they arrive sealed.
            try history.sealPlainCredentials(with: try SecretBox.load(dataDirectory: dataDir))
            Console.error(
                "Sealed \(plain) plain-text YouTube credentials row(s) with the key in \(dataDir)/ (or YT_BUILDER_SECRET_KEY)."
            )
        }
        let rows = history.tables.reduce(0) { $0 + $1.rows.count }
        Console.error("Read \(rows) rows. \(dryRun ? "Checking" : "Copying into") the target…")
        var options = PostgresStorage.Options()
        options.migrate = !dryRun
        options.poolSize = 1
        let target = try await PostgresStorage.open(url: target!, options: options)
        let report: HistoryTransferReport
        let display = ProgressDisplay()
        do {
            report = try await target.importHistory(history, dryRun: dryRun) { display.update($0) }
        } catch {
            display.finish()
            await target.close()
            throw error
        }
        display.finish()
        await target.close()
        if json { return try Console.printJSON(report) }
        print(
            Console.table(
                ["table", "source", "copied", "quarantined", "checksum"],
                report.tables.map { ["\($0.table)", "\($0.source)", "\($0.copied)", "\($0.quarantined)", $0.checksum] })
        )
        for value in report.quarantinedValues { print("Quarantined (kept verbatim in quarantined_json): \(value)") }
        if report.alreadyMigrated {
            print("Already migrated: \(target.location) holds this very history (verified); nothing was copied.")
        } else if dryRun {
            print("Dry run: nothing was written to \(target.location).")
        } else {
            let rate = report.seconds > 0 ? Double(rows) / report.seconds : 0
            print(
                String(
                    format: "Copied and verified %d rows into %@ in %.2f s (%.0f rows/s).", rows, target.location,
                    report.seconds, rate))
        }
    }
}
