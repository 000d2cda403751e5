import Foundation

/// Starts ffmpeg so that it dies with this process, however this process dies
/// (SIGKILL included): through `setpriv --pdeathsig KILL`, from one thread
/// that lives as long as the process. Linux sends the parent-death signal when
/// the *thread* that started the child ends, and the threads that run Swift
/// tasks come and go; this one does not.
enum ChildLauncher {
    /// The program and arguments that run `tool` with the parent-death signal set.
    static func command(_ tool: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        let setpriv = "/usr/bin/setpriv"
        guard FileManager.default.isExecutableFile(atPath: setpriv) else { return ("/usr/bin/env", [tool] + arguments) }
        return (setpriv, ["--pdeathsig", "KILL", "--", tool] + arguments)
    }

    /// Runs `process.run()` on the launcher thread.
    static func run(_ process: Process) throws {
        let outcome = Result<Void, any Error> {
            try launcher.perform { try process.run() }
        }
        try outcome.get()
    }

    private static let launcher = LauncherThread()
}

/// One thread that runs closures handed to it, one at a time, for the life of the process.
private final class LauncherThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var work: [() -> Void] = []

    init() {
        let thread = Thread { [self] in loop() }
        thread.name = "yt-builder child launcher"
        thread.start()
    }

    func perform(_ body: @escaping () throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        var failure: (any Error)?
        condition.lock()
        work.append {
            do { try body() } catch { failure = error }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        if let failure { throw failure }
    }

    private func loop() {
        while true {
            condition.lock()
            while work.isEmpty { condition.wait() }
            let next = work.removeFirst()
            condition.unlock()
            next()
        }
    }
}
