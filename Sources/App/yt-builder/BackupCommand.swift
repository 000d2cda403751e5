import ArgumentParser
import Foundation
import StorageCore
import YouTube

/// One backup: the database (SQLite's backup API, or pg_dump), the key that
/// seals credentials, a manifest with checksums and, with --with-media, the
/// data directory's runs and shared folders.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract:
            "Write the database, secret.key and a manifest (and, with --with-media, the media) into a new folder.",
        discussion: """
            The database stays in use while it is copied. With object storage (--files), the media are in the \
            bucket: the manifest says where, and keeping them (the bucket's versioning or replication) is the \
            operator's. `yt-builder restore DIR` puts a backup back.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var files: FilesOptions
    @Argument(help: "The folder to write; it must not exist yet, or be empty.") var folder: String
    @Flag(help: "Also copy the data directory's runs/ and shared folders (videos, music, sounds, quotes, fonts).")
    var withMedia = false

    func run() async throws {
        let fileManager = FileManager.default
        let existing = (try? fileManager.contentsOfDirectory(atPath: folder)) ?? []
        guard existing.isEmpty else { throw ValidationError("\(folder) is not empty; choose a new folder") }
        try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let dataDirectory = URL(fileURLWithPath: database.dataDir).standardizedFileURL.path
        let postgres = DatabaseOptions.isPostgres(database.location)
        let databaseFile = postgres ? "database.pgdump" : "database.sqlite"
        let status = try await database.withStorage(migrate: false) { storage in
            try await storage.backup(to: folder + "/" + databaseFile)
            return try await storage.status()
        }
        var manifest = BackupManifest(
            backend: status.backend, databaseFile: databaseFile,
            databaseSHA256: try BackupManifest.sha256(of: folder + "/" + databaseFile),
            schemaVersion: status.schemaVersion, rowCounts: status.rowCounts, dataDirectory: dataDirectory,
            secretKey: "none", media: "not included")
        let keyFile = dataDirectory + "/" + SecretBox.keyFileName
        if ProcessInfo.processInfo.environment["YT_BUILDER_SECRET_KEY"].map({ !$0.isEmpty }) == true {
            manifest.secretKey = "environment"
        } else if fileManager.fileExists(atPath: keyFile) {
            try fileManager.copyItem(atPath: keyFile, toPath: folder + "/" + SecretBox.keyFileName)
            chmod(folder + "/" + SecretBox.keyFileName, 0o600)
            manifest.secretKey = SecretBox.keyFileName
            manifest.secretKeySHA256 = try BackupManifest.sha256(of: keyFile)
        }
        if let store = files.location {
            manifest.media = "in \(store): keeping them (versioning or replication of the bucket) is the operator's"
        } else if withMedia {
            try fileManager.createDirectory(atPath: folder + "/media", withIntermediateDirectories: true)
            for name in BackupManifest.mediaFolders where fileManager.fileExists(atPath: dataDirectory + "/" + name) {
                try fileManager.copyItem(atPath: dataDirectory + "/" + name, toPath: folder + "/media/" + name)
            }
            manifest.media = "included"
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: folder + "/" + BackupManifest.fileName))
        print("Backed up \(Redacted.location(database.location)) to \(folder): \(databaseFile), ", terminator: "")
        print("secret key: \(manifest.secretKey), media: \(manifest.media)")
        if manifest.secretKey == "environment" {
            Console.error("The key is in YT_BUILDER_SECRET_KEY, not in the backup: keep it with the backup yourself.")
        }
    }
}
