/// What every backend can store of a JSON value. PostgreSQL's `jsonb` cannot
/// hold the NUL character (`\u0000`, SQLSTATE 22P05) where SQLite's text can,
/// so it is refused everywhere alike: by the API when a config arrives, and by
/// `migrate`, which quarantines such a value as it does JSON that is not JSON.
extension JSONValue {
    /// The path of the first string or key holding NUL (`config.quote_text`); nil when there is none.
    public func pathToNUL(_ path: String = "config") -> String? {
        switch self {
        case .string(let text): return text.unicodeScalars.contains("\0") ? path : nil
        case .array(let values):
            for (index, value) in values.enumerated() {
                if let found = value.pathToNUL("\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let values):
            for key in values.keys.sorted() {
                if key.unicodeScalars.contains("\0") {
                    return path + "." + key.replacingOccurrences(of: "\0", with: "\\u0000")
                }
                if let found = values[key]!.pathToNUL(path + "." + key) { return found }
            }
            return nil
        case .null, .bool, .int, .double: return nil
        }
    }
}

extension JobConfig {
    /// Throws invalidInput when a value cannot be stored by every backend.
    public func validateStorable() throws {
        if let path = JSONValue.object(values).pathToNUL() {
            throw StorageError.invalidInput(
                "\(path) holds the NUL character (\\u0000), which the database cannot store; remove it")
        }
    }
}
