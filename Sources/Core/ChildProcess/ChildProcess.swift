import CSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one way yt-builder runs another program (ffmpeg, ffprobe, fc-list,
/// pg_dump, pgloader, the PostgreSQL tools of the tests):
/// - off Swift's cooperative threads: its pipes are read and it is waited
///   for by threads of its own;
/// - inheriting nothing but stdin (`/dev/null`), stdout and stderr, so a
///   daemon it starts cannot hold this process's sockets or pipes;
/// - killed (SIGKILL) when the awaiting task is cancelled;
/// - and, by default, dying with this process however it dies: it runs under
///   `setpriv --pdeathsig KILL`, spawned from one thread that lives as long as
///   the process. Linux sends that signal when the *thread* that spawned the
///   child ends, and the cooperative pool's threads come and go (a child
///   spawned from one was seen killed within five seconds). That is also why
///   this is not swift-subprocess: 1.0 spawns from the calling thread and has
///   no hook to run before exec on Linux.
public struct ChildProcess: Sendable {
    public struct Result: Sendable {
        /// The exit code, or 128 + the signal that ended it.
        public var status: Int32
        public var output: Data
        public var errors: Data

        public var errorLines: [String] {
            String(decoding: errors, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        /// The program is not there (not found in PATH, or gone when spawned).
        public var notInstalled = false
    }

    public var executable: String
    public var arguments: [String]
    /// Nil: this process's environment.
    public var environment: [String: String]?
    public var diesWithParent = true
    /// Bytes of stdout (and, separately, stderr) kept; the rest is read and dropped.
    public var keptBytes = 64 << 20

    /// `executable` is a path, or a name looked up in PATH.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// The path of `name` in PATH (or the path itself); nil when there is none.
    public static func find(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs the program to its end. `onOutputLine` hears stdout a line at a
    /// time as it comes (stdout is then not kept). Throws when it cannot start.
    public func run(onOutputLine: (@Sendable (String) -> Void)? = nil) async throws -> Result {
        guard let path = Self.find(executable) else {
            throw Failure(description: "\(executable) is not installed (not found in PATH)", notInstalled: true)
        }
        let running = try Launcher.shared.spawn(command(path), naming: path, environment: environment)
        let output = PipeDrain(running.output, keep: onOutputLine == nil ? keptBytes : 0, lines: onOutputLine)
        let errors = PipeDrain(running.errors, keep: keptBytes, lines: nil)
        let status = await withTaskCancellationHandler {
            await running.exitStatus()
        } onCancel: {
            kill(running.pid, SIGKILL)
        }
        return Result(status: status, output: await output.finished(), errors: await errors.finished())
    }

    /// For callers that are not async (setting up at start, test fixtures):
    /// the same spawn, waited for on the calling thread, which should not be
    /// one of the cooperative pool's.
    public func runAndWait() throws -> Result {
        guard let path = Self.find(executable) else {
            throw Failure(description: "\(executable) is not installed (not found in PATH)", notInstalled: true)
        }
        let running = try Launcher.shared.spawn(command(path), naming: path, environment: environment)
        let output = PipeDrain(running.output, keep: keptBytes, lines: nil)
        let errors = PipeDrain(running.errors, keep: keptBytes, lines: nil)
        let status = running.waitHere()
        return Result(status: status, output: output.finishedHere(), errors: errors.finishedHere())
    }

    func command(_ path: String) -> [String] {
        let setpriv = "/usr/bin/setpriv"
        guard diesWithParent, FileManager.default.isExecutableFile(atPath: setpriv) else { return [path] + arguments }
        return [setpriv, "--pdeathsig", "KILL", "--", path] + arguments
    }
}

/// A spawned child: its pid and the read ends of its stdout and stderr.
struct RunningChild: Sendable {
    let pid: pid_t
    let output: Int32
    let errors: Int32

    /// Waits for it on a thread of its own.
    func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: waitHere()) }.start()
        }
    }

    /// Its exit status, or 128 + the signal that ended it.
    func waitHere() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

/// Reads a pipe to its end on a thread of its own, keeping up to `keep` bytes
/// and handing out lines as they complete.
final class PipeDrain: @unchecked Sendable {
    private var data = Data()
    private var result: CheckedContinuation<Data, Never>?
    private var finishedData: Data?
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    init(_ descriptor: Int32, keep: Int, lines: (@Sendable (String) -> Void)?) {
        Thread { [self] in
            var pending = Data()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                if data.count < keep { data.append(contentsOf: buffer[0..<min(count, keep - data.count)]) }
                guard let lines else { continue }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    lines(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            if let lines, !pending.isEmpty { lines(String(decoding: pending, as: UTF8.self)) }
            close(descriptor)
            lock.lock()
            finishedData = data
            let waiter = result
            lock.unlock()
            waiter?.resume(returning: data)
            done.signal()
        }.start()
    }

    /// What was kept, once the pipe ends; blocks the calling thread.
    func finishedHere() -> Data {
        done.wait()
        done.signal()
        lock.lock()
        defer { lock.unlock() }
        return finishedData ?? Data()
    }

    func finished() async -> Data {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let finishedData {
                lock.unlock()
                continuation.resume(returning: finishedData)
            } else {
                result = continuation
                lock.unlock()
            }
        }
    }
}

/// Spawns children from one thread that lives as long as the process (see `ChildProcess`).
final class Launcher: @unchecked Sendable {
    static let shared = Launcher()

    private let condition = NSCondition()
    private var work: [() -> Void] = []

    private init() {
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while work.isEmpty { condition.wait() }
                let next = work.removeFirst()
                condition.unlock()
                next()
            }
        }
        thread.name = "yt-builder child launcher"
        thread.start()
    }

    /// `program` is what messages name: argv[0] may be `setpriv` in front of it.
    func spawn(_ argv: [String], naming program: String, environment: [String: String]?) throws -> RunningChild {
        let done = DispatchSemaphore(value: 0)
        var outcome: Result<RunningChild, ChildProcess.Failure>!
        condition.lock()
        work.append {
            outcome = Self.spawnHere(argv, naming: program, environment: environment)
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return try outcome.get()
    }

    private static func spawnHere(_ argv: [String], naming program: String, environment: [String: String]?) -> Result<
        RunningChild, ChildProcess.Failure
    > {
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard cspawn_pipe(&output) == 0, cspawn_pipe(&errors) == 0 else {
            return .failure(.init(description: "cannot make pipes for \(program): \(String(cString: strerror(errno)))"))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        cspawn_close_from(&actions, 3)
        let arguments = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        let variables = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for variable in variables ?? [] { free(variable) } }
        var pid = pid_t()
        let spawned =
            variables.map { posix_spawn(&pid, argv[0], &actions, nil, arguments, $0) }
            ?? posix_spawn(&pid, argv[0], &actions, nil, arguments, environ)
        close(output[1])
        close(errors[1])
        guard spawned == 0 else {
            close(output[0])
            close(errors[0])
            return .failure(Self.startFailure(program, argv, code: spawned))
        }
        return .success(RunningChild(pid: pid, output: output[0], errors: errors[0]))
    }

    private static func startFailure(_ program: String, _ argv: [String], code: Int32) -> ChildProcess.Failure {
        var description = "cannot start \(program): \(String(cString: strerror(code)))"
        if code == E2BIG {
            let bytes = argv.reduce(0) { $0 + $1.utf8.count + 1 }
            description += " (its arguments take \(bytes) bytes)"
        }
        return ChildProcess.Failure(description: description, notInstalled: code == ENOENT)
    }
}
