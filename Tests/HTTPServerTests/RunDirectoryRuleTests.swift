import Foundation
import HTTPServer
import RunFiles
import StorageCore
import Synchronization
import Testing

/// A row names the folder; the path rule decides whether it is touched. Rows
/// pointing anywhere but the job's own folder in `runs/` are deleted where the
/// operation deletes rows, and their folders stay, with everything in them.
@Suite(.timeLimit(.minutes(3))) struct RunDirectoryRuleTests {
    /// A stored `run_dir` the rule must refuse, and the folder (with a file) it names.
    struct Hostile: Sendable {
        var name: String
        var runDirectory: String
        var protected: String
    }

    static func hostileRows(_ api: TestAPI, jobID: Int64, otherJob: Job) throws -> [Hostile] {
        let data = api.settings.dataDirectory
        let outside = api.folder.appendingPathComponent("outside").path
        let files = FileManager.default
        try files.createDirectory(atPath: outside + "/real/run-\(jobID)-target", withIntermediateDirectories: true)
        try files.createDirectory(atPath: data + "/runs", withIntermediateDirectories: true)
        let link = data + "/runs/run-\(jobID)-link0000"
        try? files.removeItem(atPath: link)
        try files.createSymbolicLink(atPath: link, withDestinationPath: outside + "/real/run-\(jobID)-target")
        return [
            Hostile(name: "absolute, outside", runDirectory: outside + "/run-\(jobID)-abcd1234", protected: outside),
            Hostile(
                name: "relative, climbing out", runDirectory: "../outside/run-\(jobID)-abcd1234",
                protected: outside),
            Hostile(name: "..", runDirectory: data + "/runs/run-\(jobID)-abcd1234/..", protected: data + "/runs"),
            Hostile(name: "symbolic link out", runDirectory: link, protected: outside + "/real/run-\(jobID)-target"),
            Hostile(
                name: "another job's", runDirectory: otherJob.runDirectory, protected: otherJob.runDirectory),
            Hostile(name: "the data directory", runDirectory: data, protected: data),
            Hostile(name: "empty", runDirectory: "", protected: data),
        ]
    }

    /// Puts a file in `folder`, to see it is still there afterwards.
    static func keepsake(in folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/precious.txt"
        try Data("years of videos".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func setRunDirectory(_ api: TestAPI, _ jobID: Int64, _ value: String) throws {
        try api.sql(
            "UPDATE jobs SET run_dir = '\(value.replacingOccurrences(of: "'", with: "''"))' WHERE job_id = \(jobID)")
    }

    @Test(arguments: Backend.allCases) func abandonedJobsNeverDeleteFoldersTheRuleRefuses(_ backend: Backend)
        async throws
    {
        let hoursAhead = Mutex(0.0)
        let serverClock: @Sendable () -> Timestamp = {
            Timestamp.now().adding(seconds: hoursAhead.withLock { $0 } * 3600)
        }
        try await TestAPI.with(backend, configure: { $0.clock = serverClock }) { client, api in
            let other = try await api.storage.createJob(
                NewJob(config: nil, runsDirectory: api.settings.runsDirectory, status: .queued))
            try FileManager.default.createDirectory(atPath: other.runDirectory, withIntermediateDirectories: true)
            var cases: [(Int64, Hostile, String)] = []
            for index in 0..<8 {
                let id = try await client.prepare()
                let hostile = try Self.hostileRows(api, jobID: id, otherJob: other)
                guard index < hostile.count else {
                    // "/" is checked by the rule itself first: a broken rule must not reach a delete.
                    try #require(throws: RunDirectoryRefused.self) {
                        try api.settings.data.runDirectory(jobID: id, stored: "/")
                    }
                    try Self.setRunDirectory(api, id, "/")
                    cases.append((id, Hostile(name: "/", runDirectory: "/", protected: "/"), "/"))
                    continue
                }
                let keepsake = try Self.keepsake(in: hostile[index].protected)
                try Self.setRunDirectory(api, id, hostile[index].runDirectory)
                cases.append((id, hostile[index], keepsake))
            }
            // A relative row of the earlier service's form is its own folder in the data directory.
            let relative = try await client.prepare()
            let relativeRow = "runs/run-\(relative)-0000beef"
            try Self.setRunDirectory(api, relative, relativeRow)
            _ = try Self.keepsake(in: api.settings.dataDirectory + "/" + relativeRow)

            hoursAhead.withLock { $0 = 2 }
            _ = try await client.prepare()
            for (id, hostile, keepsake) in cases {
                #expect(try await api.storage.job(id) == nil, "\(hostile.name): the row goes")
                #expect(FileManager.default.fileExists(atPath: keepsake), "\(hostile.name): the folder stays")
            }
            #expect(try await api.storage.job(relative) == nil)
            #expect(
                !FileManager.default.fileExists(atPath: api.settings.dataDirectory + "/" + relativeRow),
                "a relative row is resolved against the data directory and removed there")
            #expect(try await api.storage.job(other.jobID)?.status == .queued)
        }
    }

    @Test(arguments: Backend.allCases) func uploadsLogsAndDownloadsStayInsideTheRunDirectory(_ backend: Backend)
        async throws
    {
        try await TestAPI.with(backend) { client, api in
            let id = try await client.prepare()
            let outside = api.folder.appendingPathComponent("elsewhere/run-\(id)-abcd1234").path
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try Self.setRunDirectory(api, id, outside)

            let upload = try await client.upload(id, "videos", [Multipart.file("a.mp4")])
            #expect(upload.status == .conflict, "\(String(buffer: upload.body))")
            #expect(try object(upload)["error"]?.string?.contains("is not used") == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty, "nothing is written there")
            #expect(try await api.storage.files(ofJob: id, type: nil).isEmpty)
            #expect(try await client.json(.get, "/api/jobs/\(id)/logs").status == .conflict)

            // A finished job whose row names a video outside its own folder is not served.
            try Data("secret".utf8).write(to: URL(fileURLWithPath: outside + "/video.mp4"))
            try api.sql(
                "UPDATE jobs SET status = 'completed', finished_at = created_at, output_file = '\(outside)/video.mp4' WHERE job_id = \(id)"
            )
            let download = try await client.json(.get, "/api/jobs/\(id)/download")
            #expect(download.status == .conflict)
            #expect(!String(buffer: download.body).contains("secret"))
        }
    }

    /// The earlier service's relative rows (`runs/run-2-…`) mean the data directory for uploads and downloads alike.
    @Test(arguments: Backend.allCases) func relativeRowsMeanTheDataDirectoryEverywhere(_ backend: Backend) async throws
    {
        try await TestAPI.with(backend) { client, api in
            let id = try await client.prepare()
            let relative = "runs/run-\(id)-0ld5e7ce"
            try Self.setRunDirectory(api, id, relative)
            let upload = try await client.upload(id, "videos", [Multipart.file("a.mp4", "clip")])
            #expect(upload.status == .ok, "\(String(buffer: upload.body))")
            let inData = api.settings.dataDirectory + "/" + relative + "/videos/a.mp4"
            #expect(FileManager.default.fileExists(atPath: inData), "the upload went into the data directory")
            #expect(
                !FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/" + relative),
                "not the working directory")
            try Data("video".utf8).write(
                to: URL(fileURLWithPath: api.settings.dataDirectory + "/" + relative + "/output/v.mp4"))
            try api.sql(
                "UPDATE jobs SET status = 'completed', finished_at = created_at, output_file = '\(relative)/output/v.mp4' WHERE job_id = \(id)"
            )
            let download = try await client.json(.get, "/api/jobs/\(id)/download")
            #expect(download.status == .ok)
            #expect(String(buffer: download.body) == "video")
        }
    }
}
