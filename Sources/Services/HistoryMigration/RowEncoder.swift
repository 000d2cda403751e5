import SQLiteStorage
import StorageCore

/// Turns the rows of one part of a source into COPY text for its table and
/// into the table's checksum, one row at a time. A row that comes with a
/// reason goes to its quarantine table; a JSON value that is not JSON (or that
/// PostgreSQL cannot store) goes verbatim to `quarantined_json` and its row
/// keeps NULL; plain credentials are sealed on the way.
struct RowEncoder {
    let table: HistoryTable
    let quarantine: QuarantineSpill?
    let json: QuarantineSpill
    let sealCredential: (@Sendable (String) throws -> String?)?
    /// What quarantine rows record as the time they were quarantined.
    let now: String
    private(set) var copy = CopyText(capacity: 1 << 20 + 65_536)
    private(set) var checksum = TableChecksum()
    /// quarantined_json rows per table they name (for a source's own quarantined_json).
    private(set) var byTable: [String: Int] = [:]
    private var canonical = CanonicalRow()

    init(
        table: HistoryTable, quarantine: QuarantineSpill?, json: QuarantineSpill,
        sealCredential: (@Sendable (String) throws -> String?)?, now: String
    ) {
        self.table = table
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
        for (index, column) in table.columns.enumerated() {
            if index > 0 { copy.separator() }
            guard let value = row.bytes(index) else {
                copy.null()
                if column.kind != .stamp { canonical.appendNull() }
                continue
            }
            switch column.kind {
            case .text where table.name == "youtube_credentials" && column.name == "credentials_json":
                let text = String(decoding: value, as: UTF8.self)
                let stored = try sealCredential?(text) ?? text
                copy.value(stored)
                canonical.append(stored)
            case .text, .integer:
                copy.value(value)
                canonical.append(value)
            case .timestamp:
                copy.value(value)
                if Timestamp.isCanonical(value) {
                    canonical.appendTime(canonical: value)
                } else {
                    let text = String(decoding: value, as: UTF8.self)
                    guard let time = Timestamp(parsing: text) else {
                        throw StorageError.invalidInput(
                            "\(table.name) row \(row.text(0) ?? "?"), \(column.name): '\(text)' is not a time")
                    }
                    var description = time.description
                    description.withUTF8 { canonical.appendTime(canonical: UnsafeRawBufferPointer($0)) }
                }
            case .json:
                let text = String(decoding: value, as: UTF8.self)
                if let stored = try checkedJSON(text, row: row, column: column.name) {
                    copy.value(value)
                    canonical.append(stored)
                } else {
                    copy.null()
                    canonical.appendNull()
                }
            case .stamp:
                copy.value(value)
            }
        }
        copy.endRow()
        canonical.checksum(into: &checksum)
        if table.name == "quarantined_json", let from = row.text(0) { byTable[from, default: 0] += 1 }
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
        var copy = CopyText(capacity: text.utf8.count + 128)
        var canonical = CanonicalRow()
        for (index, value) in [table.name, key, column, text, reason].enumerated() {
            if index > 0 { copy.separator() }
            if let value {
                copy.value(value)
                canonical.append(value)
            } else {
                copy.null()
                canonical.appendNull()
            }
        }
        copy.endRow()
        try json.append(
            copy: copy, canonical: canonical, from: table.name,
            sentence: "\(table.name) row \(key ?? "?"), \(column): \(reason)")
        return nil
    }

    /// The row's columns, its reason and the time, as the quarantine table keeps them.
    private func addQuarantined(_ row: HistorySource.Row, reason: String, to spill: QuarantineSpill) throws {
        var copy = CopyText(capacity: 512)
        var canonical = CanonicalRow()
        for (index, column) in spill.table.columns.enumerated() {
            if index > 0 { copy.separator() }
            let text: String? =
                index < table.columns.count ? row.text(index) : index == table.columns.count ? reason : now
            guard let text else {
                copy.null()
                canonical.appendNull()
                continue
            }
            copy.value(text)
            if column.kind != .stamp { canonical.append(text) }
        }
        copy.endRow()
        try spill.append(copy: copy, canonical: canonical)
    }
}
