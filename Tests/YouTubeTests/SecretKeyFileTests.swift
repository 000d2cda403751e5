import Foundation
import Testing
import YouTube

/// Whatever stands at `secret.key`, loading the key is one clear error or the key; never a crash, never litter.
@Suite struct SecretKeyFileTests {
    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("yt-key-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aFolderAtTheKeyFileIsOneClearErrorAndCreatesNothing() throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createDirectory(atPath: data + "/secret.key", withIntermediateDirectories: true)
        let error = #expect(throws: SecretBox.KeyError.self) {
            try SecretBox.load(dataDirectory: data, environment: [:])
        }
        #expect(error?.description.contains("is not a key file") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: data) == ["secret.key"], "no temporary files left")
    }

    @Test func aDamagedKeyFileIsRefusedAndLeftAlone() throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: data + "/secret.key"))
        #expect(throws: SecretBox.KeyError.self) { try SecretBox.load(dataDirectory: data, environment: [:]) }
        #expect(FileManager.default.contents(atPath: data + "/secret.key") == Data("not a key".utf8))
    }

    @Test func aKeyIsMadeOnceAndReadThroughALink() throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let made = try SecretBox.load(dataDirectory: data + "/mount", environment: [:])
        try FileManager.default.createSymbolicLink(
            atPath: data + "/secret.key", withDestinationPath: data + "/mount/secret.key")
        let linked = try SecretBox.load(dataDirectory: data, environment: [:])
        #expect(try linked.open(try made.seal("hello")) == "hello")
        let mode =
            try FileManager.default.attributesOfItem(atPath: data + "/mount/secret.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aLinkToAMissingKeySaysSoAndMakesNoKey() throws {
        let data = try folder()
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createSymbolicLink(
            atPath: data + "/secret.key", withDestinationPath: data + "/unmounted/secret.key")
        let error = #expect(throws: SecretBox.KeyError.self) {
            try SecretBox.load(dataDirectory: data, environment: [:])
        }
        #expect(error?.description.contains("which does not exist") == true, "\(String(describing: error))")
        #expect(error?.description.contains("start once more") == false)
        #expect(!FileManager.default.fileExists(atPath: data + "/unmounted"), "no key made behind the link")
        #expect(try FileManager.default.contentsOfDirectory(atPath: data) == ["secret.key"], "no temporary files left")
    }
}
