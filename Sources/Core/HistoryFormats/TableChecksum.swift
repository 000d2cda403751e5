import StorageCore

/// A table's contents as a count and a checksum that does not depend on row
/// order: each row's 64-bit hash, summed (exactly) and xor-ed, so rows and
/// slices of a table can be hashed in parallel and merged in any order.
/// `migrate` computes it while reading the source, and PostgreSQL over what
/// it stored. A check against mistakes, not against an attacker.
public struct TableChecksum: Equatable, Sendable {
    public var rows = 0
    public var sum: Int128 = 0
    public var xor: Int64 = 0

    public init(rows: Int = 0, sum: Int128 = 0, xor: Int64 = 0) {
        self.rows = rows
        self.sum = sum
        self.xor = xor
    }

    public mutating func add(hash: Int64) {
        rows += 1
        sum += Int128(hash)
        xor ^= hash
    }

    public mutating func merge(_ other: TableChecksum) {
        rows += other.rows
        sum += other.sum
        xor ^= other.xor
    }

    /// As the report writes it.
    public var text: String { "\(rows):\(sum):\(xor)" }
}
