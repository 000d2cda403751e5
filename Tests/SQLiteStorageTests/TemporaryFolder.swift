import Foundation
import SchemaSQL

/// A folder under the system's temporary directory, unique to one test.
/// Left behind on purpose when a test fails is not needed: the OS clears /tmp.
struct TemporaryFolder: Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("yt-builder-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Every SQLite migration this build carries, in order.
let sqliteMigrationIDs = Schema.migrations(for: .sqlite).map(\.id)
