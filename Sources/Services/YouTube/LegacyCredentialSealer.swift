import Foundation
import Synchronization

/// Seals the earlier service's plain-text credentials on their way into
/// another database (`migrate`), deterministically, so a second run copies the
/// same text. The key is loaded when the first plain row comes, so a history
/// without one needs no key.
public final class LegacyCredentialSealer: Sendable {
    private let load: @Sendable () throws -> SecretBox
    private let box = Mutex<SecretBox?>(nil)
    private let count = Atomic<Int>(0)

    public init(load: @escaping @Sendable () throws -> SecretBox) { self.load = load }

    /// How many rows it sealed.
    public var sealed: Int { count.load(ordering: .relaxed) }

    /// The sealed text of a plain credentials row; nil for a row that is
    /// already sealed or is not the earlier service's JSON (copied as it is).
    public func seal(_ text: String) throws -> String? {
        guard !SecretBox.isSealed(text), let credentials = GoogleCredentials(legacyJSON: text) else { return nil }
        let box = try self.box.withLock { box in
            if let box { return box }
            let loaded = try load()
            box = loaded
            return loaded
        }
        let json = String(decoding: try GoogleCredentials.encoder.encode(credentials), as: UTF8.self)
        count.add(1, ordering: .relaxed)
        return try box.sealDeterministically(json)
    }
}
