import ChildProcess
import Foundation

/// Several hosts on one machine, for tests: each host is a network namespace
/// with one interface (`eth0`, a private 10.x address) plugged into a bridge
/// in a namespace of its own. Nothing is connected to the machine's own
/// network, so no packet leaves. Needs root. `destroy()` removes it all; a
/// network left by a test process that died is removed by the next `create`.
public final class TestNetwork: Sendable {
    /// Namespace names start with this, then the creating process's pid.
    static let namePrefix = "ytb"

    public let id: String
    public let hosts: [String]
    private let subnet: String

    private init(id: String, hosts: [String], subnet: String) {
        self.id = id
        self.hosts = hosts
        self.subnet = subnet
    }

    public func namespace(of host: String) -> String { "\(id)-\(index(of: host))" }
    var switchNamespace: String { "\(id)-sw" }
    public func address(of host: String) -> String { "\(subnet).\(index(of: host) + 10)" }

    private func index(of host: String) -> Int {
        guard let index = hosts.firstIndex(of: host) else { fatalError("no host \(host) in this network") }
        return index
    }

    /// Makes the hosts and plugs them in.
    public static func create(hosts: [String]) throws -> TestNetwork {
        sweepLeftovers()
        let id = "\(namePrefix)\(getpid())x\(UInt16.random(in: 0...UInt16.max))"
        let subnet = "10.\(UInt8.random(in: 100...250)).\(UInt8.random(in: 1...250))"
        let network = TestNetwork(id: id, hosts: hosts, subnet: subnet)
        do {
            try ip("netns", "add", network.switchNamespace)
            try ip("-n", network.switchNamespace, "link", "add", "br0", "type", "bridge")
            try ip("-n", network.switchNamespace, "link", "set", "br0", "up")
            for host in hosts {
                let namespace = network.namespace(of: host)
                let port = "p\(network.index(of: host))"
                try ip("netns", "add", namespace)
                try ip("-n", namespace, "link", "set", "lo", "up")
                try ip(
                    "-n", namespace, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns",
                    network.switchNamespace)
                try ip("-n", network.switchNamespace, "link", "set", port, "master", "br0", "up")
                try ip("-n", namespace, "addr", "add", "\(network.address(of: host))/24", "dev", "eth0")
                try ip("-n", namespace, "link", "set", "eth0", "up")
            }
        } catch {
            network.destroy()
            throw error
        }
        return network
    }

    /// The command that runs `command` on `host`.
    public func process(on host: String, _ command: [String], environment: [String: String]? = nil) -> ChildProcess {
        ChildProcess("/usr/sbin/ip", ["netns", "exec", namespace(of: host)] + command, environment: environment)
    }

    /// Unplugs the host: nothing reaches it or leaves it until `restore`.
    public func cut(_ host: String) throws {
        try Self.ip("-n", switchNamespace, "link", "set", "p\(index(of: host))", "down")
    }

    public func restore(_ host: String) throws {
        try Self.ip("-n", switchNamespace, "link", "set", "p\(index(of: host))", "up")
    }

    /// Removes every namespace of the network (their interfaces go with them)
    /// and kills what still runs in them.
    public func destroy() {
        for namespace in hosts.map(namespace(of:)) + [switchNamespace] { Self.remove(namespace) }
    }

    static func remove(_ namespace: String) {
        if let pids = try? ChildProcess("/usr/sbin/ip", ["netns", "pids", namespace]).runAndWait() {
            for pid in String(decoding: pids.output, as: UTF8.self).split(whereSeparator: \.isNewline) {
                if let pid = pid_t(pid) { kill(pid, SIGKILL) }
            }
        }
        _ = try? ChildProcess("/usr/sbin/ip", ["netns", "delete", namespace]).runAndWait()
    }

    /// Namespaces of test networks whose process is gone.
    static func sweepLeftovers() {
        guard let listing = try? ChildProcess("/usr/sbin/ip", ["netns", "list"]).runAndWait() else { return }
        for line in String(decoding: listing.output, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let name = String(line.split(separator: " ").first ?? "")
            guard name.hasPrefix(namePrefix), let x = name.firstIndex(of: "x"),
                let pid = pid_t(name[name.index(name.startIndex, offsetBy: namePrefix.count)..<x])
            else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { remove(name) }
        }
    }

    @discardableResult
    static func ip(_ arguments: String...) throws -> String {
        let result = try ChildProcess("/usr/sbin/ip", arguments).runAndWait()
        guard result.status == 0 else {
            throw TestNetworkError(
                "ip \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.errorLines.joined(separator: " "))"
            )
        }
        return String(decoding: result.output, as: UTF8.self)
    }
}

public struct TestNetworkError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
