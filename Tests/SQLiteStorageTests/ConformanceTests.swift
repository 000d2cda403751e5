import Foundation
import SQLiteStorage
import StorageConformance
import Testing

/// The shared conformance suite, each area on a fresh database file.
@Suite struct SQLiteConformanceTests {
    let suite = StorageConformance { clock in
        var options = SQLiteStorage.Options()
        options.clock = { clock.now() }
        return try await SQLiteStorage.open(path: TemporaryFolder().path("conformance.db"), options: options)
    }

    @Test func jobs() async throws { try await suite.testJobs() }
    @Test func stateMachine() async throws { try await suite.testStateMachine() }
    @Test func files() async throws { try await suite.testFiles() }
    @Test func fileCounts() async throws { try await suite.testFileCounts() }
    @Test func uploads() async throws { try await suite.testUploads() }
    @Test func cleanup() async throws { try await suite.testCleanup() }
    @Test func paging() async throws { try await suite.testPaging() }
    @Test func unicodeNames() async throws { try await suite.testUnicodeNames() }
    @Test func largeConfigs() async throws { try await suite.testLargeConfigs() }
    @Test func timestamps() async throws { try await suite.testTimestamps() }
    @Test func concurrentCreation() async throws { try await suite.testConcurrentCreation() }
    @Test func errors() async throws { try await suite.testErrors() }
    @Test func claims() async throws { try await suite.testClaims() }
    @Test func leases() async throws { try await suite.testLeases() }
    @Test func cancel() async throws { try await suite.testCancel() }
    @Test func wakeUp() async throws { try await suite.testWakeUp() }
    @Test func credentials() async throws { try await suite.testCredentials() }
    @Test func uploadTasks() async throws { try await suite.testUploadTasks() }
    @Test func preparingJobs() async throws { try await suite.testPreparing() }

    @Test func everyAreaHasATest() {
        #expect(StorageConformance.areas.count == 19, "a new area needs its own @Test above")
    }
}
