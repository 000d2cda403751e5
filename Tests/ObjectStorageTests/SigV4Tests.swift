import Foundation
import Testing

@testable import ObjectStorage

/// The signer against published AWS vectors: the SigV4 test suite (service
/// "service") and the examples of S3's own documentation.
@Suite struct SigV4Tests {
    static let suite = SigV4(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1")
    static let s3Docs = SigV4(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1")
    static let may2013 = Date(timeIntervalSince1970: 1_369_353_600)

    static func suiteSignature(_ method: String, _ path: String, _ query: [(String, String)] = []) -> String {
        var signer = suite
        signer.service = "service"
        let request = SigV4.Request(
            method: method, host: "example.amazonaws.com", path: path, query: query,
            headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")])
        return signer.sign(request, stamp: "20150830T123600Z").signature
    }

    @Test func theTestSuiteVectors() {
        #expect(Self.suiteSignature("GET", "/") == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(
            Self.suiteSignature("GET", "/", [("Param2", "value2"), ("Param1", "value1")])
                == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", "query sorted by name")
        #expect(Self.suiteSignature("POST", "/") == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
        #expect(
            Self.suiteSignature("GET", SigV4.uriEncode("/ሴ", encodeSlash: false))
                == "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85", "UTF-8 path")
        var signer = Self.suite
        signer.service = "service"
        #expect(
            SigV4.hex(signer.signingKey(day: "20150830").withUnsafeBytes { Array($0) })
                == "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75")
    }

    static func authorization(_ headers: [(String, String)]) -> String? {
        headers.first { $0.0 == "Authorization" }?.1
    }

    @Test func s3DocumentationGetObject() {
        let headers = Self.s3Docs.signedHeaders(
            SigV4.Request(
                method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                headers: [("Range", "bytes=0-9")]),
            at: Self.may2013)
        #expect(
            Self.authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func s3DocumentationPutObjectWithAnEncodedKey() {
        let body = Data("Welcome to Amazon S3.".utf8)
        let headers = Self.s3Docs.signedHeaders(
            SigV4.Request(
                method: "PUT", host: "examplebucket.s3.amazonaws.com",
                path: "/" + SigV4.uriEncode("test$file.text", encodeSlash: false),
                headers: [
                    ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ],
                payloadHash: SigV4.hex(SHA256Digest.of(.init(bytes: body)))),
            at: Self.may2013)
        #expect(
            Self.authorization(headers)?.hasSuffix(
                "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd") == true)
    }

    @Test func s3DocumentationListAndLifecycle() {
        func signature(_ query: [(String, String)]) -> String? {
            Self.authorization(
                Self.s3Docs.signedHeaders(
                    SigV4.Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/", query: query),
                    at: Self.may2013))?.components(separatedBy: "Signature=").last
        }
        #expect(
            signature([("max-keys", "2"), ("prefix", "J")])
                == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
        #expect(signature([("lifecycle", "")]) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func s3DocumentationPresignedURL() {
        let query = Self.s3Docs.presignedQuery(
            SigV4.Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt"),
            at: Self.may2013, expires: 86400)
        #expect(
            query
                == "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        )
    }

    @Test func uriEncodingKeepsOnlyUnreservedCharacters() {
        #expect(SigV4.uriEncode("a b*(c)~-_.") == "a%20b%2A%28c%29~-_.")
        #expect(SigV4.uriEncode("runs/1/ä+=.mp4", encodeSlash: false) == "runs/1/%C3%A4%2B%3D.mp4")
        #expect(SigV4.uriEncode("a/b") == "a%2Fb")
    }
}
