import HistoryFormats
import StorageCore
import TestPostgres
import Testing

/// `migrate` checks JSON columns by what PostgreSQL's jsonb prints; the
/// client's copy of that form must be the server's, to the byte.
@Suite struct JSONBTextTests {
    static let corpus = [
        #"{"duration": 60, "fps": 30, "title": "Vidéo n° 1"}"#,
        #"{"bb":1, "a":1, "ä":1, "b":1, "": 0, "a": 2}"#,
        #"["x\u0001\"\\\/\b\f\n\r\t\u001f é \ud83d\ude00", {}, [], true, false, null]"#,
        #"[-0, -0.0, 0.10, 1E+2, 5e0, 1.23e1, 12e3, 0.000, -1.5E-3, 100e-2, 123456789012345678901234567890]"#,
        #"[1e-7, -2.50e-3, 7E1, 0e5, 10.0e-1, 3.14159, -12.5, 9223372036854775807, -9223372036854775808]"#,
        #"  {"nested": {"z": [1, {"y": null}], "a": "\u00e9"}, "k": "tab\there"}  "#,
        #""a string alone""#, "42", "true", "null", "[]", "{}",
    ]

    @Test(arguments: corpus)
    func theClientWritesJSONAsTheServerDoes(text: String) throws {
        let server = try TestPostgres.shared()
        let printed = try server.query("SELECT $json$\(text)$json$::jsonb::text", database: "postgres")
        #expect(JSONBText.canonical(text) == printed.first, "\(text)")
    }

    @Test(arguments: [#"{"a": }"#, #"[1, 2"#, "01", "1.", "-", #""\ud800""#, #"{"a" 1}"#, "1e1001", "tru"])
    func textThatIsNotJSONIsNil(text: String) {
        #expect(JSONBText.canonical(text) == nil, "\(text)")
    }
}
