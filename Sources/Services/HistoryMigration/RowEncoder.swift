import HistoryFormats
import SQLiteStorage
import StorageCore

/// Turns the rows of one part of a source into binary COPY tuples for its
/// table and into the table's checksum, one row at a time. A row that comes
/// with a reason goes to its quarantine table; a JSON value that is not JSON
/// (or that PostgreSQL cannot store) goes verbatim to `quarantined_json` and
/// its row keeps NULL; plain credentials are sealed on the way.
struct RowEncoder {
    let table: HistoryTable
    let types: [CopyBinary.ColumnType]
    let quarantine: QuarantineSpill?
    let json: QuarantineSpill
    let sealCredential: (@Sendable (String) throws -> String?)?
    /// What quarantine rows record as the time they were quarantined.
    let now: String
    private(set) var copy = CopyBinary(capacity: 1 << 20 + 65_536)
    private(set) var checksum = TableChecksum()
    /// quarantined_json rows per table they name (for a source's own quarantined_json).
    private(set) var byTable: [String: Int] = [:]
    private var canonical = CanonicalRow()

    init(
        table: HistoryTable, types: [CopyBinary.ColumnType], quarantine: QuarantineSpill?, json: QuarantineSpill,
        sealCredential: (@Sendable (String) throws -> String?)?, now: String
    ) {
        self.table = table
        self.types = types
        self.quarantine = quarantine
        self.json = json
        self.sealCredential = sealCredential
        self.now = now
    }

    var pendingBytes: Int { copy.bytes.count }
    mutating func takePending() -> [UInt8] {
        defer { copy.bytes.removeAll(keepingCapacity: true) }
        return copy.bytes
    }

    mutating func add(_ row: HistorySource.Row) throws {
        if let quarantine, let reason = row.bytes(table.columns.count) {
            try addQuarantined(row, reason: String(decoding: reason, as: UTF8.self), to: quarantine)
            return
        }
        canonical.reset()
        copy.startTuple(fields: table.columns.count)
        let name = table.name
        for (index, column) in table.columns.enumerated() {
            let place = { "\(name) row \(row.text(0) ?? "?"), \(column.name)" }
            guard let value = row.bytes(index) else {
                try Self.write(nil, types[index], hashed: column.kind != .stamp, place, &copy, &canonical)
                continue
            }
            switch column.kind {
            case .text where table.name == "youtube_credentials" && column.name == "credentials_json":
                var stored =
                    try sealCredential?(String(decoding: value, as: UTF8.self))
                    ?? String(decoding: value, as: UTF8.self)
                try stored.withUTF8 { try writeText(UnsafeRawBufferPointer($0), index, row: row, place) }
            case .json:
                if var stored = try checkedJSON(String(decoding: value, as: UTF8.self), row: row, column: column.name) {
                    copy.jsonb(value)
                    stored.withUTF8 { canonical.append(UnsafeRawBufferPointer($0)) }
                } else {
                    try Self.write(nil, types[index], hashed: true, place, &copy, &canonical)
                }
            default:
                try writeText(value, index, row: row, place)
            }
        }
        canonical.checksum(into: &checksum)
        if table.name == "quarantined_json", let from = row.text(0) { byTable[from, default: 0] += 1 }
    }

    /// A text value, without its NUL bytes: PostgreSQL's text cannot hold
    /// them, so the value as it was goes to `quarantined_json` (each NUL
    /// written as `\u0000`) with the row named, in a dry run as in a real one.
    private mutating func writeText(
        _ value: UnsafeRawBufferPointer, _ index: Int, row: HistorySource.Row, _ place: () -> String
    ) throws {
        let column = table.columns[index]
        guard types[index] == .text, value.contains(0) else {
            return try Self.write(value, types[index], hashed: column.kind != .stamp, place, &copy, &canonical)
        }
        let key = row.text(0)
        let reason = "holds the NUL character, which PostgreSQL cannot store; the row keeps the text without it"
        let sentence = "\(table.name) row \(key ?? "?"), \(column.name): \(reason)"
        let original = String(decoding: value, as: UTF8.self)
        try json.append([table.name, key, column.name, original, reason], from: table.name) { sentence }
        let kept = value.filter { $0 != 0 }
        try kept.withUnsafeBytes {
            try Self.write($0, types[index], hashed: column.kind != .stamp, place, &copy, &canonical)
        }
    }

    /// One value in the column's binary form, and (when `hashed`) as
    /// PostgreSQL will print it, into the row's canonical text.
    static func write(
        _ value: UnsafeRawBufferPointer?, _ type: CopyBinary.ColumnType, hashed: Bool, _ place: () -> String,
        _ copy: inout CopyBinary, _ canonical: inout CanonicalRow
    ) throws {
        guard let value else {
            copy.null()
            if hashed { canonical.appendNull() }
            return
        }
        switch type {
        case .text:
            copy.text(value)
            if hashed { canonical.append(value) }
        case .jsonb:
            copy.jsonb(value)
            if hashed { canonical.append(value) }
        case .bigint, .integer:
            guard let number = Int64(String(decoding: value, as: UTF8.self)),
                type == .bigint || Int32(exactly: number) != nil
            else {
                throw StorageError.invalidInput(
                    "\(place()): '\(String(decoding: value, as: UTF8.self))' is not an integer")
            }
            if type == .bigint { copy.bigint(number) } else { copy.integer(Int32(number)) }
            if hashed { canonical.append(String(number)) }
        case .timestamptz:
            if let time = Timestamp(canonical: value) {
                copy.timestamptz(time)
                if hashed { canonical.appendTime(canonical: value) }
                return
            }
            let text = String(decoding: value, as: UTF8.self)
            guard let time = Timestamp(parsing: text) else {
                throw StorageError.invalidInput("\(place()): '\(text)' is not a time")
            }
            copy.timestamptz(time)
            var description = time.description
            if hashed { description.withUTF8 { canonical.appendTime(canonical: UnsafeRawBufferPointer($0)) } }
        }
    }

    /// The value as `jsonb` prints it, or nil when the row keeps NULL (JSON
    /// `null`, or the text went to quarantine).
    private func checkedJSON(_ text: String, row: HistorySource.Row, column: String) throws -> String? {
        let stored = JSONBText.canonical(text)
        if let stored, !stored.utf8.contains(0x5c) || !stored.contains("\\u0000") {
            return stored == "null" ? nil : stored
        }
        let reason: String
        switch JSONValue(jsonText: text) {
        case .none: reason = "not valid JSON"
        case .some(let value):
            if let path = value.pathToNUL(column) {
                reason = "\(path) holds \\u0000 (NUL), which PostgreSQL cannot store"
            } else if let stored {
                return stored == "null" ? nil : stored  // the text "\u0000", escaped, is fine
            } else {
                reason = "a number PostgreSQL's jsonb cannot store"
            }
        }
        let key = row.text(0)
        try json.append([table.name, key, column, text, reason], from: table.name) {
            "\(table.name) row \(key ?? "?"), \(column): \(reason)"
        }
        return nil
    }

    /// The row's columns, its reason and the time, as the quarantine table keeps them.
    private func addQuarantined(_ row: HistorySource.Row, reason: String, to spill: QuarantineSpill) throws {
        try spill.append(
            spill.table.columns.indices.map { index in
                index < table.columns.count ? row.text(index) : index == table.columns.count ? reason : now
            })
    }
}
