import StorageCore

extension StorageConformance {
    /// Credentials are kept per user as the text given, replaced and deleted.
    public func testCredentials() async throws {
        try await withStorage { storage, clock in
            try expect(try await storage.credentials(user: "default") == nil, "none at first")
            let first = clock.peek()
            try await storage.saveCredentials(user: "default", text: "ytb1:first")
            let stored = try unwrap(try await storage.credentials(user: "default"), "saved")
            try expectEqual(stored.text, "ytb1:first", "the text as given")
            try expect(stored.updatedAt >= first, "updated_at")
            try await storage.saveCredentials(user: "default", text: "ytb1:second")
            try await storage.saveCredentials(user: "other", text: "ytb1:other")
            try expectEqual(try await storage.credentials(user: "default")?.text, "ytb1:second", "replaced")
            try expectEqual(try await storage.allCredentials().map(\.user), ["default", "other"], "all, by user")
            try expect(try await storage.deleteCredentials(user: "default"), "deleted")
            try expect(!(try await storage.deleteCredentials(user: "default")), "deleting twice gives false")
            try expect(try await storage.credentials(user: "default") == nil, "gone")
            try await expectError(.invalidInput, "an empty user") {
                try await storage.saveCredentials(user: "", text: "x")
            }
        }
    }
}
