/// JSON text to `JSONValue` and back, by hand: this is on the path of every
/// config a job is read or compared with, and of every row `migrate` verifies,
/// where Foundation's Codable decoder was most of the time spent.
package enum JSONText {
    /// Deeper nesting is refused rather than risk the stack.
    package static let maximumDepth = 512

    static func parse(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { bytes in
            var parser = Parser(bytes: bytes)
            parser.skipSpace()
            guard let value = parser.value(depth: 0) else { return nil }
            parser.skipSpace()
            return parser.index == bytes.count ? value : nil
        }
    }

    static func write(_ value: JSONValue) -> String {
        var output: [UInt8] = []
        write(value, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: output += Array("null".utf8)
        case .bool(let flag): output += Array((flag ? "true" : "false").utf8)
        case .int(let number): output += Array(String(number).utf8)
        case .double(let number):
            output += Array((number.isFinite ? "\(number)" : "null").utf8)
        case .string(let string): writeString(string, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(item, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                write(members[key]!, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    package static func writeString(_ string: String, into output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [0x5c, UInt8(ascii: "\"")]
            case 0x5c: output += [0x5c, 0x5c]
            case 0x0a: output += [0x5c, UInt8(ascii: "n")]
            case 0x0d: output += [0x5c, UInt8(ascii: "r")]
            case 0x09: output += [0x5c, UInt8(ascii: "t")]
            case 0x08: output += [0x5c, UInt8(ascii: "b")]
            case 0x0c: output += [0x5c, UInt8(ascii: "f")]
            case 0..<0x20: output += [0x5c, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Also the scanner of `JSONBText` (spaces, literals, strings).
    package struct Parser {
        package let bytes: UnsafeBufferPointer<UInt8>
        package var index = 0

        package init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        package var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        package mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 { index += 1 }
        }

        package mutating func literal(_ word: String, _ value: JSONValue) -> JSONValue? {
            for expected in word.utf8 {
                guard current == expected else { return nil }
                index += 1
            }
            return value
        }

        package mutating func value(depth: Int) -> JSONValue? {
            guard depth < JSONText.maximumDepth, let byte = current else { return nil }
            switch byte {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string().map(JSONValue.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return number()
            }
        }

        package mutating func object(depth: Int) -> JSONValue? {
            index += 1
            var members: [String: JSONValue] = [:]
            skipSpace()
            if current == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard current == UInt8(ascii: "\""), let key = string() else { return nil }
                skipSpace()
                guard current == UInt8(ascii: ":") else { return nil }
                index += 1
                skipSpace()
                guard let member = value(depth: depth + 1) else { return nil }
                members[key] = member
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return .object(members)
                default: return nil
                }
            }
        }

        package mutating func array(depth: Int) -> JSONValue? {
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if current == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                skipSpace()
                guard let item = value(depth: depth + 1) else { return nil }
                items.append(item)
                skipSpace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return .array(items)
                default: return nil
                }
            }
        }

        package mutating func string() -> String? {
            index += 1
            var output: [UInt8] = []
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(validating: output, as: UTF8.self)
                case 0x5c:
                    guard let escaped = current else { return nil }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), 0x5c, UInt8(ascii: "/"): output.append(escaped)
                    case UInt8(ascii: "n"): output.append(0x0a)
                    case UInt8(ascii: "r"): output.append(0x0d)
                    case UInt8(ascii: "t"): output.append(0x09)
                    case UInt8(ascii: "b"): output.append(0x08)
                    case UInt8(ascii: "f"): output.append(0x0c)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard current == 0x5c, index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u")
                            else { return nil }
                            index += 2
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { return nil }
                        output += Array(String(Character(unicode)).utf8)
                    default: return nil
                    }
                case 0..<0x20: return nil
                default: output.append(byte)
                }
            }
            return nil
        }

        package mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x61...0x66: digit = byte - 0x61 + 10
                case 0x41...0x46: digit = byte - 0x41 + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        /// RFC 8259 numbers: integers that fit stay `.int`, the rest are `.double`.
        package mutating func number() -> JSONValue? {
            let start = index
            var fraction = false
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, (0x30...0x39).contains(first) else { return nil }
            index += 1
            if first != 0x30 { while let byte = current, (0x30...0x39).contains(byte) { index += 1 } }
            if current == UInt8(ascii: ".") {
                fraction = true
                index += 1
                guard let byte = current, (0x30...0x39).contains(byte) else { return nil }
                while let byte = current, (0x30...0x39).contains(byte) { index += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                fraction = true
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard let byte = current, (0x30...0x39).contains(byte) else { return nil }
                while let byte = current, (0x30...0x39).contains(byte) { index += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if !fraction, let integer = Int64(text) { return .int(integer) }
            return Double(text).map(JSONValue.double)
        }
    }
}
