import StorageCore

extension SQLStore: DeploymentRecord {
    public func deploymentValue(_ setting: DeploymentSetting) async throws -> String? {
        let statement = sql[.deploymentValue]
        let name = setting.rawValue
        return try await driver.read { connection in
            let recorded = try connection.query(statement, [.text(name)]) { $0.text(0) }.first
            return recorded ?? nil
        }
    }

    public func recordDeploymentValue(_ setting: DeploymentSetting, _ value: String) async throws -> String {
        guard !value.isEmpty, !value.utf8.contains(0) else {
            throw StorageError.invalidInput("a deployment setting must be non-empty text without NUL")
        }
        let (record, read) = (sql[.recordDeploymentValue], sql[.deploymentValue])
        let name = setting.rawValue
        return try await driver.write { connection in
            try connection.run(record, [.text(name), .text(value)])
            let recorded = try connection.query(read, [.text(name)]) { $0.text(0) }.first
            return (recorded ?? nil) ?? value
        }
    }

    public func forgetDeploymentValue(_ setting: DeploymentSetting) async throws {
        let statement = sql[.forgetDeploymentValue]
        let name = setting.rawValue
        try await driver.write { _ = try $0.run(statement, [.text(name)]) }
    }
}
