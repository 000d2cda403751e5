import ArgumentParser
import StorageCore

/// The earlier CLI's environment: every setting as `YT_BUILDER_<KEY>`
/// (`YT_BUILDER_MUSIC_SHUFFLE=true`), read only where no flag was given. A
/// value that cannot be read is an error that names its variable.
struct RenderEnvironment {
    var values: [String: String]

    static func name(_ key: String) -> String { "YT_BUILDER_" + key.uppercased() }

    func text(_ key: String) -> String? {
        values[Self.name(key)].flatMap { $0.isEmpty ? nil : $0 }
    }

    func number(_ key: String) throws -> JSONValue? {
        guard let text = text(key) else { return nil }
        if let whole = Int64(text) { return .int(whole) }
        guard let value = Double(text), value.isFinite else {
            throw ValidationError("\(Self.name(key)) must be a number, not '\(text)'")
        }
        return .double(value)
    }

    /// The earlier spellings: true/1/yes/on and false/0/no/off, in any case.
    func bool(_ key: String) throws -> Bool? {
        guard let text = text(key) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ValidationError("\(Self.name(key)) must be true/1/yes/on or false/0/no/off, not '\(text)'")
        }
    }

    /// Which config keys the environment supplied, for messages about them.
    func supplied(_ keys: [String]) -> Set<String> { Set(keys.filter { text($0) != nil }) }
}
