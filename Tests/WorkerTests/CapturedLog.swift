import Logging
import Synchronization

/// What a logger was told, for tests that check the lines a worker logs.
final class Lines: Sendable {
    /// Each line's level and text, the `reason` metadata after the text when given.
    let lines = Mutex<[(Logger.Level, String)]>([])
}

struct Capture: LogHandler {
    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let reason = event.metadata?["reason"].map { " (\($0))" } ?? ""
        lines.lines.withLock { $0.append((event.level, event.message.description + reason)) }
    }
}
