import Foundation
import PostgresStorage
import SQLiteStorage
import StorageCore
import TestPostgres
import Testing

/// `backup DIR` and `restore DIR` on both backends: the history, the key and
/// the media come back in a new place, checked; nothing is overwritten; a
/// damaged backup is refused before anything is written.
@Suite(.timeLimit(.minutes(5))) struct BackupRestoreTests {
    enum Backend: String, CaseIterable { case sqlite, postgres }

    @Test(arguments: Backend.allCases) func aBackupComesBackWhole(_ backend: Backend) async throws {
        let runner = CommandRunner()
        let (source, target): (String, String) =
            switch backend {
            case .sqlite: (runner.path("data/yt-builder.db"), runner.path("restored/yt-builder.db"))
            case .postgres: (try TestPostgres.shared().freshDatabase(), try TestPostgres.shared().freshDatabase())
            }
        let data = runner.path("data")
        try FileManager.default.createDirectory(atPath: data + "/videos", withIntermediateDirectories: true)
        try Data("shared clip".utf8).write(to: URL(fileURLWithPath: data + "/videos/shared.mp4"))
        try Data(repeating: 7, count: 32).base64EncodedString().write(
            toFile: data + "/secret.key", atomically: true, encoding: .utf8)
        let storage: any Storage =
            switch backend {
            case .sqlite: try await SQLiteStorage.open(path: source)
            case .postgres: try await PostgresStorage.open(url: source)
            }
        let job = try await storage.createJob(NewJob(config: nil, runsDirectory: data + "/runs", status: .preparing))
        try FileManager.default.createDirectory(atPath: job.runDirectory + "/videos", withIntermediateDirectories: true)
        try Data("clip".utf8).write(to: URL(fileURLWithPath: job.runDirectory + "/videos/a.mp4"))
        _ = try await storage.addFile(
            NewJobFile(
                jobID: job.jobID, fileType: .videos, filename: "a.mp4", filePath: job.runDirectory + "/videos/a.mp4"))
        await storage.close()

        let backup = runner.path("backup")
        let made = try await runner.run(["backup", backup, "--with-media", "--database", source, "--data-dir", data])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(!made.stdout.contains("AAAA") && !made.stderr.contains("BwcH"), "the key is never printed")
        let manifest = try #require(
            JSONValue(jsonText: try String(contentsOfFile: backup + "/manifest.json", encoding: .utf8))?.objectValue)
        #expect(manifest["secret_key"] == .string("secret.key") && manifest["media"] == .string("included"))
        #expect(FileManager.default.fileExists(atPath: backup + "/media/runs/\(job.runID)/videos/a.mp4"))
        let again = try await runner.run(["backup", backup, "--database", source, "--data-dir", data])
        #expect(again.status != 0 && again.stderr.contains("is not empty"), "\(again.stderr)")

        let restoredData = runner.path("restored")
        let restored = try await runner.run(["restore", backup, "--database", target, "--data-dir", restoredData])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("checked"), "\(restored.stdout)")
        #expect(
            FileManager.default.contents(atPath: restoredData + "/secret.key")
                == FileManager.default.contents(atPath: data + "/secret.key"))
        #expect(FileManager.default.fileExists(atPath: restoredData + "/videos/shared.mp4"))
        #expect(FileManager.default.fileExists(atPath: restoredData + "/runs/\(job.runID)/videos/a.mp4"))
        let back: any Storage =
            switch backend {
            case .sqlite: try await SQLiteStorage.open(path: target)
            case .postgres: try await PostgresStorage.open(url: target)
            }
        #expect(try await back.job(job.jobID)?.runID == job.runID)
        #expect(try await back.files(ofJob: job.jobID, type: nil).map(\.filename) == ["a.mp4"])
        await back.close()

        // Into the same place again: refused, and nothing changed.
        let twice = try await runner.run(["restore", backup, "--database", target, "--data-dir", restoredData])
        #expect(twice.status != 0, "\(twice.stdout)")
        // A damaged copy is refused before anything is written.
        let file = backup + "/" + (backend == .sqlite ? "database.sqlite" : "database.pgdump")
        let handle = try #require(FileHandle(forWritingAtPath: file))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("x".utf8))
        try handle.close()
        let damaged = try await runner.run([
            "restore", backup, "--database", runner.path("other.db"), "--data-dir", runner.path("other"),
        ])
        #expect(damaged.status != 0 && damaged.stderr.contains("checksum"), "\(damaged.stderr)")
        #expect(!FileManager.default.fileExists(atPath: runner.path("other")))
    }
}
