import ArgumentParser
import Foundation
import PostgresStorage
import SQLiteStorage
import StorageCore
import YouTube

/// Puts a `backup` folder back into an empty place: checks the manifest's
/// checksums and that nothing would be overwritten before it writes anything,
/// then restores, brings the schema up to date and checks the result.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup folder into an empty database and data directory, and check it.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "A folder written by `yt-builder backup`.") var folder: String

    func run() async throws {
        let fileManager = FileManager.default
        let manifest = try readManifest()
        let databaseCopy = folder + "/" + manifest.databaseFile
        guard try BackupManifest.sha256(of: databaseCopy) == manifest.databaseSHA256 else {
            throw ValidationError("\(databaseCopy) does not match the manifest's checksum: the backup is damaged")
        }
        let dataDirectory = URL(fileURLWithPath: database.dataDir).standardizedFileURL.path
        let keyFile = dataDirectory + "/" + SecretBox.keyFileName
        if let sum = manifest.secretKeySHA256 {
            guard try BackupManifest.sha256(of: folder + "/" + SecretBox.keyFileName) == sum else {
                throw ValidationError("the backup's secret.key does not match the manifest's checksum")
            }
            guard !fileManager.fileExists(atPath: keyFile) else {
                throw ValidationError("\(keyFile) exists; restore into a data directory without one")
            }
        }
        let media = folder + "/media"
        let mediaFolders = ((try? fileManager.contentsOfDirectory(atPath: media)) ?? []).sorted()
        for name in mediaFolders where fileManager.fileExists(atPath: dataDirectory + "/" + name) {
            throw ValidationError("\(dataDirectory)/\(name) exists; restore into a data directory without it")
        }
        let postgres = DatabaseOptions.isPostgres(database.location)
        guard postgres == (manifest.backend == "postgresql") else {
            throw ValidationError(
                "the backup is of a \(manifest.backend) database; restore it into one of the same kind "
                    + "(to move a SQLite history into PostgreSQL, restore it, then `yt-builder migrate`)")
        }
        if postgres {
            try await PostgresStorage.restore(dump: databaseCopy, into: database.location)
        } else {
            let path = DatabaseOptions.sqlitePath(database.location)
            guard !fileManager.fileExists(atPath: path) else {
                throw ValidationError("\(path) exists; restore into a new database file")
            }
            try fileManager.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            var options = SQLiteStorage.Options()
            options.migrate = false
            options.create = false
            let source = try await SQLiteStorage.open(path: databaseCopy, options: options)
            do {
                try await source.backup(to: path)
            } catch {
                await source.close()
                throw error
            }
            await source.close()
        }
        try fileManager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        if manifest.secretKeySHA256 != nil {
            try fileManager.copyItem(atPath: folder + "/" + SecretBox.keyFileName, toPath: keyFile)
            chmod(keyFile, 0o600)
        }
        for name in mediaFolders {
            try fileManager.copyItem(atPath: media + "/" + name, toPath: dataDirectory + "/" + name)
        }
        let (problems, status) = try await database.withStorage(migrate: true) { storage in
            (try await storage.check(), try await storage.status())
        }
        for problem in problems { Console.error("check: \(problem)") }
        var differences: [String] = []
        for counted in manifest.rowCounts {
            let now = status.rowCounts.first { $0.table == counted.table }?.rows
            if now != counted.rows {
                differences.append("\(counted.table): \(counted.rows) backed up, \(now ?? 0) now")
            }
        }
        for difference in differences { Console.error("rows differ: \(difference)") }
        guard problems.isEmpty, differences.isEmpty else { throw ExitCode.failure }
        let rows = status.rowCounts.map { "\($0.rows) \($0.table)" }.joined(separator: ", ")
        print("Restored \(folder) into \(Redacted.location(database.location)) and \(dataDirectory): \(rows); checked.")
        if manifest.dataDirectory != dataDirectory, manifest.backend == "sqlite" || manifest.media == "included" {
            Console.error(
                "The history's rows name \(manifest.dataDirectory); this data directory is \(dataDirectory). "
                    + "Serve it from \(manifest.dataDirectory) (or a link there) so jobs find their files.")
        }
        if manifest.secretKey == "environment" {
            Console.error("The backup was sealed with YT_BUILDER_SECRET_KEY: set the same key where this runs.")
        }
    }

    func readManifest() throws -> BackupManifest {
        let path = folder + "/" + BackupManifest.fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(folder) has no \(BackupManifest.fileName): it is not a yt-builder backup")
        }
        guard let manifest = try? JSONDecoder().decode(BackupManifest.self, from: data), manifest.format == 1 else {
            throw ValidationError("\(path) is not a manifest this version reads")
        }
        return manifest
    }
}
