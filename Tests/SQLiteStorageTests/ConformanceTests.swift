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

    @Test(arguments: StorageConformance.areaNames) func area(_ id: String) async throws {
        try await suite.run(id)
    }
}
