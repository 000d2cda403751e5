import Foundation
import StorageCore

/// A dialect's SQL, by name, read from files of sections (`sql/shared/`
/// for what reads the same everywhere, then `sql/<backend>/`):
///
///     -- name: job_by_id
///     SELECT {{job_columns}} FROM jobs WHERE job_id = $1
///
/// `{{name}}` stands for another section's text (column lists, guards).
/// Every `Statement` and `TaskStatement` must be present; an `OptionalStatement` may be missing,
/// and then that step does not exist in the dialect.
public struct SQLStatements: Sendable {
    private let texts: [String: String]

    /// Reads the sections of `files` (the shared statements, then the
    /// dialect's); a name defined twice is refused.
    public init(
        files: [String], required: [String] = Statement.allCases.map(\.rawValue) + TaskStatement.all.map(\.name)
    ) throws {
        var sections: [String: String] = [:]
        for file in files {
            for (name, text) in Self.sections(of: file) {
                guard sections.updateValue(text, forKey: name) == nil else {
                    throw StorageError(.invalidInput, "the statement \(name) is defined twice")
                }
            }
        }
        var expanded: [String: String] = [:]
        for (key, text) in sections { expanded[key] = try Self.expand(text, sections, depth: 0) }
        let missing = required.filter { expanded[$0] == nil }
        guard missing.isEmpty else {
            throw StorageError(.invalidInput, "the dialect's statements lack \(missing.joined(separator: ", "))")
        }
        texts = expanded
    }

    private static func sections(of file: String) -> [(String, String)] {
        var sections: [(String, String)] = []
        var name: String?
        var lines: [Substring] = []
        func close() {
            if let name {
                sections.append((name, lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)))
            }
        }
        for line in file.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("-- name:") {
                close()
                name = line.dropFirst("-- name:".count).trimmingCharacters(in: .whitespaces)
                lines = []
            } else if !line.hasPrefix("--") {
                lines.append(line)
            }
        }
        close()
        return sections
    }

    private static func expand(_ text: String, _ sections: [String: String], depth: Int) throws -> String {
        guard text.contains("{{") else { return text }
        guard depth < 8 else { throw StorageError(.invalidInput, "statement references nest too deep") }
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex)
        {
            result += rest[..<open.lowerBound]
            let name = String(rest[open.upperBound..<close.lowerBound])
            guard let part = sections[name] else { throw StorageError(.invalidInput, "no statement named \(name)") }
            result += try expand(part, sections, depth: depth + 1)
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    /// A statement's text (every one was checked to be present).
    public subscript(_ statement: Statement) -> String { checked(statement.rawValue) }

    /// A task kind's statement (every one was checked to be present).
    public subscript(_ statement: TaskStatement) -> String { checked(statement.name) }

    private func checked(_ name: String) -> String {
        guard let text = texts[name] else { preconditionFailure("statement \(name) was checked to be present") }
        return text
    }

    /// Any section's text by its name, parts included (for tests that read plans).
    public func text(named name: String) -> String? { texts[name] }

    /// An optional step's text, nil where the dialect has none.
    public func optional(_ statement: OptionalStatement) -> String? { texts[statement.rawValue] }
}
