import StorageCore

/// JSON text as PostgreSQL's `jsonb` prints it (`value::text`): object keys
/// sorted by length, then bytes, the last of duplicate keys kept; `", "` and
/// `": "` between items; strings with PostgreSQL's escapes; numbers as
/// `numeric` prints them (`1e2` is `100`, `-0.0` is `0.0`, `1.50` stays).
/// The client's side of the server's checksum of JSON columns, so `migrate`
/// can verify what the server stored without reading it back. Nil for text
/// that is not JSON.
public enum JSONBText {
    public static func canonical(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var parser = Parser(bytes: bytes)
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count + 16)
            parser.skipSpace()
            guard parser.value(into: &output, depth: 0) else { return nil }
            parser.skipSpace()
            guard parser.index == bytes.count else { return nil }
            return String(decoding: output, as: UTF8.self)
        }
    }

    private struct Parser {
        var scan: JSONText.Parser

        init(bytes: UnsafeBufferPointer<UInt8>) { scan = JSONText.Parser(bytes: bytes) }

        var index: Int { scan.index }
        var current: UInt8? { scan.current }
        mutating func skipSpace() { scan.skipSpace() }

        mutating func value(into output: inout [UInt8], depth: Int) -> Bool {
            guard depth < JSONText.maximumDepth, let byte = current else { return false }
            switch byte {
            case UInt8(ascii: "{"): return object(into: &output, depth: depth)
            case UInt8(ascii: "["): return array(into: &output, depth: depth)
            case UInt8(ascii: "\""):
                guard let string = scan.string() else { return false }
                JSONText.writeString(string, into: &output)
                return true
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                let start = index
                guard scan.value(depth: depth) != nil else { return false }
                output += UnsafeBufferPointer(rebasing: scan.bytes[start..<index])
                return true
            default: return number(into: &output)
            }
        }

        mutating func object(into output: inout [UInt8], depth: Int) -> Bool {
            scan.index += 1
            var members: [(key: String, value: [UInt8])] = []
            skipSpace()
            if current == UInt8(ascii: "}") {
                scan.index += 1
            } else {
                while true {
                    skipSpace()
                    guard current == UInt8(ascii: "\""), let key = scan.string() else { return false }
                    skipSpace()
                    guard current == UInt8(ascii: ":") else { return false }
                    scan.index += 1
                    skipSpace()
                    var member: [UInt8] = []
                    guard value(into: &member, depth: depth + 1) else { return false }
                    members.append((key, member))
                    skipSpace()
                    guard let byte = current else { return false }
                    scan.index += 1
                    if byte == UInt8(ascii: "}") { break }
                    guard byte == UInt8(ascii: ",") else { return false }
                }
            }
            // The last of equal keys wins; then by length in bytes, then by bytes.
            var kept: [(key: String, value: [UInt8])] = []
            for (offset, member) in members.enumerated()
            where !members[(offset + 1)...].contains(where: { $0.key.utf8.elementsEqual(member.key.utf8) }) {
                kept.append(member)
            }
            kept.sort {
                let (left, right) = ($0.key.utf8, $1.key.utf8)
                return left.count != right.count ? left.count < right.count : left.lexicographicallyPrecedes(right)
            }
            output.append(UInt8(ascii: "{"))
            for (offset, member) in kept.enumerated() {
                if offset > 0 { output += [UInt8(ascii: ","), 0x20] }
                JSONText.writeString(member.key, into: &output)
                output += [UInt8(ascii: ":"), 0x20]
                output += member.value
            }
            output.append(UInt8(ascii: "}"))
            return true
        }

        mutating func array(into output: inout [UInt8], depth: Int) -> Bool {
            scan.index += 1
            output.append(UInt8(ascii: "["))
            skipSpace()
            if current == UInt8(ascii: "]") {
                scan.index += 1
                output.append(UInt8(ascii: "]"))
                return true
            }
            var first = true
            while true {
                skipSpace()
                if !first { output += [UInt8(ascii: ","), 0x20] }
                first = false
                guard value(into: &output, depth: depth + 1) else { return false }
                skipSpace()
                guard let byte = current else { return false }
                scan.index += 1
                if byte == UInt8(ascii: "]") {
                    output.append(UInt8(ascii: "]"))
                    return true
                }
                guard byte == UInt8(ascii: ",") else { return false }
            }
        }

        /// An RFC 8259 number, written as PostgreSQL's `numeric` writes it.
        mutating func number(into output: inout [UInt8]) -> Bool {
            var negative = false
            if current == UInt8(ascii: "-") {
                negative = true
                scan.index += 1
            }
            guard let first = current, (0x30...0x39).contains(first) else { return false }
            var digits: [UInt8] = []
            scan.index += 1
            digits.append(first)
            if first != 0x30 {
                while let byte = current, (0x30...0x39).contains(byte) {
                    digits.append(byte)
                    scan.index += 1
                }
            }
            var fractionDigits = 0
            if current == UInt8(ascii: ".") {
                scan.index += 1
                guard let byte = current, (0x30...0x39).contains(byte) else { return false }
                while let byte = current, (0x30...0x39).contains(byte) {
                    digits.append(byte)
                    fractionDigits += 1
                    scan.index += 1
                }
            }
            var exponent = 0
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                scan.index += 1
                var exponentNegative = false
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") {
                    exponentNegative = current == UInt8(ascii: "-")
                    scan.index += 1
                }
                guard let byte = current, (0x30...0x39).contains(byte) else { return false }
                while let byte = current, (0x30...0x39).contains(byte) {
                    exponent = exponent * 10 + Int(byte - 0x30)
                    // numeric refuses such exponents too
                    guard exponent <= 1000 else { return false }
                    scan.index += 1
                }
                if exponentNegative { exponent = -exponent }
            }
            // digits × 10^(exponent - fractionDigits), printed with max(0, fractionDigits - exponent) decimals.
            let scale = max(0, fractionDigits - exponent)
            let point = digits.count - fractionDigits + exponent  // digits before the decimal point
            var integer: [UInt8]
            var fraction: [UInt8]
            if point <= 0 {
                integer = []
                fraction = Array(repeating: 0x30, count: -point) + digits
            } else if point >= digits.count {
                integer = digits + Array(repeating: 0x30, count: point - digits.count)
                fraction = []
            } else {
                integer = Array(digits[..<point])
                fraction = Array(digits[point...])
            }
            if fraction.count > scale { fraction.removeLast(fraction.count - scale) }
            if fraction.count < scale { fraction += Array(repeating: 0x30, count: scale - fraction.count) }
            while integer.count > 1 && integer.first == 0x30 { integer.removeFirst() }
            if integer.isEmpty { integer = [0x30] }
            let zero = integer == [0x30] && !fraction.contains(where: { $0 != 0x30 })
            if negative && !zero { output.append(UInt8(ascii: "-")) }
            output += integer
            if !fraction.isEmpty {
                output.append(UInt8(ascii: "."))
                output += fraction
            }
            return true
        }
    }
}
