/// What this binary is: `--version`, `/healthz`, the start log and
/// `yt_builder_build_info` all say it. Raised with each release.
public enum BuildInfo {
    public static let version = "0.32.0"
}
