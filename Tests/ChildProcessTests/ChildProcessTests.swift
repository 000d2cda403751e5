import ChildProcess
import Foundation
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct ChildProcessTests {
    @Test func statusOutputAndErrorsAreCollected() async throws {
        let result = try await ChildProcess("sh", ["-c", "echo out; echo err >&2; exit 3"]).run()
        #expect(result.status == 3)
        #expect(String(decoding: result.output, as: UTF8.self) == "out\n")
        #expect(result.errorLines == ["err"])
    }

    @Test func outputLinesArriveAsTheyCome() async throws {
        let lines = Mutex<[String]>([])
        let result = try await ChildProcess("sh", ["-c", "printf 'a\\nb\\nc'"]).run { line in
            lines.withLock { $0.append(line) }
        }
        #expect(result.status == 0)
        #expect(lines.withLock { $0 } == ["a", "b", "c"])
    }

    @Test func nothingButTheThreeStandardDescriptorsIsInherited() async throws {
        // A descriptor of ours that is not close-on-exec, as a careless library might leave one.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        let result = try await ChildProcess("sh", ["-c", "ls /proc/$$/fd"]).run()
        let open = String(decoding: result.output, as: UTF8.self).split(separator: "\n")
        #expect(!open.contains(Substring(String(leaked))), "\(open)")
    }

    /// An argument list the kernel refuses (E2BIG) names the program, not the
    /// `setpriv` in front of it, and does not count as a missing program.
    @Test func aStartFailureNamesTheProgramAndTheReason() async throws {
        let huge = Array(repeating: String(repeating: "x", count: 100_000), count: 40)
        let error = await #expect(throws: ChildProcess.Failure.self) { try await ChildProcess("/bin/true", huge).run() }
        #expect(error?.description.hasPrefix("cannot start /bin/true: Argument list too long") == true)
        #expect(error?.description.contains("its arguments take") == true)
        #expect(error?.description.contains("setpriv") == false)
        #expect(error?.notInstalled == false)
        let missing = await #expect(throws: ChildProcess.Failure.self) {
            try await ChildProcess("yt-builder-no-such-tool", []).run()
        }
        #expect(missing?.notInstalled == true)
    }

    @Test func cancellingTheTaskKillsTheChild() async throws {
        let started = ContinuousClock.now
        let task = Task { try await ChildProcess("sleep", ["30"]).run() }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = try await task.value
        #expect(result.status == 128 + SIGKILL)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aMissingProgramIsAClearError() async throws {
        let error = await #expect(throws: ChildProcess.Failure.self) {
            try await ChildProcess("no-such-program-here", []).run()
        }
        #expect(error?.description.contains("not installed") == true)
    }
}
