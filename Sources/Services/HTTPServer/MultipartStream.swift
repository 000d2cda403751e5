import Foundation
import NIOCore

/// A push parser for multipart/form-data (RFC 7578) that scans each part's
/// body with `memchr`, so files of gigabytes pass through at the speed of
/// memory and are never held whole: body bytes come out as slices of the
/// buffers that went in, and only a boundary's worth is ever carried over.
struct MultipartStream {
    enum Event {
        case header(name: String, value: String)
        case body(ByteBuffer)
        case partComplete
    }

    struct MalformedBody: Error {}

    static let maximumHeaderBytes = 16 * 1024

    private enum State {
        case preamble
        case afterDelimiter
        case headers
        case body
        case epilogue
    }

    /// `\r\n--boundary`; the body's first delimiter has no line break before it,
    /// so the parser starts as if it had read one.
    private let delimiter: [UInt8]
    private var state = State.preamble
    private var pending = ByteBuffer(bytes: [13, 10])

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// True once the closing delimiter was read: the body was complete.
    var isFinished: Bool {
        if case .epilogue = state { return true }
        return false
    }

    mutating func feed(_ chunk: ByteBuffer) throws -> [Event] {
        if pending.readableBytes == 0 {
            pending = chunk
        } else {
            var chunk = chunk
            pending.writeBuffer(&chunk)
        }
        var events: [Event] = []
        while try step(&events) {}
        if pending.readableBytes == 0 { pending = ByteBuffer() } else { pending.discardReadBytes() }
        return events
    }

    /// Advances by one state; false when more input is needed.
    private mutating func step(_ events: inout [Event]) throws -> Bool {
        switch state {
        case .preamble:
            guard let (before, found) = scanForDelimiter() else { return false }
            pending.moveReaderIndex(forwardBy: before)
            if found {
                pending.moveReaderIndex(forwardBy: delimiter.count)
                state = .afterDelimiter
            }
            return found
        case .afterDelimiter:
            guard pending.readableBytes >= 2, let next = pending.getBytes(at: pending.readerIndex, length: 2) else {
                return false
            }
            pending.moveReaderIndex(forwardBy: 2)
            if next == [45, 45] {  // "--": the closing delimiter
                state = .epilogue
            } else if next == [13, 10] {
                state = .headers
            } else {
                throw MalformedBody()
            }
            return true
        case .headers:
            guard let end = pending.readableBytesView.firstRange(of: [13, 10, 13, 10]) else {
                if pending.readableBytes > Self.maximumHeaderBytes { throw MalformedBody() }
                return false
            }
            let length = end.lowerBound - pending.readableBytesView.startIndex
            let block = pending.readString(length: length) ?? ""
            pending.moveReaderIndex(forwardBy: 4)
            for line in block.split(separator: "\r\n") where !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else { throw MalformedBody() }
                events.append(
                    .header(
                        name: String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                        value: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
            state = .body
            return true
        case .body:
            guard let (before, found) = scanForDelimiter() else { return false }
            if before > 0, let slice = pending.readSlice(length: before) { events.append(.body(slice)) }
            if found {
                pending.moveReaderIndex(forwardBy: delimiter.count)
                events.append(.partComplete)
                state = .afterDelimiter
            }
            return found
        case .epilogue:
            pending.moveReaderIndex(forwardBy: pending.readableBytes)
            return false
        }
    }

    /// How many bytes surely precede the next delimiter, and whether the
    /// delimiter starts right after them; nil when nothing can be decided yet.
    private func scanForDelimiter() -> (Int, Bool)? {
        let delimiter = delimiter
        let result: (Int, Bool) = pending.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress else { return (0, false) }
            var offset = 0
            while offset < bytes.count {
                guard let hit = memchr(base + offset, 13, bytes.count - offset) else { return (bytes.count, false) }
                let index = base.distance(to: UnsafeRawPointer(hit))
                let available = min(delimiter.count, bytes.count - index)
                let matches = delimiter.withUnsafeBytes { memcmp(base + index, $0.baseAddress!, available) == 0 }
                if matches { return (index, available == delimiter.count) }
                offset = index + 1
            }
            return (bytes.count, false)
        }
        return result.0 == 0 && !result.1 && pending.readableBytes > 0 ? nil : result
    }
}
