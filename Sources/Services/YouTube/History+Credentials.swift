import Foundation
import StorageCore

extension History {
    /// How many `youtube_credentials` rows hold the earlier service's plain JSON.
    public var plainCredentialRows: Int {
        credentialColumn.map { table, column in
            tables[table].rows.filter { row in row[column].map { !SecretBox.isSealed($0) } ?? false }.count
        } ?? 0
    }

    /// Seals the earlier service's plain-text credentials before they are
    /// copied anywhere (deterministically, so a second run copies the same text).
    public mutating func sealPlainCredentials(with box: SecretBox) throws {
        guard let (table, column) = credentialColumn else { return }
        for index in tables[table].rows.indices {
            guard let text = tables[table].rows[index][column], !SecretBox.isSealed(text),
                let credentials = GoogleCredentials(legacyJSON: text)
            else { continue }
            let json = String(decoding: try GoogleCredentials.encoder.encode(credentials), as: UTF8.self)
            tables[table].rows[index][column] = try box.sealDeterministically(json)
        }
    }

    private var credentialColumn: (Int, Int)? {
        guard let table = tables.firstIndex(where: { $0.name == "youtube_credentials" }),
            let column = tables[table].columns.firstIndex(where: { $0.name == "credentials_json" })
        else { return nil }
        return (table, column)
    }
}
