import Foundation

/// A point in time with microsecond precision, stored as text in one fixed-width
/// UTC form, `YYYY-MM-DDTHH:MM:SS.ffffffZ`, so that text order is time order.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public init(_ date: Date) {
        self.init(microsecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    public static func now() -> Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(microsecondsSinceEpoch) / 1_000_000) }

    public func adding(seconds: Double) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: microsecondsSinceEpoch + Int64((seconds * 1_000_000).rounded()))
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// The stored form: `2026-01-02T03:04:05.000006Z`. Written by hand: this is
    /// on every write's path, and `String(format:)` is slow.
    public var description: String {
        let (seconds, micros) = microsecondsSinceEpoch.floorDivided(by: 1_000_000)
        let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
        let (year, month, day) = CivilDate.fromDaysSinceEpoch(days)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            for _ in 0..<width {
                bytes.append(UInt8(48 + rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(micros, 6)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads the fixed-width form `description` writes
    /// (`2026-01-02T03:04:05.000006Z`), from bytes, without making a string;
    /// nil for anything else (then `init(parsing:)` reads it).
    public init?(canonical bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 27, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "."), bytes[26] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let micros = number(20..<26), (1...12).contains(month),
            (1...CivilDate.daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let seconds =
            CivilDate.daysSinceEpoch(year: year, month: month, day: day) * 86_400
            + Int64(hour * 3600 + minute * 60 + second)
        self.init(microsecondsSinceEpoch: seconds * 1_000_000 + Int64(micros))
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.f…][Z|±HH:MM]`. A value without a zone is
    /// read in `naiveZone`; without one either, it is not accepted.
    public init?(parsing text: String, naiveZone: TimeZone? = nil) {
        self.init(
            parsing: text, naiveOffset: naiveZone.map { zone in { CivilDate.offset(ofLocalSeconds: $0, in: zone) } })
    }

    /// The same, with the naive zone's offsets from `offsets` (a cache of them).
    public init?(parsing text: String, naiveOffsets offsets: ZoneOffsets) {
        self.init(parsing: text, naiveOffset: { offsets.offset(ofLocalSeconds: $0) })
    }

    private init?(parsing text: String, naiveOffset: ((Int64) -> Int)?) {
        guard let parts = TimestampText(text) else { return nil }
        let localSeconds =
            CivilDate.daysSinceEpoch(year: parts.year, month: parts.month, day: parts.day) * 86_400
            + Int64(parts.hour * 3600 + parts.minute * 60 + parts.second)
        let offset: Int64
        if let explicit = parts.offsetSeconds {
            offset = Int64(explicit)
        } else if let naiveOffset {
            offset = Int64(naiveOffset(localSeconds))
        } else {
            return nil
        }
        self.init(microsecondsSinceEpoch: (localSeconds - offset) * 1_000_000 + Int64(parts.microsecond))
    }
}

extension Timestamp: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Timestamp(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a timestamp: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The fields of a timestamp as written, before any zone is applied.
private struct TimestampText {
    var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, microsecond = 0
    var offsetSeconds: Int?

    init?(_ text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + width] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("T "), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2)
        else { return nil }
        guard (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (
            year, month, day, hour, minute, second
        )
        if expect(".") {
            var digits = 0
            while index < bytes.count, (48...57).contains(bytes[index]) {
                if digits < 6 { microsecond = microsecond * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { microsecond *= 10 }
        }
        if index < bytes.count {
            if expect("Zz") {
                offsetSeconds = 0
            } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
                guard let hours = number(2) else { return nil }
                _ = expect(":")
                // PostgreSQL writes whole-hour offsets as `+00`.
                let minutes = index == bytes.count ? 0 : number(2)
                guard let minutes, hours < 24, minutes < 60 else { return nil }
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
            }
            guard index == bytes.count else { return nil }
        }
    }
}

/// Proleptic Gregorian calendar arithmetic on whole days (Howard Hinnant's algorithms).
enum CivilDate {
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func fromDaysSinceEpoch(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The zone's UTC offset for a wall-clock time. In a repeated hour (clocks set
    /// back) the earlier reading wins; in a skipped hour the offset from before the jump.
    static func offset(ofLocalSeconds local: Int64, in zone: TimeZone) -> Int {
        let guess = Date(timeIntervalSince1970: Double(local))
        let before = zone.secondsFromGMT(for: guess.addingTimeInterval(-86_400))
        let after = zone.secondsFromGMT(for: guess.addingTimeInterval(86_400))
        for candidate in [before, after]
        where zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - Int64(candidate)))) == candidate {
            return candidate
        }
        return before
    }
}

extension Int64 {
    /// Quotient and remainder rounded toward negative infinity.
    func floorDivided(by divisor: Int64) -> (Int64, Int64) {
        let remainder = self % divisor
        return remainder < 0 ? (self / divisor - 1, remainder + divisor) : (self / divisor, remainder)
    }
}

/// A zone's UTC offsets by local day, for reading many naive times in one
/// zone (`migrate`, the legacy upgrade): asking the zone costs three locked
/// lookups a time. A day is cached when the offset a day before it and a day
/// after it are the same (no change of offset near it); other days are asked
/// time by time. Not thread-safe: one per thread.
public final class ZoneOffsets {
    public let zone: TimeZone
    private var byDay: [Int64: Int] = [:]

    public init(zone: TimeZone) { self.zone = zone }

    public func offset(ofLocalSeconds local: Int64) -> Int {
        let day = local.floorDivided(by: 86_400).0
        if let offset = byDay[day] { return offset }
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double((day - 1) * 86_400)))
        let after = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double((day + 2) * 86_400)))
        guard before == after else { return CivilDate.offset(ofLocalSeconds: local, in: zone) }
        if byDay.count > 100_000 { byDay.removeAll(keepingCapacity: true) }
        byDay[day] = before
        return before
    }
}
