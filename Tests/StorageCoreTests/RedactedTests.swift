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
