import Crypto
import Foundation
import StorageCore

#if canImport(Glibc)
    import Glibc
#endif

/// Seals secrets with AES-GCM under a 256-bit key: from env
/// `YT_BUILDER_SECRET_KEY` (base64), else a key file in the data directory
/// (`secret.key`, created on first use with mode 0600).
public struct SecretBox: Sendable {
    public static let prefix = "ytb1:"
    public static let keyFileName = "secret.key"
    let key: SymmetricKey

    /// Names the key without revealing it: 16 hex digits of an HMAC of a fixed
    /// text under the key, what the database records so that hosts with
    /// different keys are told at start.
    public var fingerprint: String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("yt-builder secret key fingerprint".utf8), using: key)
        return code.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    public init(key: SymmetricKey) {
        self.key = key
    }

    public enum KeyError: Error, CustomStringConvertible {
        case badKey(String)

        public var description: String {
            switch self {
            case .badKey(let reason): reason
            }
        }
    }

    /// The key from the environment, else the data directory's key file (made when missing).
    public static func load(dataDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> SecretBox
    {
        if let text = environment["YT_BUILDER_SECRET_KEY"], !text.isEmpty {
            guard let data = Data(base64Encoded: text), data.count == 32 else {
                throw KeyError.badKey("YT_BUILDER_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32)")
            }
            return SecretBox(key: SymmetricKey(data: data))
        }
        let path = dataDirectory + "/" + keyFileName
        if let box = try readKeyFile(path) { return box }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        // Written whole under another name, then linked into place: of two processes
        // starting at once, one key wins and the other process reads it.
        let temporary = path + "." + UUID().uuidString
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw KeyError.badKey("cannot create the key file \(path): \(String(cString: strerror(errno)))")
        }
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
        fsync(descriptor)
        close(descriptor)
        defer { unlink(temporary) }
        if link(temporary, path) != 0 {
            guard errno == EEXIST else {
                throw KeyError.badKey("cannot create the key file \(path): \(String(cString: strerror(errno)))")
            }
            // Another process made it first: read theirs, once.
            guard let box = try readKeyFile(path) else {
                throw KeyError.badKey("the key file \(path) appeared and vanished again; start once more")
            }
            return box
        }
        return SecretBox(key: key)
    }

    /// The key in `path`; nil only when there is no such file. Anything else
    /// there (a folder, an unreadable or damaged file) is one clear error.
    static func readKeyFile(_ path: String) throws -> SecretBox? {
        var status = stat()
        // Followed if a link: key files are often links into a secrets mount.
        guard stat(path, &status) == 0 else {
            guard errno == ENOENT else {
                throw KeyError.badKey("cannot read the key file \(path): \(String(cString: strerror(errno)))")
            }
            // A link whose target is missing (a secrets mount not mounted): never replaced by a new key.
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                throw KeyError.badKey(
                    "the key file \(path) is a link to \(target), which does not exist (is the secrets volume "
                        + "mounted?); make it reachable, or set YT_BUILDER_SECRET_KEY")
            }
            return nil
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw KeyError.badKey(
                "\(path) is not a key file (it is a folder or another kind of file); move it away, or set YT_BUILDER_SECRET_KEY"
            )
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeyError.badKey("cannot read the key file \(path); check its owner and permissions")
        }
        guard
            let decoded = Data(
                base64Encoded: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            decoded.count == 32
        else { throw KeyError.badKey("\(path) does not hold a 32-byte base64 key") }
        return SecretBox(key: SymmetricKey(data: decoded))
    }

    public func seal(_ plain: String) throws -> String {
        let box = try AES.GCM.seal(Data(plain.utf8), using: key)
        guard let combined = box.combined else { throw KeyError.badKey("AES-GCM gave no sealed box") }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The plain text; a wrong key or damaged text is an error that reveals nothing of it.
    public func open(_ sealed: String) throws -> String {
        guard Self.isSealed(sealed), let data = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))) else {
            throw KeyError.badKey("the stored credentials are not sealed by yt-builder")
        }
        do {
            let plain = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key)
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw KeyError.badKey(
                "the stored credentials cannot be opened with this key (YT_BUILDER_SECRET_KEY or secret.key changed?)")
        }
    }

    /// Sealed with a nonce derived from the text itself, so the same text
    /// seals the same way twice: what lets a rerun of `migrate` recognise the
    /// history it copied. (It shows only that two values are equal.)
    public func sealDeterministically(_ plain: String) throws -> String {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, info: Data("yt-builder deterministic nonce".utf8), outputByteCount: 32)
        let mac = Data(HMAC<SHA256>.authenticationCode(for: Data(plain.utf8), using: derived))
        let box = try AES.GCM.seal(Data(plain.utf8), using: key, nonce: try AES.GCM.Nonce(data: mac.prefix(12)))
        guard let combined = box.combined else { throw KeyError.badKey("AES-GCM gave no sealed box") }
        return Self.prefix + combined.base64EncodedString()
    }

    public static func isSealed(_ text: String) -> Bool { text.hasPrefix(prefix) }

    /// An HMAC-SHA256 of `text` under a key derived from this one, for values
    /// that must come back unchanged (the OAuth `state`).
    public func sign(_ text: String) -> String {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, info: Data("yt-builder oauth state".utf8), outputByteCount: 32)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: derived)
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
