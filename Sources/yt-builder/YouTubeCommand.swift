import ArgumentParser
import Foundation
import YouTube

struct YouTubeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "youtube",
        abstract: "YouTube authorization, for people without the web page.",
        discussion: """
            The OAuth client comes from YT_BUILDER_GOOGLE_CLIENT_ID and YT_BUILDER_GOOGLE_CLIENT_SECRET, or \
            YT_BUILDER_GOOGLE_CLIENT_SECRETS (the JSON file Google issues); credentials are sealed with \
            YT_BUILDER_SECRET_KEY or <data-dir>/secret.key. Uploading is not built yet.
            """,
        subcommands: [Status.self, AuthURL.self, Revoke.self])

    struct Common: ParsableArguments {
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Holds secret.key (the key that seals credentials).") var dataDir = "data"

        func withAccount<T>(_ body: (YouTubeAccount) async throws -> T) async throws -> T {
            let box = try SecretBox.load(dataDirectory: dataDir)
            let configuration = Result { try OAuthConfiguration.fromEnvironment() }.mapError {
                $0 as? OAuthConfiguration.Missing ?? .init(description: "\($0)")
            }
            return try await database.withStorage { storage in
                let account = YouTubeAccount(storage: storage, box: box, configuration: configuration)
                do {
                    return try await body(account)
                } catch let error as YouTubeError {
                    throw ValidationError(error.description)
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Whether YouTube is configured and authorized.")
        @OptionGroup var common: Common

        func run() async throws {
            let status = try await common.withAccount { try await $0.status() }
            print("configured: \(status.configured ? "yes" : "no (set YT_BUILDER_GOOGLE_CLIENT_ID/_SECRET)")")
            print(
                "authorized: \(status.authenticated ? "yes" : status.requiresReauthorization ? "no: authorize again" : "no")"
            )
            if let expires = status.expiresAt { print("access token expires: \(Date(timeIntervalSince1970: expires))") }
        }
    }

    struct AuthURL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "auth-url", abstract: "The URL to open to authorize; Google then calls the server's callback.")
        @OptionGroup var common: Common
        @Option(help: "The server's callback URL (default: YT_BUILDER_OAUTH_REDIRECT_URL).")
        var redirectURL = "http://127.0.0.1:5000/api/youtube/auth/callback"

        func run() async throws {
            print(try await common.withAccount { try $0.authorizationURL(redirectURL: redirectURL) })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke the authorization at Google and forget it.")
        @OptionGroup var common: Common

        func run() async throws {
            let revoked = try await common.withAccount { try await $0.revoke() }
            print(revoked ? "YouTube access revoked" : "YouTube was not connected")
        }
    }
}
