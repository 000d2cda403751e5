/// PostgreSQL's `hashtextextended(text, 0)` on a little-endian server: Bob
/// Jenkins' lookup3 mix over the text's bytes, as its `hash_bytes_extended`
/// does, so the client hashes each row as the server will. (A big-endian
/// server hashes differently; `migrate` would then refuse, not accept, a copy.)
enum PostgresTextHash {
    static func hash(_ key: UnsafeRawBufferPointer) -> Int64 {
        var a = 0x9e37_79b9 &+ UInt32(truncatingIfNeeded: key.count) &+ 3_923_095
        var b = a
        var c = a
        func word(_ offset: Int) -> UInt32 {
            UInt32(key[offset]) | UInt32(key[offset + 1]) << 8 | UInt32(key[offset + 2]) << 16
                | UInt32(key[offset + 3]) << 24
        }
        var offset = 0
        var left = key.count
        while left >= 12 {
            a &+= word(offset)
            b &+= word(offset + 4)
            c &+= word(offset + 8)
            mix(&a, &b, &c)
            offset += 12
            left -= 12
        }
        // The last 0 to 11 bytes, little-endian into a, b and c (c's lowest byte stays clear).
        for index in stride(from: left - 1, through: 0, by: -1) {
            let byte = UInt32(key[offset + index])
            switch index {
            case 8...10: c &+= byte << (8 * UInt32(index - 7))
            case 4...7: b &+= byte << (8 * UInt32(index - 4))
            default: a &+= byte << (8 * UInt32(index))
            }
        }
        final(&a, &b, &c)
        return Int64(bitPattern: UInt64(b) << 32 | UInt64(c))
    }

    private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
        value << count | value >> (32 - count)
    }

    private static func mix(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        a &-= c
        a ^= rotate(c, 4)
        c &+= b
        b &-= a
        b ^= rotate(a, 6)
        a &+= c
        c &-= b
        c ^= rotate(b, 8)
        b &+= a
        a &-= c
        a ^= rotate(c, 16)
        c &+= b
        b &-= a
        b ^= rotate(a, 19)
        a &+= c
        c &-= b
        c ^= rotate(b, 4)
        b &+= a
    }

    private static func final(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        c ^= b
        c &-= rotate(b, 14)
        a ^= c
        a &-= rotate(c, 11)
        b ^= a
        b &-= rotate(a, 25)
        c ^= b
        c &-= rotate(b, 16)
        a ^= c
        a &-= rotate(c, 4)
        b ^= a
        b &-= rotate(a, 14)
        c ^= b
        c &-= rotate(b, 24)
    }
}
