import Foundation
import Testing

/// Clients that misbehave on purpose, over raw sockets: nothing they do may
/// keep the server's descriptors or stop it answering others.
@Suite(.timeLimit(.minutes(3))) struct ConnectionLimitTests {
    @Test func oversizedHeadersLeaveNoDescriptorsBehind() async throws {
        let runner = CommandRunner()
        let server = try await ServerProcess.start(runner, arguments: ["--idle-timeout-seconds", "2"])
        defer { server.kill() }
        let before = try server.openDescriptors()
        let header = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + String(repeating: "a", count: 1 << 20)
        var sockets: [RawSocket] = []
        defer { for socket in sockets { socket.close() } }
        for _ in 0..<40 {
            let socket = try RawSocket(port: server.port)
            socket.send(header + "\r\n\r\n")
            sockets.append(socket)  // held open, never read: as a hostile client would
        }
        try await waitFor("the server to let go of 40 refused connections", seconds: 20) {
            try server.openDescriptors() <= before + 4
        }
        #expect(try curl(["-sS", "--max-time", "5", server.url("/healthz")]).contains("ok"))
        #expect(try await server.stop() == 0)
    }

    @Test func halfSentRequestsAreClosedAndOthersStillServed() async throws {
        let runner = CommandRunner()
        let server = try await ServerProcess.start(
            runner, arguments: ["--idle-timeout-seconds", "2", "--max-connections", "100"])
        defer { server.kill() }
        let before = try server.openDescriptors()
        var sockets: [RawSocket] = []
        defer { for socket in sockets { socket.close() } }
        for index in 0..<250 {
            let socket = try RawSocket(port: server.port)
            // Half a header, or a header and half of its promised body.
            socket.send(
                index % 2 == 0
                    ? "GET /healthz HTTP/1.1\r\nHost: 127.0"
                    : "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"duration\"")
            sockets.append(socket)
        }
        #expect(try server.openDescriptors() <= before + 100 + 8, "at most the connection cap is held")
        let started = ContinuousClock.now
        #expect(try curl(["-sS", "--max-time", "15", server.url("/healthz")]).contains("ok"))
        #expect(ContinuousClock.now - started < .seconds(15))
        var closedByServer = 0
        for socket in sockets where socket.waitForClose(seconds: 10) { closedByServer += 1 }
        #expect(closedByServer == sockets.count, "every stalled connection is closed by the server")
        try await waitFor("the descriptors to come back", seconds: 10) { try server.openDescriptors() <= before + 4 }
        #expect(try await server.stop() == 0)
    }
}

/// A TCP connection to 127.0.0.1 that sends what it is told and nothing else.
final class RawSocket: @unchecked Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw CommandFailure(output: "cannot connect to port \(port): \(String(cString: strerror(errno)))")
        }
    }

    /// Sends as much as the server takes without blocking for long.
    func send(_ text: String) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// True when the server closes the connection (or resets it) within `seconds`; what it sends is read and dropped.
    func waitForClose(seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let read = recv(descriptor, &buffer, buffer.count, 0)
            if read == 0 { return true }
            if read < 0 { return errno == ECONNRESET }
        }
    }

    /// What the server sends until it has sent a whole response (by Content-Length) or closes.
    func readResponse(seconds: Int) -> String {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let read = recv(descriptor, &buffer, buffer.count, 0)
            if read <= 0 { break }
            received += buffer[0..<read]
            let text = String(decoding: received, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n"),
                let length = text[..<end.lowerBound].split(separator: "\r\n").first(where: {
                    $0.lowercased().hasPrefix("content-length:")
                }).flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
                text.utf8.count - text[..<end.upperBound].utf8.count >= length
            {
                break
            }
        }
        return String(decoding: received, as: UTF8.self)
    }

    func close() { Glibc.close(descriptor) }
}

/// A client that goes away mid-upload is the client's doing: counted as 499, not logged as a server error.
@Suite(.timeLimit(.minutes(3))) struct ClientGoneTests {
    @Test func aClientThatDisconnectsMidUploadIsNotA500() async throws {
        let runner = CommandRunner()
        let server = try await ServerProcess.start(runner)
        defer { server.kill() }
        _ = try curl(["-sS", "-X", "POST", server.url("/api/jobs/prepare")])
        let boundary = "----gone"
        let socket = try RawSocket(port: server.port)
        socket.send(
            "POST /api/jobs/1/upload/videos HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
                + "Content-Length: 1000000\r\n\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.mp4\"\r\n\r\n"
                + String(repeating: "x", count: 50_000))
        try await Task.sleep(for: .milliseconds(300))
        socket.close()
        var metrics = ""
        try await waitFor("the cut-off upload to be counted", seconds: 10) {
            metrics = try curl(["-sS", server.url("/metrics")])
            return metrics.contains(#"route="/api/jobs/{id}/upload/{type}""#)
        }
        #expect(metrics.contains(#"method="POST",status="499""#), "\(metrics)")
        #expect(!metrics.contains(#"status="500""#))
        #expect(!server.command.output.contains(" error "), "\(server.command.output)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: runner.path("data/runs"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: runner.path("data/runs/\(runs[0])/videos")).isEmpty)
        #expect(try await server.stop() == 0)
    }
}
