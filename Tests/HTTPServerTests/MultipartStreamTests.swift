import NIOCore
import Testing

@testable import HTTPServer

@Suite struct MultipartStreamTests {
    /// What the parser saw, with body chunks joined per part.
    struct Part: Equatable {
        var headers: [String: String] = [:]
        var body: [UInt8] = []
    }

    func parse(_ body: [UInt8], chunkSize: Int) throws -> (parts: [Part], finished: Bool) {
        var stream = MultipartStream(boundary: "XyZ")
        var parts: [Part] = []
        var current = Part()
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunkSize)
            for event in try stream.feed(ByteBuffer(bytes: body[offset..<end])) {
                switch event {
                case .header(let name, let value): current.headers[name] = value
                case .body(let slice): current.body += Array(slice.readableBytesView)
                case .partComplete:
                    parts.append(current)
                    current = Part()
                }
            }
            offset = end
        }
        return (parts, stream.isFinished)
    }

    static let body = Array(
        ("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.mp4\"\r\n\r\n"
            + "one\r\n--Xy\r\n--XyY\r\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files\"\r\n\r\n"
            + "\r\n--XyZ--\r\nepilogue").utf8)

    @Test func everyChunking() throws {
        let expected = [
            Part(
                headers: ["Content-Disposition": "form-data; name=\"files\"; filename=\"a.mp4\""],
                body: Array("one\r\n--Xy\r\n--XyY\r\r\n".utf8)),
            Part(headers: ["Content-Disposition": "form-data; name=\"files\""], body: []),
        ]
        for size in 1...Self.body.count {
            let (parts, finished) = try parse(Self.body, chunkSize: size)
            #expect(parts == expected, "chunks of \(size)")
            #expect(finished, "chunks of \(size)")
        }
    }

    @Test func truncatedIsNotFinished() throws {
        for cut in [10, 40, 90, 100, Self.body.count - 12] {
            #expect(try parse(Array(Self.body.prefix(cut)), chunkSize: 7).finished == false, "cut at \(cut)")
        }
    }

    @Test func malformed() {
        #expect(throws: MultipartStream.MalformedBody.self) {
            try parse(Array("--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--".utf8), chunkSize: 100)
        }
        #expect(throws: MultipartStream.MalformedBody.self) { try parse(Array("--XyZxx".utf8), chunkSize: 100) }
        let endlessHeader = Array("--XyZ\r\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 20_000)
        #expect(throws: MultipartStream.MalformedBody.self) { try parse(endlessHeader, chunkSize: 4096) }
    }
}
