import Foundation

/// Where a store's objects live and how to reach them: `s3://BUCKET/PREFIX`,
/// with the endpoint, region and keys from the usual `AWS_*` variables.
public struct S3Configuration: Sendable {
    /// `scheme://host[:port]` of the service; AWS's regional endpoint by default.
    public var endpoint: URL
    public var bucket: String
    /// Every key the store writes starts with it: empty, or ending in `/`.
    public var prefix: String
    /// Path-style addressing (`endpoint/bucket/key`), as MinIO and Ceph want;
    /// otherwise the bucket is part of the host name, as AWS prefers.
    public var pathStyle: Bool
    public var signer: SigV4
    /// A large object goes up in parts of this size (5 MiB at least), one in memory at a time.
    public var partSize = 8 * 1024 * 1024
    /// How long a request keeps being retried while the service fails (5xx,
    /// throttling) or cannot be reached.
    public var retryWindow: Duration = .seconds(60)
    /// How long one request may take before it is abandoned (and retried).
    public var requestTimeout: Duration = .seconds(300)

    public init(
        endpoint: URL, bucket: String, prefix: String, pathStyle: Bool, signer: SigV4
    ) throws {
        guard Self.isValidBucketName(bucket) else {
            throw S3Error.configuration(
                "\"\(bucket)\" is not a valid bucket name (3 to 63 lowercase letters, digits, dots and hyphens)")
        }
        guard let scheme = endpoint.scheme, scheme == "http" || scheme == "https", endpoint.host != nil else {
            throw S3Error.configuration("the endpoint \(endpoint) is not an http:// or https:// URL")
        }
        self.endpoint = endpoint
        self.bucket = bucket
        self.prefix = Self.normalisedPrefix(prefix)
        self.pathStyle = pathStyle
        self.signer = signer
    }

    /// `s3://BUCKET[/PREFIX]` and the environment: `AWS_ENDPOINT_URL_S3` or
    /// `AWS_ENDPOINT_URL` (then path-style), `AWS_REGION` or
    /// `AWS_DEFAULT_REGION` (else us-east-1), `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
    public static func from(url: String, environment: [String: String]) throws -> S3Configuration {
        guard url.hasPrefix("s3://") else { throw S3Error.configuration("\(url) is not an s3://BUCKET/PREFIX URL") }
        let rest = url.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        let prefix = String(rest.dropFirst(bucket.count))
        guard let keyID = environment["AWS_ACCESS_KEY_ID"], !keyID.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else {
            throw S3Error.configuration("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set to use \(url)")
        }
        let region =
            [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]].compactMap { $0 }.first { !$0.isEmpty }
            ?? "us-east-1"
        let custom = [environment["AWS_ENDPOINT_URL_S3"], environment["AWS_ENDPOINT_URL"]].compactMap { $0 }
            .first { !$0.isEmpty }
        let endpointText = custom ?? "https://s3.\(region).amazonaws.com"
        guard let endpoint = URL(string: endpointText) else {
            throw S3Error.configuration("the endpoint \(endpointText) is not a URL")
        }
        let signer = SigV4(
            accessKeyID: keyID, secretAccessKey: secret,
            sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }, region: region)
        return try S3Configuration(
            endpoint: endpoint, bucket: bucket, prefix: prefix, pathStyle: custom != nil, signer: signer)
    }

    /// The store's location as users write it; never the keys.
    public var location: String { "s3://\(bucket)/\(prefix)" }

    /// The host a request goes to, and the encoded path of `key` (relative to the prefix).
    func address(ofKey key: String?) -> (host: String, path: String) {
        let hostName = endpoint.host!
        let port = endpoint.port.map { ":\($0)" } ?? ""
        let encodedKey = key.map { SigV4.uriEncode(prefix + $0, encodeSlash: false) }
        if pathStyle {
            return ("\(hostName)\(port)", "/\(bucket)" + (encodedKey.map { "/\($0)" } ?? ""))
        }
        return ("\(bucket).\(hostName)\(port)", "/" + (encodedKey ?? ""))
    }

    static func normalisedPrefix(_ prefix: String) -> String {
        let trimmed = prefix.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return trimmed.isEmpty ? "" : trimmed + "/"
    }

    static func isValidBucketName(_ name: String) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, let last = name.last,
            first.isLetter || first.isNumber, last.isLetter || last.isNumber, !name.contains("..")
        else { return false }
        return name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
    }
}
