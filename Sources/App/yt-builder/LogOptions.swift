import ArgumentParser
import Foundation
import Logging
import StorageCore
import Synchronization

/// How a long-running process logs: a line of text a message, or a JSON
/// object a line for log collectors; LOG_LEVEL sets how much.
struct LogOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(
        help: ArgumentHelp(
            "text: one line a message; json: one JSON object a line (time, level, message and the metadata), "
                + "for log collectors. Default: env YT_BUILDER_LOG_FORMAT, else text."))
    var logFormat: Format?

    func validate() throws { _ = try format }

    var format: Format {
        get throws {
            if let logFormat { return logFormat }
            let text = ProcessInfo.processInfo.environment["YT_BUILDER_LOG_FORMAT"] ?? ""
            guard !text.isEmpty else { return .text }
            guard let format = Format(rawValue: text) else {
                throw ValidationError("YT_BUILDER_LOG_FORMAT must be text or json, not '\(text)'")
            }
            return format
        }
    }

    /// Sets how every logger of the process writes (once, at start) and gives the service's logger.
    func logger() throws -> Logger {
        let format = try format
        LoggingSystem.bootstrap { label in
            switch format {
            case .text: StreamLogHandler.standardOutput(label: label)
            case .json: JSONLogHandler(label: label)
            }
        }
        return ServiceLogger.make()
    }
}

/// One JSON object a line on standard output: `time` (UTC, ISO 8601),
/// `level`, `logger`, `message`, then the metadata's keys.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private static let output = Mutex<Void>(())

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        var fields: [String: JSONValue] = [:]
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = Self.json(value)
        }
        fields["time"] = .string(Timestamp.now().description)
        fields["level"] = .string(level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string(message.description)
        let text = JSONValue.object(fields).jsonText + "\n"
        Self.output.withLock { _ in FileHandle.standardOutput.write(Data(text.utf8)) }
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let value): .string(value.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let values): .object(values.mapValues(json))
        }
    }
}
