import Foundation
import Testing
import Yams

/// docker-compose.yml and the Dockerfile cannot be run here (no Docker
/// engine), so every command they run is checked against the real binary:
/// a real subcommand, real flags, environment variables it reads.
@Suite struct DeploymentFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `--flags` of a command line, without their values.
    static func flags(_ command: [String]) -> [String] {
        command.filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=")[0]) }
    }

    func check(_ command: [String], environment: [String], _ place: String) async throws {
        #expect(command.first == "yt-builder", "\(place) runs yt-builder: \(command)")
        let runner = CommandRunner()
        let help = try await runner.run(Array(command.dropFirst().prefix(1)) + ["--help"])
        #expect(help.status == 0, "\(place): `\(command.dropFirst().prefix(1))` is a subcommand: \(help.stderr)")
        for flag in Self.flags(command) {
            #expect(help.stdout.contains(flag), "\(place): \(flag) is a flag of \(command[1])")
        }
        for variable in environment {
            #expect(help.stdout.contains(variable), "\(place): \(command[1]) reads \(variable)")
        }
    }

    @Test func composeServices() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docker-compose.yml"), encoding: .utf8)
        let compose = try #require(try Yams.load(yaml: text) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        #expect(Set(services.keys) == ["postgres", "api", "worker", "minio", "minio-bucket"])
        var checked = 0
        for (name, value) in services {
            let service = try #require(value as? [String: Any])
            guard (service["image"] as? String)?.hasPrefix("yt-builder") == true,
                let command = service["command"] as? [String]
            else { continue }
            let environment = (service["environment"] as? [String: Any])?.keys.filter { $0 != "LOG_LEVEL" } ?? []
            try await check(command, environment: Array(environment), "service \(name)")
            #expect((service["volumes"] as? [String])?.contains("ytdata:/data") == true, "\(name) shares the data")
            checked += 1
        }
        #expect(checked == 2, "the api and worker services run yt-builder")
        let postgres = try #require(services["postgres"] as? [String: Any])
        #expect(postgres["healthcheck"] != nil)
        #expect((compose["volumes"] as? [String: Any])?.keys.sorted() == ["miniodata", "pgdata", "ytdata"])
        for name in ["minio", "minio-bucket"] {
            let service = try #require(services[name] as? [String: Any])
            #expect(service["profiles"] as? [String] == ["object-store"], "\(name) is optional")
        }
        for name in ["api", "worker"] {
            let service = try #require(services[name] as? [String: Any])
            let bucket = (service["depends_on"] as? [String: Any])?["minio-bucket"] as? [String: Any]
            #expect(bucket?["condition"] as? String == "service_completed_successfully", "\(name) waits for the bucket")
            #expect(bucket?["required"] as? Bool == false, "\(name) starts without the object-store profile")
        }
        // Nested defaults (`${A:-${B}}`) are read differently by Compose v1; there are none.
        #expect(text.range(of: #"\$\{[^}]*\$\{"#, options: .regularExpression) == nil)
        // Every variable the file reads is in .env.example.
        let example = try String(contentsOf: Self.root.appendingPathComponent(".env.example"), encoding: .utf8)
        let variables = Set(
            text.matches(of: /\$\{([A-Z_]+)/).map { String($0.output.1) })
        #expect(!variables.isEmpty)
        for variable in variables { #expect(example.contains("\n\(variable)="), "\(variable) in .env.example") }
    }

    /// The run command's set-up installs no test tools; the image is built by scripts/build-release,
    /// with every folder the binary embeds.
    @Test func runtimeSetUpAndReleaseBuild() throws {
        let runtime = try String(contentsOf: Self.root.appendingPathComponent("scripts/setup-runtime"), encoding: .utf8)
        for tool in ["chromium", "postgresql ", "iproute2", "faketime", "pip install", "selenium"] {
            #expect(!runtime.contains(tool), "setup-runtime installs no \(tool)")
        }
        for package in ["ffmpeg", "libsqlite3", "libpq", "fonts-dejavu-core"] { #expect(runtime.contains(package)) }
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("scripts/setup-runtime && swift run -c release yt-builder serve"))
        let dockerfile = try String(contentsOf: Self.root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        #expect(dockerfile.contains("RUN scripts/build-release"))
        for folder in ["sql", "openapi", "web", "Plugins", "Sources"] {
            #expect(dockerfile.contains("COPY \(folder) \(folder)"), "the image's build has \(folder)/")
        }
        for script in ["setup", "setup-runtime", "apt-install", "build-release"] {
            let result = try ChildProcessResult.run(
                "/bin/bash", ["-n", Self.root.appendingPathComponent("scripts/\(script)").path])
            #expect(result == 0, "scripts/\(script) parses")
        }
    }

    @Test func dockerfileCommand() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").last { $0.hasPrefix("CMD ") })
        let command = try #require(try Yams.load(yaml: String(line.dropFirst(4))) as? [String])
        try await check(command, environment: [], "Dockerfile CMD")
        for package in ["ffmpeg", "libpq5", "libsqlite3-0"] { #expect(text.contains(package)) }
    }
}

enum ChildProcessResult {
    /// A program's exit status.
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
