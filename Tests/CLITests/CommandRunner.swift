import Foundation
import Testing

/// Runs the built `yt-builder` binary as a user would.
struct CommandRunner: Sendable {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let folder: URL
    var environment: [String: String] = [:]

    /// What every command under test gets: Suno is a closed local port, so a
    /// test never sends traffic off this machine (tests of the import set their fake).
    static let offline = ["YT_BUILDER_SUNO_API_URL": "http://127.0.0.1:9", "YT_BUILDER_SUNO_AUDIO_HOSTS": "127.0.0.1"]

    init() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("yt-builder-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// The binary built beside this test bundle.
    static var binary: URL {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
            ].map { $0.appendingPathComponent("yt-builder") }
            return try #require(
                candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                "build yt-builder first (swift build --build-tests); looked in \(candidates.map(\.path))")
        }
    }

    func run(_ arguments: String...) async throws -> Result {
        try await run(arguments)
    }

    func run(_ arguments: [String]) async throws -> Result {
        let process = Process()
        process.executableURL = try Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        for key in ["YT_BUILDER_DATABASE_URL", "YT_BUILDER_DB_PATH", "YT_BUILDER_LEGACY_TZ", "YT_BUILDER_DATA_DIR"] {
            environment[key] = nil
        }
        process.environment = environment.merging(Self.offline) { $1 }.merging(self.environment) { $1 }
        let id = UUID().uuidString
        let out = folder.appendingPathComponent(".out-\(id)")
        let err = folder.appendingPathComponent(".err-\(id)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        return Result(
            status: process.terminationStatus,
            stdout: try String(contentsOf: out, encoding: .utf8), stderr: try String(contentsOf: err, encoding: .utf8))
    }
}

/// Runs the sqlite3 shell, as README.Database.md's recipes do; `input` is piped in.
func sqlite3(_ database: String, _ sql: String?, input: String? = nil) throws -> String {
    try runTool("/usr/bin/sqlite3", [database] + (sql.map { [$0] } ?? []), input: input ?? "")
}

/// Runs a program to its end and returns what it printed (stdout and stderr);
/// throws with that output when it fails.
@discardableResult
func runTool(_ path: String, _ arguments: [String], input: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let stdin = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    try process.run()
    if let input {
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
    }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CommandFailure(output: "\(path) \(arguments): \(output)") }
    return output
}

/// Polls until `done` holds, every 50 ms; fails the test after `seconds`.
func waitFor(_ what: String, seconds: Double, _ done: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await done() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out after \(seconds) s waiting for \(what)")
    throw CommandFailure(output: "timed out waiting for \(what)")
}

/// Until the server `command` runs answers its health check at `base`.
func waitUntilHealthy(_ command: RunningCommand, at base: String) async throws {
    try await waitFor("\(base)/healthz", seconds: 30) {
        guard command.process.isRunning else { throw CommandFailure(output: "the server exited: \(command.output)") }
        return (try? curl(["-sf", base + "/healthz"]))?.contains("ok") == true
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    var output: String
    var description: String { "command failed: \(output)" }
}
