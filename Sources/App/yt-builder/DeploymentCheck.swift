import ArgumentParser
import RunFiles
import StorageCore
import YouTube

/// What every host of a deployment must agree on, checked against what the
/// database recorded when a host first used it: where jobs' files live, and
/// which key seals stored credentials. A host that differs refuses with a
/// sentence naming the setting, before it deletes or serves anything.
enum DeploymentCheck {
    /// With an object store, records it (the first time) and refuses another;
    /// without one, refuses a database whose files were moved to a store.
    static func files(_ storage: any Storage, store: (any RunFileStore)?) async throws {
        let recorded = try await storage.deploymentValue(.files)
        guard let store else {
            guard let recorded else { return }
            throw ValidationError(
                "this database's job files are in \(recorded) (recorded when they moved there), but this command "
                    + "was given no object store: run it with --files \(recorded) (or YT_BUILDER_FILES=\(recorded)); "
                    + "without it the jobs' files cannot be found, served or removed")
        }
        let inForce = try await storage.recordDeploymentValue(.files, store.location)
        guard inForce == store.location else {
            throw ValidationError(
                "this database's job files are in \(inForce), not \(store.location): run it with --files \(inForce) "
                    + "(or YT_BUILDER_FILES=\(inForce)); to move them elsewhere, copy the bucket and then run "
                    + "'yt-builder db deployment --forget files'")
        }
    }

    /// Records the key's fingerprint the first time; refuses a host whose key differs.
    static func secretKey(_ storage: any Storage, box: SecretBox) async throws {
        let inForce = try await storage.recordDeploymentValue(.secretKeyFingerprint, box.fingerprint)
        guard inForce == box.fingerprint else {
            throw ValidationError(
                "this host's secret key (fingerprint \(box.fingerprint)) is not the one this database's YouTube "
                    + "credentials are sealed with (fingerprint \(inForce)): give every host the same key, with "
                    + "YT_BUILDER_SECRET_KEY or the same <data-dir>/secret.key; if that key is lost, its sealed "
                    + "credentials are too: 'yt-builder db deployment --forget secret-key' and connect YouTube again")
        }
    }
}
