/// Where a job is in its life. The store enforces the moves between them:
/// preparing → queued → running → completed | failed, and cancelled from any of
/// the first three. Finished jobs stay finished.
public enum JobStatus: String, CaseIterable, Hashable, Sendable, Codable {
    case preparing, queued, running, completed, failed, cancelled

    public var isFinished: Bool {
        switch self {
        case .completed, .failed, .cancelled: true
        case .preparing, .queued, .running: false
        }
    }

    public func canMove(to next: JobStatus) -> Bool {
        switch (self, next) {
        case (.preparing, .queued), (.queued, .running), (.running, .completed), (.running, .failed): true
        case (.preparing, .cancelled), (.queued, .cancelled), (.running, .cancelled): true
        default: false
        }
    }

    public static func parse(_ text: String) throws -> JobStatus {
        guard let status = JobStatus(rawValue: text) else {
            throw StorageError.invalidInput(
                "unknown status '\(text)'; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }
}

/// The four kinds of media a job holds, each in its own folder of the run directory.
public enum FileType: String, CaseIterable, Hashable, Sendable, Codable {
    case videos, music, sounds, quotes

    public static func parse(_ text: String) throws -> FileType {
        guard let type = FileType(rawValue: text) else {
            throw StorageError.invalidInput(
                "unknown file type '\(text)'; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return type
    }
}

public enum Privacy: String, CaseIterable, Hashable, Sendable, Codable {
    case `private`, unlisted, `public`

    public static func parse(_ text: String) throws -> Privacy {
        guard let privacy = Privacy(rawValue: text) else {
            throw StorageError.invalidInput(
                "unknown privacy '\(text)'; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return privacy
    }
}
