import HistoryFormats
import StorageCore

/// A row's canonical text is its compared columns in order as PostgreSQL
/// prints them, joined by U+001F, with U+001E for NULL: integers in decimal,
/// times as `timestamptz` prints them in UTC (`2024-01-01 10:00:00.5+00`),
/// JSON as `jsonb` prints it, text as it is. (Text holding U+001F could make
/// two different rows hash alike; this is a check against mistakes.)
/// Quarantine times (`.stamp`) are left out, so a second run recognises the
/// same history. Each is hashed as PostgreSQL's `hashtextextended` hashes it
/// (`PostgresTextHash`), which the server computes over what it stored
/// (`HistoryTarget.checksumSQL`).
extension TableChecksum {
    mutating func add(rowText: UnsafeRawBufferPointer) { add(hash: PostgresTextHash.hash(rowText)) }
}

/// Builds a row's canonical text, column by column.
struct CanonicalRow {
    private(set) var bytes: [UInt8] = []
    private var first = true

    init() { bytes.reserveCapacity(512) }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        first = true
    }

    private mutating func separate() {
        if !first { bytes.append(0x1f) }
        first = false
    }

    mutating func appendNull() {
        separate()
        bytes.append(0x1e)
    }

    mutating func append(_ value: UnsafeRawBufferPointer) {
        separate()
        bytes.append(contentsOf: value)
    }

    mutating func append(_ value: String) {
        var value = value
        value.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// A time as `timestamptz` prints it in UTC: `2024-01-01 10:00:00+00`,
    /// the fraction without its trailing zeros. `canonical` is the fixed-width
    /// form `Timestamp` writes (`2024-01-01T10:00:00.500000Z`).
    mutating func appendTime(canonical: UnsafeRawBufferPointer) {
        separate()
        bytes.append(contentsOf: canonical[0..<10])
        bytes.append(0x20)
        bytes.append(contentsOf: canonical[11..<19])
        var end = 26
        while end > 20, canonical[end - 1] == UInt8(ascii: "0") { end -= 1 }
        if end > 20 { bytes.append(contentsOf: canonical[19..<end]) }
        bytes += [UInt8(ascii: "+"), UInt8(ascii: "0"), UInt8(ascii: "0")]
    }

    func checksum(into checksum: inout TableChecksum) {
        bytes.withUnsafeBytes { checksum.add(rowText: $0) }
    }
}
