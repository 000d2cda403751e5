import ArgumentParser
import Foundation
import HistoryMigration
import ObjectStorage
import PostgresStorage
import RunFiles
import SQLiteStorage
import StorageCore
import Synchronization
import YouTube

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract:
            "Copy a SQLite history (this service's or the earlier one's) into PostgreSQL, verified, put in place in one transaction; or, with --files-to, a data directory's job files into object storage.",
        discussion: """
            The source is never changed. Run it again after a success and it finds the same history there, \
            verifies it and copies nothing. Killed midway, it leaves the target as it was (a staging schema it left is dropped by the next run); run it again.

            A target that already holds a history is refused, unless --append: then the history is added to it, \
            in one transaction, while the service runs. Its jobs, files and uploads get new ids after the target's; \
            the map of job ids is printed and kept in the table migrate_append_ids. Rows keep naming their files \
            where they are. Run again, it says the history was already appended and copies nothing.

            With --files-to s3://BUCKET/PREFIX it copies the files of every job of the history named by \
            --database (default: env YT_BUILDER_DATABASE_URL, else YT_BUILDER_DB_PATH, else <data-dir>/yt-builder.db) \
            from --data-dir into the bucket, checks each object's size, then rewrites that job's rows to name the store. \
            Local files are never removed; a rerun copies nothing twice.
            """)

    @Option(help: "The SQLite file to copy.") var from: String?
    @Option(
        help: ArgumentHelp(
            "Copy the data directory's job files into this bucket instead (see --files of serve and worker).",
            valueName: "s3-url"))
    var filesTo: String?
    @Option(help: "With --files-to: the history whose files move (a SQLite path or PostgreSQL URL).")
    var database: String?
    @Option(help: "Holds secret.key, which seals the earlier service's plain-text YouTube credentials.")
    var dataDir = "data"
    @Option(help: "The PostgreSQL URL to copy into (default: env YT_BUILDER_DATABASE_URL).") var to: String?
    @Option(
        help:
            "The zone the earlier service's naive timestamps were written in (default: env YT_BUILDER_LEGACY_TZ, else this machine's)."
    )
    var legacyTimezone: String?
    @Flag(help: "Add the history to a target that already holds one, with new ids after the target's.")
    var append = false
    @Flag(help: "Read and check everything; write nothing to the target.") var dryRun = false
    @Flag(help: "Print a JSON summary on stdout.") var json = false

    var target: String? {
        [to, ProcessInfo.processInfo.environment["YT_BUILDER_DATABASE_URL"]].compactMap { $0 }.first { !$0.isEmpty }
    }

    func validate() throws {
        _ = try DatabaseOptions.legacyTimeZone(named: legacyTimezone)
        if filesTo != nil {
            guard from == nil, to == nil, !append else {
                throw ValidationError("--files-to moves files; it takes no --from, --to or --append")
            }
            return
        }
        guard from != nil else { throw ValidationError("name the SQLite file to copy with --from") }
        guard let target else {
            throw ValidationError("name the PostgreSQL target with --to or YT_BUILDER_DATABASE_URL")
        }
        guard DatabaseOptions.isPostgres(target) else {
            throw ValidationError("--to must be a PostgreSQL URL (postgresql://…), not '\(Redacted.location(target))'")
        }
    }

    @Option(help: "How many connections load at once.") var connections = 3

    func run() async throws {
        if let filesTo { return try await moveFiles(to: filesTo) }
        let from = self.from!
        let zone = try DatabaseOptions.legacyTimeZone(named: legacyTimezone)
        guard (1...32).contains(connections) else { throw ValidationError("--connections must be 1 to 32") }
        let events = PhaseEvents(json: json)
        Console.error("Reading \(from)…")
        let source = try HistorySource(path: from, legacyTimeZone: zone, now: .now())
        defer { source.close() }
        var storageOptions = PostgresStorage.Options()
        storageOptions.migrate = !dryRun
        storageOptions.poolSize = max(connections, HistoryTable.layout.count)
        let storage = try await PostgresStorage.open(url: target!, options: storageOptions)
        let report: HistoryTransferReport
        let display = ProgressDisplay()
        let dataDir = self.dataDir
        let sealer = LegacyCredentialSealer { try SecretBox.load(dataDirectory: dataDir) }
        do {
            var options = HistoryMigration.Options()
            options.dryRun = dryRun
            options.append = append
            options.connections = connections
            options.sealCredential = { try sealer.seal($0) }
            let pause = ProcessInfo.processInfo.environment["YT_BUILDER_TEST_MIGRATE_PAUSE"]
            options.pauseAt = pause.flatMap { HistoryMigration.Phase(rawValue: $0) }
            options.pauseInsideCopy = pause == "copying"
            options.progress = { progress in
                display.update(progress)
                events.update(progress)
            }
            let migration = HistoryMigration(
                source: source, target: try await storage.historyTarget(), options: options)
            report = try await migration.run()
        } catch {
            display.finish()
            await storage.close()
            throw error
        }
        display.finish()
        await storage.close()
        if sealer.sealed > 0 {
            // The earlier service kept OAuth tokens in plain text; they arrive sealed.
            Console.error(
                "Sealed \(sealer.sealed) plain-text YouTube credentials row(s) with the key in \(dataDir)/ (or YT_BUILDER_SECRET_KEY)."
            )
        }
        if json { return try Console.printJSON(report) }
        print(
            Console.table(
                ["table", "source", "copied", "quarantined", "checksum"],
                report.tables.map { ["\($0.table)", "\($0.source)", "\($0.copied)", "\($0.quarantined)", $0.checksum] })
        )
        for value in report.quarantinedValues { print("Quarantined (kept verbatim in quarantined_json): \(value)") }
        let rows = report.tables.reduce(0) { $0 + $1.copied }
        if let append = report.append {
            printAppend(append, rows: rows, seconds: report.seconds, location: storage.location)
        } else if report.alreadyMigrated {
            print("Already migrated: \(storage.location) holds this very history (verified); nothing was copied.")
        } else if dryRun {
            print("Dry run: nothing was written to \(storage.location).")
        } else {
            print(copied(rows, into: storage.location, seconds: report.seconds))
        }
    }

    func copied(_ rows: Int, into location: String, seconds: Double) -> String {
        let rate = seconds > 0 ? Double(rows) / seconds : 0
        return String(
            format: "Copied and verified %d rows into %@ in %.2f s (%.0f rows/s).", rows, location, seconds, rate)
    }

    func printAppend(_ append: HistoryAppendReport, rows: Int, seconds: Double, location: String) {
        let ids = append.jobIDs.map { run in
            run.sourceFrom == run.sourceTo
                ? "\(run.sourceFrom) → \(run.targetFrom)"
                : "\(run.sourceFrom)–\(run.sourceTo) → \(run.targetFrom)–\(run.targetFrom + run.sourceTo - run.sourceFrom)"
        }
        let map =
            ids.isEmpty
            ? "no jobs"
            : "jobs " + ids.joined(separator: ", ")
                + (append.moreJobIDRuns > 0 ? " and \(append.moreJobIDRuns) more runs" : "")
        let number = append.appendID.map { "#\($0)" } ?? ""
        let record = "(SELECT * FROM migrate_append_ids WHERE append_id = \(append.appendID ?? 0))"
        if append.alreadyAppended {
            print(
                "Already appended: append \(number) of \(append.appendedAt ?? "?") copied this very history into "
                    + "\(location); nothing was copied. Its \(map) \(record).")
        } else if dryRun {
            print(
                "Dry run: nothing was written to \(location). The jobs would get new ids after job \(append.afterJobID)."
            )
        } else {
            print(copied(rows, into: location, seconds: seconds) + " Appended as append \(number): \(map) \(record).")
        }
        for user in append.credentialsKept {
            print("YouTube credentials of '\(user)': the target's own were kept; this history's were not copied.")
        }
    }
}

extension MigrateCommand {
    /// `--files-to`: the data directory's job files into object storage.
    func moveFiles(to url: String) async throws {
        let environment = ProcessInfo.processInfo.environment
        let store: S3RunFileStore
        do {
            store = S3RunFileStore(S3Client(try S3Configuration.from(url: url, environment: environment)))
            try await store.checkAccess()
        } catch let error as S3Error {
            throw ValidationError(error.description)
        }
        // The history is chosen as every other command chooses it (--database, the environment, the data directory).
        var arguments = ["--data-dir", dataDir]
        if let database { arguments += ["--database", database] }
        if let legacyTimezone { arguments += ["--legacy-timezone", legacyTimezone] }
        let history = try DatabaseOptions.parse(arguments)
        Console.error(
            "Moving the files of \(Redacted.location(history.location))'s jobs from \(dataDir) to \(store.location)…")
        var migration = FilesMigration(data: DataDirectory(dataDir), store: store)
        migration.pauseBeforeRewriting = environment["YT_BUILDER_TEST_MIGRATE_PAUSE"] == "rewriting"
        let report = try await history.withStorage { [migration] storage in
            // From the first rewritten row on, every host needs --files: the database says so.
            try await DeploymentCheck.files(storage, store: store)
            return try await migration.run(on: storage)
        }
        if json {
            try Console.printJSON(report)
        } else {
            print(
                "\(report.jobs) jobs: \(report.filesCopied) files copied and \(report.sharedFilesCopied) of the shared "
                    + "folders (\(report.bytesCopied) bytes), \(report.filesAlreadyThere) already there, "
                    + "\(report.jobsRewritten) jobs now name \(store.location)."
            )
        }
        for problem in report.problems { Console.error("Not moved: \(problem)") }
        if !report.problems.isEmpty { throw ExitCode(1) }
    }
}

/// With `--json`, each phase as it begins, as a JSON line on stderr (stdout
/// keeps the one summary scripts read).
final class PhaseEvents: Sendable {
    let json: Bool
    private let last = Mutex("")
    private let started = ContinuousClock.now

    init(json: Bool) { self.json = json }

    func update(_ progress: HistoryProgress) {
        guard json,
            last.withLock({ last in
                defer { last = progress.step }
                return last != progress.step
            })
        else { return }
        let event: JSONValue = .object([
            "phase": .string(progress.step), "rows_done": .int(Int64(progress.rowsDone)),
            "rows_total": .int(Int64(progress.rowsTotal)),
            "seconds": .double((started.duration(to: .now).inSeconds * 1000).rounded() / 1000),
        ])
        FileHandle.standardError.write(Data((event.jsonText + "\n").utf8))
    }
}
