import Foundation
import StorageCore

enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Left-aligned columns, two spaces apart.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// How a migration report reads to a person.
struct MigrationReportText {
    let report: MigrationReport

    var text: String {
        var lines: [String] = []
        if let backup = report.backupPath {
            lines.append(
                "Backed up the database before upgrading it: \(backup) (mode 0600, readable by its owner only: "
                    + "it holds the whole history, the earlier service's plain-text YouTube tokens included)")
        }
        if let legacy = report.legacyUpgrade {
            lines.append("Upgraded a database of the earlier service (timestamps read in \(legacy.timeZone)):")
            lines.append(
                Console.table(
                    ["table", "before", "kept", "quarantined"],
                    legacy.tables.map { [$0.table, "\($0.before)", "\($0.kept)", "\($0.quarantined)"] }))
            let quarantined = legacy.tables.reduce(0) { $0 + $1.quarantined }
            if quarantined > 0 {
                lines.append(
                    "\(quarantined) rows that belong to no existing job were moved to the quarantined_* tables, not deleted."
                )
            }
        }
        lines.append(
            report.applied.isEmpty
                ? "The schema is up to date." : "Applied migrations: \(report.applied.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }
}
