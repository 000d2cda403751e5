import ChildProcess
import Foundation
import Testing

@testable import TestNetwork

/// The multi-host harness itself: hosts reach each other, a cut host is
/// unreachable until restored, and nothing is left behind.
@Suite(.serialized) struct TestNetworkTests {
    static func namespaces() throws -> [String] {
        let listing = try ChildProcess("/usr/sbin/ip", ["netns", "list"]).runAndWait()
        return String(decoding: listing.output, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { String($0.split(separator: " ").first ?? "") }
    }

    static func reaches(_ network: TestNetwork, from host: String, _ url: String) async throws -> Bool {
        let result = try await network.process(on: host, ["curl", "-s", "-o", "/dev/null", "-m", "2", url]).run()
        return result.status == 0
    }

    @Test func hostsTalkUntilOneIsCutAndAgainWhenRestored() async throws {
        try #require(getuid() == 0, "network namespaces need root (CI runs as root)")
        let network = try TestNetwork.create(hosts: ["server", "client"])
        defer { network.destroy() }
        let url = "http://\(network.address(of: "server")):8080/"
        let server = Task {
            try await network.process(
                on: "server", ["python3", "-m", "http.server", "8080", "--bind", network.address(of: "server")]
            ).run()
        }
        var up = false
        for _ in 0..<50 where !up {
            up = try await Self.reaches(network, from: "client", url)
            if !up { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(up, "the client reaches the server")
        #expect(
            try await !Self.reaches(network, from: "client", "http://127.0.0.1:8080/"), "each host has its own loopback"
        )

        try network.cut("server")
        #expect(try await !Self.reaches(network, from: "client", url), "a cut host is unreachable")
        try network.restore("server")
        var back = false
        for _ in 0..<25 where !back {
            back = try await Self.reaches(network, from: "client", url)
            if !back { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(back, "and reachable again once restored")

        network.destroy()
        let result = try await server.value
        #expect(result.status != 0, "what ran in the network is killed with it")
        #expect(try Self.namespaces().filter { $0.hasPrefix(network.id) }.isEmpty, "no namespace is left")
    }

    @Test func aNetworkLeftByADeadProcessIsSweptAway() async throws {
        try #require(getuid() == 0, "network namespaces need root (CI runs as root)")
        // A pid that no longer runs: a child that has exited and been waited for.
        let gone = try ChildProcess("/bin/sh", ["-c", "echo $$"]).runAndWait()
        let pid = try #require(
            Int32(String(decoding: gone.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        let stale = "\(TestNetwork.namePrefix)\(pid)x1-sw"
        _ = try ChildProcess("/usr/sbin/ip", ["netns", "add", stale]).runAndWait()
        #expect(try Self.namespaces().contains(stale))
        TestNetwork.sweepLeftovers()
        #expect(try !Self.namespaces().contains(stale), "the next run removes it")
    }
}
