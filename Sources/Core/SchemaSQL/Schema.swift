import StorageCore

/// The SQL under `sql/`, embedded at build time by the EmbedFiles plugin.
public enum Schema {
    public enum Backend: String, Sendable {
        case sqlite, postgres
    }

    /// `sql/<backend>/NNN_name.sql`, in version order.
    public static func migrations(for backend: Backend) -> [Migration] {
        EmbeddedSQL.files.compactMap { path, sql -> Migration? in
            let parts = path.split(separator: "/")
            guard parts.count == 2, parts[0] == backend.rawValue, parts[1].hasSuffix(".sql") else { return nil }
            let id = String(parts[1].dropLast(4))
            return Migration.version(ofID: id).map { Migration(id: id, version: $0, sql: sql) }
        }.sorted { $0.version < $1.version }
    }

    /// The statements the store runs on `backend`: those every dialect shares,
    /// then the backend's own (see SQLStatements).
    public static func statements(for backend: Backend) -> [String] {
        ["shared/statements.sql", "\(backend.rawValue)/statements.sql"].compactMap { EmbeddedSQL.files[$0] }
    }

    /// Another script of a backend, by its path under `sql/<backend>/`, such as `legacy/upgrade.sql`.
    public static func script(_ name: String, for backend: Backend) -> String? {
        EmbeddedSQL.files["\(backend.rawValue)/\(name)"]
    }
}
