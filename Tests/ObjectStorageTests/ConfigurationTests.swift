import Foundation
import Testing

@testable import ObjectStorage

@Suite struct ConfigurationTests {
    static let keys = ["AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret"]

    @Test func aCustomEndpointIsPathStyleAndAWSIsVirtualHosted() throws {
        var environment = Self.keys
        environment["AWS_ENDPOINT_URL"] = "http://minio.local:9000"
        let minio = try S3Configuration.from(url: "s3://media/farm//one/", environment: environment)
        #expect(minio.prefix == "farm/one/")
        #expect(minio.address(ofKey: "runs/a b.mp4") == ("minio.local:9000", "/media/farm/one/runs/a%20b.mp4"))
        #expect(minio.location == "s3://media/farm/one/")

        environment = Self.keys
        environment["AWS_DEFAULT_REGION"] = "eu-west-1"
        let aws = try S3Configuration.from(url: "s3://media", environment: environment)
        #expect(aws.endpoint.absoluteString == "https://s3.eu-west-1.amazonaws.com")
        #expect(aws.signer.region == "eu-west-1")
        #expect(aws.address(ofKey: "k") == ("media.s3.eu-west-1.amazonaws.com", "/k"))
    }

    @Test func badSettingsAreRefusedWithTheReason() {
        for (url, environment, reason) in [
            ("s3://Media_Bucket/x", Self.keys, "not a valid bucket name"),
            ("s3://ab", Self.keys, "not a valid bucket name"),
            ("https://media/x", Self.keys, "is not an s3://"),
            ("s3://media/x", [:], "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
            ("s3://media/x", Self.keys.merging(["AWS_ENDPOINT_URL": "ftp://host"]) { $1 }, "not an http"),
        ] {
            #expect {
                _ = try S3Configuration.from(url: url, environment: environment)
            } throws: { error in
                "\(error)".contains(reason) && !"\(error)".contains("secret")
            }
        }
    }
}
