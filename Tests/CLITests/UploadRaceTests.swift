import Foundation
import Testing

/// An upload whose body is still streaming when its job is started must not
/// land on the started job: the status is checked where the file is recorded.
@Suite(.timeLimit(.minutes(3))) struct UploadRaceTests {
    @Test func anUploadFinishingAfterTheStartIsRefused() async throws {
        let runner = CommandRunner()
        let server = try await ServerProcess.start(runner)
        defer { server.kill() }
        _ = try curl(["-sS", "-X", "POST", server.url("/api/jobs/prepare")])
        try Data("first clip".utf8).write(to: URL(fileURLWithPath: runner.path("first.mp4")))
        _ = try curl(["-sS", "-F", "files=@\(runner.path("first.mp4"))", server.url("/api/jobs/1/upload/videos")])

        let boundary = "----race-boundary"
        let head =
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"late.mp4\"\r\n"
            + "Content-Type: video/mp4\r\n\r\n"
        let content = String(repeating: "x", count: 200_000)
        let tail = "\r\n--\(boundary)--\r\n"
        let length = head.utf8.count + content.utf8.count + tail.utf8.count
        let socket = try RawSocket(port: server.port)
        defer { socket.close() }
        socket.send(
            "POST /api/jobs/1/upload/videos HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\n"
                + "Content-Length: \(length)\r\n\r\n" + head + content.prefix(100_000))
        try await Task.sleep(for: .milliseconds(300))
        let started = try curl(["-sS", "-X", "POST", server.url("/api/jobs/1/start")])
        #expect(started.contains("\"status\":\"queued\""), "\(started)")
        socket.send(String(content.dropFirst(100_000)) + tail)
        let answer = socket.readResponse(seconds: 10)
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
        #expect(answer.contains("files can be added only while it is preparing"), "\(answer)")
        #expect(
            try sqlite3(runner.path("serve.db"), "SELECT filename FROM job_files ORDER BY id") == "first.mp4\n",
            "the late file is not recorded")
        let runs = try FileManager.default.contentsOfDirectory(atPath: runner.path("data/runs"))
        let videos = try FileManager.default.contentsOfDirectory(atPath: runner.path("data/runs/\(runs[0])/videos"))
        #expect(videos == ["first.mp4"], "nor left on disk: \(videos)")
        #expect(try await server.stop() == 0)
    }
}
