import Foundation
import Hummingbird
import StorageCore

/// The operations view's one read (`GET /api/admin/overview`, behind the
/// same token as the rest of the API): the database and file store and
/// whether they answer, jobs by status, the queue by kind and state, the
/// workers seen in the last ten minutes with what each runs, and the latest
/// failed jobs with their error.
struct AdminController<Context: RequestContext> {
    let storage: any Storage
    let settings: ServerSettings

    /// A worker not heard from for this long is shown as silent (it says so every 15 s).
    static var silentAfter: Double { 45 }

    func addRoutes(to api: RouterGroup<Context>) {
        api.get("admin/overview", use: overview)
    }

    @Sendable func overview(_ request: Request, context: Context) async throws -> Response {
        let now = storage.currentTime
        let started = ContinuousClock.now
        var database: [String: JSONValue] = [
            "backend": .string(settings.databaseLocation.hasPrefix("postgres") ? "postgresql" : "sqlite"),
            "location": .string(settings.databaseLocation), "ok": .bool(true), "error": .null,
        ]
        var counts: [JobStatus: Int] = [:]
        var queue: [QueueDepth] = []
        var workers: [WorkerPresence] = []
        var failed: [Job] = []
        do {
            counts = try await storage.jobCounts()
            database["latency_ms"] = .double((started.duration(to: .now).inSeconds * 1e4).rounded() / 10)
            queue = try await storage.queueDepth()
            workers = try await storage.workers(seenWithin: .seconds(600))
            failed = try await storage.listJobs(JobQuery(status: .failed, limit: 10)).jobs
        } catch {
            context.logger.warning("the operations view cannot read the database", metadata: ["error": "\(error)"])
            database["ok"] = .bool(false)
            database["error"] = .string("the database does not answer")
        }
        var files: [String: JSONValue] = [
            "location": .string(settings.files.location), "ok": .bool(true), "error": .null,
        ]
        do {
            try await settings.files.checkAccess()
        } catch {
            files["ok"] = .bool(false)
            files["error"] = .string("\(error)")
        }
        let body: [String: JSONValue] = [
            "version": .string(BuildInfo.version), "time": .string(now.description),
            "database": .object(database), "files": .object(files),
            "jobs": .object(
                Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0.rawValue, .int(Int64(counts[$0] ?? 0))) })
            ),
            "queue": .array(
                queue.map {
                    .object([
                        "kind": .string($0.kind.rawValue), "state": .string($0.state.rawValue),
                        "count": .int(Int64($0.count)),
                    ])
                }),
            "workers": .array(workers.map { Self.object($0, now: now) }),
            "failures": .array(
                failed.map { job in
                    .object([
                        "job_id": .int(job.jobID), "error": job.error.map { .string($0) } ?? .null,
                        "finished_at": job.finishedAt.map { .string($0.description) } ?? .null,
                        "retry": .string("/api/jobs/\(job.jobID)/retry"),
                    ])
                }),
        ]
        return JSONResponse.make(.object(body))
    }

    static func object(_ worker: WorkerPresence, now: Timestamp) -> JSONValue {
        let silent = Double(now.microsecondsSinceEpoch - worker.seenAt.microsecondsSinceEpoch) / 1e6
        return .object([
            "worker_id": .string(worker.record.workerID), "host": .string(worker.record.host),
            "kinds": .array(worker.record.kinds.map { .string($0.rawValue) }),
            "version": .string(worker.record.version), "started_at": .string(worker.startedAt.description),
            "seen_at": .string(worker.seenAt.description),
            "seconds_since_seen": .double((silent * 10).rounded() / 10), "alive": .bool(silent < silentAfter),
            "running": .array(
                worker.running.map {
                    .object([
                        "task_id": .int($0.taskID), "kind": .string($0.kind.rawValue),
                        "job_id": $0.jobID.map { .int($0) } ?? .null, "attempt": .int(Int64($0.attempt)),
                        "updated_at": .string($0.updatedAt.description),
                    ])
                }),
        ])
    }
}
