import Crypto
import StorageCore

/// A table's contents as a count and a checksum that does not depend on row
/// order: each row's canonical text is hashed with MD5, its first 64 bits read
/// as a signed integer, and those summed (exactly) and xor-ed. PostgreSQL
/// computes the same over what it stored (`HistoryTarget.checksumSQL`), so a
/// copy is verified without reading it back. A check against mistakes, not
/// against an attacker.
///
/// A row's canonical text is its compared columns in order, each `N:value`
/// (N its length in bytes) or `-` for NULL: integers in decimal, times as
/// microseconds since 1970, JSON as `jsonb` prints it, text as it is. Quarantine
/// times (`.stamp`) are left out, so a second run recognises the same history.
struct TableChecksum: Equatable, Sendable {
    var rows = 0
    var sum: Int128 = 0
    var xor: Int64 = 0

    mutating func add(rowText: UnsafeRawBufferPointer) {
        var hasher = Insecure.MD5()
        hasher.update(bufferPointer: rowText)
        let digest = hasher.finalize()
        let high = digest.withUnsafeBytes { bytes in bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        let value = Int64(bitPattern: high)
        rows += 1
        sum += Int128(value)
        xor ^= value
    }

    mutating func merge(_ other: TableChecksum) {
        rows += other.rows
        sum += other.sum
        xor ^= other.xor
    }

    /// As the report and the server's answer write it.
    var text: String { "\(rows):\(sum):\(xor)" }
}

/// Builds a row's canonical text, column by column.
struct CanonicalRow {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func appendNull() { bytes.append(UInt8(ascii: "-")) }

    mutating func append(_ value: UnsafeRawBufferPointer) {
        appendLength(value.count)
        bytes += value
    }

    mutating func append(_ value: String) {
        var value = value
        value.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    private mutating func appendLength(_ count: Int) {
        var count = count
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(count % 10))
            count /= 10
        } while count > 0
        bytes += digits.reversed()
        bytes.append(UInt8(ascii: ":"))
    }

    func checksum(into checksum: inout TableChecksum) {
        bytes.withUnsafeBytes { checksum.add(rowText: $0) }
    }
}
