import StorageCore

extension SQLStore: UploadHistory {
    public func addUpload(_ upload: NewYouTubeUpload) async throws -> YouTubeUpload {
        try upload.validate()
        let (statement, values) = (sql[.insertUpload], upload.values + [.timestamp(now)])
        return try await requiringJob(upload.jobID) {
            try await driver.write { try $0.query(statement, values) { try YouTubeUpload(row: $0) }[0] }
        }
    }

    public func uploads(ofJob jobID: Int64?, limit: Int) async throws -> [YouTubeUpload] {
        try JobQuery.validate(limit: limit)
        let statement = sql[jobID == nil ? .uploads : .uploadsOfJob]
        let values: [SQLValue] = [.integer(limit)] + (jobID.map { [.integer($0)] } ?? [])
        return try await driver.read { try $0.query(statement, values) { try YouTubeUpload(row: $0) } }
    }
}

extension SQLStore: CredentialStore {
    public func credentials(user: String) async throws -> StoredCredentials? {
        let statement = sql[.credentialsOfUser]
        return try await driver.read { try $0.query(statement, [.text(user)]) { try StoredCredentials(row: $0) }.first }
    }

    public func allCredentials() async throws -> [StoredCredentials] {
        let statement = sql[.allCredentials]
        return try await driver.read { try $0.query(statement) { try StoredCredentials(row: $0) } }
    }

    public func saveCredentials(user: String, text: String) async throws {
        try StoredCredentials.validate(user: user)
        let (statement, values) = (sql[.saveCredentials], [SQLValue.text(user), .text(text), .timestamp(now)])
        _ = try await driver.write { try $0.run(statement, values) }
        try await forgetReplacedSecrets()
    }

    public func deleteCredentials(user: String) async throws -> Bool {
        let statement = sql[.deleteCredentials]
        let deleted = try await driver.write { try $0.run(statement, [.text(user)]) > 0 }
        try await forgetReplacedSecrets()
        return deleted
    }

    /// Where a replaced secret can linger after its transaction (SQLite's
    /// write-ahead log), the dialect's `forget_replaced_secrets` clears it.
    func forgetReplacedSecrets() async throws {
        guard let statement = sql.optional(.forgetReplacedSecrets) else { return }
        _ = try await driver.read { try $0.run(statement, []) }
    }
}
