import StorageCore

extension StorageConformance {
    /// The first value recorded for a setting stays in force until forgotten;
    /// hosts racing to record get the same answer.
    public func testDeploymentRecord() async throws {
        try await withStorage { storage, _ in
            try expect(try await storage.deploymentValue(.files) == nil, "nothing recorded at first")
            try expectEqual(try await storage.recordDeploymentValue(.files, "s3://a/p"), "s3://a/p", "the first wins")
            try expectEqual(try await storage.recordDeploymentValue(.files, "s3://b/p"), "s3://a/p", "and stays")
            try expectEqual(try await storage.deploymentValue(.files), "s3://a/p", "read back")
            try expect(try await storage.deploymentValue(.secretKeyFingerprint) == nil, "settings are apart")
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask { try await storage.recordDeploymentValue(.secretKeyFingerprint, "key-\(index)") }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            try expectEqual(answers.count, 1, "racing hosts agree on one value")
            try await storage.forgetDeploymentValue(.files)
            try expect(try await storage.deploymentValue(.files) == nil, "forgotten")
            try await expectError(.invalidInput, "an empty value") {
                _ = try await storage.recordDeploymentValue(.files, "")
            }
        }
    }
}
