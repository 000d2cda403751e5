#if canImport(Glibc)
    import Glibc
#endif

/// Writing a job's files failed on this host's disk: not the database's
/// doing, and (when the disk is full) not something a retry soon will fix.
public struct FileSystemError: Error, CustomStringConvertible {
    /// What was being done: "write", "store", "create".
    public let operation: String
    public let path: String
    public let code: Int32

    public init(_ operation: String, _ path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// The disk (or the user's quota) is full.
    public var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }

    public var reason: String { String(cString: strerror(code)) }
    public var description: String { "cannot \(operation) \(path): \(reason)" }
}
