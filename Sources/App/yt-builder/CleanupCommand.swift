import ArgumentParser
import Foundation
import RunFiles
import StorageCore

struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Delete finished jobs older than N days, with their files, uploads and run directories.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var files: FilesOptions
    @Option(help: "Delete jobs that finished more than this many days ago.") var days: Int
    @Flag(help: "Only report what would be deleted.") var dryRun = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard days >= 0 else { throw ValidationError("--days must be 0 or more, not \(days)") }
    }

    func run() async throws {
        let cutoff = Timestamp.now().adding(seconds: -Double(days) * 86_400)
        let store = try files.store()
        let result = try await database.withStorage {
            // Rows are deleted only where their files can be removed too.
            try await DeploymentCheck.files($0, store: store)
            return try await $0.cleanupOldJobs(finishedBefore: cutoff, dryRun: dryRun)
        }
        var removed: [String] = []
        var skipped: [String] = []
        if !dryRun {
            let data = DataDirectory(database.dataDir)
            for job in result.jobs {
                if let store {
                    do {
                        try await store.removeAll(jobID: job.jobID, run: job.runDirectory)
                    } catch {
                        skipped.append("job \(job.jobID)'s files in \(store.location): \(error)")
                    }
                }
                switch data.removeRunDirectory(of: job) {
                case .removed(let path): removed.append(path)
                case .missing: break
                case .refused(let reason): skipped.append(reason)
                }
            }
        }
        if json {
            return try Console.printJSON(
                CleanupJSON(dryRun: dryRun, result: result, removedDirectories: removed, skipped: skipped))
        }
        let verb = dryRun ? "Would delete" : "Deleted"
        print(
            "\(verb) \(result.jobs.count) jobs finished before \(cutoff), with \(result.files) files and \(result.uploads) uploads."
        )
        for job in result.jobs { print("  job \(job.jobID)  \(job.runDirectory)") }
        if !dryRun { print("Removed \(removed.count) run directories.") }
        for line in skipped { Console.error("Warning: left in place: \(line)") }
    }
}

struct CleanupJSON: Encodable {
    var dryRun: Bool
    var result: CleanupResult
    var removedDirectories: [String]
    var skipped: [String]

    enum CodingKeys: String, CodingKey {
        case dryRun = "dry_run"
        case jobs, files, uploads
        case removedDirectories = "removed_directories"
        case skipped
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dryRun, forKey: .dryRun)
        try container.encode(result.jobs, forKey: .jobs)
        try container.encode(result.files, forKey: .files)
        try container.encode(result.uploads, forKey: .uploads)
        try container.encode(removedDirectories, forKey: .removedDirectories)
        try container.encode(skipped, forKey: .skipped)
    }
}
