import FakeGoogle
import Foundation
import Hummingbird
import HummingbirdTesting
import StorageCore
import TestPostgres
import Testing

/// An idle `serve --workers 1` with YouTube connected, then its Google gone:
/// memory and CPU stay flat. (Seen once: 175 % CPU and a gigabyte a minute.)
@Suite(.timeLimit(.minutes(5))) struct IdleSoakTests {
    struct Sample {
        var seconds: Double
        var cpuTicks: Int
        var residentKilobytes: Int
    }

    static func sample(_ pid: Int32, at seconds: Double) throws -> Sample {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        // Fields after the name: state is 0, utime 11, stime 12.
        let ticks = (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        let resident = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        return Sample(seconds: seconds, cpuTicks: ticks, residentKilobytes: resident)
    }

    @Test func anIdleServerWithYouTubeConnectedStaysFlatWhenGoogleGoesAway() async throws {
        let runner = CommandRunner()
        let fake = FakeGoogle()
        let fakeApp = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let port = try TestPostgres.freePort()
        let running = try await fakeApp.test(.live) { client in
            let google = "http://127.0.0.1:\(try #require(client.port))"
            let server = try await ServerProcess.start(
                runner,
                environment: [
                    "YT_BUILDER_GOOGLE_CLIENT_ID": "test-client", "YT_BUILDER_GOOGLE_CLIENT_SECRET": "test-secret",
                    "YT_BUILDER_GOOGLE_AUTH_URL": google + "/auth", "YT_BUILDER_GOOGLE_TOKEN_URL": google + "/token",
                    "YT_BUILDER_GOOGLE_REVOKE_URL": google + "/revoke",
                    "YT_BUILDER_GOOGLE_UPLOAD_URL": google + "/upload",
                    "YT_BUILDER_OAUTH_REDIRECT_URL": "http://127.0.0.1:\(port)/api/youtube/auth/callback",
                ], arguments: ["--workers", "1"], port: port)
            do {
                let answer = try curl(["-sS", server.url("/api/youtube/auth/url")])
                let authURL = try #require(
                    JSONValue(jsonText: answer)?.objectValue?["auth_url"]?.stringValue, "\(answer)")
                let redirect = try curl(["-sS", "-o", "/dev/null", "-w", "%{redirect_url}", authURL])
                let callback = try curl(["-sS", redirect])
                #expect(
                    callback.lowercased().contains("connected") || callback.lowercased().contains("success"),
                    "\(callback)")
                let status = try curl(["-sS", server.url("/api/youtube/auth/status")])
                #expect(status.contains(#""authenticated":true"#), "\(status)")
            } catch {
                server.kill()
                throw error
            }
            return server
        }
        defer { running.kill() }
        // The fake is gone now: its port refuses connections.
        let pid = running.command.process.processIdentifier
        let clock = ContinuousClock()
        let start = clock.now
        var samples: [Sample] = []
        let soakSeconds = 150.0
        while clock.now - start < .seconds(soakSeconds) {
            _ = try? curl(["-sS", "--max-time", "5", running.url("/api/youtube/auth/status")])
            _ = try? curl(["-sS", "--max-time", "5", running.url("/healthz")])
            samples.append(try Self.sample(pid, at: (clock.now - start).inSeconds))
            try await Task.sleep(for: .seconds(5))
        }
        let settled = try #require(samples.first { $0.seconds >= 20 })
        let last = try #require(samples.last)
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpu = Double(last.cpuTicks - settled.cpuTicks) / ticksPerSecond / (last.seconds - settled.seconds)
        let growth = last.residentKilobytes - settled.residentKilobytes
        let figures = samples.map { "\(Int($0.seconds)) s: \($0.residentKilobytes) kB, \($0.cpuTicks) ticks" }
        #expect(cpu < 0.15, "the idle server used \(Int(cpu * 100)) % of a core: \(figures)")
        #expect(
            growth < 20_000, "its memory grew by \(growth) kB in \(Int(last.seconds - settled.seconds)) s: \(figures)")
        #expect(try await running.stop() == 0)
    }
}
