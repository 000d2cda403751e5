import TestPostgres
import Testing

@testable import HistoryMigration

/// `migrate`'s checksum hashes each row on both sides; the client's hash must
/// be the server's `hashtextextended(text, 0)` for every length of text.
@Suite struct PostgresTextHashTests {
    static let texts: [String] =
        (0...40).map { String(repeating: "x", count: $0) }
        + (0...26).map { length in
            String(
                decoding: Array(
                    "Vidéo n° 1 ☕ 日本 \u{1F}1\u{1E}2 runs/run-7-0a1b2c3d/videos/clip.mp4".utf8.prefix(length + 20)),
                as: UTF8.self)
        }

    @Test func theClientHashesTextAsTheServerDoes() throws {
        let server = try TestPostgres.shared()
        for text in Self.texts {
            let expected = try server.query("SELECT hashtextextended($t$\(text)$t$, 0)", database: "postgres")
            var copy = text
            let actual = copy.withUTF8 { PostgresTextHash.hash(UnsafeRawBufferPointer($0)) }
            #expect(expected == ["\(actual)"], "\(text.utf8.count) bytes: \(text)")
        }
    }
}
