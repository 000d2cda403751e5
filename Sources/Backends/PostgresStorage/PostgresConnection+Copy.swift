import CLibPQ
import Foundation
import HistoryFormats
import StorageCore

extension PostgresConnection {
    /// `COPY … FROM STDIN` (text format), sent in 1 MiB chunks.
    func bulkLoad(table: String, columns: [String], rows: [[String?]], sent: (Int) -> Void) throws {
        let sql = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        try startCopy(sql)
        var copy = CopyText(capacity: 1 << 20 + 4096)
        for (count, row) in rows.enumerated() {
            for (index, value) in row.enumerated() {
                if index > 0 { copy.separator() }
                if let value { copy.value(value) } else { copy.null() }
            }
            copy.endRow()
            if copy.bytes.count >= 1 << 20 {
                try putCopyData(copy.bytes, sql: sql)
                copy.bytes.removeAll(keepingCapacity: true)
                sent(count + 1)
            }
        }
        if !copy.bytes.isEmpty { try putCopyData(copy.bytes, sql: sql) }
        try endCopy(sql: sql)
        sent(rows.count)
    }
}
