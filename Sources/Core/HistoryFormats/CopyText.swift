import StorageCore

/// PostgreSQL's COPY text format, written into a byte buffer: columns split by
/// tab, rows ended by newline, `\N` for NULL, backslash escapes for the bytes
/// that would end a value.
public struct CopyText: Sendable {
    public var bytes: [UInt8] = []

    public init(capacity: Int) { bytes.reserveCapacity(capacity) }

    public mutating func separator() { bytes.append(0x09) }
    public mutating func endRow() { bytes.append(0x0a) }
    public mutating func null() { bytes += [0x5c, 0x4e] }

    public mutating func value(_ value: UnsafeRawBufferPointer) {
        // Most values hold nothing to escape: copied whole.
        guard value.contains(where: { $0 == 0x5c || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d }) else {
            bytes.append(contentsOf: value)
            return
        }
        for byte in value {
            switch byte {
            case 0x5c: bytes.append(contentsOf: [0x5c, 0x5c])
            case 0x09: bytes.append(contentsOf: [0x5c, 0x74])
            case 0x0a: bytes.append(contentsOf: [0x5c, 0x6e])
            case 0x0d: bytes.append(contentsOf: [0x5c, 0x72])
            default: bytes.append(byte)
            }
        }
    }

    public mutating func value(_ text: String) {
        var text = text
        text.withUTF8 { value(UnsafeRawBufferPointer($0)) }
    }
}
