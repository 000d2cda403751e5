/// One schema change, from `sql/<backend>/NNN_name.sql`; `id` is the file name
/// without `.sql`, `version` its number.
public struct Migration: Hashable, Sendable {
    public var id: String
    public var version: Int
    public var sql: String

    public init(id: String, version: Int, sql: String) {
        self.id = id
        self.version = version
        self.sql = sql
    }

    /// `NNN_name` → NNN; nil for names that are not migrations.
    public static func version(ofID id: String) -> Int? {
        let digits = id.prefix { $0.isASCII && $0.isNumber }
        guard digits.count == 3, id.dropFirst(3).first == "_" else { return nil }
        return Int(digits)
    }
}

/// The database side of the migration runner. Backends implement it on one
/// connection; its calls block, and run where the backend runs blocking work.
public protocol MigrationTarget {
    /// Ids of the migrations recorded as applied.
    func appliedMigrationIDs() throws -> [String]
    /// Holds off other processes migrating the same database while `body`
    /// runs (on SQLite, one transaction around every migration of the run).
    func withMigrationLock<T>(_ body: () throws -> T) throws -> T
    /// In one transaction: runs the migration and records it, unless another
    /// process has recorded it already. Returns whether it ran.
    func apply(_ migration: Migration) throws -> Bool
}

/// The one migration runner of every backend.
public struct MigrationRunner: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The migrations still to apply. Throws `.incompatibleSchema` when the
    /// database records migrations this binary does not know: a newer version wrote it.
    public func pending(applied: [String]) throws -> [Migration] {
        let known = Set(migrations.map(\.id))
        let unknown = applied.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            let newest = migrations.last?.version ?? 0
            throw StorageError(
                .incompatibleSchema,
                "the database has schema migrations this yt-builder does not know (\(unknown.joined(separator: ", "))); "
                    + "it was written by a newer version. Upgrade yt-builder (this one knows up to version \(newest)).")
        }
        let done = Set(applied)
        return migrations.filter { !done.contains($0.id) }
    }

    /// Applies every pending migration in order, each in its own transaction
    /// or inside the one the target's lock holds.
    /// Returns the ids this call applied.
    @discardableResult
    public func run(on target: some MigrationTarget) throws -> [String] {
        try target.withMigrationLock {
            var applied: [String] = []
            for migration in try pending(applied: target.appliedMigrationIDs()) where try target.apply(migration) {
                applied.append(migration.id)
            }
            return applied
        }
    }

    public func version(ofApplied applied: [String]) -> Int {
        applied.compactMap(Migration.version(ofID:)).max() ?? 0
    }
}
