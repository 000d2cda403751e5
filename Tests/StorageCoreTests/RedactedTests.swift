import StorageCore
import Testing

@Suite struct RedactedTests {
    @Test(arguments: [
        ("postgresql://yt:hunter2@db:5432/yt", "postgresql://yt:***@db:5432/yt"),
        ("postgres://yt:p%40ss@db/yt?sslmode=require", "postgres://yt:***@db/yt?sslmode=require"),
        (
            "postgresql://db/yt?user=yt&password=hunter2&sslmode=require",
            "postgresql://db/yt?user=yt&password=***&sslmode=require"
        ),
        ("postgresql://yt@db/yt", "postgresql://yt@db/yt"),
        ("host=db password=hunter2 dbname=yt", "host=db password=*** dbname=yt"),
        ("host=db password = 'two words' dbname=yt", "host=db password=*** dbname=yt"),
        ("host=db password='it\\'s' dbname=yt", "host=db password=*** dbname=yt"),
        ("data/yt-builder.db", "data/yt-builder.db"),
        ("mysql://root:hunter2@db/x", "mysql://root:***@db/x"),
    ])
    func passwordsNeverShow(location: String, shown: String) {
        #expect(Redacted.location(location) == shown)
        #expect(!Redacted.location(location).contains("hunter2"))
    }
}

@Suite struct RedactedMessageTests {
    @Test func libpqParseErrorsLoseThePassword() {
        let uri = "postgresql://yt:Hunt%zzer2@h/yt"
        #expect(
            Redacted.message(#"invalid percent-encoded token: "Hunt%zzer2""#, connectionString: uri)
                == #"invalid percent-encoded token: "***""#)
        let ipv6 = "postgresql://yt:SECRET@[::1:5432/yt"
        #expect(
            Redacted.message(
                #"end of string reached when looking for matching "]" in IPv6 host address in URI: "\#(ipv6)""#,
                connectionString: ipv6)
                == #"end of string reached when looking for matching "]" in IPv6 host address in URI: "postgresql://yt:***@[::1:5432/yt""#
        )
        let keywords = "host=h password='a b\\'c' dbname=yt"
        #expect(!Redacted.message("could not use a b'c here", connectionString: keywords).contains("a b'c"))
    }

    @Test func aShortPasswordLeavesTheSentenceButNotTheQuotes() {
        let uri = "postgresql://yt:yt@h/yt?port=abc"
        #expect(
            Redacted.message(#"user "yt" failed: "yt""#, connectionString: uri) == #"user "***" failed: "***""#)
        #expect(Redacted.message("bytes", connectionString: uri) == "bytes")
    }
}
