import ArgumentParser
import Foundation
import ObjectStorage
import RunFiles

/// Where jobs' files live: the data directory, or an S3-compatible bucket
/// that every host reaches (so render hosts need no shared folder).
struct FilesOptions: ParsableArguments {
    @Option(
        name: .customLong("files"),
        help: ArgumentHelp(
            "Keep jobs' files in S3-compatible object storage: s3://BUCKET/PREFIX. Endpoint, region and keys come "
                + "from AWS_ENDPOINT_URL (then path-style addressing, as MinIO and Ceph want), AWS_REGION, "
                + "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. "
                + "Default: env YT_BUILDER_FILES, else the data directory.",
            valueName: "s3-url"))
    var filesFlag: String?

    var location: String? {
        [filesFlag, ProcessInfo.processInfo.environment["YT_BUILDER_FILES"]].compactMap { $0 }.first { !$0.isEmpty }
    }

    func validate() throws {
        _ = try store()
    }

    /// The object store, or nil for the data directory.
    func store() throws -> (any RunFileStore)? {
        guard let location else { return nil }
        do {
            let configuration = try S3Configuration.from(
                url: location, environment: ProcessInfo.processInfo.environment)
            return S3RunFileStore(S3Client(configuration))
        } catch let error as S3Error {
            throw ValidationError(error.description)
        }
    }
}
