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
    }

    @Test func dockerfileCommand() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").last { $0.hasPrefix("CMD ") })
        let command = try #require(try Yams.load(yaml: String(line.dropFirst(4))) as? [String])
        try await check(command, environment: [], "Dockerfile CMD")
        for package in ["ffmpeg", "libpq5", "libsqlite3-0"] { #expect(text.contains(package)) }
    }
}
