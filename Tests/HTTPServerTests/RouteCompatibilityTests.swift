import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import RunFiles
import StorageCore
import Testing

/// Every route of original-service.md answers with the keys its clients read.
@Suite(.timeLimit(.minutes(3))) struct RouteCompatibilityTests {
    static let jobKeys: Set<String> = [
        "job_id", "run_id", "status", "progress", "current_step", "output_file", "error", "file_counts",
        "created_at", "started_at", "finished_at",
    ]
    static let countKeys: Set<String> = ["videos", "music", "sounds", "quotes"]

    func expectJobObject(_ object: [String: JSONValue], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(
            Self.jobKeys.isSubset(of: object.keys), "job object keys: \(object.keys.sorted())",
            sourceLocation: sourceLocation)
        #expect(Set(object["file_counts"]?.object?.keys ?? [:].keys) == Self.countKeys, sourceLocation: sourceLocation)
        #expect(object["run_dir"] == nil, "the run directory stays on the server", sourceLocation: sourceLocation)
    }

    @Test(arguments: Backend.allCases) func everyRoute(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let defaults = try object(try await client.json(.get, "/api/config/defaults"))
            #expect(defaults["duration"] == .int(600))
            #expect(defaults["resolution"] == .string("1920x1080"))
            #expect(defaults["quote_font"] == .string("TenPounds"))
            #expect(defaults.count == 14, "the earlier service's 14 keys: \(defaults.keys.sorted())")

            let prepared = try object(try await client.json(.post, "/api/jobs/prepare"))
            #expect(Set(prepared.keys) == ["job_id", "run_id", "status"])
            #expect(prepared["status"] == .string("preparing"))
            let id = try #require(prepared["job_id"]?.int)
            let runID = try #require(prepared["run_id"]?.string)
            #expect(runID.hasPrefix("run-\(id)-"))
            let job = try #require(try await api.storage.job(id))
            for folder in RunDirectory.folders {
                #expect(FileManager.default.fileExists(atPath: job.runDirectory + "/" + folder), "\(folder)/ exists")
            }

            let uploaded = try object(
                try await client.upload(id, "videos", [Multipart.file("a.mp4"), Multipart.file("b.mov")]))
            #expect(Set(uploaded.keys) == ["uploaded", "errors", "file_counts"])
            #expect(uploaded["uploaded"] == .array([.string("a.mp4"), .string("b.mov")]))
            #expect(uploaded["file_counts"]?.object?["videos"] == .int(2))
            _ = try await client.upload(id, "quotes", [Multipart.file("q.txt", "Be kind.")])

            let listed = try object(try await client.json(.get, "/api/jobs/\(id)/files/videos"))
            #expect(listed == ["files": .array([.string("a.mp4"), .string("b.mov")])])

            let removed = try object(try await client.json(.delete, "/api/jobs/\(id)/files/videos/b.mov"))
            #expect(Set(removed.keys) == ["message", "file_counts"])
            #expect(removed["file_counts"]?.object?["videos"] == .int(1))
            #expect(!FileManager.default.fileExists(atPath: job.runDirectory + "/videos/b.mov"))

            let started = try object(try await client.json(.post, "/api/jobs/\(id)/start", #"{"duration": 30}"#))
            expectJobObject(started)
            #expect(started["status"] == .string("queued"))
            #expect(started["config"]?.object?["duration"] == .int(30), "the posted config is merged")
            #expect(started["config"]?.object?["fps"] == .int(30), "defaults fill the rest")

            try api.addSharedClip()
            let created = try object(try await client.json(.post, "/api/jobs", #"{"fps": 24}"#))
            #expect(Set(created.keys) == ["job_id", "run_id", "status"])
            #expect(created["status"] == .string("queued"))
            let createdID = try #require(created["job_id"]?.int)

            let all = try object(try await client.json(.get, "/api/jobs"))
            let jobs = try #require(all["jobs"]?.array)
            #expect(jobs.compactMap { $0.object?["job_id"]?.int } == [createdID, id], "newest first")
            for listedJob in jobs { expectJobObject(try #require(listedJob.object)) }

            let shown = try object(try await client.json(.get, "/api/jobs/\(id)"))
            expectJobObject(shown)
            #expect(shown["file_counts"]?.object?["quotes"] == .int(1))

            try api.settings.data.runDirectory(of: job).log.append("Processing video clips")
            let logs = try object(try await client.json(.get, "/api/jobs/\(id)/logs"))
            #expect(logs["logs"] == .array([.string("Processing video clips")]))

            let cancelled = try object(try await client.json(.post, "/api/jobs/\(createdID)/cancel"))
            expectJobObject(cancelled)
            #expect(cancelled["status"] == .string("cancelled"))

            // A finished render, as a worker leaves it.
            let output = job.runDirectory + "/output/video_20261125_120000.mp4"
            try Data("not really a video".utf8).write(to: URL(fileURLWithPath: output))
            _ = try await api.storage.updateJob(id, JobUpdate(status: .running))
            _ = try await api.storage.updateJob(id, JobUpdate(status: .completed, progress: 100, outputFile: output))
            let download = try await client.json(.get, "/api/jobs/\(id)/download")
            #expect(download.status == .ok)
            #expect(String(buffer: download.body) == "not really a video")
            #expect(
                download.headers[.contentDisposition]?.hasPrefix(
                    "attachment; filename=\"job-\(id)-video_20261125_120000.mp4\"") == true,
                "the job id in the name: two jobs rendered in the same second save apart")

            let upload = try await client.json(.post, "/api/jobs/\(id)/youtube/upload", #"{"title": "x"}"#)
            #expect(upload.status == .badRequest, "a job that is not completed cannot be published")
            #expect(try object(upload)["error"]?.string?.isEmpty == false)
            let youtube = try object(try await client.json(.get, "/api/youtube/auth/status"))
            #expect(youtube["authenticated"] == .bool(false) && youtube["configured"] == .bool(false))
            let notConfigured = try await client.json(.get, "/api/youtube/auth/url")
            #expect(notConfigured.status == .badRequest, "400 as before when no client is configured")
        }
    }

    /// Each operation of openapi/openapi.json reaches a handler of the server.
    @Test func documentedRoutesExist() async throws {
        try await TestAPI.with(.sqlite) { client, _ in
            let id = try await client.prepare()
            for (method, template) in try FuzzTests.documentedOperations() {
                let uri = template.replacingOccurrences(of: "{id}", with: String(id))
                    .replacingOccurrences(of: "{type}", with: "videos").replacingOccurrences(
                        of: "{name}", with: "x.mp4")
                let response = try await client.json(method, uri)
                let unrouted = response.status == .notFound && (try? object(response)["error"]) == .string("Not Found")
                #expect(!unrouted, "\(method) \(template) is documented but not routed")
            }
        }
    }

    @Test(arguments: Backend.allCases) func operations(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            let health = try await client.json(.get, "/healthz")
            #expect(health.status == .ok)
            _ = try await client.prepare()
            _ = try await client.json(.get, "/api/jobs/999")
            let metrics = String(buffer: try await client.json(.get, "/metrics").body)
            #expect(
                metrics.contains(
                    #"yt_builder_http_requests_total{route="/api/jobs/prepare",method="POST",status="200"} 1"#))
            #expect(
                metrics.contains(#"yt_builder_http_requests_total{route="/api/jobs/{id}",method="GET",status="404"} 1"#)
            )
            #expect(metrics.contains(#"yt_builder_jobs{status="preparing"} 1"#))
            #expect(metrics.contains("yt_builder_queue_depth 0"))
            #expect(metrics.contains("yt_builder_http_request_duration_seconds_bucket"))
            #expect(metrics.contains("# HELP yt_builder_jobs Jobs by status"), "each metric says what it counts")
            let document = try object(try await client.json(.get, "/openapi.json"))
            #expect(document["openapi"]?.string?.hasPrefix("3.") == true)
            await api.storage.close()
            let down = try await client.json(.get, "/healthz")
            #expect(down.status == .serviceUnavailable)
        }
    }
}

/// Request figures matter most while the database is away; /metrics still answers then.
@Suite struct MetricsWhileTheDatabaseIsAwayTests {
    @Test(arguments: Backend.allCases) func metricsAnswerWithTheDatabaseClosed(_ backend: Backend) async throws {
        try await TestAPI.with(backend) { client, api in
            _ = try await client.json(.get, "/api/jobs")
            await api.storage.close()
            #expect(try await client.json(.get, "/api/jobs").status == .serviceUnavailable)
            let response = try await client.json(.get, "/metrics")
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            #expect(text.contains("yt_builder_database_up 0"), "\(text)")
            #expect(text.contains(#"yt_builder_http_requests_total{route="/api/jobs",method="GET",status="503"} 1"#))
        }
    }
}
