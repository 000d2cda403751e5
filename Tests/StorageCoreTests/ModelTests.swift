import Foundation
import SQLStore
import SchemaSQL
import StorageCore
import Testing

@Suite struct ModelTests {
    @Test func jsonValuesKeepIntegersExactAndKeysSorted() throws {
        let text = #"{"b": 9223372036854775807, "a": [1.5, null, true, "x"], "c": {"z": -1}}"#
        let value = try #require(JSONValue(jsonText: text))
        #expect(value.jsonText == #"{"a":[1.5,null,true,"x"],"b":9223372036854775807,"c":{"z":-1}}"#)
        #expect(JSONValue(jsonText: "{not json") == nil)
        #expect(JSONValue(jsonText: "null") == .null)
    }

    @Test func configTextReadsAsConfigOrIsKeptAsUnreadable() {
        var job = Job(
            jobID: 1, runID: "run-1-00000000", runDirectory: "r", status: .preparing, progress: 0, currentStep: nil,
            configText: #"{"fps": 30}"#, outputFile: nil, error: nil, createdAt: .now(), startedAt: nil, finishedAt: nil
        )
        #expect(job.config == JobConfig(["fps": .int(30)]))
        #expect(job.unreadableConfig == nil)
        job.configText = "null"
        #expect(job.config == nil && job.unreadableConfig == nil)
        job.configText = "[1, 2]"
        #expect(job.config == nil && job.unreadableConfig == "[1, 2]")
        job.config = JobConfig(["a": .string("b")])
        #expect(job.configText == #"{"a":"b"}"#)
    }

    @Test func runIDsHaveTheEarlierForm() {
        for _ in 0..<100 {
            let id = RunID.make(jobID: 42)
            #expect(id.wholeMatch(of: #/run-42-[0-9a-f]{8}/#) != nil, "\(id)")
        }
    }

    @Test func statusMovesAreTheDocumentedOnes() {
        let allowed = JobStatus.allCases.flatMap { from in
            JobStatus.allCases.filter { from.canMove(to: $0) }.map { "\(from.rawValue)>\($0.rawValue)" }
        }
        #expect(
            Set(allowed) == [
                "preparing>queued", "queued>running", "running>completed", "running>failed",
                "preparing>cancelled", "queued>cancelled", "running>cancelled",
            ])
    }

    @Test func updatesStartFromTheStatusesThatMayMove() {
        #expect(JobUpdate(status: .running).allowedCurrentStatuses == [.queued, .running])
        #expect(JobUpdate(status: .cancelled).allowedCurrentStatuses == [.preparing, .queued, .running])
        #expect(JobUpdate(progress: 5).allowedCurrentStatuses == [.preparing, .queued, .running])
        #expect(JobUpdate(status: .completed).allowedCurrentStatuses == [.running])
    }

    @Test func theJobObjectHasTheEarlierKeys() throws {
        let job = Job(
            jobID: 7, runID: "run-7-0000000a", runDirectory: "runs/run-7-0000000a", status: .queued, progress: 0,
            currentStep: nil, configText: nil, outputFile: nil, error: nil,
            createdAt: Timestamp(microsecondsSinceEpoch: 0), startedAt: nil, finishedAt: nil)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(job)) as? [String: Any]
        #expect(
            Set(object?.keys.map { $0 } ?? []) == [
                "job_id", "run_id", "run_dir", "status", "progress", "current_step", "config", "output_file", "error",
                "created_at", "started_at", "finished_at",
            ])
    }
}

@Suite struct MigrationRunnerTests {
    @Test func theSchemaIsEmbeddedInOrder() throws {
        let migrations = Schema.migrations(for: .sqlite)
        #expect(migrations.first?.id == "001_initial")
        #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
        #expect(Set(migrations.map(\.version)).count == migrations.count, "versions are unique")
        #expect(Schema.script("legacy/1_set_aside.sql", for: .sqlite)?.contains("RENAME TO legacy_jobs") == true)
        #expect(Schema.script("legacy/2_copy.sql", for: .sqlite)?.contains("quarantined_job_files") == true)
    }

    @Test func everySQLFileOnDiskIsEmbedded() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../sql/sqlite")
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: root.path)
            .filter { $0.hasSuffix(".sql") && $0 != "statements.sql" }.map { String($0.dropLast(4)) }
        #expect(Set(onDisk) == Set(Schema.migrations(for: .sqlite).map(\.id)))
    }

    @Test(arguments: [Schema.Backend.sqlite, .postgres])
    func eachDialectHasEveryStatementTheStoreRuns(_ backend: Schema.Backend) throws {
        let files = Schema.statements(for: backend)
        #expect(files.count == 2, "the shared statements and the dialect's")
        let statements = try SQLStatements(files: files)
        for statement in Statement.allCases {
            #expect(!statements[statement].contains("{{"), "\(statement) has an unexpanded reference")
            #expect(!statements[statement].isEmpty, "\(statement) is empty")
        }
        for statement in TaskStatement.all {
            #expect(!statements[statement].contains("{{") && !statements[statement].isEmpty, "\(statement.name)")
        }
        #expect((statements.optional(.notifyQueued) != nil) == (backend == .postgres))
        // Every section of sql/ is a statement the store runs, a step it may run, or a part of one.
        let runnable = Set(
            Statement.allCases.map(\.rawValue) + OptionalStatement.allCases.map(\.rawValue)
                + TaskStatement.all.map(\.name))
        let named = files.flatMap { file in
            file.split(separator: "\n").filter { $0.hasPrefix("-- name:") }.map {
                $0.dropFirst("-- name:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        let everyDialect = Schema.statements(for: .sqlite) + Schema.statements(for: .postgres)
        let parts = named.filter { name in everyDialect.contains { $0.contains("{{\(name)}}") } }
        #expect(Set(named).subtracting(runnable).subtracting(parts).isEmpty, "sections nothing runs")
        // A kind's statement missing from a dialect fails at open, by name.
        let withoutFinish = files.map { $0.replacingOccurrences(of: "-- name: suno_import_finish", with: "-- name: x") }
        let missing = #expect(throws: StorageError.self) { try SQLStatements(files: withoutFinish) }
        #expect(missing?.message.contains("suno_import_finish") == true, "\(String(describing: missing))")
        #expect(throws: StorageError.self) { try SQLStatements(files: ["-- name: a\nSELECT 1"]) }
        #expect(throws: StorageError.self) {
            try SQLStatements(files: ["-- name: a\nSELECT {{b}}"], required: ["a"])
        }
        #expect(throws: StorageError.self, "a name in two files") {
            try SQLStatements(files: ["-- name: a\nSELECT 1", "-- name: a\nSELECT 2"], required: ["a"])
        }
    }

    @Test func pendingAndNewerSchemas() throws {
        let runner = MigrationRunner(migrations: [
            Migration(id: "002_b", version: 2, sql: ""), Migration(id: "001_a", version: 1, sql: ""),
        ])
        #expect(try runner.pending(applied: []).map(\.id) == ["001_a", "002_b"])
        #expect(try runner.pending(applied: ["001_a"]).map(\.id) == ["002_b"])
        #expect(runner.version(ofApplied: ["001_a", "002_b"]) == 2)
        let error = #expect(throws: StorageError.self) { try runner.pending(applied: ["001_a", "003_c"]) }
        #expect(error?.kind == .incompatibleSchema)
        #expect(error?.message.contains("003_c") == true)
        #expect(Migration.version(ofID: "12_x") == nil && Migration.version(ofID: "012x") == nil)
    }
}

@Suite struct CursorTests {
    @Test func cursorsRoundTripAndOddOnesAreRefused() throws {
        let cursor = JobCursor(createdAt: Timestamp(microsecondsSinceEpoch: 1_772_366_400_123_456), jobID: 42)
        #expect(try JobCursor.parse(cursor.description) == cursor)
        for text in ["", "1", "x_1", "1_x", "9223372036854775807_1", "-9223372036854775808_1", "1_2_3"] {
            #expect(throws: StorageError.self, "\(text)") { try JobCursor.parse(text) }
        }
    }
}

@Suite struct LostLeaseTests {
    @Test(arguments: [
        (false, 1, 3, "queued"), (false, 2, 3, "queued"), (false, 3, 3, "failed"), (false, 4, 3, "failed"),
        (true, 1, 3, "cancelled"), (true, 3, 3, "cancelled"),
    ])
    func theRuleForALostLease(cancelRequested: Bool, attempt: Int, maximum: Int, next: String) {
        #expect(
            LostLease.nextState(cancelRequested: cancelRequested, attempt: attempt, maximumAttempts: maximum) == next)
    }
}

@Suite struct FinishedAttemptTests {
    @Test func aHandBackDoesNotCountItsAttempt() {
        #expect(FinishedAttempt.counted(2, handedBack: true) == 1)
        #expect(FinishedAttempt.counted(2, handedBack: false) == 2)
    }
}

@Suite struct CancelDecisionTests {
    @Test func theRuleForACancel() {
        #expect(CancelDecision(.preparing) == .now && CancelDecision(.queued) == .now)
        #expect(CancelDecision(.running) == .askTheWorker)
        for status in [JobStatus.completed, .failed, .cancelled] { #expect(CancelDecision(status) == .refuse) }
    }
}

@Suite struct JobMoveTests {
    @Test func theRuleForAJobFollowingItsRender() {
        let now = Timestamp(microsecondsSinceEpoch: 1_000_000_000)
        let completed = JobMove(to: .completed, error: nil, at: now, handedBack: false)
        #expect(
            completed.progress == 100 && completed.finishedAt == now && completed.error == nil && !completed.clearsStart
        )
        let failed = JobMove(to: .failed, error: "boom", at: now, handedBack: false)
        #expect(failed.progress == nil && failed.error == "boom" && failed.finishedAt == now)
        let cancelled = JobMove(to: .cancelled, error: "ignored", at: now, handedBack: false)
        #expect(cancelled.error == nil && cancelled.finishedAt == now)
        let handedBack = JobMove(to: .queued, error: nil, at: now, handedBack: true)
        #expect(handedBack.finishedAt == nil && handedBack.progress == nil && handedBack.clearsStart)
        let rescued = JobMove(to: .queued, error: "worker lost", at: now, handedBack: false)
        #expect(rescued.error == nil && rescued.finishedAt == nil && !rescued.clearsStart)
    }
}
