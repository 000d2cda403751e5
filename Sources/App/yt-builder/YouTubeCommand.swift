import ArgumentParser
import Foundation
import StorageCore
import YouTube

struct YouTubeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "youtube",
        abstract: "YouTube authorization, for people without the web page.",
        discussion: """
            The OAuth client comes from YT_BUILDER_GOOGLE_CLIENT_ID and YT_BUILDER_GOOGLE_CLIENT_SECRET, or \
            YT_BUILDER_GOOGLE_CLIENT_SECRETS (the JSON file Google issues); credentials are sealed with \
            YT_BUILDER_SECRET_KEY or <data-dir>/secret.key.
            """,
        subcommands: [Status.self, AuthURL.self, Revoke.self, Upload.self])

    struct Common: ParsableArguments {
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var files: FilesOptions

        func withAccount<T>(_ body: (YouTubeAccount, any Storage) async throws -> T) async throws -> T {
            let box = try SecretBox.load(dataDirectory: database.dataDir)
            let configuration = YouTubeSettings.configuration()
            return try await database.withStorage { storage in
                try await DeploymentCheck.files(storage, store: try files.store())
                try await DeploymentCheck.secretKey(storage, box: box)
                let account = YouTubeAccount(storage: storage, box: box, configuration: configuration)
                do {
                    return try await body(account, storage)
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
            let status = try await common.withAccount { account, _ in try await account.status() }
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
            print(try await common.withAccount { account, _ in try account.authorizationURL(redirectURL: redirectURL) })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke the authorization at Google and forget it.")
        @OptionGroup var common: Common

        func run() async throws {
            let revoked = try await common.withAccount { account, _ in try await account.revoke() }
            print(revoked ? "YouTube access revoked" : "YouTube was not connected")
        }
    }

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a completed job's video (resumable; retried on network errors) and record it.")
        @OptionGroup var common: Common
        @Argument(help: "The job's id.") var jobID: Int64
        @Option(help: "1 to 100 characters.") var title: String
        @Option(help: "Up to 5,000 bytes.") var description = ""
        @Option(help: "private, unlisted or public.") var privacy = "private"
        @Option(help: "Comma-separated tags.") var tags = ""
        @Option(help: "A numeric YouTube category id.") var category = "22"

        func run() async throws {
            let request: UploadRequest
            do {
                request = try UploadRequest(json: [
                    "title": .string(title), "description": .string(description), "privacy": .string(privacy),
                    "tags": .array(tags.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }),
                    "category": .string(category),
                ])
            } catch {
                throw ValidationError(error.description)
            }
            let upload = try await common.withAccount { account, storage in
                guard let job = try await storage.job(jobID) else { throw ValidationError("job \(jobID) not found") }
                let file = try await Publisher.video(
                    of: job, dataDirectory: common.database.dataDir, files: try common.files.store())
                let publisher = try Publisher(storage: storage, account: account)
                return try await publisher.publish(
                    jobID: jobID, file: file, request: request,
                    progress: { bytes in Console.error("uploaded \(bytes) bytes") })
            }
            print(upload.videoURL)
        }
    }
}
