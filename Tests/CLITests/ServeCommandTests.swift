import Foundation
import TestPostgres
import Testing

/// `yt-builder serve` as a real process on a real socket, spoken to by curl.
@Suite(.timeLimit(.minutes(3))) struct ServeCommandTests {
    @Test func largeUploadStreamsToDisk() async throws {
        let runner = CommandRunner()
        let server = try await ServerProcess.start(runner)
        defer { server.kill() }
        let prepared = try curl(["-sS", "-X", "POST", server.url("/api/jobs/prepare")])
        #expect(prepared.contains("\"status\":\"preparing\""), "\(prepared)")
        let big = runner.path("big.mp4")
        let size: Int64 = 1 << 30
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, off_t(size)) == 0, "a sparse 1 GiB file")
        let answer = try curl(["-sS", "-F", "files=@\(big)", server.url("/api/jobs/1/upload/videos")])
        #expect(answer.contains("\"uploaded\":[\"big.mp4\"]"), "\(answer)")
        let stored = try FileManager.default.contentsOfDirectory(atPath: runner.path("data/runs"))
        let file = runner.path("data/runs/\(try #require(stored.first))/videos/big.mp4")
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) == size)
        let peak = try server.peakMemoryKilobytes()
        #expect(peak < 200_000, "a 1 GiB upload took \(peak) kB of memory at its peak")
        #expect(try await server.stop() == 0)
    }

    @Test func inFlightRequestFinishesOnSIGTERM() async throws {
        let runner = CommandRunner()
        let server = try await ServerProcess.start(runner)
        defer { server.kill() }
        _ = try curl(["-sS", "-X", "POST", server.url("/api/jobs/prepare")])
        let clip = runner.path("slow.mp4")
        try Data(repeating: 7, count: 3 << 20).write(to: URL(fileURLWithPath: clip))
        // About three seconds on the wire; the server is told to stop in the middle.
        let upload = Task.detached {
            try curl(["-sS", "--limit-rate", "1M", "-F", "files=@\(clip)", server.url("/api/jobs/1/upload/videos")])
        }
        try await Task.sleep(for: .seconds(1))
        server.signal(SIGTERM)
        let answer = try await upload.value
        #expect(answer.contains("\"uploaded\":[\"slow.mp4\"]"), "the upload in flight finished: \(answer)")
        #expect(try await server.stop() == 0, "exit status after SIGTERM")
        let rows = try sqlite3(runner.path("serve.db"), "SELECT filename FROM job_files")
        #expect(rows == "slow.mp4\n")
    }

    @Test func refusesPublicAddressWithoutToken() async throws {
        let runner = CommandRunner()
        let refused = try await runner.run("serve", "--host", "0.0.0.0", "--database", runner.path("x.db"))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("YT_BUILDER_API_TOKEN"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: runner.path("x.db")), "nothing was created")
        let badPort = try await runner.run("serve", "--port", "70000")
        #expect(badPort.status != 0)
        #expect(badPort.stderr.contains("port"), "\(badPort.stderr)")
    }

    /// A port another program listens on is a sentence, and nothing says "serving".
    @Test func aPortInUseIsASentence() async throws {
        let runner = CommandRunner()
        let taken = try TestPostgres.loopbackSocket()
        defer { close(taken.descriptor) }
        #expect(listen(taken.descriptor, 1) == 0)
        let result = try await runner.run(
            "serve", "--port", String(taken.port), "--database", runner.path("x.db"), "--data-dir", runner.path("data"))
        #expect(result.status != 0)
        #expect(result.stderr.contains("port \(taken.port) on 127.0.0.1 is in use"), "\(result.stderr)")
        #expect(!result.stderr.contains("errno") && !result.stderr.contains("bind("), "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains("serving"), "announced only once bound")
    }
}

/// A `yt-builder` command left running in the background, its output in a log file.
final class RunningCommand: Sendable {
    let process: Process
    let log: URL

    /// `wrapper` runs the binary (`/usr/bin/env NAME=VALUE`, say): its first word is a path.
    init(_ runner: CommandRunner, _ arguments: [String], environment: [String: String] = [:], wrapper: [String] = [])
        throws
    {
        process = Process()
        if let program = wrapper.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = wrapper.dropFirst() + [try CommandRunner.binary.path] + arguments
        } else {
            process.executableURL = try CommandRunner.binary
            process.arguments = arguments
        }
        process.currentDirectoryURL = runner.folder
        var base = ProcessInfo.processInfo.environment
        for key in ["YT_BUILDER_DATABASE_URL", "YT_BUILDER_DB_PATH", "YT_BUILDER_API_TOKEN", "PORT"] { base[key] = nil }
        process.environment = base.merging(CommandRunner.offline) { $1 }.merging(environment) { $1 }
        log = runner.folder.appendingPathComponent("\(arguments[0])-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func peakMemoryKilobytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? .max
    }

    func signal(_ signal: Int32) { Foundation.kill(process.processIdentifier, signal) }

    /// SIGTERM, then the exit status (within 30 s).
    func stop() async throws -> Int32 {
        if process.isRunning { signal(SIGTERM) }
        for _ in 0..<300 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        guard !process.isRunning else {
            throw CommandFailure(output: "\(process.arguments ?? []) did not stop: \(output)")
        }
        return process.terminationStatus
    }

    func kill() { if process.isRunning { signal(SIGKILL) } }
}

/// `yt-builder serve` on a free port, healthy before it is handed out.
final class ServerProcess: Sendable {
    let command: RunningCommand
    let port: Int

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    static func start(
        _ runner: CommandRunner, environment: [String: String] = [:], arguments: [String] = [], port: Int? = nil
    ) async throws -> ServerProcess {
        let port = try port ?? TestPostgres.freePort()
        let command = try RunningCommand(
            runner,
            [
                "serve", "--port", String(port), "--database", runner.path("serve.db"), "--data-dir",
                runner.path("data"), "--workers", "0",
            ] + arguments, environment: environment)
        let server = ServerProcess(command: command, port: port)
        try await server.waitUntilHealthy()
        return server
    }

    private init(command: RunningCommand, port: Int) {
        self.command = command
        self.port = port
    }

    func waitUntilHealthy() async throws { try await CLITests.waitUntilHealthy(command, at: url("")) }

    func peakMemoryKilobytes() throws -> Int { try command.peakMemoryKilobytes() }
    /// How many file descriptors the server holds now.
    func openDescriptors() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(command.process.processIdentifier)/fd").count
    }
    func signal(_ signal: Int32) { command.signal(signal) }
    func stop() async throws -> Int32 { try await command.stop() }
    func kill() { command.kill() }
}

/// Runs curl and returns what it printed; fails when curl does.
@discardableResult
func curl(_ arguments: [String]) throws -> String { try runTool("/usr/bin/curl", arguments) }
