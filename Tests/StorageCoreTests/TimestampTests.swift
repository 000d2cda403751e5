import Foundation
import StorageCore
import Testing

@Suite struct TimestampTests {
    let newYork = TimeZone(identifier: "America/New_York")!

    @Test(arguments: [
        ("1970-01-01T00:00:00.000000Z", Int64(0)),
        ("2026-03-01T12:00:00.123456Z", Int64(1_772_366_400_123_456)),
        ("1969-12-31T23:59:59.999999Z", Int64(-1)),
        ("2000-02-29T00:00:00.000001Z", Int64(951_782_400_000_001)),
    ])
    func writesFixedWidthUTC(text: String, micros: Int64) throws {
        let timestamp = Timestamp(microsecondsSinceEpoch: micros)
        #expect(timestamp.description == text)
        #expect(Timestamp(parsing: text) == timestamp)
    }

    @Test func readsOffsetsAndNaiveTimes() throws {
        #expect(Timestamp(parsing: "2025-01-10T10:00:00+01:00")?.description == "2025-01-10T09:00:00.000000Z")
        #expect(Timestamp(parsing: "2025-01-10 10:00:00.5-0530")?.description == "2025-01-10T15:30:00.500000Z")
        #expect(Timestamp(parsing: "2025-01-10T10:00:00") == nil, "a naive time needs a zone")
        #expect(
            Timestamp(parsing: "2025-01-10T10:00:00", naiveZone: newYork)?.description == "2025-01-10T15:00:00.000000Z")
        #expect(
            Timestamp(parsing: "2025-01-10T10:00:00.1234567", naiveZone: newYork)?.description
                == "2025-01-10T15:00:00.123456Z")
    }

    /// The cache `migrate` reads naive times with agrees with the zone itself
    /// every quarter hour for two years, transitions (and a 30-minute one) included.
    @Test(arguments: ["America/New_York", "Australia/Lord_Howe", "Europe/Berlin", "UTC"])
    func cachedZoneOffsetsAgreeWithTheZone(zone name: String) throws {
        let zone = try #require(TimeZone(identifier: name))
        let offsets = ZoneOffsets(zone: zone)
        var time = try #require(Timestamp(parsing: "2024-01-01T00:00:00Z"))
        let end = try #require(Timestamp(parsing: "2026-01-01T00:00:00Z"))
        while time < end {
            let text = String(time.description.dropLast())  // naive: no Z
            #expect(
                Timestamp(parsing: text, naiveOffsets: offsets) == Timestamp(parsing: text, naiveZone: zone), "\(text)")
            time = time.adding(seconds: 900)
        }
    }

    /// The fixed-width form read from bytes (migrate's fast path) is the same
    /// instant `init(parsing:)` reads; anything else is left to it.
    @Test(arguments: [
        "1970-01-01T00:00:00.000000Z", "2024-02-29T23:59:59.999999Z", "1969-12-31T23:59:59.000001Z",
        "9999-12-31T00:00:00.500000Z", "0001-01-01T00:00:00.000000Z",
    ])
    func canonicalBytesReadAsText(text: String) throws {
        var copy = text
        let fast = copy.withUTF8 { Timestamp(canonical: UnsafeRawBufferPointer($0)) }
        #expect(fast == Timestamp(parsing: text))
        #expect(fast?.description == text)
    }

    @Test(arguments: [
        "2024-02-30T00:00:00.000000Z", "2024-13-01T00:00:00.000000Z", "2024-01-01T24:00:00.000000Z",
        "2024-01-01 00:00:00.000000Z", "2024-01-01T00:00:00.00000Z", "2024-01-01T00:00:0x.000000Z",
    ])
    func bytesNotInTheFixedWidthFormAreNotRead(text: String) {
        var copy = text
        #expect(copy.withUTF8 { Timestamp(canonical: UnsafeRawBufferPointer($0)) } == nil)
    }

    @Test func daylightSavingEdges() throws {
        // Clocks went back at 02:00 on 2025-11-02: 01:30 happened twice; the first is taken.
        #expect(
            Timestamp(parsing: "2025-11-02T01:30:00", naiveZone: newYork)?.description == "2025-11-02T05:30:00.000000Z")
        // Clocks went forward at 02:00 on 2025-03-09: 02:30 never happened; read with the offset before the jump.
        #expect(
            Timestamp(parsing: "2025-03-09T02:30:00", naiveZone: newYork)?.description == "2025-03-09T07:30:00.000000Z")
        #expect(
            Timestamp(parsing: "2025-07-01T12:00:00", naiveZone: newYork)?.description == "2025-07-01T16:00:00.000000Z")
    }

    @Test(arguments: [
        "", "yesterday", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-01-01T24:00:00Z",
        "2025-01-01T00:00:00.Z", "2025-01-01T00:00:00Zjunk", "2025-01-01",
    ])
    func refusesWhatIsNotATime(text: String) {
        #expect(Timestamp(parsing: text, naiveZone: newYork) == nil)
    }

    @Test func roundTripsThroughDateAndJSON() throws {
        let timestamp = Timestamp(microsecondsSinceEpoch: 1_772_366_400_123_457)
        #expect(Timestamp(timestamp.date) == timestamp)
        let data = try JSONEncoder().encode([timestamp])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-03-01T12:00:00.123457Z"]"#)
        #expect(try JSONDecoder().decode([Timestamp].self, from: data) == [timestamp])
    }

    @Test func textOrderIsTimeOrder() {
        let times = (0..<200).map { _ in Timestamp(microsecondsSinceEpoch: Int64.random(in: 0...4_000_000_000_000_000))
        }
        #expect(times.sorted().map(\.description) == times.map(\.description).sorted())
    }
}
