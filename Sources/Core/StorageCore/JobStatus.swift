/// Where a job is in its life. The store enforces the moves between them:
/// preparing → queued → running → completed | failed, and cancelled from any of
/// the first three. Finished jobs stay finished.
public enum JobStatus: String, CaseIterable, Hashable, Sendable, Codable, ParsableName {
    public static let kind = "status"

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

}

/// The four kinds of media a job holds, each in its own folder of the run directory.
public enum FileType: String, CaseIterable, Hashable, Sendable, Codable, ParsableName {
    public static let kind = "file type"

    case videos, music, sounds, quotes

}

public enum Privacy: String, CaseIterable, Hashable, Sendable, Codable, ParsableName {
    public static let kind = "privacy"

    case `private`, unlisted, `public`

}

/// An enum read from text that a person typed: an unknown name is invalid input
/// that lists the names there are.
public protocol ParsableName: CaseIterable, RawRepresentable where RawValue == String {
    /// What a value is called in messages: "status", "file type".
    static var kind: String { get }
}

extension ParsableName {
    public static func parse(_ text: String) throws -> Self {
        guard let value = Self(rawValue: text) else {
            throw StorageError.invalidInput(
                "unknown \(kind) '\(text)'; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
