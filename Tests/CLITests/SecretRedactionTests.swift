import Foundation
import Testing

/// A PostgreSQL password never reaches the terminal, whatever libpq makes of
/// a connection string it cannot read: every command that takes one, in every
/// form (URL user info, `?password=`, keyword), malformed in the ways libpq
/// quotes back.
@Suite(.timeLimit(.minutes(5))) struct SecretRedactionTests {
    static let malformed = [
        "postgresql://yt:SECRETpw1@[::1:5432/yt",
        "postgresql://yt:Hunt%zzerSECRET@h/yt",
        "postgresql://yt:Hunt%00erSECRET@h/yt",
        "postgresql://yt:SECRET%2@127.0.0.1:1/yt",
        "postgresql://yt@[::1/yt?password=SECRETpw5",
        "postgresql://yt@127.0.0.1:1/yt?password=SECRET%zz",
        "postgresql://yt@127.0.0.1:1/yt?password=SECRETpw7&port=abc",
        "postgresql://yt:SECRETpw8@127.0.0.1:1/yt?sslmode=bogus",
        "postgres://yt:SECRETpw9@127.0.0.1:notaport/yt",
        "host=127.0.0.1 port=1 password=SECRETpw10 dbname=yt bogus",
        "host='127.0.0.1 password=SECRETpw11 dbname=yt",
        "password='SECRET pw12' host=127.0.0.1 dbname=yt port=x",
        "dbname=yt password=SECRETpw13 sslmode=nonsense",
    ]

    @Test(arguments: malformed) func noCommandPrintsThePassword(_ url: String) async throws {
        var cli = CommandRunner()
        #expect(try await cli.run("db", "migrate", "--database", cli.path("history.db")).status == 0)
        let invocations: [[String]] = [
            ["db", "status", "--database", url],
            ["db", "check", "--database", url],
            ["db", "migrate", "--database", url],
            ["jobs", "list", "--database", url],
            ["cleanup", "--days", "1", "--database", url],
            ["youtube", "status", "--database", url],
            ["bench", "storage", "--jobs", "1", "--database", url],
            ["serve", "--database", url, "--port", "1"],
            ["worker", "--database", url],
            ["migrate", "--from", cli.path("history.db"), "--to", url],
            ["migrate", "--from", cli.path("history.db"), "--to", url, "--dry-run"],
        ]
        for arguments in invocations {
            let result = try await cli.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(!result.stderr.isEmpty, "\(arguments): a failure says why")
            #expect(!(result.stdout + result.stderr).contains("SECRET"), "\(arguments): \(result.stderr)")
        }
        cli.environment["YT_BUILDER_DATABASE_URL"] = url
        for arguments in [["db", "status"], ["migrate", "--from", cli.path("history.db")]] {
            let result = try await cli.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(!(result.stdout + result.stderr).contains("SECRET"), "\(arguments): \(result.stderr)")
        }
    }
}
