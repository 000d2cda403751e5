/// What every host of a deployment must agree on, kept in the database by
/// the first host that uses it (see `DeploymentSetting`).
public protocol DeploymentRecord: Sendable {
    /// The recorded value; nil when no host has recorded one.
    func deploymentValue(_ setting: DeploymentSetting) async throws -> String?
    /// Records `value` unless a value is recorded already; answers the value in force.
    func recordDeploymentValue(_ setting: DeploymentSetting, _ value: String) async throws -> String
    /// Forgets the recorded value (an operator moving the files back, or changing the key on purpose).
    func forgetDeploymentValue(_ setting: DeploymentSetting) async throws
}

public enum DeploymentSetting: String, Sendable, CaseIterable {
    /// Where jobs' files live when not in each host's data directory: `s3://bucket/prefix`.
    case files
    /// A fingerprint of the key that seals stored YouTube credentials (never the key).
    case secretKeyFingerprint = "secret_key_fingerprint"
}
