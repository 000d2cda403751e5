import StorageCore

extension SQLiteStorage {
    public func credentials(user: String) async throws -> StoredCredentials? {
        try await read { connection in
            try connection.query(
                "SELECT user_id, credentials_json, updated_at FROM youtube_credentials WHERE user_id = ?", [.text(user)]
            ) { try StoredCredentials(row: $0) }.first
        }
    }

    public func allCredentials() async throws -> [StoredCredentials] {
        try await read { connection in
            try connection.query(
                "SELECT user_id, credentials_json, updated_at FROM youtube_credentials ORDER BY user_id"
            ) {
                try StoredCredentials(row: $0)
            }
        }
    }

    public func saveCredentials(user: String, text: String) async throws {
        try StoredCredentials.validate(user: user)
        let now = now
        try await write { connection in
            // secure_delete (set when the file is opened) zeroes the replaced text on disk.
            _ = try connection.run(
                """
                INSERT INTO youtube_credentials (user_id, credentials_json, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET credentials_json = excluded.credentials_json,
                    updated_at = excluded.updated_at
                """, [.text(user), .text(text), .timestamp(now)])
        }
        try await checkpoint()
    }

    public func deleteCredentials(user: String) async throws -> Bool {
        let deleted = try await write { connection in
            try connection.run("DELETE FROM youtube_credentials WHERE user_id = ?", [.text(user)]) > 0
        }
        try await checkpoint()
        return deleted
    }

    /// Moves the WAL into the main file and empties it, so replaced secrets do
    /// not linger in the WAL's old frames.
    func checkpoint() async throws {
        try await read { connection in try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}
