import StorageCore

extension PostgresStorage {
    public func credentials(user: String) async throws -> StoredCredentials? {
        try await session { connection in
            try connection.query(
                "SELECT user_id, credentials_json, updated_at FROM youtube_credentials WHERE user_id = $1", [user]
            ) { try StoredCredentials(row: $0) }.first
        }
    }

    public func allCredentials() async throws -> [StoredCredentials] {
        try await session { connection in
            try connection.query(
                "SELECT user_id, credentials_json, updated_at FROM youtube_credentials ORDER BY user_id"
            ) {
                try StoredCredentials(row: $0)
            }
        }
    }

    public func saveCredentials(user: String, text: String) async throws {
        try StoredCredentials.validate(user: user)
        let now = self.now
        _ = try await session { connection in
            try connection.run(
                """
                INSERT INTO youtube_credentials (user_id, credentials_json, updated_at) VALUES ($1, $2, $3::timestamptz)
                ON CONFLICT (user_id) DO UPDATE SET credentials_json = excluded.credentials_json,
                    updated_at = excluded.updated_at
                """, [user, text, now])
        }
    }

    public func deleteCredentials(user: String) async throws -> Bool {
        try await session { connection in
            try connection.run("DELETE FROM youtube_credentials WHERE user_id = $1", [user]) > 0
        }
    }
}
