import Foundation
import StorageCore
import TestPostgres
import Testing

/// What an operator reads on day two, from real processes: the version, JSON
/// logs (start lines, requests, each task claimed and finished), and the
/// metrics of `serve` and of a worker's own port after a render.
@Suite(.timeLimit(.minutes(5))) struct OperationsTests {
    @Test func versionLogsAndMetricsOfServeAndAWorker() async throws {
        let runner = CommandRunner()
        let version = try await runner.run(["--version"])
        #expect(
            version.status == 0 && version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == BuildInfo.version)

        // ServerProcess serves serve.db in data/.
        let database = runner.path("serve.db")
        let server = try await ServerProcess.start(runner, arguments: ["--log-format", "json"])
        defer { server.kill() }
        let metricsPort = try TestPostgres.freePort()
        let worker = try RunningCommand(
            runner,
            [
                "worker", "--database", database, "--data-dir", runner.path("data"), "--metrics-port",
                String(metricsPort),
            ], environment: ["YT_BUILDER_LOG_FORMAT": "json"])
        defer { worker.kill() }
        let workerBase = "http://127.0.0.1:\(metricsPort)"
        try await waitUntilHealthy(worker, at: workerBase)
        let health = JSONValue(jsonText: try curl(["-sSf", workerBase + "/healthz"]))?.objectValue
        #expect(health?["version"] == .string(BuildInfo.version))

        try SampleJob.writeMedia(runner.path)
        let id = try SampleJob.prepare(at: server.url(""), runner.path)
        _ = try curl([
            "-sSf", "-X", "POST", "-H", "Content-Type: application/json", "-d",
            #"{"duration": 3, "resolution": "320x180", "fps": 15}"#, server.url("/api/jobs/\(id)/start"),
        ])
        try await waitFor("the render", seconds: 120) {
            JSONValue(jsonText: try curl(["-sS", server.url("/api/jobs/\(id)")]))?.objectValue?["status"]
                == .string("completed")
        }

        let workerMetrics = try curl(["-sSf", workerBase + "/metrics"])
        for line in [
            #"yt_builder_worker_tasks_total{kind="render",outcome="completed"} 1"#, "yt_builder_renders_total 1",
            "yt_builder_rendered_video_seconds_total 3.0", #"yt_builder_build_info{version="\#(BuildInfo.version)"} 1"#,
            "yt_builder_render_duration_seconds_count 1",
        ] {
            #expect(workerMetrics.contains(line), "\(line) in:\n\(workerMetrics)")
        }
        #expect(workerMetrics.contains(#"yt_builder_worker_tasks_total{kind="render_piece",outcome="completed"}"#))
        let serverMetrics = try curl(["-sSf", server.url("/metrics")])
        for line in [
            #"yt_builder_queue_tasks{kind="render",state="queued"} 0"#,
            #"yt_builder_queue_tasks{kind="suno_import",state="running"} 0"#,
            #"yt_builder_build_info{version="\#(BuildInfo.version)"} 1"#,
            #"yt_builder_jobs{status="completed"} 1"#,
        ] {
            #expect(serverMetrics.contains(line), "\(line) in:\n\(serverMetrics)")
        }

        func records(_ output: String) -> [[String: JSONValue]] {
            output.split(separator: "\n").compactMap { JSONValue(jsonText: String($0))?.objectValue }
        }
        let workerLog = records(worker.output)
        #expect(workerLog.contains { $0["message"] == .string("worker started") && $0["role"] == .string("worker") })
        let claimed = workerLog.first { $0["message"] == .string("task claimed") && $0["kind"] == .string("render") }
        #expect(claimed?["job_id"] == .string("\(id)") && claimed?["attempt"] == .string("1"), "\(worker.output)")
        let finished = workerLog.first { $0["message"] == .string("task finished") && $0["kind"] == .string("render") }
        #expect(
            finished?["outcome"] == .string("completed") && finished?["duration_seconds"] != nil, "\(finished ?? [:])")
        #expect(finished?["level"] == .string("info"))

        let serverLog = records(server.command.output)
        let start = serverLog.first { $0["message"] == .string("serving") }
        #expect(
            start?["role"] == .string("serve") && start?["version"] == .string(BuildInfo.version), "\(start ?? [:])")
        #expect(start?["database"] == .string(database) && start?["files"] != nil)
        let request = serverLog.first {
            $0["message"] == .string("request") && $0["route"] == .string("/api/jobs/{id}/start")
        }
        #expect(
            request?["status"] == .string("200") && request?["duration_ms"] != nil,
            "\(server.command.output.suffix(2000))")
        #expect(try await worker.stop() == 0)
        #expect(try await server.stop() == 0)
    }
}
