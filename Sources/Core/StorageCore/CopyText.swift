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
        for byte in value {
            switch byte {
            case 0x5c: bytes += [0x5c, 0x5c]
            case 0x09: bytes += [0x5c, 0x74]
            case 0x0a: bytes += [0x5c, 0x6e]
            case 0x0d: bytes += [0x5c, 0x72]
            default: bytes.append(byte)
            }
        }
    }

    public mutating func value(_ text: String) {
        var text = text
        text.withUTF8 { value(UnsafeRawBufferPointer($0)) }
    }
}
