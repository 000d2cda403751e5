import Foundation
import HistoryFormats
import StorageCore
import Synchronization

/// Rows found on the way that go to a quarantine table (the earlier service's
/// orphans, JSON that is not JSON): written as binary COPY tuples to a temporary file
/// while the parts are read, loaded after them. However many there are, they
/// are never all in memory.
final class QuarantineSpill: Sendable {
    let table: HistoryTable
    let types: [CopyBinary.ColumnType]
    private let url: URL
    private struct State {
        var handle: FileHandle
        var checksum = TableChecksum()
        /// quarantined_json rows per table they came from.
        var byTable: [String: Int] = [:]
        /// Sentences naming the first rows, for the report.
        var sentences: [String] = []
    }
    private let state: Mutex<State>
    static let sentencesKept = 1_000

    init(table: HistoryTable, types: [CopyBinary.ColumnType], folder: URL) throws {
        self.table = table
        self.types = types
        url = folder.appendingPathComponent("\(table.name).copy")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        else { throw StorageError(.unavailable, "cannot write \(url.path)") }
        state = Mutex(State(handle: try FileHandle(forWritingTo: url)))
    }

    /// One row, its values as text in the table's column order.
    func append(_ values: [String?], from source: String? = nil, sentence: (() -> String)? = nil) throws {
        var copy = CopyBinary(capacity: 512)
        var canonical = CanonicalRow()
        copy.startTuple(fields: values.count)
        for (index, value) in values.enumerated() {
            // PostgreSQL's text holds no NUL: a quarantined value keeps each as the six characters \u0000.
            var value = value.map { $0.utf8.contains(0) ? $0.replacingOccurrences(of: "\0", with: "\\u0000") : $0 }
            let hashed = table.columns[index].kind != .stamp
            let place = { "\(self.table.name), \(self.table.columns[index].name)" }
            if value == nil {
                try RowEncoder.write(nil, types[index], hashed: hashed, place, &copy, &canonical)
            } else {
                try value!.withUTF8 {
                    try RowEncoder.write(
                        UnsafeRawBufferPointer($0), types[index], hashed: hashed, place, &copy, &canonical)
                }
            }
        }
        try state.withLock { state in
            try state.handle.write(contentsOf: copy.bytes)
            canonical.checksum(into: &state.checksum)
            if let source { state.byTable[source, default: 0] += 1 }
            if let sentence, state.sentences.count < Self.sentencesKept { state.sentences.append(sentence()) }
        }
    }

    var checksum: TableChecksum { state.withLock { $0.checksum } }
    var byTable: [String: Int] { state.withLock { $0.byTable } }
    var sentences: [String] { state.withLock { $0.sentences } }

    /// Hands the file to `send` in chunks of a mebibyte (after `close`).
    func replay(_ send: ([UInt8]) throws -> Void) throws {
        let reader = try FileHandle(forReadingFrom: url)
        defer { try? reader.close() }
        while let chunk = try reader.read(upToCount: 1 << 20), !chunk.isEmpty { try send(Array(chunk)) }
    }

    func close() {
        state.withLock { try? $0.handle.close() }
    }
}
