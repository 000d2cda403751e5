import Crypto
import Foundation

/// AWS Signature Version 4 for S3: the canonical request, the string to sign,
/// the day's signing key, and both forms of the result (an Authorization
/// header, or a presigned URL's query).
public struct SigV4: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var region: String
    public var service = "s3"

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, region: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
    }

    /// The SHA-256 of an empty body, which every bodiless request signs.
    public static let emptyPayloadHash = hex(SHA256.hash(data: Data()))

    /// A request as it is signed: `path` is already URI-encoded, `query` the
    /// decoded name/value pairs, header names in any case.
    public struct Request: Sendable {
        public var method: String
        public var host: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        public var payloadHash: String

        public init(
            method: String, host: String, path: String, query: [(String, String)] = [],
            headers: [(String, String)] = [], payloadHash: String = SigV4.emptyPayloadHash
        ) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// The headers to send: the request's own, `host`, `x-amz-date`,
    /// `x-amz-content-sha256`, the session token when there is one, and
    /// `Authorization` over all of them.
    public func signedHeaders(_ request: Request, at date: Date) -> [(String, String)] {
        let stamp = Self.timestamp(date)
        var headers = request.headers.filter { $0.0.lowercased() != "host" }
        headers.append(("host", request.host))
        headers.append(("x-amz-date", stamp))
        headers.append(("x-amz-content-sha256", request.payloadHash))
        if let sessionToken { headers.append(("x-amz-security-token", sessionToken)) }
        var signing = request
        signing.headers = headers
        let (names, signature) = sign(signing, stamp: stamp)
        headers.append(
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope(stamp)), SignedHeaders=\(names), Signature=\(signature)"
            ))
        return headers
    }

    /// The encoded query of a URL that allows `request` (signing its host
    /// only) until `expires` seconds after `date`; the signature comes last.
    public func presignedQuery(_ request: Request, at date: Date, expires: Int) -> String {
        let stamp = Self.timestamp(date)
        var query = request.query
        query.append(("X-Amz-Algorithm", "AWS4-HMAC-SHA256"))
        query.append(("X-Amz-Credential", "\(accessKeyID)/\(scope(stamp))"))
        query.append(("X-Amz-Date", stamp))
        query.append(("X-Amz-Expires", String(expires)))
        if let sessionToken { query.append(("X-Amz-Security-Token", sessionToken)) }
        query.append(("X-Amz-SignedHeaders", "host"))
        var signing = request
        signing.query = query
        signing.headers = [("host", request.host)]
        signing.payloadHash = "UNSIGNED-PAYLOAD"
        return Self.canonicalQuery(query) + "&X-Amz-Signature=" + sign(signing, stamp: stamp).signature
    }

    /// The signed header names and the signature.
    func sign(_ request: Request, stamp: String) -> (names: String, signature: String) {
        let (canonical, names) = Self.canonicalRequest(request)
        let toSign = stringToSign(canonical, stamp: stamp)
        let key = signingKey(day: String(stamp.prefix(8)))
        return (names, Self.hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: key)))
    }

    static func canonicalRequest(_ request: Request) -> (text: String, signedNames: String) {
        var headers: [String: String] = [:]
        for (name, value) in request.headers {
            let trimmed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            let key = name.lowercased()
            headers[key] = headers[key].map { "\($0),\(trimmed)" } ?? trimmed
        }
        let names = headers.keys.sorted()
        let text = [
            request.method,
            request.path.isEmpty ? "/" : request.path,
            canonicalQuery(request.query),
            names.map { "\($0):\(headers[$0]!)\n" }.joined(),
            names.joined(separator: ";"),
            request.payloadHash,
        ].joined(separator: "\n")
        return (text, names.joined(separator: ";"))
    }

    /// Names and values encoded, in byte order of name, then value.
    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (uriEncode($0.0), uriEncode($0.1)) }
        let sorted = encoded.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    func stringToSign(_ canonicalRequest: String, stamp: String) -> String {
        ["AWS4-HMAC-SHA256", stamp, scope(stamp), Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
    }

    func scope(_ stamp: String) -> String { "\(stamp.prefix(8))/\(region)/\(service)/aws4_request" }

    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// S3's URI encoding: unreserved characters stay, every other byte is %XX;
    /// so does `/` unless `encodeSlash` is false (an object key in a path).
    public static func uriEncode(_ text: String, encodeSlash: Bool = true) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where !encodeSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
