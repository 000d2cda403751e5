/// The one error type of every backend. `message` is written for the person who
/// must act on it; `detail` carries what the backend said (code, SQL).
public struct StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case notFound
        case invalidTransition
        case invalidInput
        case conflict
        case unavailable
        case incompatibleSchema
        case corruptDatabase
    }

    public var kind: Kind
    public var message: String
    public var detail: String?

    public init(_ kind: Kind, _ message: String, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.detail = detail
    }

    public var description: String {
        guard let detail else { return message }
        return "\(message) (\(detail))"
    }

    public static func notFound(_ message: String) -> StorageError { .init(.notFound, message) }
    public static func invalidInput(_ message: String) -> StorageError { .init(.invalidInput, message) }
    public static func invalidTransition(_ message: String) -> StorageError { .init(.invalidTransition, message) }
    public static func conflict(_ message: String) -> StorageError { .init(.conflict, message) }
}
