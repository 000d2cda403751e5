import ArgumentParser
import Foundation
import StorageCore

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List and show jobs.",
        subcommands: [List.self, Show.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Jobs, newest first.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only jobs in this status.") var status: String?
        @Option(help: "How many jobs (1-\(JobQuery.maximumLimit)).") var limit = 20
        @Option(help: "Continue after this cursor, from a previous page.") var after: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let query = JobQuery(
                status: try status.map(JobStatus.parse), limit: limit, after: try after.map(JobCursor.parse))
            try query.validate()
            let page = try await database.withStorage { try await $0.listJobs(query) }
            if json {
                return try Console.printJSON(JobListJSON(jobs: page.jobs, nextCursor: page.nextCursor?.description))
            }
            let rows = page.jobs.map { job in
                [
                    "\(job.jobID)", job.status.rawValue, "\(job.progress)%", job.createdAt.description, job.runID,
                    job.currentStep ?? "",
                ]
            }
            print(Console.table(["id", "status", "progress", "created", "run id", "step"], rows))
            if let next = page.nextCursor { print("more: --after \(next)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One job with its files and uploads.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The job id.") var id: Int64
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let details = try await database.withStorage { storage in
                guard let job = try await storage.job(id) else {
                    throw StorageError.notFound("there is no job \(id)")
                }
                return JobDetailsJSON(
                    job: job, fileCounts: try await storage.fileCounts(ofJob: id),
                    files: try await storage.files(ofJob: id, type: nil),
                    uploads: try await storage.uploads(ofJob: id, limit: JobQuery.maximumLimit))
            }
            if json { return try Console.printJSON(details) }
            print(details.text)
        }
    }
}

struct JobListJSON: Encodable {
    var jobs: [Job]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case jobs
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(jobs, forKey: .jobs)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}

struct JobDetailsJSON: Encodable {
    var job: Job
    var fileCounts: FileCounts
    var files: [JobFile]
    var uploads: [YouTubeUpload]

    enum CodingKeys: String, CodingKey {
        case fileCounts = "file_counts"
        case files, uploads
    }

    /// The job object's keys, then its counts, files and uploads.
    func encode(to encoder: any Encoder) throws {
        try job.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fileCounts, forKey: .fileCounts)
        try container.encode(files, forKey: .files)
        try container.encode(uploads, forKey: .uploads)
    }

    var text: String {
        var lines = [
            "job \(job.jobID)  \(job.runID)  \(job.status.rawValue)  \(job.progress)%",
            "run dir:   \(job.runDirectory)",
            "step:      \(job.currentStep ?? "-")",
            "created:   \(job.createdAt)",
            "started:   \(job.startedAt?.description ?? "-")",
            "finished:  \(job.finishedAt?.description ?? "-")",
            "output:    \(job.outputFile ?? "-")",
        ]
        if let error = job.error { lines.append("error:     \(error)") }
        lines.append("config:    \(job.config?.jsonText ?? job.unreadableConfig.map { "(not JSON) \($0)" } ?? "-")")
        lines.append(
            "files:     " + FileType.allCases.map { "\($0.rawValue) \(fileCounts[$0])" }.joined(separator: ", "))
        for file in files { lines.append("  \(file.fileType.rawValue)/\(file.filename)  \(file.uploadedAt)") }
        lines.append("uploads:   \(uploads.count)")
        for upload in uploads {
            lines.append("  \(upload.videoURL)  \(upload.privacy?.rawValue ?? "-")  \(upload.uploadedAt)")
        }
        return lines.joined(separator: "\n")
    }
}
