#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a host name or address means this machine only. A name counts only
/// when no DNS answer can make it mean anything else: `localhost` and names
/// under `.localhost` (which browsers resolve themselves), an IPv4 address in
/// 127.0.0.0/8 written in any form a browser parses as an address (`127.1`,
/// `0x7f.1`, `2130706433`), and the IPv6 loopback `::1`. A DNS name that merely
/// starts with `127.` (`127.0.0.1.rebind.example`) is a name an attacker's DNS
/// answers, so it is not loopback.
public enum LoopbackName {
    public static func contains(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        if name.contains(":") { return isIPv6Loopback(name) }
        return ipv4Address(name).map { $0 >> 24 == 127 } ?? false
    }

    private static func isIPv6Loopback(_ text: String) -> Bool {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return false }
        return withUnsafeBytes(of: &address) { bytes in bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1 }
    }

    /// An IPv4 address as the URL standard's host parser reads one: one to
    /// four parts, each decimal, `0x` hexadecimal or `0`-led octal, the last
    /// filling the bytes the others leave. Anything else is a name.
    static func ipv4Address(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = ipv4Number(part) else { return nil }
            numbers.append(number)
        }
        guard numbers.dropLast().allSatisfy({ $0 < 256 }) else { return nil }
        let lastBits = UInt64(8 * (5 - numbers.count))
        guard let last = numbers.last, last < (1 << lastBits) else { return nil }
        var address = last
        for (index, number) in numbers.dropLast().enumerated() { address += number << UInt64(8 * (3 - index)) }
        return UInt32(address)
    }

    private static func ipv4Number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty, part.count <= 32 else { return nil }
        if part.hasPrefix("0x") { return part.count == 2 ? 0 : UInt64(part.dropFirst(2), radix: 16) }
        if part.count > 1, part.hasPrefix("0") { return UInt64(part.dropFirst(), radix: 8) }
        return UInt64(part, radix: 10)
    }
}
