import Crypto
import NIOCore

enum SHA256Digest {
    /// The SHA-256 of a buffer's readable bytes, without copying them.
    static func of(_ buffer: ByteBuffer) -> SHA256.Digest {
        buffer.withUnsafeReadableBytes { SHA256.hash(data: $0) }
    }
}
