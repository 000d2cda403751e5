import StorageCore

/// PostgreSQL's binary COPY format, written into a byte buffer: a tuple is
/// its field count, then each field as its length (-1 for NULL) and bytes,
/// all big-endian. Integers and times go as the server stores them, so it
/// parses nothing but JSON.
public struct CopyBinary: Sendable {
    public enum ColumnType: String, Sendable {
        case bigint, integer, text
        case timestamptz = "timestamp with time zone"
        case jsonb
    }

    public static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xff, 0x0d, 0x0a, 0x00] + [0, 0, 0, 0, 0, 0, 0, 0]
    public static let trailer: [UInt8] = [0xff, 0xff]
    /// Microseconds from 1970 to 2000-01-01, where PostgreSQL's times count from.
    static let postgresEpoch: Int64 = 946_684_800_000_000

    public var bytes: [UInt8] = []

    public init(capacity: Int) { bytes.reserveCapacity(capacity) }

    public mutating func startTuple(fields: Int) { append(UInt16(fields)) }
    public mutating func null() { append(UInt32.max) }

    public mutating func bigint(_ value: Int64) {
        append(UInt32(8))
        append(UInt64(bitPattern: value))
    }

    public mutating func integer(_ value: Int32) {
        append(UInt32(4))
        append(UInt32(bitPattern: value))
    }

    public mutating func text(_ value: UnsafeRawBufferPointer) {
        append(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    public mutating func jsonb(_ value: UnsafeRawBufferPointer) {
        append(UInt32(value.count + 1))
        bytes.append(1)  // the jsonb binary format's version: the text follows
        bytes.append(contentsOf: value)
    }

    public mutating func timestamptz(_ value: Timestamp) {
        bigint(value.microsecondsSinceEpoch - Self.postgresEpoch)
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
