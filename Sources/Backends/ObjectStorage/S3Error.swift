/// What went wrong talking to the object store. Never carries a key or a signature.
public enum S3Error: Error, CustomStringConvertible, Equatable {
    /// The settings cannot work (a bad bucket name, no credentials, ...).
    case configuration(String)
    /// The service answered with an error: its HTTP status and S3 code.
    case service(status: Int, code: String, message: String, operation: String)
    /// The service could not be reached, or kept failing, for the whole retry window.
    case unavailable(operation: String, reason: String)
    /// An answer that does not follow the protocol.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .configuration(let message): "object store: \(message)"
        case .service(let status, let code, let message, let operation):
            "object store: \(operation) failed with HTTP \(status) \(code)\(message.isEmpty ? "" : ": \(message)")"
        case .unavailable(let operation, let reason): "object store: \(operation) failed: \(reason)"
        case .protocolViolation(let message): "object store: unexpected answer: \(message)"
        }
    }

    /// True for a missing object (or bucket).
    public var isNotFound: Bool {
        if case .service(let status, _, _, _) = self { return status == 404 }
        return false
    }
}
