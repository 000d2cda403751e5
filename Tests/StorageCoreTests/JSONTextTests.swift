import Foundation
import StorageCore
import Testing

@Suite struct JSONTextTests {
    @Test(arguments: [
        (#"{"a":1}"#, #"{"a":1}"#),
        (
            #" { "b" : [ 1 , 2.5 , -0 , 1e3 , true , false , null ] , "a" : "x" } "#,
            #"{"a":"x","b":[1,2.5,0,1000.0,true,false,null]}"#
        ),
        (#""\u00e9\ud83c\udfac\n\t\\\"\/""#, "\"é🎬\\n\\t\\\\\\\"/\""),
        (
            #"[9223372036854775807, -9223372036854775808, 9223372036854775808]"#,
            "[9223372036854775807,-9223372036854775808,9.223372036854776e+18]"
        ),
        (#""control \u0001""#, #""control \u0001""#),
        ("{}", "{}"), ("[]", "[]"), ("\"\"", "\"\""),
    ])
    func parsesAndWritesCanonically(input: String, canonical: String) throws {
        let value = try #require(JSONValue(jsonText: input))
        #expect(value.jsonText == canonical)
        #expect(JSONValue(jsonText: value.jsonText) == value, "the canonical text reads back the same")
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "1e", "tru", "nul", "\"open", "\"\\x\"",
        "\"\\ud800\"", "[1] [2]", "\"tab\there\"", "{\"a\":1,}", "NaN",
    ])
    func refusesWhatIsNotJSON(input: String) {
        #expect(JSONValue(jsonText: input) == nil, "\(input)")
    }

    @Test func agreesWithFoundation() throws {
        let samples = [
            #"{"duration": 600, "quotes_duration": 5.5, "resolution": "1920x1080", "music_shuffle": true, "nested": {"list": [1, "two", null]}}"#,
            #"{"title": "Café ☕ 日本", "emoji": "🎬", "escaped": "line\nbreak \"quoted\""}"#,
        ]
        for sample in samples {
            let ours = try #require(JSONValue(jsonText: sample))
            let theirs = try JSONDecoder().decode(JSONValue.self, from: Data(sample.utf8))
            #expect(ours == theirs)
        }
    }

    @Test func aWrittenFractionStaysAFraction() {
        // Foundation's decoder reads 5.0 as the integer 5; a config's 5.0 stays 5.0 here.
        #expect(JSONValue(jsonText: "5.0") == .double(5))
        #expect(JSONValue(jsonText: "5.0")?.jsonText == "5.0")
    }

    @Test func nestingHasALimit() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(JSONValue(jsonText: deep) == nil)
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(JSONValue(jsonText: fine) != nil)
    }
}
