import ArgumentParser
import Crypto
import Foundation
import StorageCore

/// `manifest.json` of a backup folder: what is in it and how to check it.
struct BackupManifest: Codable, Equatable {
    static let fileName = "manifest.json"
    static let mediaFolders = ["runs", "videos", "music", "sounds", "quotes", "fonts"]

    var format = 1
    var version = BuildInfo.version
    var createdAt = Timestamp.now().description
    /// `sqlite` or `postgresql`.
    var backend: String
    /// The database's copy in the folder: `database.sqlite` or `database.pgdump`.
    var databaseFile: String
    var databaseSHA256: String
    var schemaVersion: Int?
    var rowCounts: [TableCount]
    /// The data directory the history's rows name.
    var dataDirectory: String
    /// `secret.key` (in the folder), `environment` (YT_BUILDER_SECRET_KEY: the operator keeps it), or `none`.
    var secretKey: String
    var secretKeySHA256: String?
    /// `included` (under `media/`), `not included`, or where the object store keeps them.
    var media: String

    enum CodingKeys: String, CodingKey {
        case format, version, backend, media
        case createdAt = "created_at"
        case databaseFile = "database_file"
        case databaseSHA256 = "database_sha256"
        case schemaVersion = "schema_version"
        case rowCounts = "row_counts"
        case dataDirectory = "data_directory"
        case secretKey = "secret_key"
        case secretKeySHA256 = "secret_key_sha256"
    }

    /// A file's SHA-256, read a megabyte at a time.
    static func sha256(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
