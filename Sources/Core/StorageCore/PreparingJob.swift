/// What only a job that is still `preparing` allows: changing its files and
/// starting it. Both backends check these inside the transaction that writes.
public enum PreparingJob {
    /// Throws invalidTransition unless the job is preparing; `change` says what
    /// was refused ("files can be added", "be started").
    public static func require(_ jobID: Int64, _ status: JobStatus, toAllow change: Change) throws {
        guard status != .preparing else { return }
        throw StorageError.invalidTransition("job \(jobID) is \(status.rawValue); \(change.refusal)")
    }

    public static func requireVideos(_ jobID: Int64, count: Int) throws {
        guard count == 0 else { return }
        throw StorageError.invalidInput("job \(jobID) has no video clips; upload at least one before starting")
    }

    /// The stored config moved since the caller read it: another start or a cancel came first.
    public static func configChanged(_ jobID: Int64) -> StorageError {
        .conflict("job \(jobID) was changed by another request meanwhile; read it again and retry")
    }

    public enum Change: Sendable {
        case addFiles, removeFiles, start

        var refusal: String {
            switch self {
            case .addFiles: "files can be added only while it is preparing"
            case .removeFiles: "files can be removed only while it is preparing"
            case .start: "only a preparing job can be started"
            }
        }
    }
}
