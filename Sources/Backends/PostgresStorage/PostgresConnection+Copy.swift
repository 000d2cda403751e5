import CLibPQ
import Foundation

extension PostgresConnection {
    /// `COPY … FROM STDIN` (text format), sent in 1 MiB chunks.
    func bulkLoad(table: String, columns: [String], rows: [[String?]], sent: (Int) -> Void) throws {
        let sql = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        try startCopy(sql)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20 + 4096)
        for (count, row) in rows.enumerated() {
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.append(0x09) }
                guard let value else {
                    buffer += [0x5c, 0x4e]  // \N
                    continue
                }
                for byte in value.utf8 {
                    switch byte {
                    case 0x5c: buffer += [0x5c, 0x5c]
                    case 0x09: buffer += [0x5c, 0x74]
                    case 0x0a: buffer += [0x5c, 0x6e]
                    case 0x0d: buffer += [0x5c, 0x72]
                    default: buffer.append(byte)
                    }
                }
            }
            buffer.append(0x0a)
            if buffer.count >= 1 << 20 {
                try putCopyData(buffer, sql: sql)
                buffer.removeAll(keepingCapacity: true)
                sent(count + 1)
            }
        }
        if !buffer.isEmpty { try putCopyData(buffer, sql: sql) }
        try endCopy(sql: sql)
        sent(rows.count)
    }
}
