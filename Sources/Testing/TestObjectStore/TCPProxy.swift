import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP relay on a port of 127.0.0.1 to another local port, which a test
/// can take down (every connection is cut and new ones are refused) and bring
/// back on the same port: an outage of the service behind it, which keeps
/// its state.
public final class TCPProxy: Sendable {
    public let port: Int
    let target: Int
    /// The listening socket while up, and every open connection's sockets.
    private let sockets = Mutex<(listener: Int32?, open: Set<Int32>)>((nil, []))

    /// The port is taken below the kernel's ephemeral range (32768 and up by
    /// default): while the proxy is down, an outgoing connection of some
    /// process could otherwise be given its port, and it could not listen again.
    public init(to target: Int) throws {
        self.target = target
        for _ in 0..<100 {
            let candidate = Int.random(in: 20_000..<32_768)
            if let descriptor = Self.bound(port: candidate) {
                port = candidate
                try listen(on: descriptor)
                return
            }
        }
        throw TestObjectStoreError("the proxy found no free port below 32768")
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Refuses new connections and cuts the open ones.
    public func stop() {
        let (listener, open) = sockets.withLock { state in
            defer { state = (nil, []) }
            return state
        }
        if let listener {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
        for descriptor in open { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    /// Listens on the same port again.
    public func start() throws {
        guard sockets.withLock({ $0.listener }) == nil else { return }
        guard let descriptor = Self.bound(port: port) else {
            throw TestObjectStoreError("the proxy cannot listen on port \(port) again: errno \(errno)")
        }
        try listen(on: descriptor)
    }

    /// A socket bound to `port` of 127.0.0.1; nil (errno set) when it is taken.
    private static func bound(port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard bound else {
            let code = errno
            close(descriptor)
            errno = code
            return nil
        }
        return descriptor
    }

    private func listen(on descriptor: Int32) throws {
        guard Glibc.listen(descriptor, 64) == 0 else {
            close(descriptor)
            throw TestObjectStoreError("listen() failed: errno \(errno)")
        }
        sockets.withLock { $0.listener = descriptor }
        Thread.detachNewThread { [self] in accept(on: descriptor) }
    }

    private func accept(on listener: Int32) {
        while true {
            let client = Glibc.accept(listener, nil, nil)
            guard client >= 0 else { return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: target)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            let kept = sockets.withLock { state in
                guard connected, state.listener == listener else { return false }
                state.open.formUnion([client, upstream])
                return true
            }
            guard kept else {
                close(client)
                close(upstream)
                continue
            }
            Thread.detachNewThread { [self] in
                Self.relay(client, upstream)
                sockets.withLock {
                    $0.open.remove(client)
                    $0.open.remove(upstream)
                }
                close(client)
                close(upstream)
            }
        }
    }

    /// Copies each side's bytes to the other until either side ends.
    private static func relay(_ first: Int32, _ second: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var descriptors = [
            pollfd(fd: first, events: Int16(POLLIN), revents: 0), pollfd(fd: second, events: Int16(POLLIN), revents: 0),
        ]
        while poll(&descriptors, 2, -1) > 0 {
            for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
                let to = index == 0 ? second : first
                let count = buffer.withUnsafeMutableBytes { read(descriptor.fd, $0.baseAddress, $0.count) }
                guard count > 0 else { return }
                var sent = 0
                while sent < count {
                    let written = buffer.withUnsafeBytes {
                        send(to, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL))
                    }
                    guard written > 0 else { return }
                    sent += written
                }
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}
