import PostgresStorage
import StorageConformance
import TestPostgres
import Testing

/// The shared conformance suite, each area on a new database of a real server.
@Suite struct PostgresConformanceTests {
    let suite = StorageConformance { clock in
        var options = PostgresStorage.Options()
        options.clock = { clock.now() }
        return try await PostgresStorage.open(url: try TestPostgres.shared().freshDatabase(), options: options)
    }

    @Test(arguments: StorageConformance.areaNames) func area(_ id: String) async throws {
        try await suite.run(id)
    }
}
