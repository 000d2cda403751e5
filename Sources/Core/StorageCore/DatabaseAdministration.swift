/// What an operator does to a database as a whole: the `yt-builder db` commands.
public protocol DatabaseAdministration: Sendable {
    /// What opening the database did to its schema; nil when nothing was pending.
    var openingReport: MigrationReport? { get }
    func status() async throws -> DatabaseStatus
    /// Brings the schema up to date; a no-op report when it already is.
    func migrate() async throws -> MigrationReport
    /// Integrity and foreign-key problems, one line each; empty when healthy.
    func check() async throws -> [String]
    /// A consistent copy taken while the database stays in use.
    func backup(to destination: String) async throws
}

public struct DatabaseStatus: Hashable, Sendable, Codable {
    public var backend: String
    public var location: String
    /// The version of the newest applied migration; 0 for a new database, nil for
    /// a file of the earlier service that has not been upgraded yet.
    public var schemaVersion: Int?
    public var appliedMigrations: [String]
    public var pendingMigrations: [String]
    public var legacy: Bool
    /// Table name and row count, in a fixed order.
    public var rowCounts: [TableCount]

    public init(
        backend: String, location: String, schemaVersion: Int?, appliedMigrations: [String],
        pendingMigrations: [String], legacy: Bool, rowCounts: [TableCount]
    ) {
        self.backend = backend
        self.location = location
        self.schemaVersion = schemaVersion
        self.appliedMigrations = appliedMigrations
        self.pendingMigrations = pendingMigrations
        self.legacy = legacy
        self.rowCounts = rowCounts
    }

    enum CodingKeys: String, CodingKey {
        case backend, location
        case schemaVersion = "schema_version"
        case appliedMigrations = "applied_migrations"
        case pendingMigrations = "pending_migrations"
        case legacy
        case rowCounts = "row_counts"
    }
}

public struct TableCount: Hashable, Sendable, Codable {
    public var table: String
    public var rows: Int

    public init(table: String, rows: Int) {
        self.table = table
        self.rows = rows
    }
}

public struct MigrationReport: Hashable, Sendable, Codable {
    public var applied: [String]
    /// Where the pre-upgrade copy was written, when one was.
    public var backupPath: String?
    public var legacyUpgrade: LegacyUpgradeReport?

    public init(applied: [String], backupPath: String? = nil, legacyUpgrade: LegacyUpgradeReport? = nil) {
        self.applied = applied
        self.backupPath = backupPath
        self.legacyUpgrade = legacyUpgrade
    }

    enum CodingKeys: String, CodingKey {
        case applied
        case backupPath = "backup_path"
        case legacyUpgrade = "legacy_upgrade"
    }
}

/// What upgrading a file of the earlier service did, table by table.
public struct LegacyUpgradeReport: Hashable, Sendable, Codable {
    public var timeZone: String
    /// Rows found in each legacy table, rows kept in place, rows moved to quarantine.
    public var tables: [LegacyTableReport]

    public init(timeZone: String, tables: [LegacyTableReport]) {
        self.timeZone = timeZone
        self.tables = tables
    }

    enum CodingKeys: String, CodingKey {
        case timeZone = "time_zone"
        case tables
    }
}

public struct LegacyTableReport: Hashable, Sendable, Codable {
    public var table: String
    public var before: Int
    public var kept: Int
    public var quarantined: Int

    public init(table: String, before: Int, kept: Int, quarantined: Int) {
        self.table = table
        self.before = before
        self.kept = kept
        self.quarantined = quarantined
    }
}
